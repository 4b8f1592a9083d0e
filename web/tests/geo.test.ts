import { describe, expect, it } from "vitest";
import { ecefToLonLatHeight, GLOBE_RADIUS_M, satelliteAt, segmentIndices, slotAt, windowStart } from "../src/geo";

describe("slotAt", () => {
  it("finds the sample pair and fraction of an instant", () => {
    // Samples at 0, 15, 30, 45, 60 s: 22.5 s is half-way from the second to the third.
    expect(slotAt(22_500, 0, 15_000, 5)).toEqual({ k: 1, f: 0.5 });
    expect(slotAt(1_000 + 15_000, 1_000, 15_000, 5)).toEqual({ k: 1, f: 0 });
  });
  it("holds at the window's ends", () => {
    expect(slotAt(60_000, 0, 15_000, 5)).toEqual({ k: 3, f: 1 });
    expect(slotAt(99_000, 0, 15_000, 5)).toEqual({ k: 3, f: 1 });
    expect(slotAt(-5, 0, 15_000, 5)).toEqual({ k: 0, f: 0 });
    expect(slotAt(7_000, 0, 15_000, 1)).toEqual({ k: 0, f: 0 });
  });
});

describe("windowStart", () => {
  it("aligns on multiples of the window", () => {
    const t = Date.parse("2022-02-27T00:17:30Z");
    expect(new Date(windowStart(t, 600_000)).toISOString()).toBe("2022-02-27T00:10:00.000Z");
    expect(windowStart(600_000, 600_000)).toBe(600_000);
  });
});

describe("segmentIndices", () => {
  it("joins consecutive vertices within each path, not across paths", () => {
    // Paths of 3, 1 and 2 vertices: segments 0-1, 1-2, then none, then 4-5.
    expect(Array.from(segmentIndices(new Uint32Array([0, 3, 4]), 6))).toEqual([0, 1, 1, 2, 4, 5]);
    expect(segmentIndices(new Uint32Array([]), 0).length).toBe(0);
  });
});

describe("ecefToLonLatHeight and satelliteAt", () => {
  it("puts hand-checked points where they belong", () => {
    // On the x axis 550 km up: lon 0, lat 0; on +y: lon 90; on +z: the north pole.
    const r = GLOBE_RADIUS_M / 1000 + 550;
    const [lon, lat, h] = ecefToLonLatHeight(r, 0, 0);
    expect(lon).toBeCloseTo(0, 9); expect(lat).toBeCloseTo(0, 9); expect(h).toBeCloseTo(550_000, 3);
    expect(ecefToLonLatHeight(0, r, 0)[0]).toBeCloseTo(90, 9);
    expect(ecefToLonLatHeight(0, 0, r)[1]).toBeCloseTo(90, 9);
    // 45° N over 180° E.
    const c = r * Math.SQRT1_2;
    const p = ecefToLonLatHeight(-c, 0, c);
    expect(Math.abs(p[0])).toBeCloseTo(180, 9); expect(p[1]).toBeCloseTo(45, 9);
  });
  it("interpolates one satellite between two samples", () => {
    const a = new Float32Array([0, 0, 0, 7000, 0, 0]);
    const b = new Float32Array([0, 0, 0, 7000, 100, -50]);
    expect(satelliteAt(a, b, 1, 0.5)).toEqual([7000, 50, -25]);
  });
});
