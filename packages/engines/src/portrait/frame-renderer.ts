/**
 * Renders animation poses into 4:2:0 frames (BT.709, limited range), reusing one still base frame.
 * Rules kept:
 * - only pixels the motion can reach are recomputed (the head region and the mouth/eye regions); every
 *   other pixel is a copy of the base frame;
 * - a frame pixel first undoes the head motion (a rotation/shift/scale about the base of the neck, blended
 *   by a soft head mask so the shoulders stay still), then the mouth or eye warp, then reads the base frame
 *   with bilinear interpolation; the mouth interior is blended in where the lips are apart;
 * - luma is computed per pixel and chroma per 2x2 block at the block centre, with the same maps;
 * - each row is split into segments so the per-pixel work is only what the segment needs: a rigid shift
 *   inside the head, a weighted one in the mask's soft edge, and the full local warps near the mouth/eyes;
 * - the head-moved frame is cached per head pose, so frames that share a head pose (`holdHeadPoses` holds a
 *   pose while the head moves less than a third of a pixel) only redo the mouth and eye regions;
 * - the result depends only on the base frame, the rig and the pose (the cache never changes the bytes),
 *   so a pose always renders to the same bytes.
 */
import type { FramePose } from './animation.js';
import type { FaceRig } from './face-rig.js';
import { type Bounds, EyeWarp, INV_GRID, MouthWarp } from './face-warps.js';
import type { HeadPose } from './motion.js';
import { cbOf, crOf, lumaOf, rgbToYuv420, yuv420Size } from './yuv.js';

/** The pixels of one plane that may change, as a grid whose pixel (i, j) sits at luma (i*step+offset, ...). */
interface Grid {
  step: number;
  offset: number;
  x0: number;
  y0: number;
  width: number;
  height: number;
  /** Head-mask weight per grid pixel (1 inside the head, 0 outside, soft in between). */
  weight: Float32Array;
  /** Per row, relative to x0: the span with weight > 0 and the span with weight 1 (empty: start >= end). */
  headStart: Int32Array;
  headEnd: Int32Array;
  coreStart: Int32Array;
  coreEnd: Int32Array;
}

function union(boxes: Bounds[]): Bounds {
  return {
    x0: Math.min(...boxes.map((b) => b.x0)),
    y0: Math.min(...boxes.map((b) => b.y0)),
    x1: Math.max(...boxes.map((b) => b.x1)),
    y1: Math.max(...boxes.map((b) => b.y1)),
  };
}

function buildGrid(rig: FaceRig, region: Bounds, step: number, offset: number): Grid {
  const head = rig.head;
  const f = head.frame;
  const gridWidth = rig.width / step;
  const gridHeight = rig.height / step;
  const x0 = Math.max(0, Math.floor((region.x0 - offset) / step));
  const y0 = Math.max(0, Math.floor((region.y0 - offset) / step));
  const x1 = Math.min(gridWidth, Math.ceil((region.x1 - offset) / step) + 1);
  const y1 = Math.min(gridHeight, Math.ceil((region.y1 - offset) / step) + 1);
  const width = Math.max(0, x1 - x0);
  const height = Math.max(0, y1 - y0);
  const weight = new Float32Array(width * height);
  const headStart = new Int32Array(height).fill(width);
  const headEnd = new Int32Array(height);
  const coreStart = new Int32Array(height).fill(width);
  const coreEnd = new Int32Array(height);
  for (let j = 0; j < height; j++) {
    const ly = (y0 + j) * step + offset;
    for (let i = 0; i < width; i++) {
      const lx = (x0 + i) * step + offset;
      const dx = lx - f.ox;
      const dy = ly - f.oy;
      const u = (dx * f.ux + dy * f.uy) / head.radiusU;
      const v = (dx * f.vx + dy * f.vy) / head.radiusV;
      const x = (Math.sqrt(u * u + v * v) - 1) / head.fade;
      const w = x <= 0 ? 1 : x >= 1 ? 0 : 1 - x * x * (3 - 2 * x);
      weight[j * width + i] = w;
      // The mask is an ellipse, so both spans are contiguous.
      if (w > 0) {
        if (i < (headStart[j] ?? width)) headStart[j] = i;
        headEnd[j] = i + 1;
      }
      if (w === 1) {
        if (i < (coreStart[j] ?? width)) coreStart[j] = i;
        coreEnd[j] = i + 1;
      }
    }
  }
  return { step, offset, x0, y0, width, height, weight, headStart, headEnd, coreStart, coreEnd };
}

/** Largest head displacement any pixel of the bounds can get (the map is affine: the corners bound it). */
function reachOver(
  b: Bounds,
  m00: number,
  m01: number,
  m10: number,
  m11: number,
  c0: number,
  c1: number,
): number {
  let reach = 0;
  for (const x of [b.x0, b.x1]) {
    for (const y of [b.y0, b.y1]) {
      reach = Math.max(reach, Math.abs(m00 * x + m01 * y + c0), Math.abs(m10 * x + m11 * y + c1));
    }
  }
  return reach;
}

/** Backward head displacement d(p) = M p + c for a head pose. */
interface HeadMap {
  m00: number;
  m01: number;
  m10: number;
  m11: number;
  c0: number;
  c1: number;
}

/** rigid(p) = P + R(-roll) (p - P - T) / (1 + scale) about the pivot P; d(p) = rigid(p) - p. */
function headMap(rig: FaceRig, pose: HeadPose): HeadMap {
  const { head } = rig;
  const k = 1 / (1 + pose.scale);
  const cos = Math.cos(pose.roll) * k;
  const sin = Math.sin(pose.roll) * k;
  const tx = pose.x * head.faceWidth;
  const ty = pose.y * head.faceWidth;
  const px = head.pivotX;
  const py = head.pivotY;
  return {
    m00: cos - 1,
    m01: sin,
    m10: -sin,
    m11: cos - 1,
    c0: px - (cos * (px + tx) + sin * (py + ty)),
    c1: py - (-sin * (px + tx) + cos * (py + ty)),
  };
}

/** Largest difference (px) between the displacements of two head poses over a region. */
function headDistance(rig: FaceRig, region: Bounds, a: HeadPose, b: HeadPose): number {
  const p = headMap(rig, a);
  const q = headMap(rig, b);
  return reachOver(
    region,
    p.m00 - q.m00,
    p.m01 - q.m01,
    p.m10 - q.m10,
    p.m11 - q.m11,
    p.c0 - q.c0,
    p.c1 - q.c1,
  );
}

function sameHead(a: HeadPose, b: HeadPose): boolean {
  return a.roll === b.roll && a.x === b.x && a.y === b.y && a.scale === b.scale;
}

const PASS_HEAD = 0;
const PASS_LOCAL = 1;

const KIND_WEIGHTED = 0;
const KIND_RIGID = 1;
const KIND_LOCAL = 2;

export class PortraitFrameRenderer {
  readonly width: number;
  readonly height: number;
  /** Bytes of one 4:2:0 frame. */
  readonly frameBytes: number;
  private readonly base: Uint8Array;
  private readonly lumaGrid: Grid;
  private readonly chromaGrid: Grid;
  private readonly mouth: MouthWarp;
  private readonly eyeA: EyeWarp;
  private readonly eyeB: EyeWarp;
  private readonly region: Bounds;
  private readonly scratch = new Float64Array(7);
  /** Segment boundaries and kinds of the current row. */
  private readonly cuts = new Int32Array(8);
  private readonly kinds = new Int32Array(8);
  private readonly points = new Int32Array(8);
  private readonly candidates = new Int32Array(4);
  /** Backward head displacement d(p) = M p + c of the current frame. */
  private m00 = 0;
  private m01 = 0;
  private m10 = 0;
  private m11 = 0;
  private c0 = 0;
  private c1 = 0;
  /** Where the local warps may apply this frame (luma coordinates), one box per active part. */
  private local: Bounds[] = [];
  /** Which pixels the current pass renders: the head region (head motion only) or the local regions. */
  private pass = PASS_HEAD;
  /** The base frame moved by `cachedHead` (no mouth/eye warps). */
  private readonly headFrame: Uint8Array;
  private cachedHead: HeadPose | undefined;

  /** `baseRgb` is the still frame (packed RGB) the rig was measured on. */
  constructor(
    baseRgb: Uint8Array,
    private readonly rig: FaceRig,
  ) {
    this.width = rig.width;
    this.height = rig.height;
    this.base = rgbToYuv420(baseRgb, rig.width, rig.height);
    this.frameBytes = yuv420Size(rig.width, rig.height);
    this.headFrame = new Uint8Array(this.frameBytes);
    this.mouth = new MouthWarp(rig.mouth);
    this.eyeA = new EyeWarp(rig.eyes[0]);
    this.eyeB = new EyeWarp(rig.eyes[1]);
    const head = rig.head;
    const f = head.frame;
    const reachU = head.radiusU * (1 + head.fade);
    const reachV = head.radiusV * (1 + head.fade);
    const extentX = Math.abs(f.ux) * reachU + Math.abs(f.vx) * reachV;
    const extentY = Math.abs(f.uy) * reachU + Math.abs(f.vy) * reachV;
    // Local warps act at rest positions; a pixel reaches them from up to the head motion away.
    const margin = 0.08 * head.faceWidth + 4;
    const grow = (b: Bounds): Bounds => ({
      x0: b.x0 - margin,
      y0: b.y0 - margin,
      x1: b.x1 + margin,
      y1: b.y1 + margin,
    });
    this.region = union([
      { x0: f.ox - extentX, y0: f.oy - extentY, x1: f.ox + extentX, y1: f.oy + extentY },
      grow(this.mouth.bounds),
      grow(this.eyeA.bounds),
      grow(this.eyeB.bounds),
    ]);
    this.lumaGrid = buildGrid(rig, this.region, 1, 0);
    this.chromaGrid = buildGrid(rig, this.region, 2, 0.5);
  }

  /** The still frame as 4:2:0 (a copy). */
  baseFrame(): Uint8Array {
    return this.base.slice();
  }

  /**
   * Renders a pose into `out` (allocated when absent) and returns it. The head-moved frame (without the
   * mouth and eye warps) is cached for the last head pose, so poses that share a head pose (see
   * `holdHeadPoses`) only recompute the mouth and eye regions; the bytes are the same either way.
   */
  renderFrame(pose: FramePose, out: Uint8Array = new Uint8Array(this.frameBytes)): Uint8Array {
    if (out.length !== this.frameBytes) {
      throw new RangeError(`frame buffer must hold ${this.frameBytes} bytes`);
    }
    this.setHead(pose.head);
    this.mouth.setPose(pose);
    this.eyeA.setPose(pose);
    this.eyeB.setPose(pose);
    const displacement = reachOver(this.region, this.m00, this.m01, this.m10, this.m11, this.c0, this.c1);
    if (displacement <= 1e-3) {
      out.set(this.base);
    } else {
      if (!this.cachedHead || !sameHead(this.cachedHead, pose.head)) {
        this.headFrame.set(this.base);
        const cache = new Uint8ClampedArray(
          this.headFrame.buffer,
          this.headFrame.byteOffset,
          this.headFrame.byteLength,
        );
        this.pass = PASS_HEAD;
        this.renderPlane(cache, this.lumaGrid);
        this.renderPlane(cache, this.chromaGrid);
        this.cachedHead = { ...pose.head };
      }
      out.set(this.headFrame);
    }
    // A frame pixel reaches a part's rest region from at most the head displacement over that region away.
    this.local = [this.mouth, this.eyeA, this.eyeB]
      .filter((part) => part.active)
      .map(({ activeBounds: b }) => {
        const reach = reachOver(b, this.m00, this.m01, this.m10, this.m11, this.c0, this.c1) + 1;
        return { x0: b.x0 - reach, y0: b.y0 - reach, x1: b.x1 + reach, y1: b.y1 + reach };
      });
    if (this.local.length > 0) {
      const view = new Uint8ClampedArray(out.buffer, out.byteOffset, out.byteLength);
      this.pass = PASS_LOCAL;
      this.renderPlane(view, this.lumaGrid);
      this.renderPlane(view, this.chromaGrid);
    }
    return out;
  }

  /**
   * Holds each head pose while the head has moved less than `thresholdPx` (anywhere in the head region)
   * since it was last updated, so consecutive frames can share the cached head-moved frame. Returns new
   * poses; the mouth, eyes and timing are unchanged.
   */
  holdHeadPoses(poses: readonly FramePose[], thresholdPx = 0.35): FramePose[] {
    let held: HeadPose | undefined;
    return poses.map((pose) => {
      if (held !== undefined && headDistance(this.rig, this.region, held, pose.head) < thresholdPx) {
        return { ...pose, head: held };
      }
      held = pose.head;
      return pose;
    });
  }

  private setHead(head: HeadPose): void {
    const d = headMap(this.rig, head);
    this.m00 = d.m00;
    this.m01 = d.m01;
    this.m10 = d.m10;
    this.m11 = d.m11;
    this.c0 = d.c0;
    this.c1 = d.c1;
  }

  /** Splits row j of a grid into segments; returns how many (boundaries in `cuts`, kinds in `kinds`). */
  private segments(grid: Grid, j: number): number {
    const { step, offset, x0, width } = grid;
    const headPass = this.pass === PASS_HEAD;
    let start = headPass ? (grid.headStart[j] ?? width) : width;
    let end = headPass ? (grid.headEnd[j] ?? 0) : 0;
    const coreStart = grid.coreStart[j] ?? width;
    const coreEnd = grid.coreEnd[j] ?? 0;
    const ly = (grid.y0 + j) * step + offset;
    // The union of the x-ranges of the local regions this row crosses.
    let localStart = width;
    let localEnd = 0;
    const boxes = headPass ? 0 : this.local.length;
    for (let k = 0; k < boxes; k++) {
      const box = this.local[k];
      if (box === undefined || ly < box.y0 || ly > box.y1) continue;
      localStart = Math.min(localStart, Math.max(0, Math.floor((box.x0 - offset) / step) - x0));
      localEnd = Math.max(localEnd, Math.min(width, Math.ceil((box.x1 - offset) / step) + 1 - x0));
    }
    if (localStart < localEnd) {
      start = Math.min(start, localStart);
      end = Math.max(end, localEnd);
    }
    if (start >= end) return 0;
    // Sorted distinct cut points inside (start, end), by insertion into a fixed buffer (no allocation).
    const points = this.points;
    points[0] = start;
    let n = 1;
    const candidates = this.candidates;
    candidates[0] = coreStart;
    candidates[1] = coreEnd;
    candidates[2] = localStart;
    candidates[3] = localEnd;
    for (let c = 0; c < 4; c++) {
      const p = candidates[c] ?? start;
      if (p <= start || p >= end) continue;
      let k = n;
      while (k > 1 && (points[k - 1] ?? 0) > p) {
        points[k] = points[k - 1] ?? 0;
        k--;
      }
      points[k] = p;
      n++;
    }
    points[n++] = end;
    let count = 0;
    for (let k = 0; k + 1 < n; k++) {
      const a = points[k] ?? 0;
      const b = points[k + 1] ?? 0;
      if (a >= b) continue;
      const inLocal = a >= localStart && a < localEnd;
      const inCore = a >= coreStart && a < coreEnd;
      this.cuts[count] = a;
      this.cuts[count + 1] = b;
      this.kinds[count] = inLocal ? KIND_LOCAL : inCore ? KIND_RIGID : KIND_WEIGHTED;
      count++;
    }
    return count;
  }

  private renderPlane(out: Uint8ClampedArray, grid: Grid): void {
    for (let j = 0; j < grid.height; j++) {
      const count = this.segments(grid, j);
      for (let k = 0; k < count; k++) {
        const a = this.cuts[k] ?? 0;
        const b = this.cuts[k + 1] ?? 0;
        const kind = this.kinds[k] ?? KIND_WEIGHTED;
        if (grid.step === 1) this.lumaSegment(out, grid, j, a, b, kind);
        else this.chromaSegment(out, grid, j, a, b, kind);
      }
    }
  }

  /** Applies an eye warp at rest position (qx, qy); true when one applied (result in scratch). */
  private eyeWarp(qx: number, qy: number): boolean {
    const a = this.eyeA;
    const ab = a.bounds;
    if (a.active && qx >= ab.x0 && qx <= ab.x1 && qy >= ab.y0 && qy <= ab.y1 && a.map(qx, qy, this.scratch)) {
      return true;
    }
    const b = this.eyeB;
    const bb = b.bounds;
    return (
      b.active && qx >= bb.x0 && qx <= bb.x1 && qy >= bb.y0 && qy <= bb.y1 && b.map(qx, qy, this.scratch)
    );
  }

  private lumaSegment(
    out: Uint8ClampedArray,
    grid: Grid,
    j: number,
    a: number,
    b: number,
    kind: number,
  ): void {
    if (kind === KIND_RIGID) this.lumaRigid(out, grid, j, a, b);
    else if (kind === KIND_WEIGHTED) this.lumaWeighted(out, grid, j, a, b);
    else this.lumaLocal(out, grid, j, a, b);
  }

  /** Inside the head every pixel moves rigidly: the source position steps linearly along the row. */
  private lumaRigid(out: Uint8ClampedArray, grid: Grid, j: number, a: number, b: number): void {
    const base = this.base;
    const w = this.width;
    const maxX = w - 1.0001;
    const maxY = this.height - 1.0001;
    const y = grid.y0 + j;
    const x = grid.x0 + a;
    let sx = x + this.m00 * x + this.m01 * y + this.c0;
    let sy = y + this.m10 * x + this.m11 * y + this.c1;
    const stepX = 1 + this.m00;
    const stepY = this.m10;
    const n = b - a;
    let o = y * w + x;
    const lastX = sx + stepX * (n - 1);
    const lastY = sy + stepY * (n - 1);
    if (
      Math.min(sx, lastX) >= 0 &&
      Math.max(sx, lastX) <= maxX &&
      Math.min(sy, lastY) >= 0 &&
      Math.max(sy, lastY) <= maxY
    ) {
      // The whole segment reads inside the frame (positions are linear), so no clamping; 16.16 fixed point
      // positions and 8-bit weights keep the arithmetic in integers.
      let fxp = Math.round(sx * 65536);
      let fyp = Math.round(sy * 65536);
      const dfx = Math.round(stepX * 65536);
      const dfy = Math.round(stepY * 65536);
      for (let i = 0; i < n; i++, o++, fxp += dfx, fyp += dfy) {
        const wx = (fxp >> 8) & 255;
        const wy = (fyp >> 8) & 255;
        const i0 = (fyp >> 16) * w + (fxp >> 16);
        const i1 = i0 + w;
        const p00 = base[i0] ?? 0;
        const p01 = base[i1] ?? 0;
        const top = (p00 << 8) + ((base[i0 + 1] ?? 0) - p00) * wx;
        const bottom = (p01 << 8) + ((base[i1 + 1] ?? 0) - p01) * wx;
        out[o] = ((top << 8) + (bottom - top) * wy + 32768) >> 16;
      }
      return;
    }
    for (let i = 0; i < n; i++, o++, sx += stepX, sy += stepY) {
      const cx = Math.min(Math.max(sx, 0), maxX);
      const cy = Math.min(Math.max(sy, 0), maxY);
      out[o] = this.sampleLuma(cx, cy);
    }
  }

  /** Bilinear luma of the base frame at an in-range position. */
  private sampleLuma(sx: number, sy: number): number {
    const base = this.base;
    const w = this.width;
    const ix = sx | 0;
    const iy = sy | 0;
    const fx = sx - ix;
    const i0 = iy * w + ix;
    const i1 = i0 + w;
    const p00 = base[i0] ?? 0;
    const p01 = base[i1] ?? 0;
    const top = p00 + ((base[i0 + 1] ?? 0) - p00) * fx;
    return top + (p01 + ((base[i1 + 1] ?? 0) - p01) * fx - top) * (sy - iy);
  }

  /** The soft edge of the head mask: each pixel moves by its share of the head motion. */
  private lumaWeighted(out: Uint8ClampedArray, grid: Grid, j: number, a: number, b: number): void {
    const w = this.width;
    const maxX = w - 1.0001;
    const maxY = this.height - 1.0001;
    const m00 = this.m00;
    const m10 = this.m10;
    const weight = grid.weight;
    const y = grid.y0 + j;
    let x = grid.x0 + a;
    let dx = m00 * x + this.m01 * y + this.c0;
    let dy = m10 * x + this.m11 * y + this.c1;
    let wi = j * grid.width + a;
    let o = y * w + x;
    for (let i = a; i < b; i++, x++, wi++, o++, dx += m00, dy += m10) {
      const h = weight[wi] ?? 0;
      out[o] = this.sampleLuma(
        Math.min(Math.max(x + h * dx, 0), maxX),
        Math.min(Math.max(y + h * dy, 0), maxY),
      );
    }
  }

  /** Near the mouth and eyes: head motion, then the local warp, then the mouth interior and shading. */
  private lumaLocal(out: Uint8ClampedArray, grid: Grid, j: number, a: number, b: number): void {
    const base = this.base;
    const w = this.width;
    const maxX = w - 1.0001;
    const maxY = this.height - 1.0001;
    const m00 = this.m00;
    const m10 = this.m10;
    const weight = grid.weight;
    const scratch = this.scratch;
    const mouth = this.mouth;
    const { x0: mx0, y0: my0, x1: mx1, y1: my1 } = mouth.activeBounds;
    const mouthOn = mouth.active;
    const eyesOn = this.eyeA.active || this.eyeB.active;
    const gx0 = mouth.gridX0;
    const gy0 = mouth.gridY0;
    const gColumns = mouth.gridColumns;
    const gLastColumn = gColumns - 1;
    const gLastRow = mouth.gridRows - 1;
    const gValues = mouth.gridValues;
    const gExact = mouth.gridExact;
    const y = grid.y0 + j;
    let x = grid.x0 + a;
    let dx = m00 * x + this.m01 * y + this.c0;
    let dy = m10 * x + this.m11 * y + this.c1;
    let wi = j * grid.width + a;
    let o = y * w + x;
    for (let i = a; i < b; i++, x++, wi++, o++, dx += m00, dy += m10) {
      const h = weight[wi] ?? 0;
      let sx = x + h * dx;
      let sy = y + h * dy;
      let alpha = 0;
      let factor = 1;
      if (mouthOn && sx >= mx0 && sx <= mx1 && sy >= my0 && sy <= my1) {
        // The mouth map: interpolated from its per-frame grid, or exact in cells near the opening.
        const gx = (sx - gx0) * INV_GRID;
        const gy = (sy - gy0) * INV_GRID;
        const ci = gx | 0;
        const cj = gy | 0;
        if (ci < gLastColumn && cj < gLastRow) {
          const n = cj * gColumns + ci;
          if (gExact[n] === 1) {
            if (mouth.map(sx, sy, scratch)) {
              sx = scratch[0] ?? sx;
              sy = scratch[1] ?? sy;
              alpha = scratch[2] ?? 0;
              factor = scratch[6] ?? 1;
            }
          } else {
            const fx = gx - ci;
            const fy = gy - cj;
            const n0 = 3 * n;
            const n1 = n0 + 3 * gColumns;
            const w11 = fx * fy;
            const w10 = fx - w11;
            const w01 = fy - w11;
            const w00 = 1 - fx - w01;
            sx +=
              (gValues[n0] ?? 0) * w00 +
              (gValues[n0 + 3] ?? 0) * w10 +
              (gValues[n1] ?? 0) * w01 +
              (gValues[n1 + 3] ?? 0) * w11;
            sy +=
              (gValues[n0 + 1] ?? 0) * w00 +
              (gValues[n0 + 4] ?? 0) * w10 +
              (gValues[n1 + 1] ?? 0) * w01 +
              (gValues[n1 + 4] ?? 0) * w11;
            factor =
              (gValues[n0 + 2] ?? 1) * w00 +
              (gValues[n0 + 5] ?? 1) * w10 +
              (gValues[n1 + 2] ?? 1) * w01 +
              (gValues[n1 + 5] ?? 1) * w11;
          }
        }
      } else if (eyesOn && this.eyeWarp(sx, sy)) {
        sx = scratch[0] ?? sx;
        sy = scratch[1] ?? sy;
        factor = scratch[2] ?? 1;
      }
      sx = Math.min(Math.max(sx, 0), maxX);
      sy = Math.min(Math.max(sy, 0), maxY);
      const ix = sx | 0;
      const iy = sy | 0;
      const fx = sx - ix;
      const i0 = iy * w + ix;
      const i1 = i0 + w;
      const p00 = base[i0] ?? 0;
      const p01 = base[i1] ?? 0;
      const top = p00 + ((base[i0 + 1] ?? 0) - p00) * fx;
      let value = top + (p01 + ((base[i1 + 1] ?? 0) - p01) * fx - top) * (sy - iy);
      if (alpha > 0) {
        value += (lumaOf(scratch[3] ?? 0, scratch[4] ?? 0, scratch[5] ?? 0) - value) * alpha;
      }
      out[o] = factor === 1 ? value : 16 + (value - 16) * factor;
    }
  }

  private chromaSegment(
    out: Uint8ClampedArray,
    grid: Grid,
    j: number,
    a: number,
    b: number,
    kind: number,
  ): void {
    const base = this.base;
    const cw = this.width / 2;
    const uOffset = this.width * this.height;
    const vOffset = uOffset + cw * (this.height / 2);
    const maxX = cw - 1.0001;
    const maxY = this.height / 2 - 1.0001;
    const { m00, m01, m10, m11, c0, c1 } = this;
    const weight = grid.weight;
    const scratch = this.scratch;
    const cy = grid.y0 + j;
    const ly = 2 * cy + 0.5;
    let cx = grid.x0 + a;
    let lx = 2 * cx + 0.5;
    let dx = m00 * lx + m01 * ly + c0;
    let dy = m10 * lx + m11 * ly + c1;
    const stepX = 2 * m00;
    const stepY = 2 * m10;
    let o = cy * cw + cx;
    if (kind === KIND_RIGID) {
      // Rigid motion: the chroma source position steps linearly; clamp only when the segment leaves the frame.
      let px = (lx + dx - 0.5) / 2;
      let py = (ly + dy - 0.5) / 2;
      const stepPx = (2 + stepX) / 2;
      const stepPy = stepY / 2;
      const n = b - a;
      const lastX = px + stepPx * (n - 1);
      const lastY = py + stepPy * (n - 1);
      const inside =
        Math.min(px, lastX) >= 0 &&
        Math.max(px, lastX) <= maxX &&
        Math.min(py, lastY) >= 0 &&
        Math.max(py, lastY) <= maxY;
      for (let i = 0; i < n; i++, o++, px += stepPx, py += stepPy) {
        const qx = inside ? px : px < 0 ? 0 : Math.min(px, maxX);
        const qy = inside ? py : py < 0 ? 0 : Math.min(py, maxY);
        const ix = qx | 0;
        const iy = qy | 0;
        const fx = qx - ix;
        const fy = qy - iy;
        const i0 = iy * cw + ix;
        const i1 = i0 + cw;
        const u00 = base[uOffset + i0] ?? 128;
        const u01 = base[uOffset + i1] ?? 128;
        const uTop = u00 + ((base[uOffset + i0 + 1] ?? 128) - u00) * fx;
        out[uOffset + o] = uTop + (u01 + ((base[uOffset + i1 + 1] ?? 128) - u01) * fx - uTop) * fy;
        const v00 = base[vOffset + i0] ?? 128;
        const v01 = base[vOffset + i1] ?? 128;
        const vTop = v00 + ((base[vOffset + i0 + 1] ?? 128) - v00) * fx;
        out[vOffset + o] = vTop + (v01 + ((base[vOffset + i1 + 1] ?? 128) - v01) * fx - vTop) * fy;
      }
      return;
    }
    const local = kind === KIND_LOCAL;
    // The mouth map inlined (as in lumaLocal): the same arithmetic as MouthWarp.mapCached, without a call
    // and the scratch round trip per pixel; cells near the opening still call the exact map.
    const mouth = this.mouth;
    const mouthOn = local && mouth.active;
    const eyesOn = local && (this.eyeA.active || this.eyeB.active);
    const { x0: mx0, y0: my0, x1: mx1, y1: my1 } = mouth.activeBounds;
    const gx0 = mouth.gridX0;
    const gy0 = mouth.gridY0;
    const gColumns = mouth.gridColumns;
    const gLastColumn = gColumns - 1;
    const gLastRow = mouth.gridRows - 1;
    const gValues = mouth.gridValues;
    const gExact = mouth.gridExact;
    let wi = j * grid.width + a;
    for (let i = a; i < b; i++, cx++, lx += 2, wi++, o++, dx += stepX, dy += stepY) {
      const h = weight[wi] ?? 0;
      let sx = lx + h * dx;
      let sy = ly + h * dy;
      let alpha = 0;
      let mouthMapped = false;
      if (mouthOn && sx >= mx0 && sx <= mx1 && sy >= my0 && sy <= my1) {
        const gx = (sx - gx0) * INV_GRID;
        const gy = (sy - gy0) * INV_GRID;
        if (gx >= 0 && gy >= 0) {
          const ci = gx | 0;
          const cj = gy | 0;
          if (ci < gLastColumn && cj < gLastRow) {
            const n = cj * gColumns + ci;
            if (gExact[n] === 1) {
              if (mouth.map(sx, sy, scratch)) {
                mouthMapped = true;
                sx = scratch[0] ?? sx;
                sy = scratch[1] ?? sy;
                alpha = scratch[2] ?? 0;
              }
            } else {
              mouthMapped = true;
              const fx = gx - ci;
              const fy = gy - cj;
              const n0 = 3 * n;
              const n1 = n0 + 3 * gColumns;
              const w00 = (1 - fx) * (1 - fy);
              const w10 = fx * (1 - fy);
              const w01 = (1 - fx) * fy;
              const w11 = fx * fy;
              const qx = sx;
              const qy = sy;
              sx =
                qx +
                (gValues[n0] ?? 0) * w00 +
                (gValues[n0 + 3] ?? 0) * w10 +
                (gValues[n1] ?? 0) * w01 +
                (gValues[n1 + 3] ?? 0) * w11;
              sy =
                qy +
                (gValues[n0 + 1] ?? 0) * w00 +
                (gValues[n0 + 4] ?? 0) * w10 +
                (gValues[n1 + 1] ?? 0) * w01 +
                (gValues[n1 + 4] ?? 0) * w11;
            }
          }
        }
      }
      if (!mouthMapped && eyesOn && this.eyeWarp(sx, sy)) {
        sx = scratch[0] ?? sx;
        sy = scratch[1] ?? sy;
      }
      // A chroma sample sits at the centre of its 2x2 luma block: luma (2c + 0.5).
      let px = (sx - 0.5) / 2;
      let py = (sy - 0.5) / 2;
      px = px < 0 ? 0 : Math.min(px, maxX);
      py = py < 0 ? 0 : Math.min(py, maxY);
      const ix = px | 0;
      const iy = py | 0;
      const fx = px - ix;
      const fy = py - iy;
      const i0 = iy * cw + ix;
      const i1 = i0 + cw;
      const u00 = base[uOffset + i0] ?? 128;
      const u10 = base[uOffset + i0 + 1] ?? 128;
      const u01 = base[uOffset + i1] ?? 128;
      const u11 = base[uOffset + i1 + 1] ?? 128;
      const v00 = base[vOffset + i0] ?? 128;
      const v10 = base[vOffset + i0 + 1] ?? 128;
      const v01 = base[vOffset + i1] ?? 128;
      const v11 = base[vOffset + i1 + 1] ?? 128;
      const uTop = u00 + (u10 - u00) * fx;
      let u = uTop + (u01 + (u11 - u01) * fx - uTop) * fy;
      const vTop = v00 + (v10 - v00) * fx;
      let v = vTop + (v01 + (v11 - v01) * fx - vTop) * fy;
      if (alpha > 0) {
        const r = scratch[3] ?? 0;
        const g = scratch[4] ?? 0;
        const bl = scratch[5] ?? 0;
        u += (cbOf(r, g, bl) - u) * alpha;
        v += (crOf(r, g, bl) - v) * alpha;
      }
      out[uOffset + o] = u;
      out[vOffset + o] = v;
    }
  }
}
