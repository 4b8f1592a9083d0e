import { describe, expect, it } from "vitest";
import { ecefToGlobe, GLOBE_RADIUS_M, linkEnds, samplePosition } from "../src/geo";

describe("ecefToGlobe", () => {
  it("puts hand-checked points where they belong", () => {
    // On the x axis at 550 km: lon 0, lat 0; on +y: lon 90; on +z: the north pole.
    const r = (GLOBE_RADIUS_M / 1000) + 550;
    const a = new Float32Array([r, 0, 0, 0, r, 0, 0, 0, r]);
    const out = new Float32Array(9);
    expect(ecefToGlobe(a, a, 0, out)).toBe(3);
    expect(out[0]).toBeCloseTo(0, 6); expect(out[1]).toBeCloseTo(0, 6); expect(out[2]).toBeCloseTo(550_000, -1);
    expect(out[3]).toBeCloseTo(90, 6);
    expect(out[7]).toBeCloseTo(90, 6);
  });
  it("interpolates between samples and skips failed ones", () => {
    const a = new Float32Array([7000, 0, 0, NaN, NaN, NaN]);
    const b = new Float32Array([0, 7000, 0, 1, 1, 1]);
    const out = new Float32Array(6);
    expect(ecefToGlobe(a, b, 0.5, out)).toBe(1);
    expect(out[0]).toBeCloseTo(45, 5);
    expect(Number.isNaN(out[5])).toBe(true);
  });
});

describe("samplePosition", () => {
  it("finds the pair and fraction, looping over the window", () => {
    expect(samplePosition(22.5, 15, 5)).toEqual({ k: 1, f: 0.5 });
    expect(samplePosition(60 + 7.5, 15, 5)).toEqual({ k: 0, f: 0.5 });
    expect(samplePosition(3, 15, 1)).toEqual({ k: 0, f: 0 });
  });
});

describe("linkEnds", () => {
  it("copies both ends of each link", () => {
    const pos = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const src = new Float32Array(6); const dst = new Float32Array(6);
    linkEnds(pos, new Uint32Array([0, 2, 2, 1]), src, dst);
    expect(Array.from(src)).toEqual([1, 2, 3, 7, 8, 9]);
    expect(Array.from(dst)).toEqual([7, 8, 9, 4, 5, 6]);
  });
});
