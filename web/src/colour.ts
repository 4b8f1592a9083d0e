// Colours of the server's palette (leonet.reporting.palette) as deck.gl RGBA.

export type RGBA = [number, number, number, number];

/** "#rrggbb" → [r, g, b, alpha]; throws on anything else. */
export function hexToRgba(hex: string, alpha = 255): RGBA {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`not a #rrggbb colour: ${hex}`);
  return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16), alpha];
}
