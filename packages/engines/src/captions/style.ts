/**
 * Caption geometry derived from the video size (pure). Rule: the font size follows the short side of the
 * frame so captions read the same on portrait and landscape video; the line length follows the usable width
 * (inside the side safe margins) and the average advance of the bold font, capped at 42 characters.
 */

export interface CaptionGeometry {
  fontSize: number;
  /** Outline thickness (px). */
  outline: number;
  /** Shadow offset (px). */
  shadow: number;
  /** Distance of the bottom line from the bottom edge (px). */
  marginBottom: number;
  /** Left/right safe margins (px). */
  marginSide: number;
  maxCharsPerLine: number;
}

/** Average advance of DejaVu Sans Bold glyphs in running text, as a fraction of the font size. */
const AVERAGE_ADVANCE_EM = 0.62;

/** Sizes for burned-in captions on a `width` x `height` video. */
export function captionGeometry(width: number, height: number): CaptionGeometry {
  if (!(width > 0 && height > 0)) throw new RangeError('width and height must be positive');
  const shortSide = Math.min(width, height);
  const fontSize = Math.max(12, Math.round(shortSide * 0.058));
  const marginSide = Math.round(width * 0.06);
  const usable = width - 2 * marginSide;
  return {
    fontSize,
    outline: Math.max(1, Math.round(fontSize * 0.09 * 10) / 10),
    shadow: Math.max(0.5, Math.round(fontSize * 0.04 * 10) / 10),
    marginBottom: Math.round(height * 0.08),
    marginSide,
    maxCharsPerLine: Math.max(8, Math.min(42, Math.floor(usable / (fontSize * AVERAGE_ADVANCE_EM)))),
  };
}
