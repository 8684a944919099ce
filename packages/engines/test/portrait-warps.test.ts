import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FramePose } from '../src/portrait/animation.js';
import { decodeRgb, detectFaceInRgb } from '../src/portrait/face-landmarks.js';
import { buildFaceRig, type FaceRig, lookup } from '../src/portrait/face-rig.js';
import { type Bounds, EyeWarp, MouthWarp } from '../src/portrait/face-warps.js';
import { PortraitFrameRenderer } from '../src/portrait/frame-renderer.js';
import { LIPS_INNER_LOWER } from '../src/portrait/mesh-topology.js';
import { CELL_SMOOTH, CELL_STILL, MouthField, type ToRest } from '../src/portrait/mouth-field.js';
import { composeBaseFrame, frameSizeFor, placePoint, planPlacement } from '../src/portrait/photo-layout.js';

const rest: FramePose = {
  open: 0,
  spread: 0,
  round: 0,
  press: 0,
  blink: 0,
  head: { roll: 0, x: 0, y: 0, scale: 0 },
};
const poses: FramePose[] = [
  { ...rest, open: 1, spread: 0.3 },
  { ...rest, open: 0.4, round: 0.9 },
  { ...rest, spread: 0.8 },
  { ...rest, press: 1 },
  { ...rest, open: 0.25, spread: 0.5, press: 0.3 },
];

let rig: FaceRig;
let base: Buffer;
/** The same face with its lips 18 px apart, as in a photo that shows the upper teeth. */
let smiling: FaceRig;

beforeAll(async () => {
  const photo = await decodeRgb(
    await readFile(fileURLToPath(new URL('../../../../shared/testdata/carl_jung.jpg', import.meta.url))),
  );
  const face = await detectFaceInRgb(photo);
  const size = frameSizeFor(photo, 720, 1280);
  const placement = planPlacement(photo, face.box, size);
  base = await composeBaseFrame(photo, placement);
  const points = face.mesh.map((p) => placePoint(placement, p));
  rig = buildFaceRig(points, base, size.width, size.height);
  const { vx, vy } = rig.mouth.frame;
  const lowered = points.map((p, i) =>
    (LIPS_INNER_LOWER as readonly number[]).includes(i) && i !== 78 && i !== 308
      ? { x: p.x + 18 * vx, y: p.y + 18 * vy }
      : p,
  );
  smiling = buildFaceRig(lowered, base, size.width, size.height);
}, 30_000);

/** Points along the inside of a box's border, `inset` px in. */
function border(b: Bounds, inset: number): [number, number][] {
  const points: [number, number][] = [];
  for (let k = 0; k <= 40; k++) {
    const u = b.x0 + inset + ((b.x1 - b.x0 - 2 * inset) * k) / 40;
    const v = b.y0 + inset + ((b.y1 - b.y0 - 2 * inset) * k) / 40;
    points.push([u, b.y0 + inset], [u, b.y1 - inset], [b.x0 + inset, v], [b.x1 - inset, v]);
  }
  return points;
}

function displacement(
  map: (x: number, y: number, out: Float64Array) => boolean,
  x: number,
  y: number,
): number {
  const out = new Float64Array(7);
  if (!map(x, y, out)) return 0;
  return Math.hypot((out[0] ?? x) - x, (out[1] ?? y) - y);
}

describe('mouth warp', () => {
  it('is the identity at rest', () => {
    const warp = new MouthWarp(rig.mouth);
    warp.setPose(rest);
    expect(warp.active).toBe(false);
  });

  it('fades to no motion at the edge of its region, for every pose', () => {
    const warp = new MouthWarp(rig.mouth);
    for (const pose of poses) {
      warp.setPose(pose);
      const b = warp.activeBounds;
      // Sample the local rectangle's own border through the map's local frame.
      const f = rig.mouth.frame;
      let worst = 0;
      for (let k = 0; k <= 60; k++) {
        const s = rig.mouth.sMin + ((rig.mouth.sMax - rig.mouth.sMin) * k) / 60;
        for (const [ss, t] of [
          [s, rig.mouth.tMin + 0.5],
          [rig.mouth.sMin + 0.5, rig.mouth.tMin + ((rig.mouth.tMax - rig.mouth.tMin) * k) / 60],
          [rig.mouth.sMax - 0.5, rig.mouth.tMin + ((rig.mouth.tMax - rig.mouth.tMin) * k) / 60],
        ] as const) {
          const x = f.ox + ss * f.ux + t * f.vx;
          const y = f.oy + ss * f.uy + t * f.vy;
          if (x < b.x0 || x > b.x1 || y < b.y0 || y > b.y1) continue;
          worst = Math.max(
            worst,
            displacement((qx, qy, out) => warp.map(qx, qy, out), x, y),
          );
        }
      }
      expect(worst).toBeLessThan(0.6);
      // Below the active region (chin + drop + neck) nothing moves either.
      for (const [x, y] of border(b, 0.5).filter(([, y]) => y > b.y1 - 1)) {
        expect(displacement((qx, qy, out) => warp.map(qx, qy, out), x, y)).toBeLessThan(0.6);
      }
    }
  });

  it('matches the exact maps where the per-frame field interpolates, with and without head motion', () => {
    const warp = new MouthWarp(rig.mouth);
    const field = new MouthField();
    const heads: ToRest[] = [
      (x, y, out) => {
        out[0] = x;
        out[1] = y;
      },
      // A small rotation and shift, as the head motion gives near the mouth.
      (x, y, out) => {
        out[0] = x + 0.8 + 0.01 * (y - 700);
        out[1] = y - 1.3 - 0.01 * (x - 360);
      },
    ];
    const rest = new Float64Array(2);
    const exact = new Float64Array(7);
    const interpolated = new Float64Array(3);
    for (const toRest of heads) {
      for (const pose of poses) {
        warp.setPose(pose);
        const b = warp.activeBounds;
        field.fill(warp, { x0: b.x0 - 3, y0: b.y0 - 3, x1: b.x1 + 3, y1: b.y1 + 3 }, toRest);
        let smooth = 0;
        let worst = 0;
        let worstStill = 0;
        for (let y = Math.ceil(b.y0); y < b.y1 - 4; y += 3) {
          for (let x = Math.ceil(b.x0); x < b.x1 - 4; x += 3) {
            const px = x + 0.3;
            const py = y + 0.7;
            const kind = field.at(px, py, interpolated);
            toRest(px, py, rest);
            const qx = rest[0] ?? px;
            const qy = rest[1] ?? py;
            const mapped = warp.map(qx, qy, exact);
            if (mapped && (exact[2] ?? 0) > 0) continue;
            const sx = mapped ? (exact[0] ?? qx) : qx;
            const sy = mapped ? (exact[1] ?? qy) : qy;
            if (kind === CELL_SMOOTH) {
              smooth++;
              worst = Math.max(
                worst,
                Math.abs(sx - px - (interpolated[0] ?? 0)),
                Math.abs(sy - py - (interpolated[1] ?? 0)),
              );
            } else if (kind === CELL_STILL) {
              // A still cell keeps the head-moved pixel: the mouth must not move it either.
              worstStill = Math.max(worstStill, Math.hypot(sx - qx, sy - qy));
            }
          }
        }
        expect(smooth).toBeGreaterThan(100);
        expect(worst).toBeLessThan(0.35);
        expect(worstStill).toBeLessThan(0.35);
      }
    }
  });

  it('opens below the lower inner lip, as wide as the pose asks', () => {
    const warp = new MouthWarp(rig.mouth);
    const out = new Float64Array(7);
    const f = rig.mouth.frame;
    const opening = (pose: FramePose): number => {
      warp.setPose(pose);
      let inside = 0;
      for (let t = -40; t <= 80; t += 0.25) {
        warp.map(f.ox + t * f.vx, f.oy + t * f.vy, out);
        if ((out[2] ?? 0) >= 1) inside += 0.25;
      }
      return inside;
    };
    const wide = opening({ ...rest, open: 1 });
    const half = opening({ ...rest, open: 0.5 });
    expect(wide).toBeGreaterThan(0.6 * rig.mouth.maxDrop);
    expect(half).toBeGreaterThan(0.3 * wide);
    expect(half).toBeLessThan(0.7 * wide);
    expect(opening({ ...rest, press: 1 })).toBe(0);
  });
});

describe('mouth warp on a photo whose lips are apart', () => {
  it('keeps what the photo shows between the lips attached to the upper face and opens below it', () => {
    expect(rig.mouth.hasOwnOpening).toBe(false);
    expect(smiling.mouth.hasOwnOpening).toBe(true);
    const warp = new MouthWarp(smiling.mouth);
    warp.setPose({ ...rest, open: 0.8 });
    const f = smiling.mouth.frame;
    const upper = lookup(smiling.mouth.upperInner, 0);
    const lower = lookup(smiling.mouth.lowerInner, 0);
    const out = new Float64Array(7);
    let cavityTop = Number.POSITIVE_INFINITY;
    for (let t = upper - 10; t <= lower + 40; t += 0.5) {
      warp.map(f.ox + t * f.vx, f.oy + t * f.vy, out);
      const sourceT = ((out[0] ?? 0) - f.ox) * f.vx + ((out[1] ?? 0) - f.oy) * f.vy;
      if ((out[2] ?? 0) >= 1) cavityTop = Math.min(cavityTop, t);
      else if (t < cavityTop) {
        // Above the new opening the frame shows the photo's own teeth/lips, lifted a little at most.
        expect(sourceT).toBeLessThanOrEqual(lower + 0.01);
        expect(sourceT - t).toBeGreaterThanOrEqual(0);
        expect(sourceT - t).toBeLessThan(0.25 * smiling.mouth.maxDrop);
      }
    }
    // The new opening starts near the lower inner lip, not at the upper one.
    expect(cavityTop).toBeGreaterThan(lower - 0.25 * smiling.mouth.maxDrop);
    // No synthetic teeth: the top of the opening is cavity-dark.
    warp.map(f.ox + (cavityTop + 1) * f.vx, f.oy + (cavityTop + 1) * f.vy, out);
    expect(Math.max(out[3] ?? 0, out[4] ?? 0, out[5] ?? 0)).toBeLessThan(smiling.mouth.colors.teeth[0] * 0.6);
  });
});

describe('eye warp', () => {
  it('does nothing with open eyes and fades out at its border when closing', () => {
    for (const eye of rig.eyes) {
      const warp = new EyeWarp(eye);
      warp.setPose(rest);
      expect(warp.active).toBe(false);
      warp.setPose({ ...rest, blink: 1 });
      for (const [x, y] of border(warp.bounds, 0.25)) {
        expect(displacement((qx, qy, out) => warp.map(qx, qy, out), x, y)).toBeLessThan(0.5);
      }
    }
  });

  it('moves the upper lid down over the eye', () => {
    const eye = rig.eyes[0];
    const warp = new EyeWarp(eye);
    warp.setPose({ ...rest, blink: 1 });
    const f = eye.frame;
    const out = new Float64Array(7);
    // The middle of the eye opening now shows lid skin from above it.
    warp.map(f.ox, f.oy, out);
    const sourceT = ((out[0] ?? 0) - f.ox) * f.vx + ((out[1] ?? 0) - f.oy) * f.vy;
    expect(sourceT).toBeLessThan(0);
  });
});

describe('PortraitFrameRenderer', () => {
  it('renders the rest pose as the still frame and shares head-moved frames between held poses', () => {
    const renderer = new PortraitFrameRenderer(base, rig);
    expect(Buffer.from(renderer.renderFrame(rest)).equals(Buffer.from(renderer.baseFrame()))).toBe(true);
    const moving = Array.from({ length: 20 }, (_, i) => ({
      ...rest,
      open: (i % 5) / 5,
      head: { roll: 0.0004 * i, x: 0.0002 * i, y: 0, scale: 0 },
    }));
    const held = renderer.holdHeadPoses(moving, 1);
    expect(new Set(held.map((p) => p.head)).size).toBeLessThan(moving.length);
    // A held pose renders to the same bytes whether or not its head frame is cached.
    const fresh = new PortraitFrameRenderer(base, rig);
    for (const index of [7, 3, 7]) {
      const pose = held[index] ?? rest;
      expect(Buffer.from(renderer.renderFrame(pose)).equals(Buffer.from(fresh.renderFrame(pose)))).toBe(true);
    }
  }, 30_000);
});
