/**
 * The two local warps of the face, as backward maps (frame pixel -> where to read the still photo).
 * Both are exact at their boundaries and continuous everywhere except along the opening of the mouth,
 * where the gap is filled with the mouth interior. Rules kept:
 * - mouth: the jaw drops by `open * maxDrop`; the tear line is the LOWER inner lip, so everything above it
 *   (upper lip, and any teeth the photo shows) stays attached to the upper face and the gap opens below;
 *   22 % of the opening lifts the upper lip, 78 % lowers the lower lip and the chin; the opening's outline
 *   across the mouth is (1 - x^2)^gamma (rounder for rounded vowels, flatter for spread ones) and closes at
 *   the inner corners; lip corners move out (spread) or in (round) with a smooth falloff; `press` pushes
 *   the lower lip up against the upper one; below the chin the jaw motion fades out over `neckLength`;
 * - eyes: the upper lid comes down to 72 % of the eye opening and the lower lid rises to meet it, the skin
 *   above/below stretches, the eyeball stays put, and a faint lash line darkens the lid edge.
 * With all parameters 0 both maps are the identity.
 */
import type { FramePose } from './animation.js';
import { type EyeRig, lookup, type MouthRig } from './face-rig.js';

const UPPER_SHARE = 0.22;

function smooth01(x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  return x * x * (3 - 2 * x);
}

/**
 * Outline of the opening across the mouth, x = -1..1 between the inner corners: (1 - x^2)^gamma, tapered over
 * the last 15 % so its slope is 0 at the corners (no crease runs down the chin from a corner).
 */
function openingProfile(x: number, gamma: number): number {
  const ax = x < 0 ? -x : x;
  if (ax >= 1) return 0;
  return (1 - ax * ax) ** gamma * smooth01((1 - ax) / 0.15);
}

/** x^16 by squaring (cheaper than the general power). */
function pow16(x: number): number {
  const x2 = x * x;
  const x4 = x2 * x2;
  const x8 = x4 * x4;
  return x8 * x8;
}

function clamp01(x: number): number {
  return x <= 0 ? 0 : Math.min(x, 1);
}

/** Axis-aligned bounds of a local rectangle, in frame pixels. */
export interface Bounds {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

function boundsOf(
  frame: { ox: number; oy: number; ux: number; uy: number; vx: number; vy: number },
  sMin: number,
  sMax: number,
  tMin: number,
  tMax: number,
): Bounds {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const s of [sMin, sMax]) {
    for (const t of [tMin, tMax]) {
      xs.push(frame.ox + s * frame.ux + t * frame.vx);
      ys.push(frame.oy + s * frame.uy + t * frame.vy);
    }
  }
  return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
}

/**
 * Backward map of the mouth. `map` writes [sourceX, sourceY, interiorAlpha, r, g, b, lumaFactor] into
 * `out` (r, g, b only when alpha > 0) and returns false outside its region. The luma factor darkens the
 * inner rims of the parted lips.
 */
export class MouthWarp {
  /** Everything the warp can ever touch. */
  readonly bounds: Bounds;
  /** What the current pose touches (a sub-box of `bounds`). */
  activeBounds: Bounds;
  active = false;
  private drop = 0;
  private gamma = 0.5;
  private cornerShift = 0;
  private pressLift = 0;
  private readonly lipT: number;
  /** First column (s) of the per-frame tables. */
  private readonly columnStart: number;
  /** Per column, 4 values: tear line, opening, chin shift, moved chin edge. */
  private readonly columns: Float32Array;
  /** Per column: horizontal shift of the lip corners before the vertical falloff. */
  private readonly shifts: Float32Array;
  private readonly columnCount: number;
  // The rig's numbers the per-pixel map reads, held as own fields (and reciprocals) for speed.
  private readonly ox: number;
  private readonly oy: number;
  private readonly ux: number;
  private readonly uy: number;
  private readonly vx: number;
  private readonly vy: number;
  private readonly sMin: number;
  private readonly sMax: number;
  private readonly tMin: number;
  private readonly tMax: number;
  private readonly noseT: number;
  private readonly invNeck: number;
  private readonly invLowerRim: number;
  private readonly invUpperRim: number;
  private readonly invLipToNose: number;
  private readonly invShiftDepth: number;
  constructor(private readonly rig: MouthRig) {
    const f = rig.frame;
    this.ox = f.ox;
    this.oy = f.oy;
    this.ux = f.ux;
    this.uy = f.uy;
    this.vx = f.vx;
    this.vy = f.vy;
    this.sMin = rig.sMin;
    this.sMax = rig.sMax;
    this.tMin = rig.tMin;
    this.tMax = rig.tMax;
    this.noseT = rig.noseT;
    this.invNeck = 1 / rig.neckLength;
    this.invLowerRim = 1 / (0.12 * rig.halfWidth + 1);
    this.invUpperRim = 1 / (0.08 * rig.halfWidth + 1);
    this.invShiftDepth = 1 / (1.2 * rig.halfWidth);
    this.bounds = boundsOf(rig.frame, rig.sMin, rig.sMax, rig.tMin, rig.tMax);
    this.activeBounds = this.bounds;
    this.lipT = lookup(rig.lowerInner, 0);
    this.invLipToNose = 1 / Math.max(1, this.lipT - rig.noseT);
    this.columnStart = Math.floor(rig.sMin) - 2;
    this.columnCount = Math.ceil(rig.sMax) + 3 - this.columnStart;
    this.columns = new Float32Array(this.columnCount * 4);
    this.shifts = new Float32Array(this.columnCount);
  }

  /** Sets the pose and fills the per-column tables the per-pixel map interpolates. */
  setPose(pose: FramePose): void {
    const rig = this.rig;
    const w = rig.halfWidth;
    this.drop = pose.open * rig.maxDrop;
    this.gamma = Math.min(0.8, Math.max(0.25, 0.5 + 0.25 * pose.round - 0.15 * pose.spread));
    this.cornerShift = w * (0.12 * pose.spread - 0.2 * pose.round);
    this.pressLift = pose.press * 0.05 * w;
    this.active = this.drop > 0 || this.cornerShift !== 0 || this.pressLift > 0;
    if (!this.active) return;
    // The jaw moves down to the chin plus its drop and the neck below; without a jaw drop or press only the
    // lip corners move, down to 1.2 half-widths below the lips.
    const bottom =
      this.drop > 0 || this.pressLift > 0
        ? rig.chinT + (1 - UPPER_SHARE) * this.drop + rig.neckLength + 2
        : this.lipT + 1.25 * w;
    this.activeBounds = boundsOf(rig.frame, rig.sMin, rig.sMax, rig.tMin, Math.min(rig.tMax, bottom));
    for (let k = 0; k < this.columnCount; k++) {
      const s = this.columnStart + k;
      const xo = s / w;
      const pressProfile = xo > -1 && xo < 1 ? (1 - xo * xo) * (1 - xo * xo) : 0;
      const gap =
        this.drop * openingProfile(s / rig.innerHalfWidth, this.gamma) - this.pressLift * pressProfile;
      const as = Math.abs(s);
      const jawProfile = as <= 1.1 * w ? 1 : 1 - smooth01((as - 1.1 * w) / (rig.sMax - 1.1 * w));
      const chinShift = (1 - UPPER_SHARE) * this.drop * jawProfile;
      this.columns[4 * k] = lookup(rig.lowerInner, s);
      this.columns[4 * k + 1] = gap;
      this.columns[4 * k + 2] = chinShift;
      this.columns[4 * k + 3] = lookup(rig.jaw, s) + chinShift;
      const ao = Math.abs(xo);
      // Fades out by the side of the region (sMax), so the warp is continuous there.
      const bs = ao <= 1 ? 1 : 1 - smooth01((ao - 1) / (rig.sMax / w - 1));
      this.shifts[k] = this.cornerShift * xo * bs;
    }
  }

  /** Where the last point `map` accepted lies: 1 below the tear line, 2 above it, 3 between (the opening). */
  lastRegion = 0;

  map(qx: number, qy: number, out: Float64Array): boolean {
    const rx = qx - this.ox;
    const ry = qy - this.oy;
    const s = rx * this.ux + ry * this.uy;
    const t = rx * this.vx + ry * this.vy;
    if (s <= this.sMin || s >= this.sMax || t <= this.tMin || t >= this.tMax) return false;
    const lastColumn = this.columnCount - 1.001;
    const c = this.columns;

    let sp = s;
    if (this.cornerShift !== 0) {
      const bt =
        t < this.lipT
          ? 1 - smooth01((this.lipT - t) * this.invLipToNose)
          : 1 - smooth01((t - this.lipT) * this.invShiftDepth);
      let k = s - this.columnStart;
      k = k < 0 ? 0 : Math.min(k, lastColumn);
      const i = k | 0;
      const a = this.shifts[i] ?? 0;
      sp = s - (a + ((this.shifts[i + 1] ?? a) - a) * (k - i)) * bt;
    }

    let k = sp - this.columnStart;
    k = k < 0 ? 0 : Math.min(k, lastColumn);
    const i = k | 0;
    const fk = k - i;
    const at = 4 * i;
    const tear0 = c[at] ?? 0;
    const gap0 = c[at + 1] ?? 0;
    const tear = tear0 + ((c[at + 4] ?? tear0) - tear0) * fk;
    const gap = gap0 + ((c[at + 5] ?? gap0) - gap0) * fk;
    const lowerShift = (1 - UPPER_SHARE) * gap;
    const lowerEdge = tear + lowerShift;
    const upperEdge = tear - UPPER_SHARE * gap;

    let tp: number;
    let alpha = 0;
    let rim = 1;
    if (t >= lowerEdge) {
      this.lastRegion = 1;
      const shift0 = c[at + 2] ?? 0;
      const edge0 = c[at + 3] ?? 0;
      const chinShift = shift0 + ((c[at + 6] ?? shift0) - shift0) * fk;
      const chinEdge = edge0 + ((c[at + 7] ?? edge0) - edge0) * fk;
      if (t <= chinEdge) {
        const span = chinEdge - lowerEdge;
        const v = span > 1e-3 ? (t - lowerEdge) / span : 1;
        tp = t - (lowerShift + (chinShift - lowerShift) * smooth01(v));
      } else {
        tp = t - chinShift * (1 - smooth01((t - chinEdge) * this.invNeck));
      }
      if (gap > 0) {
        alpha = clamp01(lowerEdge - t + 0.5);
        rim = 1 - 0.25 * clamp01(gap / 3) * (1 - smooth01((t - lowerEdge) * this.invLowerRim));
      }
    } else if (t <= upperEdge) {
      this.lastRegion = 2;
      const reach = upperEdge - this.noseT;
      const v = reach > 1e-3 ? (upperEdge - t) / reach : 1;
      tp = t + UPPER_SHARE * gap * (1 - smooth01(v));
      if (gap > 0) {
        alpha = clamp01(t - upperEdge + 0.5);
        rim = 1 - 0.2 * clamp01(gap / 3) * (1 - smooth01((upperEdge - t) * this.invUpperRim));
      }
    } else {
      this.lastRegion = 3;
      tp = tear;
      alpha = 1;
    }
    out[0] = this.ox + sp * this.ux + tp * this.vx;
    out[1] = this.oy + sp * this.uy + tp * this.vy;
    out[2] = alpha;
    out[6] = rim;
    if (alpha > 0) this.interior(sp, t, upperEdge, lowerEdge, out);
    return true;
  }

  /** Colour of the mouth interior at (s, t) for an opening from `top` to `bottom`. */
  private interior(s: number, t: number, top: number, bottom: number, out: Float64Array): void {
    const rig = this.rig;
    const { cavity, tongue, teeth } = rig.colors;
    const w = rig.halfWidth;
    const height = Math.max(0.01, bottom - top);
    const xi = Math.min(1, Math.abs(s) / rig.innerHalfWidth);
    const xi2 = xi * xi;
    const depth = 0.6 + 0.4 * (1 - xi2);
    let r = cavity[0] * depth;
    let g = cavity[1] * depth;
    let b = cavity[2] * depth;

    // Tongue: a soft ellipse in the lower part, visible once the mouth is open a little.
    const visible = clamp01((height - 2) / (0.25 * w));
    if (visible > 0) {
      const ey = (t - (bottom - 0.22 * height)) / (0.32 * height + 0.5);
      const ex = s / (0.62 * rig.innerHalfWidth);
      const e = ex * ex + ey * ey;
      if (e < 1) {
        const k = (1 - e) * visible * 0.85;
        const shade = 0.7 + 0.3 * (1 - xi2);
        r += (tongue[0] * shade - r) * k;
        g += (tongue[1] * shade - g) * k;
        b += (tongue[2] * shade - b) * k;
      }
    }

    // Upper teeth: a band under the upper lip, unless the photo already shows the mouth open.
    if (!rig.hasOwnOpening) {
      const band = Math.min(0.2 * w, 0.5 * height);
      const into = t - top;
      if (into < band) {
        // Hidden toward the corners, shaded under the lip, with faint gaps between the incisors.
        const cover = clamp01(band - into) * (1 - smooth01((xi - 0.72) / 0.25));
        const gaps = 1 - 0.08 * pow16(Math.max(0, Math.cos((s / (0.2 * w)) * Math.PI)));
        const shade =
          (0.55 + 0.45 * (1 - xi2 * xi2)) * (0.65 + 0.35 * smooth01(into / (0.35 * band + 0.5))) * gaps;
        r += (teeth[0] * shade - r) * cover;
        g += (teeth[1] * shade - g) * cover;
        b += (teeth[2] * shade - b) * cover;
      }
    }

    // The lower lip shades the interior right above it.
    const nearLip = bottom - t;
    if (nearLip < 2) {
      const k = 0.75 + 0.125 * Math.max(0, nearLip);
      r *= k;
      g *= k;
      b *= k;
    }
    out[3] = r;
    out[4] = g;
    out[5] = b;
  }
}

/** Backward map of one eye. `map` writes [sourceX, sourceY, lumaFactor] and returns false outside. */
export class EyeWarp {
  readonly bounds: Bounds;
  /** What the current pose touches: the whole eye region. */
  readonly activeBounds: Bounds;
  active = false;
  private closure = 0;

  constructor(private readonly rig: EyeRig) {
    this.bounds = boundsOf(rig.frame, rig.sMin, rig.sMax, rig.tMin, rig.tMax);
    this.activeBounds = this.bounds;
  }

  setPose(pose: FramePose): void {
    this.closure = pose.blink;
    this.active = pose.blink > 0;
  }

  map(qx: number, qy: number, out: Float64Array): boolean {
    const rig = this.rig;
    const f = rig.frame;
    const rx = qx - f.ox;
    const ry = qy - f.oy;
    const s = rx * f.ux + ry * f.uy;
    const t = rx * f.vx + ry * f.vy;
    if (s <= rig.sMin || s >= rig.sMax || t <= rig.tMin || t >= rig.tMax) return false;
    const up = lookup(rig.upper, s);
    const lo = lookup(rig.lower, s);
    const opening = lo - up;
    if (opening <= 0.05) return false;
    const b = this.closure;
    const meet = up + 0.72 * opening;
    const upMoved = up + b * (meet - up);
    const loMoved = lo + b * (meet - lo);
    let tp = t;
    if (t < upMoved) {
      const top = up - rig.stretchUp;
      if (t > top) tp = top + ((t - top) * (up - top)) / (upMoved - top);
    } else if (t > loMoved) {
      const bottom = lo + rig.stretchDown;
      if (t < bottom) tp = bottom - ((bottom - t) * (bottom - lo)) / (bottom - loMoved);
    }
    // The lash line is strongest where the eye is widest and fades toward the corners.
    const d = (t - upMoved) / rig.lashWidth;
    const taper = Math.min(1, opening / (0.6 * rig.maxOpening));
    // A smooth bump of half-width 2 lash widths: (1 - d^2/4)^2.
    const bump = d > -2 && d < 2 ? (1 - (d * d) / 4) * (1 - (d * d) / 4) : 0;
    out[0] = f.ox + s * f.ux + tp * f.vx;
    out[1] = f.oy + s * f.uy + tp * f.vy;
    out[2] = 1 - 0.3 * b * taper * bump;
    return true;
  }
}
