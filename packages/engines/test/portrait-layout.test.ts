import { MySpinBotError } from '@myspinbot/contracts';
import { describe, expect, it } from 'vitest';
import { columnTable, frameBetween, lookup, toLocal } from '../src/portrait/face-rig.js';
import { frameSizeFor, placePoint, planPlacement } from '../src/portrait/photo-layout.js';
import { pickThumbnailFrame } from '../src/portrait/render-talking-portrait.js';
import { cbOf, crOf, lumaOf, rgbToYuv420, yuv420Size, yuv420ToRgb } from '../src/portrait/yuv.js';

const rest = { open: 0, spread: 0, round: 0, press: 0, blink: 0, head: { roll: 0, x: 0, y: 0, scale: 0 } };

describe('frameSizeFor', () => {
  it('defaults to the photo aspect with the short side 720 (clamped to 9:16..16:9)', () => {
    expect(frameSizeFor({ width: 512, height: 512 })).toEqual({ width: 720, height: 720 });
    expect(frameSizeFor({ width: 1080, height: 1920 })).toEqual({ width: 720, height: 1280 });
    expect(frameSizeFor({ width: 4000, height: 1000 })).toEqual({ width: 1280, height: 720 });
    expect(frameSizeFor({ width: 600, height: 800 })).toEqual({ width: 720, height: 960 });
  });

  it('follows one given side and validates sizes', () => {
    expect(frameSizeFor({ width: 600, height: 800 }, 540)).toEqual({ width: 540, height: 720 });
    expect(frameSizeFor({ width: 600, height: 800 }, undefined, 1280)).toEqual({ width: 960, height: 1280 });
    expect(frameSizeFor({ width: 512, height: 512 }, 720, 1280)).toEqual({ width: 720, height: 1280 });
    expect(() => frameSizeFor({ width: 512, height: 512 }, 721, 1280)).toThrow(MySpinBotError);
    expect(() => frameSizeFor({ width: 512, height: 512 }, 32, 64)).toThrow(/even integer/);
  });
});

describe('planPlacement', () => {
  const photo = { width: 512, height: 512 };
  const face: [number, number, number, number] = [114, 112, 243, 243];

  it('crops a 9:16 window around the face', () => {
    const p = planPlacement(photo, face, { width: 720, height: 1280 }, 'auto');
    expect(p.mode).toBe('crop');
    expect(p.source.height).toBe(512);
    expect(p.source.width).toBe(288);
    const centre = placePoint(p, { x: face[0] + face[2] / 2, y: face[1] + face[3] / 2 });
    expect(Math.abs(centre.x - 360)).toBeLessThan(40);
    // Pixel-centre convention: the window's left edge (left - 0.5) plus half an output pixel is the
    // centre of the frame's first pixel.
    expect(placePoint(p, { x: p.source.left - 0.5 + 0.5 / p.scaleX, y: 0 }).x).toBeCloseTo(0, 6);
    expect(p.scaleX).toBeCloseTo(720 / 288, 10);
  });

  it('fits the whole photo over a blurred copy when the face would not fit a crop', () => {
    const p = planPlacement(photo, [20, 20, 480, 480], { width: 720, height: 1280 }, 'auto');
    expect(p.mode).toBe('blur');
    expect(p.target).toEqual({ left: 0, top: 280, width: 720, height: 720 });
    const forced = planPlacement(photo, face, { width: 720, height: 1280 }, 'blur');
    expect(forced.mode).toBe('blur');
    const corner = placePoint(forced, { x: 0, y: 0 });
    expect(corner.x).toBeCloseTo(0.5 * (720 / 512) - 0.5, 6);
    expect(corner.y).toBeCloseTo(280 + 0.5 * (720 / 512) - 0.5, 6);
  });
});

describe('yuv', () => {
  it('maps black, white and grey onto BT.709 limited range', () => {
    expect(lumaOf(0, 0, 0)).toBe(16);
    expect(lumaOf(255, 255, 255)).toBeCloseTo(235, 10);
    expect(cbOf(128, 128, 128)).toBeCloseTo(128, 10);
    expect(crOf(255, 0, 0)).toBeCloseTo(240, 6);
    expect(cbOf(0, 0, 255)).toBeCloseTo(240, 6);
  });

  it('round-trips flat colours', () => {
    const width = 4;
    const height = 2;
    const rgb = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) rgb.set([200, 120, 40], i * 3);
    const yuv = rgbToYuv420(rgb, width, height);
    expect(yuv.length).toBe(yuv420Size(width, height));
    const back = yuv420ToRgb(yuv, width, height);
    for (let i = 0; i < back.length; i += 3) {
      expect(Math.abs((back[i] ?? 0) - 200)).toBeLessThanOrEqual(2);
      expect(Math.abs((back[i + 1] ?? 0) - 120)).toBeLessThanOrEqual(2);
      expect(Math.abs((back[i + 2] ?? 0) - 40)).toBeLessThanOrEqual(2);
    }
    expect(() => rgbToYuv420(rgb, 3, 2)).toThrow(RangeError);
  });
});

describe('rig geometry', () => {
  it('builds local frames along a feature', () => {
    const frame = frameBetween({ x: 10, y: 10 }, { x: 20, y: 20 });
    const p = toLocal(frame, { x: 20, y: 10 });
    expect(p.s).toBeCloseTo(0, 10);
    expect(p.t).toBeCloseTo(-Math.SQRT2 * 5, 10);
  });

  it('samples contours into column tables, flat beyond their ends', () => {
    const table = columnTable(
      [
        { s: 10, t: 0 },
        { s: -10, t: 0 },
        { s: 0, t: 5 },
      ],
      -20,
      20,
    );
    expect(lookup(table, 0)).toBeCloseTo(5, 10);
    expect(lookup(table, 5)).toBeCloseTo(2.5, 10);
    expect(lookup(table, -15)).toBe(0);
    expect(lookup(table, 100)).toBe(0);
  });
});

describe('pickThumbnailFrame', () => {
  it('takes eyes-open frames near a third of the clip and avoids wide-open mouths', () => {
    const poses = Array.from({ length: 30 }, () => ({ ...rest }));
    poses[10] = { ...rest, blink: 1 };
    expect(pickThumbnailFrame(poses)).toBe(9);
    poses[9] = { ...rest, open: 0.9 };
    expect(pickThumbnailFrame(poses)).toBe(11);
  });
});
