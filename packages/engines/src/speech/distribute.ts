/**
 * Spreading words over known stretches of speech when nothing says exactly where each word is.
 *
 * Rule: each word gets a share of speech time proportional to its weight. Words are first assigned to
 * regions: a word goes to the region that contains the middle of its share when the regions are laid end
 * to end (silence between them removed), which keeps the order and fills regions in proportion to their
 * length. Inside a region the region's time is split by weight. Regions that get no word stay unassigned
 * (breaths, noise).
 */

export interface Span {
  startMs: number;
  endMs: number;
}

/**
 * The region (index into `regions`) of each word: where the middle of its weight share falls when the
 * regions are laid end to end. Non-decreasing; every word gets a region (regions must not be empty).
 */
export function assignRegions(weights: readonly number[], regions: readonly Span[]): number[] {
  const speech = regions.reduce((sum, region) => sum + Math.max(0, region.endMs - region.startMs), 0);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  const regionOf: number[] = [];
  let cumulative = 0;
  let region = 0;
  let regionEndsAt = Math.max(0, (regions[0]?.endMs ?? 0) - (regions[0]?.startMs ?? 0));
  for (const weight of weights) {
    const middle = ((cumulative + weight / 2) / total) * speech;
    while (middle > regionEndsAt && region < regions.length - 1) {
      region++;
      regionEndsAt += Math.max(0, (regions[region]?.endMs ?? 0) - (regions[region]?.startMs ?? 0));
    }
    regionOf.push(region);
    cumulative += weight;
  }
  return regionOf;
}

/**
 * Spans for words of the given weights (all > 0) inside the regions (sorted, non-overlapping). With no
 * region every span is empty at 0.
 */
export function distributeWords(weights: readonly number[], regions: readonly Span[]): Span[] {
  const usable = regions.filter((region) => region.endMs > region.startMs);
  if (usable.length === 0) return weights.map(() => ({ startMs: 0, endMs: 0 }));
  const regionOf = assignRegions(weights, usable);
  const spans: Span[] = weights.map(() => ({ startMs: 0, endMs: 0 }));
  let first = 0;
  while (first < weights.length) {
    const index = regionOf[first] ?? 0;
    let after = first;
    while (after < weights.length && regionOf[after] === index) after++;
    const { startMs, endMs } = usable[index] ?? { startMs: 0, endMs: 0 };
    const groupTotal = weights.slice(first, after).reduce((sum, weight) => sum + weight, 0);
    const targets: number[] = [];
    let running = 0;
    for (let k = first; k < after - 1; k++) {
      running += weights[k] ?? 0;
      targets.push(startMs + ((endMs - startMs) * running) / groupTotal);
    }
    const boundaries = [startMs, ...targets, endMs];
    for (let k = first; k < after; k++) {
      spans[k] = { startMs: boundaries[k - first] ?? startMs, endMs: boundaries[k - first + 1] ?? endMs };
    }
    first = after;
  }
  return spans;
}
