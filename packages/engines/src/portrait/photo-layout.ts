/**
 * Where the photo goes in the video frame. Pure planning plus one sharp call that composes the base frame.
 * Rules kept:
 * - without a size, the frame keeps the photo's aspect (clamped to 9:16..16:9) with its short side 720;
 *   with one side given, the other follows the photo's aspect; sizes are even (yuv420p);
 * - `crop` cuts the largest window of the frame's aspect from the photo, centred on the face horizontally
 *   and with the face centre at 42 % of the height, then scales it; `blur` fits the whole photo and fills
 *   the rest with a blurred, dimmed copy; `auto` crops when the face box fits in the crop window (with 20 % spare height);
 * - the placement maps photo coordinates to frame coordinates with the pixel-centre convention (pixel i has
 *   its centre at i), so landmarks land on the pixels they were found on.
 */
import { MySpinBotError } from '@myspinbot/contracts';
import sharp from 'sharp';

export type PortraitFit = 'auto' | 'crop' | 'blur';

export interface FrameSize {
  width: number;
  height: number;
}

export interface Placement {
  mode: 'crop' | 'blur';
  width: number;
  height: number;
  /** Frame x = photo x * scaleX + offsetX (pixel centres). */
  scaleX: number;
  scaleY: number;
  offsetX: number;
  offsetY: number;
  /** crop: the photo window; blur: the whole photo. */
  source: { left: number; top: number; width: number; height: number };
  /** Where the scaled source lands in the frame. */
  target: { left: number; top: number; width: number; height: number };
}

export const MIN_SIDE = 64;
export const MAX_SIDE = 4096;
const DEFAULT_SHORT_SIDE = 720;

function even(value: number): number {
  return Math.max(2, 2 * Math.round(value / 2));
}

function checkSide(name: string, value: number): void {
  if (!Number.isInteger(value) || value < MIN_SIDE || value > MAX_SIDE || value % 2 !== 0) {
    throw new MySpinBotError(
      'NODE_INPUT_INVALID',
      `${name} must be an even integer within ${MIN_SIDE}..${MAX_SIDE}, got ${value}`,
      { details: { [name]: value } },
    );
  }
}

/** The output frame size; see the module comment. */
export function frameSizeFor(photo: FrameSize, width?: number, height?: number): FrameSize {
  const aspect = Math.min(16 / 9, Math.max(9 / 16, photo.width / photo.height));
  if (width !== undefined && height !== undefined) {
    checkSide('width', width);
    checkSide('height', height);
    return { width, height };
  }
  if (width !== undefined) {
    checkSide('width', width);
    return { width, height: Math.min(MAX_SIDE, even(width / aspect)) };
  }
  if (height !== undefined) {
    checkSide('height', height);
    return { width: Math.min(MAX_SIDE, even(height * aspect)), height };
  }
  return aspect >= 1
    ? { width: even(DEFAULT_SHORT_SIDE * aspect), height: DEFAULT_SHORT_SIDE }
    : { width: DEFAULT_SHORT_SIDE, height: even(DEFAULT_SHORT_SIDE / aspect) };
}

/** Plans the placement of a photo with a face box [x, y, w, h] into a frame. */
export function planPlacement(
  photo: FrameSize,
  faceBox: readonly [number, number, number, number],
  frame: FrameSize,
  fit: PortraitFit = 'auto',
): Placement {
  const frameAspect = frame.width / frame.height;
  let cropWidth = photo.width;
  let cropHeight = photo.height;
  if (photo.width / photo.height > frameAspect)
    cropWidth = Math.max(1, Math.round(photo.height * frameAspect));
  else cropHeight = Math.max(1, Math.round(photo.width / frameAspect));
  const [bx, by, bw, bh] = faceBox;
  // The detector's box already includes a margin around the face.
  const faceFits = bw <= cropWidth && bh * 1.2 <= cropHeight;
  const mode = fit === 'auto' ? (faceFits ? 'crop' : 'blur') : fit;

  if (mode === 'crop') {
    const centreX = bx + bw / 2;
    const centreY = by + bh / 2;
    const left = Math.round(Math.min(photo.width - cropWidth, Math.max(0, centreX - cropWidth / 2)));
    const top = Math.round(Math.min(photo.height - cropHeight, Math.max(0, centreY - 0.42 * cropHeight)));
    const scaleX = frame.width / cropWidth;
    const scaleY = frame.height / cropHeight;
    return {
      mode,
      width: frame.width,
      height: frame.height,
      scaleX,
      scaleY,
      offsetX: (0.5 - left) * scaleX - 0.5,
      offsetY: (0.5 - top) * scaleY - 0.5,
      source: { left, top, width: cropWidth, height: cropHeight },
      target: { left: 0, top: 0, width: frame.width, height: frame.height },
    };
  }
  const scale = Math.min(frame.width / photo.width, frame.height / photo.height);
  const width = Math.max(1, Math.min(frame.width, Math.round(photo.width * scale)));
  const height = Math.max(1, Math.min(frame.height, Math.round(photo.height * scale)));
  const left = Math.floor((frame.width - width) / 2);
  const top = Math.floor((frame.height - height) / 2);
  const scaleX = width / photo.width;
  const scaleY = height / photo.height;
  return {
    mode,
    width: frame.width,
    height: frame.height,
    scaleX,
    scaleY,
    offsetX: left + 0.5 * scaleX - 0.5,
    offsetY: top + 0.5 * scaleY - 0.5,
    source: { left: 0, top: 0, width: photo.width, height: photo.height },
    target: { left, top, width, height },
  };
}

/** Maps a photo point into the frame. */
export function placePoint(placement: Placement, point: { x: number; y: number }): { x: number; y: number } {
  return {
    x: point.x * placement.scaleX + placement.offsetX,
    y: point.y * placement.scaleY + placement.offsetY,
  };
}

/** Renders the still base frame (raw RGB, width*height*3) for a decoded RGB photo. */
export async function composeBaseFrame(
  photo: { data: Buffer; width: number; height: number },
  placement: Placement,
): Promise<Buffer> {
  const raw = { raw: { width: photo.width, height: photo.height, channels: 3 as const } };
  const { source, target, width, height } = placement;
  const scaled = await sharp(photo.data, raw)
    .extract(source)
    .resize(target.width, target.height, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  if (placement.mode === 'crop') return scaled;
  const background = await sharp(photo.data, raw)
    .resize(width, height, { fit: 'cover' })
    .blur(Math.max(4, Math.min(width, height) / 36))
    .modulate({ brightness: 0.8 })
    .raw()
    .toBuffer();
  return sharp(background, { raw: { width, height, channels: 3 } })
    .composite([
      { input: scaled, raw: { width: target.width, height: target.height, channels: 3 }, ...target },
    ])
    .removeAlpha()
    .raw()
    .toBuffer();
}
