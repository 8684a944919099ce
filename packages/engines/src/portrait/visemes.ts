/**
 * IPA phonemes -> mouth shapes (pure). A shape has four channels in 0..1: `open` (jaw drop), `spread`
 * (lip corners pulled outward), `round` (lips rounded and pushed together toward the centre) and `press`
 * (lips pressed shut, for the bilabials p/b/m). Rules kept:
 * - stress, length, tie and diacritic marks never change the shape; labialisation (ʷ) adds rounding;
 * - a multi-symbol phoneme (diphthong, affricate) is 65 % its first sound and 35 % the rest;
 * - silence markers and empty phonemes are the rest shape (mouth closed); unknown symbols are a neutral
 *   half-open shape so an unexpected inventory still animates.
 */

export interface MouthShape {
  open: number;
  spread: number;
  round: number;
  press: number;
}

export const REST_SHAPE: Readonly<MouthShape> = Object.freeze({ open: 0, spread: 0, round: 0, press: 0 });
const NEUTRAL: MouthShape = { open: 0.3, spread: 0.1, round: 0, press: 0 };

function shape(open: number, spread: number, round: number, press = 0): MouthShape {
  return { open, spread, round, press };
}

/** Shapes per IPA symbol (vowels by height/backness/rounding; consonants by place of articulation). */
const SYMBOLS: ReadonlyMap<string, MouthShape> = new Map<string, MouthShape>([
  // close vowels
  ['i', shape(0.22, 0.75, 0)],
  ['y', shape(0.22, 0, 0.8)],
  ['ɨ', shape(0.25, 0.3, 0)],
  ['ʉ', shape(0.25, 0, 0.7)],
  ['ɯ', shape(0.25, 0.4, 0)],
  ['u', shape(0.22, 0, 0.9)],
  ['ɪ', shape(0.3, 0.6, 0)],
  ['ʏ', shape(0.3, 0, 0.7)],
  ['ʊ', shape(0.3, 0, 0.75)],
  // close-mid / mid vowels
  ['e', shape(0.4, 0.55, 0)],
  ['ø', shape(0.4, 0, 0.7)],
  ['ɘ', shape(0.4, 0.2, 0)],
  ['ɵ', shape(0.4, 0, 0.5)],
  ['ɤ', shape(0.4, 0.2, 0)],
  ['o', shape(0.45, 0, 0.8)],
  ['ə', shape(0.4, 0.15, 0)],
  ['ɚ', shape(0.38, 0, 0.3)],
  ['ɝ', shape(0.4, 0, 0.3)],
  // open-mid vowels
  ['ɛ', shape(0.55, 0.45, 0)],
  ['œ', shape(0.55, 0, 0.6)],
  ['ɜ', shape(0.5, 0.2, 0)],
  ['ɞ', shape(0.5, 0, 0.4)],
  ['ʌ', shape(0.6, 0.2, 0)],
  ['ɔ', shape(0.62, 0, 0.6)],
  // open vowels
  ['æ', shape(0.75, 0.45, 0)],
  ['ɐ', shape(0.65, 0.2, 0)],
  ['a', shape(0.9, 0.3, 0)],
  ['ɶ', shape(0.8, 0, 0.4)],
  ['ɑ', shape(0.95, 0.1, 0)],
  ['ɒ', shape(0.8, 0, 0.45)],
  // bilabials: lips shut
  ['p', shape(0, 0, 0, 1)],
  ['b', shape(0, 0, 0, 1)],
  ['m', shape(0, 0, 0, 1)],
  ['ɓ', shape(0, 0, 0, 1)],
  ['ʙ', shape(0, 0, 0, 1)],
  ['ɸ', shape(0.05, 0, 0.2, 0.6)],
  ['β', shape(0.05, 0, 0.2, 0.6)],
  // labiodentals: lower lip under the upper teeth
  ['f', shape(0.06, 0.15, 0, 0.4)],
  ['v', shape(0.06, 0.15, 0, 0.4)],
  ['ɱ', shape(0.04, 0.1, 0, 0.6)],
  ['ʋ', shape(0.1, 0, 0.4, 0.2)],
  // dentals and alveolars
  ['θ', shape(0.18, 0.2, 0)],
  ['ð', shape(0.18, 0.2, 0)],
  ['t', shape(0.2, 0.25, 0)],
  ['d', shape(0.2, 0.25, 0)],
  ['n', shape(0.2, 0.2, 0)],
  ['l', shape(0.25, 0.2, 0)],
  ['ɫ', shape(0.25, 0.1, 0.1)],
  ['ɾ', shape(0.2, 0.2, 0)],
  ['r', shape(0.22, 0.1, 0.15)],
  ['ɹ', shape(0.2, 0, 0.3)],
  ['ɻ', shape(0.2, 0, 0.3)],
  ['s', shape(0.12, 0.4, 0)],
  ['z', shape(0.12, 0.4, 0)],
  ['ɬ', shape(0.2, 0.3, 0)],
  ['ɮ', shape(0.2, 0.3, 0)],
  ['ʈ', shape(0.2, 0.2, 0)],
  ['ɖ', shape(0.2, 0.2, 0)],
  ['ɳ', shape(0.2, 0.2, 0)],
  ['ɭ', shape(0.25, 0.2, 0)],
  ['ɽ', shape(0.2, 0.2, 0)],
  // postalveolars: lips pushed forward
  ['ʃ', shape(0.2, 0, 0.55)],
  ['ʒ', shape(0.2, 0, 0.55)],
  ['ɕ', shape(0.18, 0.2, 0.3)],
  ['ʑ', shape(0.18, 0.2, 0.3)],
  ['ʂ', shape(0.2, 0, 0.45)],
  ['ʐ', shape(0.2, 0, 0.45)],
  // palatals, velars, uvulars, glottals
  ['j', shape(0.2, 0.45, 0)],
  ['ç', shape(0.2, 0.4, 0)],
  ['ʝ', shape(0.2, 0.4, 0)],
  ['c', shape(0.25, 0.3, 0)],
  ['ɟ', shape(0.25, 0.3, 0)],
  ['ɲ', shape(0.25, 0.3, 0)],
  ['k', shape(0.3, 0.15, 0)],
  ['g', shape(0.3, 0.15, 0)],
  ['ɡ', shape(0.3, 0.15, 0)],
  ['ŋ', shape(0.28, 0.15, 0)],
  ['x', shape(0.3, 0.1, 0)],
  ['ɣ', shape(0.3, 0.1, 0)],
  ['q', shape(0.35, 0.1, 0)],
  ['ɢ', shape(0.35, 0.1, 0)],
  ['χ', shape(0.35, 0.1, 0)],
  ['ʁ', shape(0.3, 0.05, 0.1)],
  ['ħ', shape(0.4, 0.1, 0)],
  ['ʕ', shape(0.4, 0.1, 0)],
  ['h', shape(0.35, 0.1, 0)],
  ['ɦ', shape(0.35, 0.1, 0)],
  ['ʔ', shape(0.15, 0.1, 0)],
  // labial approximants
  ['w', shape(0.12, 0, 0.95)],
  ['ʍ', shape(0.12, 0, 0.95)],
  ['ɥ', shape(0.15, 0, 0.85)],
]);

/**
 * Modifier letters that never change the mouth shape: stress, length, rhoticity, aspiration, palatalisation,
 * velarisation, pharyngealisation, ties, tones, ejectives, syllable and group breaks. Combining marks
 * (syllabic, tie bars, nasalisation, ...) are removed separately after NFD.
 */
const IGNORED =
  /[\u02c8\u02cc\u02d0\u02d1\u02de\u02b0\u02b2\u02e0\u02e4\u203f.|\u2016\u2197\u2198\u02e5-\u02e9\u02bc'\u2019\-\s]/gu;
const SILENCE = new Set(['', '_', '__', '#', 'sil', 'sp', 'pau', 'spn', '<sil>']);

function splitSymbols(phoneme: string): { symbols: string[]; labialised: boolean } {
  const labialised = phoneme.includes('ʷ');
  // NFD splits precomposed letters (e.g. ã) into a base letter plus combining marks, which are dropped.
  const cleaned = phoneme.normalize('NFD').replace(/ʷ/g, '').replace(IGNORED, '').replace(/\p{M}/gu, '');
  return { symbols: [...cleaned.toLowerCase()], labialised };
}

function mix(a: MouthShape, b: MouthShape, t: number): MouthShape {
  return {
    open: a.open + (b.open - a.open) * t,
    spread: a.spread + (b.spread - a.spread) * t,
    round: a.round + (b.round - a.round) * t,
    press: a.press + (b.press - a.press) * t,
  };
}

/** True for phoneme labels that mean silence. */
export function isSilencePhoneme(phoneme: string): boolean {
  return SILENCE.has(phoneme.trim().toLowerCase());
}

/** The mouth shape for one phoneme label (IPA); see the module comment for the rules. */
export function visemeForPhoneme(phoneme: string): MouthShape {
  if (isSilencePhoneme(phoneme)) return { ...REST_SHAPE };
  const { symbols, labialised } = splitSymbols(phoneme);
  if (symbols.length === 0) return { ...REST_SHAPE };
  const shapes = symbols.map((symbol) => SYMBOLS.get(symbol) ?? NEUTRAL);
  const [first, ...rest] = shapes;
  let result: MouthShape = first ?? NEUTRAL;
  if (rest.length > 0) {
    const mean = (pick: (s: MouthShape) => number): number =>
      rest.reduce((sum, s) => sum + pick(s), 0) / rest.length;
    const restMean = shape(
      mean((s) => s.open),
      mean((s) => s.spread),
      mean((s) => s.round),
      mean((s) => s.press),
    );
    result = mix(result, restMean, 0.35);
  }
  if (labialised) result = { ...result, round: Math.max(result.round, 0.7), spread: result.spread * 0.3 };
  return result;
}
