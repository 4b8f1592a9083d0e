// Coverage figures (one byte per cell from `/api/coverage`) as colours per vertex of the cell
// mesh, through a 256-entry lookup table: a time step costs one pass over the vertices.
import { hexToRgba, type RGBA } from "./colour";

export type Figure = "in_view" | "percent_covered" | "availability";
export interface CoverageClass { name: string; colour: string }

// Few satellites (red) to many (green): the ramp's stops, and the count drawn fully green.
const RAMP: RGBA[] = [[215, 48, 39, 170], [252, 141, 89, 170], [254, 224, 139, 170],
  [145, 207, 96, 170], [26, 152, 80, 170]];
/** Satellites in view drawn fully green: Starlink shows 10-40 above 25° at mid-latitudes. */
export const IN_VIEW_FULL = 40;

/** The ramp's colour at `x` in [0, 1] (clamped), linearly between its stops. */
export function rampColour(x: number): RGBA {
  const t = Math.min(1, Math.max(0, x)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(t));
  const f = t - i;
  return RAMP[i].map((c, j) => Math.round(c + f * (RAMP[i + 1][j] - c))) as RGBA;
}

/** RGBA for every byte value of `figure` (256 × 4 bytes); unknown class codes are clear. */
export function figureTable(figure: Figure, classes: CoverageClass[]): Uint8Array {
  const table = new Uint8Array(256 * 4);
  for (let v = 0; v < 256; v++) {
    let c: RGBA;
    if (figure === "availability") c = v < classes.length ? hexToRgba(classes[v].colour, 170) : [0, 0, 0, 0];
    else if (figure === "percent_covered") c = v <= 100 ? rampColour(v / 100) : [0, 0, 0, 0];
    else c = rampColour(v / IN_VIEW_FULL);
    table.set(c, 4 * v);
  }
  return table;
}

/** Fill `out` (4 bytes a vertex) with the colour of each vertex's cell value. */
export function vertexColours(values: Uint8Array, cellOfVertex: Uint32Array, table: Uint8Array,
  out: Uint8Array): Uint8Array {
  if (out.length !== 4 * cellOfVertex.length) throw new Error(`colour buffer of ${out.length} bytes for ${cellOfVertex.length} vertices`);
  for (let v = 0; v < cellOfVertex.length; v++) {
    const k = 4 * values[cellOfVertex[v]];
    const o = 4 * v;
    out[o] = table[k];
    out[o + 1] = table[k + 1];
    out[o + 2] = table[k + 2];
    out[o + 3] = table[k + 3];
  }
  return out;
}

/** The row of a (samples, cells) figure to show at `ms`: the 15-s sample for `in_view`
 * (clamped to the window), the only row otherwise. */
export function figureRow(nRows: number, windowStartMs: number, stepMs: number, ms: number): number {
  if (nRows <= 1) return 0;
  return Math.min(nRows - 1, Math.max(0, Math.floor((ms - windowStartMs) / stepMs)));
}
