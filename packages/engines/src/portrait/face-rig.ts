/**
 * The face rig: everything the per-frame renderer needs, measured once from the landmarks (already mapped
 * into frame coordinates) and the base frame. Pure. Rules kept:
 * - the mouth and each eye get a local frame (s along the feature, image-left to image-right; t
 *   perpendicular, positive toward the chin), so tilted faces animate along their own axes;
 * - contours are sampled into per-column tables (1 px steps in s) so the renderer only interpolates;
 * - beyond a feature's corners its contours continue flat at the corner, so openings close at the corners;
 * - colours for the mouth interior (cavity, tongue, teeth) derive from the photo's own lip and skin
 *   colours; a grey photo gets grey teeth;
 * - `hasOwnOpening` marks a photo whose lips are already apart (visible teeth): no synthetic teeth then,
 *   and the new opening appears below what the photo shows.
 */
import type { Point2 } from './face-landmarks.js';
import {
  CHEEK_LEFT,
  CHEEK_RIGHT,
  CHIN,
  FACE_EDGE_LEFT,
  FACE_EDGE_RIGHT,
  FOREHEAD_TOP,
  JAW_LINE,
  LEFT_EYE_LOWER,
  LEFT_EYE_UPPER,
  LIPS_INNER_LOWER,
  LIPS_INNER_UPPER,
  LIPS_OUTER_LOWER,
  LIPS_OUTER_UPPER,
  MOUTH_CORNERS_INNER,
  MOUTH_CORNERS_OUTER,
  RIGHT_EYE_LOWER,
  RIGHT_EYE_UPPER,
  SUBNASALE,
} from './mesh-topology.js';

export type Rgb = [number, number, number];

/** A local coordinate frame: origin, unit axis u (along the feature) and v (perpendicular, downward). */
export interface LocalFrame {
  ox: number;
  oy: number;
  ux: number;
  uy: number;
  vx: number;
  vy: number;
}

/** A function of s sampled every pixel from `sMin`. */
export interface ColumnTable {
  sMin: number;
  values: Float32Array;
}

export interface MouthRig {
  frame: LocalFrame;
  /** Half the distance between the outer corners. */
  halfWidth: number;
  /** Half the distance between the inner corners. */
  innerHalfWidth: number;
  /** t of the upper and lower inner lip contours. */
  upperInner: ColumnTable;
  lowerInner: ColumnTable;
  /** t of the jaw line (chin). */
  jaw: ColumnTable;
  /** t of the base of the nose (limit of the upper-lip motion). */
  noseT: number;
  /** Region handled by the mouth warp, in local coordinates. */
  sMin: number;
  sMax: number;
  tMin: number;
  tMax: number;
  /** Height of the region below the chin that absorbs the jaw motion. */
  neckLength: number;
  /** Largest t of the jaw line (the lowest point of the chin). */
  chinT: number;
  /** Largest jaw drop (px) at full opening. */
  maxDrop: number;
  hasOwnOpening: boolean;
  colors: { cavity: Rgb; tongue: Rgb; teeth: Rgb; lip: Rgb; skin: Rgb };
}

export interface EyeRig {
  frame: LocalFrame;
  halfWidth: number;
  upper: ColumnTable;
  lower: ColumnTable;
  /** How far above the upper lid the skin stretches during a blink, and below the lower lid. */
  stretchUp: number;
  stretchDown: number;
  sMin: number;
  sMax: number;
  tMin: number;
  tMax: number;
  /** Thickness (px) of the lash line drawn on a closing lid. */
  lashWidth: number;
  /** Largest distance between the lids (px). */
  maxOpening: number;
}

export interface HeadRig {
  /** Rotation pivot (base of the neck). */
  pivotX: number;
  pivotY: number;
  faceWidth: number;
  /** Head mask ellipse in the face's own frame (u across, v down). */
  frame: LocalFrame;
  radiusU: number;
  radiusV: number;
  /** Relative width of the soft edge of the mask. */
  fade: number;
}

export interface FaceRig {
  width: number;
  height: number;
  mouth: MouthRig;
  eyes: [EyeRig, EyeRig];
  head: HeadRig;
}

function at(points: readonly Point2[], index: number): Point2 {
  const p = points[index];
  if (p === undefined) throw new RangeError(`landmark ${index} is missing`);
  return p;
}

function distance(a: Point2, b: Point2): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

/** A frame with origin at the midpoint of a and b and u pointing from a to b. */
export function frameBetween(a: Point2, b: Point2): LocalFrame {
  const length = Math.max(1e-6, distance(a, b));
  const ux = (b.x - a.x) / length;
  const uy = (b.y - a.y) / length;
  return { ox: (a.x + b.x) / 2, oy: (a.y + b.y) / 2, ux, uy, vx: -uy, vy: ux };
}

export function toLocal(frame: LocalFrame, p: Point2): { s: number; t: number } {
  const dx = p.x - frame.ox;
  const dy = p.y - frame.oy;
  return { s: dx * frame.ux + dy * frame.uy, t: dx * frame.vx + dy * frame.vy };
}

/** Samples the polyline t(s) through `points` every pixel over [sMin, sMax]; flat beyond its ends. */
export function columnTable(points: { s: number; t: number }[], sMin: number, sMax: number): ColumnTable {
  const sorted = [...points].sort((a, b) => a.s - b.s);
  const start = Math.floor(sMin);
  const count = Math.max(2, Math.ceil(sMax) - start + 1);
  const values = new Float32Array(count);
  let k = 0;
  for (let i = 0; i < count; i++) {
    const s = start + i;
    while (k < sorted.length - 2 && (sorted[k + 1]?.s ?? Number.POSITIVE_INFINITY) < s) k++;
    const a = sorted[k];
    const b = sorted[k + 1] ?? a;
    if (a === undefined || b === undefined) continue;
    if (s <= a.s || b.s <= a.s) values[i] = s <= a.s ? a.t : b.t;
    else if (s >= b.s) values[i] = b.t;
    else values[i] = a.t + ((b.t - a.t) * (s - a.s)) / (b.s - a.s);
  }
  return { sMin: start, values };
}

/** Linear lookup of a column table; clamps outside its range. */
export function lookup(table: ColumnTable, s: number): number {
  const { values } = table;
  const x = s - table.sMin;
  if (x <= 0) return values[0] ?? 0;
  const last = values.length - 1;
  if (x >= last) return values[last] ?? 0;
  const i = Math.floor(x);
  const a = values[i] ?? 0;
  return a + ((values[i + 1] ?? a) - a) * (x - i);
}

/** Mean colour of (2r+1)^2 pixels around each point. */
function meanColor(rgb: Uint8Array, width: number, height: number, points: Point2[], radius: number): Rgb {
  let r = 0;
  let g = 0;
  let b = 0;
  let n = 0;
  for (const p of points) {
    const cx = Math.round(p.x);
    const cy = Math.round(p.y);
    for (let y = cy - radius; y <= cy + radius; y++) {
      for (let x = cx - radius; x <= cx + radius; x++) {
        if (x < 0 || y < 0 || x >= width || y >= height) continue;
        const i = (y * width + x) * 3;
        r += rgb[i] ?? 0;
        g += rgb[i + 1] ?? 0;
        b += rgb[i + 2] ?? 0;
        n++;
      }
    }
  }
  return n === 0 ? [128, 128, 128] : [r / n, g / n, b / n];
}

function scale(color: Rgb, factor: number): Rgb {
  return [color[0] * factor, color[1] * factor, color[2] * factor];
}

/** Pulls a colour toward its own grey by `1 - keep`. */
function saturate(color: Rgb, keep: number): Rgb {
  const grey = 0.2126 * color[0] + 0.7152 * color[1] + 0.0722 * color[2];
  return [grey + (color[0] - grey) * keep, grey + (color[1] - grey) * keep, grey + (color[2] - grey) * keep];
}

function chroma(color: Rgb): number {
  return Math.max(...color) - Math.min(...color);
}

function buildMouth(points: readonly Point2[], rgb: Uint8Array, width: number, height: number): MouthRig {
  const innerLeft = at(points, MOUTH_CORNERS_INNER[0]);
  const innerRight = at(points, MOUTH_CORNERS_INNER[1]);
  const outerLeft = at(points, MOUTH_CORNERS_OUTER[0]);
  const outerRight = at(points, MOUTH_CORNERS_OUTER[1]);
  const frame = frameBetween(outerLeft, outerRight);
  const halfWidth = Math.max(2, distance(outerLeft, outerRight) / 2);
  const innerHalfWidth = Math.max(
    1.5,
    Math.abs(toLocal(frame, innerRight).s - toLocal(frame, innerLeft).s) / 2,
  );
  const local = (indices: readonly number[]) => indices.map((i) => toLocal(frame, at(points, i)));

  const chin = toLocal(frame, at(points, CHIN));
  const nose = toLocal(frame, at(points, SUBNASALE));
  const lipT = (toLocal(frame, innerLeft).t + toLocal(frame, innerRight).t) / 2;
  const chinDepth = Math.max(halfWidth * 0.6, chin.t - lipT);
  const maxDrop = 0.72 * halfWidth;
  const neckLength = Math.max(4, 0.4 * chinDepth);
  const sMax = 2.0 * halfWidth;
  const sMin = -sMax;

  const upperInner = columnTable(local(LIPS_INNER_UPPER), sMin - 2, sMax + 2);
  const lowerInner = columnTable(local(LIPS_INNER_LOWER), sMin - 2, sMax + 2);
  const jawPoints = local(JAW_LINE).filter((p) => p.t > lipT);
  const jaw = columnTable(jawPoints.length >= 2 ? jawPoints : [chin], sMin - 2, sMax + 2);
  let deepest = chin.t;
  for (const v of jaw.values) deepest = Math.max(deepest, v);
  const centreOpening = lookup(lowerInner, 0) - lookup(upperInner, 0);
  const hasOwnOpening = centreOpening > 0.12 * halfWidth;

  // Colours: lips halfway between the outer and inner contours; skin on both cheeks.
  const lipPoints: Point2[] = [];
  for (const [outer, inner] of [
    [LIPS_OUTER_UPPER, LIPS_INNER_UPPER],
    [LIPS_OUTER_LOWER, LIPS_INNER_LOWER],
  ] as const) {
    for (let i = 2; i < outer.length - 2; i++) {
      const o = at(points, outer[i] ?? 0);
      const n = at(points, inner[i] ?? 0);
      lipPoints.push({ x: (o.x + n.x) / 2, y: (o.y + n.y) / 2 });
    }
  }
  const lip = meanColor(rgb, width, height, lipPoints, 1);
  const skin = meanColor(
    rgb,
    width,
    height,
    [at(points, CHEEK_RIGHT), at(points, CHEEK_LEFT)],
    Math.max(1, Math.round(halfWidth * 0.12)),
  );
  // A grey photo (little chroma in the skin) gets grey interior colours.
  const colourfulness = Math.min(1, chroma(skin) / 40);
  const skinLuma = 0.2126 * skin[0] + 0.7152 * skin[1] + 0.0722 * skin[2];
  const teethLevel = Math.min(205, Math.max(130, skinLuma * 1.05 + 15));
  const teeth = saturate([teethLevel, teethLevel * 0.97, teethLevel * 0.9], colourfulness);
  const cavity = saturate(scale(lip, 0.22), Math.max(colourfulness, 0.3));
  const tongue = saturate(scale(lip, 0.62), Math.max(colourfulness, 0.3));

  return {
    frame,
    halfWidth,
    innerHalfWidth,
    upperInner,
    lowerInner,
    jaw,
    noseT: Math.min(nose.t, lipT - 2),
    sMin,
    sMax,
    tMin: Math.min(nose.t, lipT - 2) - 1,
    tMax: deepest + maxDrop + neckLength + 2,
    neckLength,
    chinT: deepest,
    maxDrop,
    hasOwnOpening,
    colors: { cavity, tongue, teeth, lip, skin },
  };
}

function buildEye(
  points: readonly Point2[],
  upperIdx: readonly number[],
  lowerIdx: readonly number[],
): EyeRig {
  const first = at(points, upperIdx[0] ?? 0);
  const last = at(points, upperIdx[upperIdx.length - 1] ?? 0);
  const frame = frameBetween(first, last);
  const halfWidth = Math.max(2, distance(first, last) / 2);
  const sMax = halfWidth * 1.2;
  const sMin = -sMax;
  const upper = columnTable(
    upperIdx.map((i) => toLocal(frame, at(points, i))),
    sMin - 2,
    sMax + 2,
  );
  const lower = columnTable(
    lowerIdx.map((i) => toLocal(frame, at(points, i))),
    sMin - 2,
    sMax + 2,
  );
  let opening = 0;
  let top = 0;
  let bottom = 0;
  for (let i = 0; i < upper.values.length; i++) {
    const u = upper.values[i] ?? 0;
    const l = lower.values[i] ?? 0;
    opening = Math.max(opening, l - u);
    top = Math.min(top, u);
    bottom = Math.max(bottom, l);
  }
  const stretchUp = Math.max(3, opening * 1.3);
  const stretchDown = Math.max(2, opening * 0.8);
  return {
    frame,
    halfWidth,
    upper,
    lower,
    stretchUp,
    stretchDown,
    sMin,
    sMax,
    tMin: top - stretchUp - 1,
    tMax: bottom + stretchDown + 1,
    lashWidth: Math.max(1, halfWidth * 0.09),
    maxOpening: Math.max(0.5, opening),
  };
}

function buildHead(points: readonly Point2[]): HeadRig {
  const chin = at(points, CHIN);
  const forehead = at(points, FOREHEAD_TOP);
  const right = at(points, FACE_EDGE_RIGHT);
  const left = at(points, FACE_EDGE_LEFT);
  const faceWidth = Math.max(4, distance(right, left));
  const faceHeight = Math.max(4, distance(chin, forehead));
  // v points from the forehead toward the chin; u across the face.
  const vx = (chin.x - forehead.x) / faceHeight;
  const vy = (chin.y - forehead.y) / faceHeight;
  const centreX = (forehead.x + chin.x) / 2 - vx * 0.15 * faceHeight;
  const centreY = (forehead.y + chin.y) / 2 - vy * 0.15 * faceHeight;
  return {
    pivotX: chin.x + vx * 0.45 * faceHeight,
    pivotY: chin.y + vy * 0.45 * faceHeight,
    faceWidth,
    frame: { ox: centreX, oy: centreY, ux: vy, uy: -vx, vx, vy },
    radiusU: 0.64 * faceWidth,
    radiusV: 0.7 * faceHeight,
    fade: 0.1,
  };
}

/** Measures the rig from landmarks in frame coordinates and the base frame (packed RGB). */
export function buildFaceRig(
  points: readonly Point2[],
  rgb: Uint8Array,
  width: number,
  height: number,
): FaceRig {
  return {
    width,
    height,
    mouth: buildMouth(points, rgb, width, height),
    eyes: [
      buildEye(points, RIGHT_EYE_UPPER, RIGHT_EYE_LOWER),
      buildEye(points, LEFT_EYE_UPPER, LEFT_EYE_LOWER),
    ],
    head: buildHead(points),
  };
}
