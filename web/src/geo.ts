// Pure geometry for the globe: Earth-fixed km from the server to the globe's lon/lat/height.

/** deck.gl's globe is a sphere of this radius (metres), so heights are taken above it. */
export const GLOBE_RADIUS_M = 6_370_972;

/**
 * Writes into `out` (length 3·n) the lon°, lat°, height m of the `n` Earth-fixed positions
 * (km, x y z) obtained by interpolating linearly between samples `a` and `b` at fraction `f`.
 * Spherical (the globe is a sphere); non-finite samples give NaN, which deck.gl skips.
 * Returns how many positions are finite.
 */
export function ecefToGlobe(a: Float32Array, b: Float32Array, f: number, out: Float32Array): number {
  const n = Math.floor(a.length / 3);
  let finite = 0;
  for (let i = 0; i < n; i++) {
    const j = 3 * i;
    const x = a[j] + (b[j] - a[j]) * f;
    const y = a[j + 1] + (b[j + 1] - a[j + 1]) * f;
    const z = a[j + 2] + (b[j + 2] - a[j + 2]) * f;
    const rho = Math.hypot(x, y);
    out[j] = (Math.atan2(y, x) * 180) / Math.PI;
    out[j + 1] = (Math.atan2(z, rho) * 180) / Math.PI;
    out[j + 2] = Math.hypot(rho, z) * 1000 - GLOBE_RADIUS_M;
    if (Number.isFinite(out[j + 2])) finite++;
  }
  return finite;
}

/** Endpoints of links `pairs` (satellite index pairs) from globe positions, into `src`/`dst`. */
export function linkEnds(pos: Float32Array, pairs: Uint32Array, src: Float32Array, dst: Float32Array): void {
  const n = Math.floor(pairs.length / 2);
  for (let k = 0; k < n; k++) {
    const a = 3 * pairs[2 * k];
    const b = 3 * pairs[2 * k + 1];
    for (let c = 0; c < 3; c++) {
      src[3 * k + c] = pos[a + c];
      dst[3 * k + c] = pos[b + c];
    }
  }
}

/** Which sample pair and fraction a clock `t_s` seconds into a window of `n` samples `step_s`
 *  apart falls in, looping over the window. */
export function samplePosition(t_s: number, step_s: number, n: number): { k: number; f: number } {
  if (n < 2) return { k: 0, f: 0 };
  const span = (n - 1) * step_s;
  const t = ((t_s % span) + span) % span;
  const k = Math.min(Math.floor(t / step_s), n - 2);
  return { k, f: (t - k * step_s) / step_s };
}
