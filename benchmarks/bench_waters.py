"""What the territorial sea costs the policy kernel: decisions per CPU-second with
``waters = "territorial"`` (the default) against ``waters = "land"`` (the kernel before issue
16), the same policy as bench_policy_decide.py (every country plus 50 custom polygons) and the
same points, measured alternately in one process.

Run: .venv/bin/python benchmarks/bench_waters.py [--points 1000000]
Target (issue 16 §1): decisions/s fall by no more than 15 % (CPU-time ratio <= 1.15).
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np
from bench_policy_decide import policy_document


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"load average: {os.getloadavg()}, cores: {os.cpu_count()}")

    from leonet.control.policy import Policy
    from leonet.control.population import synthesize_population

    doc = policy_document()
    land = Policy.from_text(json.dumps({**doc, "waters": "land"}), fmt="json")
    terr = Policy.from_text(json.dumps(doc), fmt="json")
    rng = np.random.default_rng(7)
    n = args.points
    pop = synthesize_population(n, seed=7)
    sets = {"uniform on the sphere": (np.rad2deg(np.arcsin(rng.uniform(-1, 1, n))),
                                      rng.uniform(-180, 180, n)),
            "city-weighted population": (pop.lat_deg, pop.lon_deg)}
    speed = rng.choice([0.0, 50.0, 120.0], n)
    t = np.full(n, np.datetime64("2026-02-10T12:00", "ns"))
    wl = rng.random(n) < 0.2
    for pol in (land, terr):  # compile and warm both, outside the timing
        pol.decide(lat_deg=sets["uniform on the sphere"][0][:1000],
                   lon_deg=sets["uniform on the sphere"][1][:1000], time=t[:1000])
    for label, (lat, lon) in sets.items():
        best = {"land": np.inf, "territorial": np.inf}
        changed = 0
        for _ in range(args.repeat):
            for name, pol in (("land", land), ("territorial", terr)):
                c0 = time.process_time()
                d = pol.decide(lat_deg=lat, lon_deg=lon, speed_kmh=speed, time=t,
                               whitelisted=wl)
                best[name] = min(best[name], time.process_time() - c0)
                if name == "land":
                    before = d.rule_index
                else:
                    changed = int((d.rule_index != before).sum())
        ratio = best["territorial"] / best["land"]
        print(f"{label}: land {n / best['land'] / 1e6:.2f} M/CPU-s, territorial "
              f"{n / best['territorial'] / 1e6:.2f} M/CPU-s, CPU-time ratio {ratio:.3f} "
              f"(target <= 1.15); {changed:,} of {n:,} decisions change (points in waters)")


if __name__ == "__main__":
    main()
