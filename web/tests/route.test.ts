import { describe, expect, it } from "vitest";
import { routeCaption, type Hop } from "../src/route";

const hop = (kind: Hop["kind"], name: string, index = -1): Hop => ({ kind, index, name, lat_deg: 0, lon_deg: 0 });

describe("routeCaption", () => {
  it("names the serving satellite, the hops to the PoP and the RTT", () => {
    const path = [hop("place", "Kyiv"), hop("satellite", "S1", 7), hop("satellite", "S2", 9),
      hop("gateway", "Frankfurt"), hop("pop", "Frankfurt")];
    expect(routeCaption("Kyiv", { time: "T", serving: 7, rtt_ms: 17.849, path, no_service: null }))
      .toBe("T: Kyiv served by S1; 2 satellites to gateway Frankfurt, pop Frankfurt; RTT 17.8 ms");
  });
  it("says why there is no service", () => {
    expect(routeCaption("X", { time: "T", serving: null, rtt_ms: null, path: [], no_service: "no satellite" }))
      .toBe("T: X has no service (no satellite)");
  });
});
