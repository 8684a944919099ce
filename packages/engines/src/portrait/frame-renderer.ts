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
 *   inside the head (16.16 fixed point, 8-bit bilinear weights), a weighted one in the mask's soft edge,
 *   and the local warps near the mouth/eyes;
 * - the head-moved frame is cached per head pose, so frames that share a head pose (`holdHeadPoses` holds a
 *   pose while the head moves less than a third of a pixel) only redo the mouth and eye regions;
 * - near the mouth the head motion and the mouth warp are composed once per frame on a 4 px grid in frame
 *   pixels (`MouthField`): a pixel whose mouth warp is the identity keeps the head-moved value, a smooth
 *   cell's pixels interpolate the grid along the row, and only cells at the opening or the tear line (or
 *   where the grid would be off by more than 0.2 px) map each pixel exactly;
 * - the result depends only on the base frame, the rig and the pose (the cache never changes the bytes),
 *   so a pose always renders to the same bytes.
 */
import type { FramePose } from './animation.js';
import type { FaceRig } from './face-rig.js';
import { type Bounds, EyeWarp, MouthWarp } from './face-warps.js';
import type { HeadPose } from './motion.js';
import { CELL_EXACT, CELL_STILL, GRID, INV_GRID, MouthField, type ToRest } from './mouth-field.js';
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

function lerp(a: number, b: number, t: number): number {
  return a + (b - a) * t;
}

/**
 * Index (relative to grid.x0) of a grid's first pixel at or right of luma x (an integer): luma pixels sit at
 * x, chroma samples at the centre of their 2x2 block, luma 2c + 0.5.
 */
function firstPixelAt(grid: Grid, x: number): number {
  return (grid.step === 1 ? x : (x + 1) >> 1) - grid.x0;
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

/** Per smooth cell run: dx, dy, factor at the cell's left edge and their slopes per luma px. */
const RUN_VALUES = 6;

/** Why a pixel was queued for an exact map: an exact mouth cell, or maybe an eye. */
const PENDING_MOUTH = 0;
const PENDING_EYE = 1;

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
  /**
   * The smooth cells of one row (see `mapRow`): pixel range, the cell's left edge (luma x) and, at that
   * edge, the displacement and rim factor with their slopes along the row (RUN_VALUES per run).
   */
  private readonly runFrom: Int32Array;
  private readonly runTo: Int32Array;
  private readonly runEdge: Float64Array;
  private readonly runValues: Float64Array;
  /** Pixels of the row queued for an exact map: plane index, rest position, PENDING_*. */
  private readonly pendingAt: Int32Array;
  private readonly pendingX: Float64Array;
  private readonly pendingY: Float64Array;
  private readonly pendingKind: Uint8Array;
  private pendingCount = 0;
  /** The mouth warp composed with the head motion of the current frame, on a grid in frame pixels. */
  private readonly field = new MouthField();
  /** Frame position -> rest position (before the head motion), for the luma pixel grid's head mask. */
  private readonly toRest: ToRest = (x, y, out) => {
    const h = this.lumaWeight(x, y);
    out[0] = x + h * (this.m00 * x + this.m01 * y + this.c0);
    out[1] = y + h * (this.m10 * x + this.m11 * y + this.c1);
  };
  /** Backward head displacement d(p) = M p + c of the current frame. */
  private m00 = 0;
  private m01 = 0;
  private m10 = 0;
  private m11 = 0;
  private c0 = 0;
  private c1 = 0;
  /** Where the local warps may apply this frame (luma coordinates), one box per active part. */
  private local: Bounds[] = [];
  /** The boxes of `local` that belong to the eyes (empty unless they are closing). */
  private eyeBoxes: Bounds[] = [];
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
    // The head pass rewrites the same pixels for every head pose (the head spans of the grids), so the
    // rest of this frame stays the base frame.
    this.headFrame = this.base.slice();
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
    const rowLength = Math.max(this.lumaGrid.width, this.chromaGrid.width);
    this.runFrom = new Int32Array(rowLength);
    this.runTo = new Int32Array(rowLength);
    this.runEdge = new Float64Array(rowLength);
    this.runValues = new Float64Array(rowLength * RUN_VALUES);
    this.pendingAt = new Int32Array(rowLength);
    this.pendingX = new Float64Array(rowLength);
    this.pendingY = new Float64Array(rowLength);
    this.pendingKind = new Uint8Array(rowLength);
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
    const reachBox = (b: Bounds): Bounds => {
      const reach = reachOver(b, this.m00, this.m01, this.m10, this.m11, this.c0, this.c1) + 1;
      return { x0: b.x0 - reach, y0: b.y0 - reach, x1: b.x1 + reach, y1: b.y1 + reach };
    };
    this.eyeBoxes = [this.eyeA, this.eyeB]
      .filter((eye) => eye.active)
      .map((eye) => reachBox(eye.activeBounds));
    this.local = [...this.eyeBoxes];
    if (this.mouth.active) {
      const mouthBox = reachBox(this.mouth.activeBounds);
      this.field.fill(this.mouth, mouthBox, this.toRest);
      this.local.push(mouthBox);
    }
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

  /** Head-mask weight at luma pixel (x, y) (integers); 0 outside the region the head can move. */
  private lumaWeight(x: number, y: number): number {
    const grid = this.lumaGrid;
    const i = x - grid.x0;
    const j = y - grid.y0;
    if (i < 0 || j < 0 || i >= grid.width || j >= grid.height) return 0;
    return grid.weight[j * grid.width + i] ?? 0;
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

  /**
   * The soft edge of the head mask: each pixel moves by its share of the head motion. A pixel reads between
   * itself and its rigidly moved position, so when the rigid positions of the segment's ends lie in the
   * frame no pixel needs clamping.
   */
  private lumaWeighted(out: Uint8ClampedArray, grid: Grid, j: number, a: number, b: number): void {
    const base = this.base;
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
    const n = b - a;
    const lastX = x + n - 1 + dx + m00 * (n - 1);
    const lastY = y + dy + m10 * (n - 1);
    const inside =
      Math.min(x + dx, lastX) >= 0 &&
      Math.max(x + dx, lastX) <= maxX &&
      Math.min(y + dy, lastY) >= 0 &&
      Math.max(y + dy, lastY) <= maxY;
    if (!inside) {
      for (let i = a; i < b; i++, x++, wi++, o++, dx += m00, dy += m10) {
        const h = weight[wi] ?? 0;
        out[o] = this.sampleLuma(
          Math.min(Math.max(x + h * dx, 0), maxX),
          Math.min(Math.max(y + h * dy, 0), maxY),
        );
      }
      return;
    }
    for (let i = a; i < b; i++, x++, wi++, o++, dx += m00, dy += m10) {
      const h = weight[wi] ?? 0;
      const sx = x + h * dx;
      const sy = y + h * dy;
      const ix = sx | 0;
      const iy = sy | 0;
      const fx = sx - ix;
      const i0 = iy * w + ix;
      const i1 = i0 + w;
      const p00 = base[i0] ?? 0;
      const p01 = base[i1] ?? 0;
      const top = p00 + ((base[i0 + 1] ?? 0) - p00) * fx;
      out[o] = top + (p01 + ((base[i1 + 1] ?? 0) - p01) * fx - top) * (sy - iy);
    }
  }

  /**
   * Near the mouth and eyes: head motion, then the local warp, then the mouth interior and shading. The row
   * is mapped first (`mapRow`), then the mapped pixels are sampled, then the queued pixels (exact mouth
   * cells, eyes) go through their exact maps. (Separate functions keep each loop small for the JIT: a rare
   * path inside a hot function would send the whole function back to the interpreter when first taken.)
   */
  private lumaLocal(out: Uint8ClampedArray, grid: Grid, j: number, a: number, b: number): void {
    const runs = this.mapRow(grid, j, a, b);
    this.sampleLumaRow(out, grid, j, runs);
    if (this.pendingCount > 0) this.lumaPending(out);
  }

  /** Luma of the smooth cells' pixels: source position and rim factor along the cell, bilinear read. */
  private sampleLumaRow(out: Uint8ClampedArray, grid: Grid, j: number, runs: number): void {
    const base = this.base;
    const w = this.width;
    const maxX = w - 1.0001;
    const maxY = this.height - 1.0001;
    const { runFrom, runTo, runEdge, runValues } = this;
    const y = grid.y0 + j;
    const rowStart = y * w + grid.x0;
    for (let r = 0; r < runs; r++) {
      const edge = runEdge[r] ?? 0;
      const at = r * RUN_VALUES;
      const dx = runValues[at] ?? 0;
      const dy = runValues[at + 1] ?? 0;
      const factor = runValues[at + 2] ?? 1;
      const slopeX = runValues[at + 3] ?? 0;
      const slopeY = runValues[at + 4] ?? 0;
      const slopeF = runValues[at + 5] ?? 0;
      const to = runTo[r] ?? 0;
      for (let i = runFrom[r] ?? to; i < to; i++) {
        const x = grid.x0 + i;
        const t = x - edge;
        const sx = Math.min(Math.max(x + dx + slopeX * t, 0), maxX);
        const sy = Math.min(Math.max(y + dy + slopeY * t, 0), maxY);
        const ix = sx | 0;
        const iy = sy | 0;
        const fx = sx - ix;
        const i0 = iy * w + ix;
        const i1 = i0 + w;
        const p00 = base[i0] ?? 0;
        const p01 = base[i1] ?? 0;
        const top = p00 + ((base[i0 + 1] ?? 0) - p00) * fx;
        const value = top + (p01 + ((base[i1 + 1] ?? 0) - p01) * fx - top) * (sy - iy);
        out[rowStart + i] = 16 + (value - 16) * (factor + slopeF * t);
      }
    }
  }

  /** Luma of the queued pixels (see `mapRow`). */
  private lumaPending(out: Uint8ClampedArray): void {
    for (let k = 0; k < this.pendingCount; k++) {
      const o = this.pendingAt[k] ?? 0;
      const qx = this.pendingX[k] ?? 0;
      const qy = this.pendingY[k] ?? 0;
      if (this.pendingKind[k] === PENDING_MOUTH) this.lumaExact(out, o, qx, qy);
      else this.lumaEye(out, o, qx, qy);
    }
  }

  /**
   * Maps pixels a..b of row j of a grid (luma or chroma; positions in luma pixels) through the mouth field
   * (head motion and mouth warp), cell by cell along the row. Rules kept:
   * - pixels in a still cell of the field, or outside it, keep the head-moved value already in the frame
   *   (while the eyes close they are queued for the eye maps instead);
   * - the pixels of a smooth cell get their displacement and rim factor interpolated linearly along the
   *   row between the cell's two nodes: the cell becomes a run (`run*`) the sampling loops walk;
   * - a pixel in an exact cell (near the opening) is queued for the exact mouth map.
   * Returns how many runs it wrote (`pendingCount` counts the queued pixels).
   */
  private mapRow(grid: Grid, j: number, a: number, b: number): number {
    const { step, offset } = grid;
    const field = this.field;
    const columns = field.columns;
    const ly = (grid.y0 + j) * step + offset;
    // The field's cell row under this row (-1: none) and the row's place between its two node rows.
    const v = (ly - field.y0) * INV_GRID;
    const cj = this.mouth.active && v >= 0 && v < field.rows - 1 ? Math.floor(v) | 0 : -1;
    const fv = v - cj;
    this.pendingCount = 0;
    if (this.eyeA.active || this.eyeB.active) this.queueEyes(grid, j, a, b);
    if (cj < 0) return 0;
    const cells = field.cells;
    const values = field.values;
    const top = 3 * cj * columns;
    const bottom = top + 3 * columns;
    const { runFrom, runTo, runEdge, runValues } = this;
    // Integers throughout (`| 0`), so the JIT keeps the index arithmetic in int32.
    const rowStart = ((grid.y0 + j) * (this.width / step) + grid.x0) | 0;
    let count = 0;
    // Pixel i sits at luma x = (grid.x0 + i) * step + offset, so each cell (GRID luma px wide, starting at
    // an integer x) holds GRID / step pixels.
    const perCell = (GRID / step) | 0;
    const first = firstPixelAt(grid, field.x0);
    const start = Math.max(0, Math.floor((a - first) / perCell)) | 0;
    for (let ci = start, i0 = first + start * perCell; ci < columns - 1 && i0 < b; ci++, i0 += perCell) {
      const cell = cells[cj * columns + ci];
      if (cell === CELL_STILL) continue;
      const from = Math.max(a, i0);
      const to = Math.min(b, i0 + perCell);
      if (cell === CELL_EXACT) {
        for (let i = from; i < to; i++) this.queue(grid, j, i, rowStart + i, PENDING_MOUTH);
        continue;
      }
      // A smooth cell: its two nodes interpolated down to this row, then linearly across the cell.
      const n = 3 * ci;
      const dx = lerp(values[top + n] ?? 0, values[bottom + n] ?? 0, fv);
      const dy = lerp(values[top + n + 1] ?? 0, values[bottom + n + 1] ?? 0, fv);
      const factor = lerp(values[top + n + 2] ?? 1, values[bottom + n + 2] ?? 1, fv);
      const slopeX = (lerp(values[top + n + 3] ?? 0, values[bottom + n + 3] ?? 0, fv) - dx) * INV_GRID;
      const slopeY = (lerp(values[top + n + 4] ?? 0, values[bottom + n + 4] ?? 0, fv) - dy) * INV_GRID;
      const slopeF = (lerp(values[top + n + 5] ?? 1, values[bottom + n + 5] ?? 1, fv) - factor) * INV_GRID;
      runFrom[count] = from;
      runTo[count] = to;
      runEdge[count] = field.x0 + ci * GRID;
      const at = count * RUN_VALUES;
      runValues[at] = dx;
      runValues[at + 1] = dy;
      runValues[at + 2] = factor;
      runValues[at + 3] = slopeX;
      runValues[at + 4] = slopeY;
      runValues[at + 5] = slopeF;
      count++;
    }
    return count;
  }

  /**
   * Queues the pixels a..b of row j inside the eyes' boxes that the mouth leaves alone (still cells or
   * outside its field) for the eye maps.
   */
  private queueEyes(grid: Grid, j: number, a: number, b: number): void {
    const { step, offset } = grid;
    const y = (grid.y0 + j) * step + offset;
    let from = b;
    let to = a;
    for (const box of this.eyeBoxes) {
      if (y < box.y0 || y > box.y1) continue;
      from = Math.min(from, Math.max(a, Math.ceil((box.x0 - offset) / step) - grid.x0));
      to = Math.max(to, Math.min(b, Math.floor((box.x1 - offset) / step) + 1 - grid.x0));
    }
    const mouthOn = this.mouth.active;
    const rowStart = ((grid.y0 + j) * (this.width / step) + grid.x0) | 0;
    for (let i = from; i < to; i++) {
      const x = (grid.x0 + i) * step + offset;
      if (!mouthOn || this.field.at(x, y, this.scratch) === CELL_STILL) {
        this.queue(grid, j, i, rowStart + i, PENDING_EYE);
      }
    }
  }

  /** Queues pixel i of row j of a grid (plane index o) with its rest position, for an exact map. */
  private queue(grid: Grid, j: number, i: number, o: number, kind: number): void {
    const x = (grid.x0 + i) * grid.step + grid.offset;
    const y = (grid.y0 + j) * grid.step + grid.offset;
    const h = grid.weight[j * grid.width + i] ?? 0;
    const k = this.pendingCount++;
    this.pendingAt[k] = o;
    this.pendingX[k] = x + h * (this.m00 * x + this.m01 * y + this.c0);
    this.pendingY[k] = y + h * (this.m10 * x + this.m11 * y + this.c1);
    this.pendingKind[k] = kind;
  }

  /** A luma pixel in an exact mouth cell: the exact map, the interior blended in, the rim shading. */
  private lumaExact(out: Uint8ClampedArray, o: number, qx: number, qy: number): void {
    const scratch = this.scratch;
    if (!this.mouth.map(qx, qy, scratch)) {
      out[o] = this.sampleLuma(this.clampX(qx), this.clampY(qy));
      return;
    }
    let value = this.sampleLuma(this.clampX(scratch[0] ?? qx), this.clampY(scratch[1] ?? qy));
    const alpha = scratch[2] ?? 0;
    if (alpha > 0) {
      value += (lumaOf(scratch[3] ?? 0, scratch[4] ?? 0, scratch[5] ?? 0) - value) * alpha;
    }
    const factor = scratch[6] ?? 1;
    out[o] = factor === 1 ? value : 16 + (value - 16) * factor;
  }

  /** A luma pixel outside the mouth: the eye warp where one applies, else the head-moved value stays. */
  private lumaEye(out: Uint8ClampedArray, o: number, qx: number, qy: number): void {
    if (!this.eyeWarp(qx, qy)) return;
    const scratch = this.scratch;
    const value = this.sampleLuma(this.clampX(scratch[0] ?? qx), this.clampY(scratch[1] ?? qy));
    const factor = scratch[2] ?? 1;
    out[o] = factor === 1 ? value : 16 + (value - 16) * factor;
  }

  private clampX(x: number): number {
    return Math.min(Math.max(x, 0), this.width - 1.0001);
  }

  private clampY(y: number): number {
    return Math.min(Math.max(y, 0), this.height - 1.0001);
  }

  private chromaSegment(
    out: Uint8ClampedArray,
    grid: Grid,
    j: number,
    a: number,
    b: number,
    kind: number,
  ): void {
    if (kind === KIND_RIGID) this.chromaRigid(out, grid, j, a, b);
    else if (kind === KIND_WEIGHTED) this.chromaWeighted(out, grid, j, a, b);
    else this.chromaLocal(out, grid, j, a, b);
  }

  /** Rigid motion: the chroma source position steps linearly; clamp only when the segment leaves the frame. */
  private chromaRigid(out: Uint8ClampedArray, grid: Grid, j: number, a: number, b: number): void {
    const base = this.base;
    const cw = this.width / 2;
    const uOffset = this.width * this.height;
    const vOffset = uOffset + cw * (this.height / 2);
    const maxX = cw - 1.0001;
    const maxY = this.height / 2 - 1.0001;
    const { m00, m01, m10, m11, c0, c1 } = this;
    const cy = grid.y0 + j;
    const ly = 2 * cy + 0.5;
    const cx = grid.x0 + a;
    const lx = 2 * cx + 0.5;
    const dx = m00 * lx + m01 * ly + c0;
    const dy = m10 * lx + m11 * ly + c1;
    let o = cy * cw + cx;
    let px = (lx + dx - 0.5) / 2;
    let py = (ly + dy - 0.5) / 2;
    const stepPx = (2 + 2 * m00) / 2;
    const stepPy = (2 * m10) / 2;
    const n = b - a;
    const lastX = px + stepPx * (n - 1);
    const lastY = py + stepPy * (n - 1);
    const inside =
      Math.min(px, lastX) >= 0 &&
      Math.max(px, lastX) <= maxX &&
      Math.min(py, lastY) >= 0 &&
      Math.max(py, lastY) <= maxY;
    if (inside) {
      // As in `lumaRigid`: 16.16 fixed point positions and 8-bit weights, no clamping.
      let fxp = Math.round(px * 65536);
      let fyp = Math.round(py * 65536);
      const dfx = Math.round(stepPx * 65536);
      const dfy = Math.round(stepPy * 65536);
      for (let i = 0; i < n; i++, o++, fxp += dfx, fyp += dfy) {
        const wx = (fxp >> 8) & 255;
        const wy = (fyp >> 8) & 255;
        const i0 = (fyp >> 16) * cw + (fxp >> 16);
        const i1 = i0 + cw;
        const u00 = base[uOffset + i0] ?? 128;
        const u01 = base[uOffset + i1] ?? 128;
        const uTop = (u00 << 8) + ((base[uOffset + i0 + 1] ?? 128) - u00) * wx;
        const uBottom = (u01 << 8) + ((base[uOffset + i1 + 1] ?? 128) - u01) * wx;
        out[uOffset + o] = ((uTop << 8) + (uBottom - uTop) * wy + 32768) >> 16;
        const v00 = base[vOffset + i0] ?? 128;
        const v01 = base[vOffset + i1] ?? 128;
        const vTop = (v00 << 8) + ((base[vOffset + i0 + 1] ?? 128) - v00) * wx;
        const vBottom = (v01 << 8) + ((base[vOffset + i1 + 1] ?? 128) - v01) * wx;
        out[vOffset + o] = ((vTop << 8) + (vBottom - vTop) * wy + 32768) >> 16;
      }
      return;
    }
    for (let i = 0; i < n; i++, o++, px += stepPx, py += stepPy) {
      const qx = px < 0 ? 0 : Math.min(px, maxX);
      const qy = py < 0 ? 0 : Math.min(py, maxY);
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
  }

  /** The soft edge of the head mask: each chroma sample moves by its share of the head motion. */
  private chromaWeighted(out: Uint8ClampedArray, grid: Grid, j: number, a: number, b: number): void {
    const { m00, m10 } = this;
    const weight = grid.weight;
    const cw = this.width / 2;
    const cy = grid.y0 + j;
    const ly = 2 * cy + 0.5;
    let cx = grid.x0 + a;
    let lx = 2 * cx + 0.5;
    let dx = m00 * lx + this.m01 * ly + this.c0;
    let dy = m10 * lx + this.m11 * ly + this.c1;
    let wi = j * grid.width + a;
    for (let i = a; i < b; i++, cx++, lx += 2, wi++, dx += 2 * m00, dy += 2 * m10) {
      const h = weight[wi] ?? 0;
      this.chromaAt(out, cy * cw + cx, lx + h * dx, ly + h * dy, 0, 0, 0);
    }
  }

  /**
   * Chroma near the mouth and eyes, at the centre of each 2x2 luma block, with the same maps as the luma
   * (`mapRow`; the rim factor only darkens luma and is not used here).
   */
  private chromaLocal(out: Uint8ClampedArray, grid: Grid, j: number, a: number, b: number): void {
    const runs = this.mapRow(grid, j, a, b);
    this.sampleChromaRow(out, grid, j, runs);
    if (this.pendingCount > 0) this.chromaPending(out);
  }

  /** Chroma of the smooth cells' samples: source position along the cell, bilinear read of both planes. */
  private sampleChromaRow(out: Uint8ClampedArray, grid: Grid, j: number, runs: number): void {
    const base = this.base;
    const cw = this.width / 2;
    const uOffset = this.width * this.height;
    const vOffset = uOffset + cw * (this.height / 2);
    const maxX = cw - 1.0001;
    const maxY = this.height / 2 - 1.0001;
    const { runFrom, runTo, runEdge, runValues } = this;
    const cy = grid.y0 + j;
    const ly = 2 * cy + 0.5;
    const rowStart = cy * cw + grid.x0;
    for (let r = 0; r < runs; r++) {
      const edge = runEdge[r] ?? 0;
      const at = r * RUN_VALUES;
      const dx = runValues[at] ?? 0;
      const dy = runValues[at + 1] ?? 0;
      const slopeX = runValues[at + 3] ?? 0;
      const slopeY = runValues[at + 4] ?? 0;
      const to = runTo[r] ?? 0;
      for (let i = runFrom[r] ?? to; i < to; i++) {
        const lx = 2 * (grid.x0 + i) + 0.5;
        const t = lx - edge;
        // A chroma sample sits at the centre of its 2x2 luma block: luma (2c + 0.5).
        const px = Math.min(Math.max((lx + dx + slopeX * t - 0.5) / 2, 0), maxX);
        const py = Math.min(Math.max((ly + dy + slopeY * t - 0.5) / 2, 0), maxY);
        const ix = px | 0;
        const iy = py | 0;
        const fx = px - ix;
        const fy = py - iy;
        const i0 = iy * cw + ix;
        const i1 = i0 + cw;
        const o = rowStart + i;
        const u00 = base[uOffset + i0] ?? 128;
        const u01 = base[uOffset + i1] ?? 128;
        const uTop = u00 + ((base[uOffset + i0 + 1] ?? 128) - u00) * fx;
        out[uOffset + o] = uTop + (u01 + ((base[uOffset + i1 + 1] ?? 128) - u01) * fx - uTop) * fy;
        const v00 = base[vOffset + i0] ?? 128;
        const v01 = base[vOffset + i1] ?? 128;
        const vTop = v00 + ((base[vOffset + i0 + 1] ?? 128) - v00) * fx;
        out[vOffset + o] = vTop + (v01 + ((base[vOffset + i1 + 1] ?? 128) - v01) * fx - vTop) * fy;
      }
    }
  }

  /** Chroma of the queued pixels (see `mapRow`). */
  private chromaPending(out: Uint8ClampedArray): void {
    for (let k = 0; k < this.pendingCount; k++) {
      const o = this.pendingAt[k] ?? 0;
      const qx = this.pendingX[k] ?? 0;
      const qy = this.pendingY[k] ?? 0;
      if (this.pendingKind[k] === PENDING_MOUTH) this.chromaExact(out, o, qx, qy);
      else if (this.eyeWarp(qx, qy)) {
        this.chromaAt(out, o, this.scratch[0] ?? qx, this.scratch[1] ?? qy, 0, 0, 0);
      }
    }
  }

  /** A chroma sample in an exact mouth cell: the exact map, the interior colour blended in. */
  private chromaExact(out: Uint8ClampedArray, o: number, qx: number, qy: number): void {
    const scratch = this.scratch;
    if (!this.mouth.map(qx, qy, scratch)) {
      this.chromaAt(out, o, qx, qy, 0, 0, 0);
      return;
    }
    const alpha = scratch[2] ?? 0;
    const r = scratch[3] ?? 0;
    const g = scratch[4] ?? 0;
    const bl = scratch[5] ?? 0;
    const interior = alpha > 0;
    this.chromaAt(
      out,
      o,
      scratch[0] ?? qx,
      scratch[1] ?? qy,
      alpha,
      interior ? cbOf(r, g, bl) : 0,
      interior ? crOf(r, g, bl) : 0,
    );
  }

  /**
   * Writes chroma sample `o` (index within a chroma plane): the base frame's chroma read at luma position
   * (sx, sy) with bilinear interpolation (a chroma sample sits at the centre of its 2x2 luma block, luma
   * 2c + 0.5), blended toward (cb, cr) by `alpha` (the mouth interior; 0 elsewhere).
   */
  private chromaAt(
    out: Uint8ClampedArray,
    o: number,
    sx: number,
    sy: number,
    alpha: number,
    cb: number,
    cr: number,
  ): void {
    const base = this.base;
    const cw = this.width / 2;
    const uOffset = this.width * this.height;
    const vOffset = uOffset + cw * (this.height / 2);
    const maxX = cw - 1.0001;
    const maxY = this.height / 2 - 1.0001;
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
    const u01 = base[uOffset + i1] ?? 128;
    const uTop = u00 + ((base[uOffset + i0 + 1] ?? 128) - u00) * fx;
    let u = uTop + (u01 + ((base[uOffset + i1 + 1] ?? 128) - u01) * fx - uTop) * fy;
    const v00 = base[vOffset + i0] ?? 128;
    const v01 = base[vOffset + i1] ?? 128;
    const vTop = v00 + ((base[vOffset + i0 + 1] ?? 128) - v00) * fx;
    let v = vTop + (v01 + ((base[vOffset + i1 + 1] ?? 128) - v01) * fx - vTop) * fy;
    if (alpha > 0) {
      u += (cb - u) * alpha;
      v += (cr - v) * alpha;
    }
    out[uOffset + o] = u;
    out[vOffset + o] = v;
  }
}
