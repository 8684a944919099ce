/**
 * BT.709 limited-range ("TV") conversion between RGB and planar YUV 4:2:0, the layout the encoder takes
 * (pure). A 4:2:0 frame is Y (w*h) then U (w/2*h/2) then V; a chroma sample covers a 2x2 block of luma
 * pixels and holds the block's mean colour. Width and height must be even.
 */

export const KR = 0.2126;
export const KB = 0.0722;
const KG = 1 - KR - KB;

/** Luma (16..235) of an RGB colour. */
export function lumaOf(r: number, g: number, b: number): number {
  return 16 + ((KR * r + KG * g + KB * b) * 219) / 255;
}

/** Blue-difference chroma (16..240). */
export function cbOf(r: number, g: number, b: number): number {
  return 128 + ((b - (KR * r + KG * g + KB * b)) / (2 * (1 - KB))) * (224 / 255);
}

/** Red-difference chroma (16..240). */
export function crOf(r: number, g: number, b: number): number {
  return 128 + ((r - (KR * r + KG * g + KB * b)) / (2 * (1 - KR))) * (224 / 255);
}

/** Bytes of a 4:2:0 frame. */
export function yuv420Size(width: number, height: number): number {
  return width * height + 2 * (width / 2) * (height / 2);
}

function clampByte(value: number): number {
  return value <= 0 ? 0 : value >= 255 ? 255 : Math.round(value);
}

/** Converts packed RGB (3 bytes per pixel) to a new 4:2:0 frame. */
export function rgbToYuv420(rgb: Uint8Array, width: number, height: number): Uint8Array {
  if (width % 2 !== 0 || height % 2 !== 0) throw new RangeError('4:2:0 needs an even width and height');
  const out = new Uint8Array(yuv420Size(width, height));
  const cw = width / 2;
  const uOffset = width * height;
  const vOffset = uOffset + cw * (height / 2);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      out[y * width + x] = clampByte(lumaOf(rgb[i] ?? 0, rgb[i + 1] ?? 0, rgb[i + 2] ?? 0));
    }
  }
  for (let cy = 0; cy < height / 2; cy++) {
    for (let cx = 0; cx < cw; cx++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let dy = 0; dy < 2; dy++) {
        for (let dx = 0; dx < 2; dx++) {
          const i = ((2 * cy + dy) * width + 2 * cx + dx) * 3;
          r += rgb[i] ?? 0;
          g += rgb[i + 1] ?? 0;
          b += rgb[i + 2] ?? 0;
        }
      }
      out[uOffset + cy * cw + cx] = clampByte(cbOf(r / 4, g / 4, b / 4));
      out[vOffset + cy * cw + cx] = clampByte(crOf(r / 4, g / 4, b / 4));
    }
  }
  return out;
}

/** Converts a 4:2:0 frame back to packed RGB (chroma replicated over its 2x2 block). */
export function yuv420ToRgb(yuv: Uint8Array, width: number, height: number): Buffer {
  const out = Buffer.alloc(width * height * 3);
  const cw = width / 2;
  const uOffset = width * height;
  const vOffset = uOffset + cw * (height / 2);
  const ys = 255 / 219;
  const cs = 255 / 224;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = (y >> 1) * cw + (x >> 1);
      const l = ((yuv[y * width + x] ?? 16) - 16) * ys;
      const pb = ((yuv[uOffset + c] ?? 128) - 128) * cs;
      const pr = ((yuv[vOffset + c] ?? 128) - 128) * cs;
      const r = l + 2 * (1 - KR) * pr;
      const b = l + 2 * (1 - KB) * pb;
      const g = (l - KR * r - KB * b) / KG;
      const o = (y * width + x) * 3;
      out[o] = clampByte(r);
      out[o + 1] = clampByte(g);
      out[o + 2] = clampByte(b);
    }
  }
  return out;
}
