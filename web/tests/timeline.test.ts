import { describe, expect, it } from "vitest";
import { dayOnOrAfter, fractionOf, polylinePoints } from "../src/timeline";

const DAY = 86_400_000;

describe("fractionOf", () => {
  it("places an instant on the span, clamped", () => {
    expect(fractionOf(25, 0, 100)).toBe(0.25);
    expect(fractionOf(-5, 0, 100)).toBe(0);
    expect(fractionOf(500, 0, 100)).toBe(1);
    expect(fractionOf(5, 10, 10)).toBe(0);
  });
});

describe("polylinePoints", () => {
  it("draws values from the bottom up, clipped at the top", () => {
    expect(polylinePoints([0, 50, 100], [0, 5, 20], 0, 100, 200, 10, 10)).toBe("0.0,10.0 100.0,5.0 200.0,0.0");
  });
});

describe("dayOnOrAfter", () => {
  it("is the whole day on or after an instant", () => {
    const start = Date.parse("2022-01-25T12:00:00Z");
    expect(dayOnOrAfter(Date.parse("2022-02-26T00:00:00Z"), start, DAY)).toBe(32);
    expect(dayOnOrAfter(start + 3 * DAY, start, DAY)).toBe(3);
    expect(dayOnOrAfter(start - DAY, start, DAY)).toBe(0);
  });
});
