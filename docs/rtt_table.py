"""Regenerate the table of model RTTs beside published Starlink measurements
(docs/network.md). Run: `.venv/bin/python docs/rtt_table.py` (about a minute).

Uses the real 2026-08-22 snapshot from ../shared/data when present (satellites above
400 km, +Grid on detected planes), else the starlink-gen1 preset. One hour at 15 s steps
from 2026-08-23T00:00Z, which is the evening peak (19:00-21:00 local) across the US.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

from leonet.api import Constellation, Network, TimeGrid, concat_points, find_city

# One fixed allowance for everything that is not propagation: framing, scheduling,
# processing and queueing (see docs/network.md, "Allowance"). Set once from the US national
# figure, the same everywhere; never tuned per city.
ALLOWANCE_RTT_MS = 18.0
SNAPSHOT = Path(__file__).resolve().parents[2] / "shared" / "data" / "starlink-2026-08-22.tle"

US = ("New York City", "Los Angeles", "Chicago", "Houston", "Phoenix", "Philadelphia",
      "San Antonio", "San Diego", "Dallas", "Denver", "Seattle", "Atlanta", "Miami",
      "Boston", "Minneapolis")
EUROPE_USERS = ("London", "Paris", "Berlin", "Madrid", "Rome", "Warsaw", "Amsterdam",
                "Vienna")
EUROPE_ANCHORS = ("Amsterdam", "Frankfurt am Main", "London", "Paris", "Stockholm")


# The operator's published tails (Starlink network updates, starlink.com): US peak hour,
# March 2024, median 33 ms with p99 below 65 ms; June 2025, median 25.7 ms with under 1 % of
# samples above 55 ms.
TAIL_THRESHOLD_MS = 55.0


def rtts(net: Network, src, dst, grid, mode: str) -> tuple[np.ndarray, float]:
    """Propagation RTTs of every served instant and pair, and the availability."""
    s = net.routes(src, dst, grid, mode=mode)
    return s.rtt_ms[np.isfinite(s.rtt_ms)], float(s.available.mean())


def median_rtt(net: Network, src, dst, grid, mode: str) -> tuple[float, float]:
    rtt, avail = rtts(net, src, dst, grid, mode)
    return float(np.median(rtt)), avail


def main() -> None:
    if SNAPSHOT.exists():
        sats = Constellation.load(SNAPSHOT).filter(alt_km=(400, None))
        label = f"real snapshot 2026-08-22 ({len(sats):,} satellites above 400 km)"
    else:
        sats = Constellation.load("starlink-gen1")
        label = "starlink-gen1 preset"
    net = Network.build(sats)
    grid = TimeGrid.range("2026-08-23T00:00:00Z", "1h", "15s")
    us = concat_points([find_city(c).point() for c in US])
    us_pops = net.pops.points[net.pop_of(us)]
    users, anchors = zip(*itertools.product(EUROPE_USERS, EUROPE_ANCHORS), strict=True)
    eu_src = concat_points([find_city(c).point() for c in users])
    eu_dst = concat_points([find_city(c).point() for c in anchors])
    print(f"{label}; allowance {ALLOWANCE_RTT_MS} ms")
    for name, src, dst in (("US cities to their PoP", us, us_pops),
                           ("European users to European anchors", eu_src, eu_dst)):
        for mode in ("operator", "bentpipe", "fibre"):
            med, avail = median_rtt(net, src, dst, grid, mode)
            print(f"| {name} | {mode} | {med:.1f} | {med + ALLOWANCE_RTT_MS:.1f} | "
                  f"{avail:.1%} |")
    print("tails (model + allowance): workload | mode | p50 | p95 | p99 | max | "
          f"share above {TAIL_THRESHOLD_MS:.0f} ms")
    for name, src, dst in (("US cities to their PoP", us, us_pops),
                           ("European users to European anchors", eu_src, eu_dst)):
        for mode in ("operator", "bentpipe"):
            rtt = rtts(net, src, dst, grid, mode)[0] + ALLOWANCE_RTT_MS
            p50, p95, p99 = np.percentile(rtt, [50, 95, 99])
            print(f"| {name} | {mode} | {p50:.1f} | {p95:.1f} | {p99:.1f} | {rtt.max():.1f} | "
                  f"{(rtt > TAIL_THRESHOLD_MS).mean():.1%} |")
    # Sensitivity: fibre at the measured-Internet rule of thumb (2.1 x great circle).
    detour = Network(net.constellation, net.isls, net.gateways, net.pops,
                     fibre_route_factor=2.1)
    for mode in ("operator", "bentpipe"):
        med, avail = median_rtt(detour, eu_src, eu_dst, grid, mode)
        print(f"| European users to anchors, fibre x 2.1 | {mode} | {med:.1f} | "
              f"{med + ALLOWANCE_RTT_MS:.1f} | {avail:.1%} |")


if __name__ == "__main__":
    main()
