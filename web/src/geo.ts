// Pure arithmetic for the globe: the sky's clock over windows of 15-s samples, and line
// segments from flat polylines.

/** The sample pair and fraction of an instant `tMs` in a window of `n` samples `stepMs` apart
 *  starting at `startMs`: `k` is the sample before (clamped to the window), `f` in [0, 1]. */
export function slotAt(tMs: number, startMs: number, stepMs: number, n: number): { k: number; f: number } {
  if (n < 2) return { k: 0, f: 0 };
  const x = Math.min(Math.max((tMs - startMs) / stepMs, 0), n - 1);
  const k = Math.min(Math.floor(x), n - 2);
  return { k, f: x - k };
}

/** Start (ms since the epoch) of the window of `windowMs` that holds `tMs`: windows are
 *  aligned on multiples of their length, so every client asks for the same ones. */
export function windowStart(tMs: number, windowMs: number): number {
  return Math.floor(tMs / windowMs) * windowMs;
}

/** Vertex index pairs (one per segment) of polylines stored flat: path `i` runs from vertex
 *  `starts[i]` to the vertex before `starts[i + 1]` (or `nVertices`). */
export function segmentIndices(starts: Uint32Array, nVertices: number): Uint32Array {
  let n = 0;
  for (let i = 0; i < starts.length; i++) {
    const end = i + 1 < starts.length ? starts[i + 1] : nVertices;
    n += Math.max(end - starts[i] - 1, 0);
  }
  const out = new Uint32Array(2 * n);
  let j = 0;
  for (let i = 0; i < starts.length; i++) {
    const end = i + 1 < starts.length ? starts[i + 1] : nVertices;
    for (let v = starts[i]; v + 1 < end; v++) {
      out[j++] = v;
      out[j++] = v + 1;
    }
  }
  return out;
}

/** deck.gl's globe is a sphere of this radius (m; its `EARTH_RADIUS`): heights are above it,
 *  as in sky-layer.ts's shader. */
export const GLOBE_RADIUS_M = 6_370_972;

/** lon°, lat°, height (m above the globe's sphere) of an Earth-fixed point in km. */
export function ecefToLonLatHeight(x: number, y: number, z: number): [number, number, number] {
  const r = Math.hypot(x, y, z);
  return [(Math.atan2(y, x) * 180) / Math.PI, (Math.asin(z / r) * 180) / Math.PI, r * 1000 - GLOBE_RADIUS_M];
}

/** Earth-fixed km of satellite `i` interpolated at `f` between samples `a` and `b` (x y z per
 *  satellite). */
export function satelliteAt(a: Float32Array, b: Float32Array, i: number, f: number): [number, number, number] {
  const j = 3 * i;
  return [a[j] + (b[j] - a[j]) * f, a[j + 1] + (b[j + 1] - a[j + 1]) * f, a[j + 2] + (b[j + 2] - a[j + 2]) * f];
}
