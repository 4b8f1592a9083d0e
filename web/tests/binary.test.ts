import { describe, expect, it } from "vitest";
import { parseShape, problemText } from "../src/binary";
import { hexToRgba } from "../src/colour";

describe("problemText", () => {
  it("shows a problem document's detail", () => {
    expect(problemText(422, '{"title":"Unprocessable content","detail":"time: bad"}')).toBe("422: time: bad");
  });
  it("falls back to the raw body", () => {
    expect(problemText(500, "oops")).toBe("500: oops");
    expect(problemText(502, "")).toBe("502: request failed");
  });
});

describe("parseShape", () => {
  it("reads X-Shape and refuses garbage", () => {
    expect(parseShape("241,4408,3")).toEqual([241, 4408, 3]);
    expect(parseShape(null)).toEqual([]);
    expect(() => parseShape("2,x")).toThrow();
  });
});

describe("hexToRgba", () => {
  it("converts the palette's colours", () => {
    expect(hexToRgba("#2ca02c")).toEqual([44, 160, 44, 255]);
    expect(hexToRgba("#D62728", 10)).toEqual([214, 39, 40, 10]);
    expect(() => hexToRgba("red")).toThrow();
  });
});
