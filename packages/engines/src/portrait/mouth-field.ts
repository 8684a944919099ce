/**
 * The mouth warp composed with the head motion, sampled once per frame on a grid in frame pixels, so that
 * most pixels near the mouth only interpolate linearly along their row. Rules kept:
 * - a node holds the total backward displacement of its frame position (head motion, then the mouth map:
 *   where to read the still photo, minus the position) and the mouth's rim factor;
 * - a cell is exact (each of its pixels goes through the exact maps) when a corner lies in the opening,
 *   its corners sit on both sides of the tear line, or the exact map at its centre is more than 0.2 px (or
 *   0.02 in shading) away from the interpolated value or in the opening;
 * - a cell is still when the mouth moves none of its corners (the mouth map is the identity there: no
 *   displacement beyond the head motion, factor 1) and it is not exact; its pixels keep the head-moved
 *   value;
 * - any other cell is smooth: displacement and factor are bilinear in its corners' values.
 */
import type { Bounds, MouthWarp } from './face-warps.js';

/** Spacing (frame px) of the grid nodes. */
export const GRID = 4;
export const INV_GRID = 1 / GRID;

/** Cell kinds (see the module comment). */
export const CELL_STILL = 0;
export const CELL_SMOOTH = 1;
export const CELL_EXACT = 2;

/** Node regions: not moved by the mouth, below the tear line, above it, in the opening. */
const STILL = 0;
const BELOW = 1;
const ABOVE = 2;
const OPENING = 3;

/** Displacements (px) below this count as no motion. */
const NO_MOTION = 1e-6;

/** Writes the rest position (before the head motion) of frame position (x, y) into out[0], out[1]. */
export type ToRest = (x: number, y: number, out: Float64Array) => void;

export class MouthField {
  /** Frame position of node (0, 0); nodes sit every GRID px. */
  x0 = 0;
  y0 = 0;
  columns = 0;
  rows = 0;
  /** Per node: dx, dy, rim factor. */
  values = new Float64Array(0);
  /** Per node: STILL, BELOW, ABOVE or OPENING. */
  private regions = new Uint8Array(0);
  /** Per cell (indexed like its top-left node): CELL_*. */
  cells = new Uint8Array(0);
  private readonly rest = new Float64Array(2);
  private readonly mapped = new Float64Array(7);

  /** Samples the mouth's current pose composed with the head motion over `box` (frame pixels). */
  fill(mouth: MouthWarp, box: Bounds, toRest: ToRest): void {
    this.x0 = Math.floor(box.x0);
    this.y0 = Math.floor(box.y0);
    this.columns = Math.ceil((box.x1 - this.x0) / GRID) + 2;
    this.rows = Math.ceil((box.y1 - this.y0) / GRID) + 2;
    const nodes = this.columns * this.rows;
    if (this.regions.length < nodes) {
      this.values = new Float64Array(nodes * 3);
      this.regions = new Uint8Array(nodes);
      this.cells = new Uint8Array(nodes);
    }
    for (let j = 0; j < this.rows; j++) {
      for (let i = 0; i < this.columns; i++) {
        const n = j * this.columns + i;
        this.regions[n] = this.sample(mouth, this.x0 + i * GRID, this.y0 + j * GRID, toRest, 3 * n);
      }
    }
    for (let j = 0; j + 1 < this.rows; j++) {
      for (let i = 0; i + 1 < this.columns; i++) {
        this.cells[j * this.columns + i] = this.classify(mouth, i, j, toRest);
      }
    }
  }

  /**
   * The field at frame position (x, y): writes the interpolated dx, dy and rim factor into out[0..2] (the
   * values are meaningful in smooth cells) and returns the cell kind (CELL_STILL outside the field).
   */
  at(x: number, y: number, out: Float64Array): number {
    const u = (x - this.x0) * INV_GRID;
    const v = (y - this.y0) * INV_GRID;
    const ci = Math.floor(u);
    const cj = Math.floor(v);
    if (ci < 0 || cj < 0 || ci >= this.columns - 1 || cj >= this.rows - 1) return CELL_STILL;
    const fu = u - ci;
    const fv = v - cj;
    const top = 3 * (cj * this.columns + ci);
    const bottom = top + 3 * this.columns;
    const values = this.values;
    for (let k = 0; k < 3; k++) {
      const upper = (values[top + k] ?? 0) + ((values[top + 3 + k] ?? 0) - (values[top + k] ?? 0)) * fu;
      const lower =
        (values[bottom + k] ?? 0) + ((values[bottom + 3 + k] ?? 0) - (values[bottom + k] ?? 0)) * fu;
      out[k] = upper + (lower - upper) * fv;
    }
    return this.cells[cj * this.columns + ci] ?? CELL_STILL;
  }

  /** Writes node values (dx, dy, factor) at `at` for frame position (x, y); returns its region. */
  private sample(mouth: MouthWarp, x: number, y: number, toRest: ToRest, at: number): number {
    const rest = this.rest;
    const mapped = this.mapped;
    toRest(x, y, rest);
    const qx = rest[0] ?? x;
    const qy = rest[1] ?? y;
    if (mouth.map(qx, qy, mapped)) {
      const sx = mapped[0] ?? qx;
      const sy = mapped[1] ?? qy;
      const factor = mapped[6] ?? 1;
      const alpha = mapped[2] ?? 0;
      if (alpha > 0 || factor !== 1 || Math.abs(sx - qx) > NO_MOTION || Math.abs(sy - qy) > NO_MOTION) {
        this.values[at] = sx - x;
        this.values[at + 1] = sy - y;
        this.values[at + 2] = factor;
        return alpha > 0 ? OPENING : mouth.lastRegion === 1 ? BELOW : ABOVE;
      }
    }
    this.values[at] = qx - x;
    this.values[at + 1] = qy - y;
    this.values[at + 2] = 1;
    return STILL;
  }

  /** The kind of cell (i, j); see the module comment. */
  private classify(mouth: MouthWarp, i: number, j: number, toRest: ToRest): number {
    const a = j * this.columns + i;
    const b = a + 1;
    const c = a + this.columns;
    const d = c + 1;
    const r = this.regions;
    const seen =
      (1 << (r[a] ?? STILL)) | (1 << (r[b] ?? STILL)) | (1 << (r[c] ?? STILL)) | (1 << (r[d] ?? STILL));
    if ((seen & (1 << OPENING)) !== 0) return CELL_EXACT;
    if ((seen & ((1 << BELOW) | (1 << ABOVE))) === ((1 << BELOW) | (1 << ABOVE))) return CELL_EXACT;
    if (seen === 1 << STILL) return CELL_STILL;
    // The exact map at the centre against the mean of the corners.
    const x = this.x0 + i * GRID + GRID / 2;
    const y = this.y0 + j * GRID + GRID / 2;
    const rest = this.rest;
    toRest(x, y, rest);
    const mapped = this.mapped;
    if (!mouth.map(rest[0] ?? x, rest[1] ?? y, mapped)) return CELL_SMOOTH;
    const v = this.values;
    const meanX = ((v[3 * a] ?? 0) + (v[3 * b] ?? 0) + (v[3 * c] ?? 0) + (v[3 * d] ?? 0)) / 4;
    const meanY = ((v[3 * a + 1] ?? 0) + (v[3 * b + 1] ?? 0) + (v[3 * c + 1] ?? 0) + (v[3 * d + 1] ?? 0)) / 4;
    const meanF = ((v[3 * a + 2] ?? 1) + (v[3 * b + 2] ?? 1) + (v[3 * c + 2] ?? 1) + (v[3 * d + 2] ?? 1)) / 4;
    const exact =
      Math.abs((mapped[0] ?? x) - x - meanX) > 0.2 ||
      Math.abs((mapped[1] ?? y) - y - meanY) > 0.2 ||
      Math.abs((mapped[6] ?? 1) - meanF) > 0.02 ||
      (mapped[2] ?? 0) > 0;
    return exact ? CELL_EXACT : CELL_SMOOTH;
  }
}
