import { describe, expect, it } from "vitest";
import { figureRow, figureTable, IN_VIEW_FULL, rampColour, vertexColours } from "../src/coverage";

const CLASSES = [{ name: "available", colour: "#2ca02c" }, { name: "limited", colour: "#ff7f0e" },
  { name: "not activated", colour: "#7f7f7f" }, { name: "not covered", colour: "#d62728" }];

describe("rampColour", () => {
  it("runs from red at none to green at full, clamped", () => {
    expect(rampColour(0)).toEqual([215, 48, 39, 170]);
    expect(rampColour(1)).toEqual([26, 152, 80, 170]);
    expect(rampColour(-3)).toEqual(rampColour(0));
    expect(rampColour(7)).toEqual(rampColour(1));
    // Half-way between the first two stops (0 and 0.25): the mean of their channels.
    expect(rampColour(0.125)).toEqual([234, 95, 64, 170]);
  });
});

describe("figureTable", () => {
  it("gives availability classes the palette's colours and leaves other codes clear", () => {
    const t = figureTable("availability", CLASSES);
    expect(Array.from(t.subarray(0, 4))).toEqual([0x2c, 0xa0, 0x2c, 170]);
    expect(Array.from(t.subarray(12, 16))).toEqual([0xd6, 0x27, 0x28, 170]);
    expect(Array.from(t.subarray(16, 20))).toEqual([0, 0, 0, 0]);
  });
  it("maps percent 0..100 onto the ramp and counts up to IN_VIEW_FULL", () => {
    expect(Array.from(figureTable("percent_covered", []).subarray(400, 404))).toEqual(rampColour(1));
    expect(Array.from(figureTable("percent_covered", []).subarray(404, 408))).toEqual([0, 0, 0, 0]);
    expect(Array.from(figureTable("in_view", []).subarray(4 * IN_VIEW_FULL, 4 * IN_VIEW_FULL + 4))).toEqual(rampColour(1));
    expect(Array.from(figureTable("in_view", []).subarray(0, 4))).toEqual(rampColour(0));
  });
});

describe("vertexColours", () => {
  it("gives every vertex its cell's colour", () => {
    const table = figureTable("availability", CLASSES);
    // Two cells: 3 vertices of cell 0 (class 1, limited), 2 of cell 1 (class 3, not covered).
    const out = vertexColours(new Uint8Array([1, 3]), new Uint32Array([0, 0, 0, 1, 1]), table, new Uint8Array(20));
    expect(Array.from(out.subarray(8, 12))).toEqual([0xff, 0x7f, 0x0e, 170]);
    expect(Array.from(out.subarray(12, 16))).toEqual([0xd6, 0x27, 0x28, 170]);
  });
  it("refuses a buffer of the wrong size", () => {
    expect(() => vertexColours(new Uint8Array(1), new Uint32Array(2), new Uint8Array(1024), new Uint8Array(4))).toThrow(/8|2 vertices/);
  });
});

describe("figureRow", () => {
  it("picks the 15-s sample of an instant, clamped to the window", () => {
    expect(figureRow(41, 0, 15_000, 44_999)).toBe(2);
    expect(figureRow(41, 0, 15_000, -1)).toBe(0);
    expect(figureRow(41, 0, 15_000, 10_000_000)).toBe(40);
    expect(figureRow(1, 0, 600_000, 300_000)).toBe(0);
  });
});
