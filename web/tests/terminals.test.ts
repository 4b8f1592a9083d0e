import { describe, expect, it } from "vitest";
import type { RGBA } from "../src/colour";
import { terminalAttributes } from "../src/terminals";

const COLOURS: RGBA[] = [[1, 2, 3, 255], [10, 20, 30, 255]];
// Rows: lon, lat, terminal, group, rule.
const ROWS = new Float32Array([30.5, 50.4, 7, 0, 1, 34.1, 44.9, 9, 1, 0, 24.0, 49.8, 12, 1, 1]);

describe("terminalAttributes", () => {
  it("lays rows out as positions, colours by rule and terminal indices", () => {
    const a = terminalAttributes(ROWS, COLOURS, null);
    expect(Array.from(a.positions)).toEqual(Array.from(new Float32Array([30.5, 50.4, 34.1, 44.9, 24.0, 49.8])));
    expect(Array.from(a.terminal)).toEqual([7, 9, 12]);
    expect(Array.from(a.rule)).toEqual([1, 0, 1]);
    expect(Array.from(a.colors.subarray(4, 8))).toEqual([1, 2, 3, 255]);
  });
  it("keeps one group", () => {
    const a = terminalAttributes(ROWS, COLOURS, 1);
    expect(Array.from(a.terminal)).toEqual([9, 12]);
  });
  it("refuses rows that are not rows of five", () => {
    expect(() => terminalAttributes(new Float32Array(7), COLOURS, null)).toThrow(/rows of 5/);
  });
});
