/**
 * Face-centred square crops for a LoRA dataset, planned as pure geometry: each crop is a square around the
 * face at a given zoom, shifted (never shrunk below the face) to stay inside the photo.
 */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface CropPlan extends Box {
  /** What the crop shows, for its caption. */
  framing: 'close-up portrait' | 'head and shoulders portrait' | 'upper body photo';
}

const FRAMINGS: readonly { framing: CropPlan['framing']; zoom: number; drop: number }[] = [
  { framing: 'close-up portrait', zoom: 1.6, drop: 0 },
  { framing: 'head and shoulders portrait', zoom: 2.6, drop: 0.3 },
  { framing: 'upper body photo', zoom: 4, drop: 0.6 },
];

/** A square of side `side` centred on (cx, cy), moved inside a photo of width x height. */
export function squareInside(cx: number, cy: number, side: number, width: number, height: number): Box {
  const s = Math.max(1, Math.min(Math.round(side), width, height));
  const x = Math.min(Math.max(0, Math.round(cx - s / 2)), width - s);
  const y = Math.min(Math.max(0, Math.round(cy - s / 2)), height - s);
  return { x, y, width: s, height: s };
}

/** The crops of one photo: distinct squares (near-duplicates at the photo's limits are dropped). */
export function planCrops(face: Box, photo: { width: number; height: number }): CropPlan[] {
  const size = Math.max(face.width, face.height);
  const cx = face.x + face.width / 2;
  const cy = face.y + face.height / 2;
  const out: CropPlan[] = [];
  for (const { framing, zoom, drop } of FRAMINGS) {
    const box = squareInside(cx, cy + drop * face.height, size * zoom, photo.width, photo.height);
    const duplicate = out.some(
      (c) =>
        Math.abs(c.width - box.width) < box.width * 0.1 &&
        Math.abs(c.x - box.x) < 8 &&
        Math.abs(c.y - box.y) < 8,
    );
    if (!duplicate) out.push({ ...box, framing });
  }
  return out;
}
