// The scenario's terminals at an instant (`/api/terminals`: float32 rows of lon, lat, terminal,
// group, rule) as the binary attributes of one ScatterplotLayer: no object per terminal.
import type { RGBA } from "./colour";

export const TERMINAL_COLUMNS = 5;

export interface TerminalAttributes {
  /** lon°, lat° per shown terminal. */
  positions: Float32Array;
  /** RGBA per shown terminal: its deciding rule's colour. */
  colors: Uint8Array;
  /** Terminal index (into `/api/terminals/ids`) per shown terminal. */
  terminal: Uint32Array;
  /** Rule index (into `meta.rules`) per shown terminal. */
  rule: Uint8Array;
}

/** The rows of `group` (all groups when null), coloured by rule from `colours`. */
export function terminalAttributes(rows: Float32Array, colours: RGBA[], group: number | null): TerminalAttributes {
  if (rows.length % TERMINAL_COLUMNS !== 0) throw new Error(`terminal rows of ${rows.length} floats are not rows of ${TERMINAL_COLUMNS}`);
  const n = rows.length / TERMINAL_COLUMNS;
  let shown = 0;
  for (let i = 0; i < n; i++) if (group === null || rows[TERMINAL_COLUMNS * i + 3] === group) shown++;
  const out: TerminalAttributes = { positions: new Float32Array(2 * shown), colors: new Uint8Array(4 * shown),
    terminal: new Uint32Array(shown), rule: new Uint8Array(shown) };
  let j = 0;
  for (let i = 0; i < n; i++) {
    const r = TERMINAL_COLUMNS * i;
    if (group !== null && rows[r + 3] !== group) continue;
    out.positions[2 * j] = rows[r];
    out.positions[2 * j + 1] = rows[r + 1];
    out.terminal[j] = rows[r + 2];
    out.rule[j] = rows[r + 4];
    out.colors.set(colours[rows[r + 4]] ?? [255, 255, 255, 255], 4 * j);
    j++;
  }
  return out;
}
