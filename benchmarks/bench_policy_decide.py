"""Decisions per second for a policy over every country plus 50 custom polygons, exact at
borders, against a shapely STRtree point-in-polygon baseline measured in the same run; and the
time to load and compile that policy, cold (empty cache) and warm.

Run: .venv/bin/python benchmarks/bench_policy_decide.py [--points 2000000]
Target (issue 5): >= 5 M decisions/s on one core; load + compile <= 2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time

import numpy as np


def star(rng, cx, cy) -> dict:
    k = int(rng.integers(6, 40))
    ang = np.sort(rng.uniform(0, 2 * np.pi, k))
    rad = rng.uniform(0.3, 2.5, k)
    ring = np.column_stack([cx + rad * np.cos(ang), np.clip(cy + rad * np.sin(ang), -89, 89)])
    ring = np.vstack([ring, ring[:1]]).round(5).tolist()
    return {"type": "Polygon", "coordinates": [ring]}


def policy_document(seed: int = 1) -> dict:
    import shapely

    from leonet.control.boundaries import countries
    from leonet.physics.ground import world_cities

    rng = np.random.default_rng(seed)
    codes = [str(c) for c in countries().code]
    rules = [{"id": f"c-{c}", "effect": "allow" if k % 5 else "deny", "regions": [c]}
             for k, c in enumerate(codes)]
    cities = world_cities()
    big = cities.largest(400)
    areas = {}
    while len(areas) < 50:
        i = big[rng.integers(0, big.size)]
        doc = star(rng, float(cities.lon_deg[i]), float(cities.lat_deg[i]))
        if shapely.Polygon(doc["coordinates"][0]).is_valid:
            areas[f"z{len(areas)}"] = {"geojson": doc}
    for k, name in enumerate(areas):
        rule = {"id": f"zone-{name}", "effect": "deny" if k % 2 else "allow",
                "regions": [f"area:{name}"]}
        if k % 3 == 0:
            rule["speed_kmh_above"] = 90
            rule["unless_whitelisted"] = True
        if k % 4 == 0:
            rule["from"] = "2025-01-01T00:00:00Z"
        rules.append(rule)
    rules.append({"id": "drones", "effect": "deny", "altitude_m_above": 100})
    return {"version": "bench", "default": "deny", "areas": areas, "rules": rules}


def load_seconds(text: str, cache_dir: str) -> float:
    os.environ["LEONET_CACHE_DIR"] = cache_dir
    from leonet.control import boundaries, regions
    from leonet.control.policy import Policy

    boundaries.countries.cache_clear()
    regions.country_region.cache_clear()
    regions.disputed_region.cache_clear()
    regions._name_index.cache_clear()
    t0 = time.perf_counter()
    p = Policy.from_text(text, fmt="json", source="bench")
    _ = p.engine
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", type=int, default=2_000_000)
    ap.add_argument("--baseline-points", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"load average: {os.getloadavg()}, cores: {os.cpu_count()}")
    user_cache = os.environ.get("LEONET_CACHE_DIR")

    from leonet.control.policy import Policy
    from leonet.control.population import synthesize_population

    # Land regions, as in this table's rows before issue 16: its shapely reference checks the
    # land kernel; the territorial-waters default is measured against it by bench_waters.py.
    doc = {**policy_document(), "waters": "land"}
    text = json.dumps(doc)
    # Compile the numba kernels once (their own on-disk cache), then time policy loads.
    Policy.from_text(text, fmt="json").decide(lat_deg=0.0, lon_deg=0.0, time="2026-01-01T00:00Z")
    with tempfile.TemporaryDirectory() as tmp:
        cold = load_seconds(text, tmp)
        warm = min(load_seconds(text, tmp) for _ in range(3))
    if user_cache:
        os.environ["LEONET_CACHE_DIR"] = user_cache
    else:
        os.environ.pop("LEONET_CACHE_DIR", None)
    policy = Policy.from_text(text, fmt="json", source="bench")
    eng = policy.engine
    n_poly = sum(r.geometry is not None for r in policy.regions.values())
    print(f"policy: {len(policy.rules)} rules, {n_poly} polygon regions "
          f"({eng.index.edges.shape[0]:,} edge copies in {eng.index.entries.shape[0]:,} "
          "cell entries, "
          f"{eng.index.nbytes / 1e6:.0f} MB index)")
    print(f"load + compile: cold (empty cache) {cold:.2f} s, warm (cached) {warm:.2f} s "
          f"(target <= 2 s)")

    rng = np.random.default_rng(7)
    n = args.points
    sets = {
        "uniform on the sphere": (np.rad2deg(np.arcsin(rng.uniform(-1, 1, n))),
                                  rng.uniform(-180, 180, n)),
    }
    pop = synthesize_population(n, seed=7)
    sets["city-weighted population"] = (pop.lat_deg, pop.lon_deg)
    speed = rng.choice([0.0, 50.0, 120.0], n)
    t = np.full(n, np.datetime64("2026-02-10T12:00", "ns"))
    wl = rng.random(n) < 0.2
    import shapely

    geoms = [policy.regions[r].geometry for r in policy.regions]
    for label, (lat, lon) in sets.items():
        best = best_cpu = np.inf
        for _ in range(args.repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            d = policy.decide(lat_deg=lat, lon_deg=lon, speed_kmh=speed, time=t, whitelisted=wl)
            best = min(best, time.perf_counter() - t0)
            best_cpu = min(best_cpu, time.process_time() - c0)
        rate = n / best
        # Baseline: shapely 2 STRtree point-in-polygon over the same polygons, per batch.
        m = args.baseline_points
        tree = shapely.STRtree(geoms)
        pts = shapely.points(lon[:m], lat[:m])
        t0 = time.perf_counter()
        pi, gi = tree.query(pts, predicate="intersects")
        base = m / (time.perf_counter() - t0)
        # Same answer: the kernel's region membership equals shapely's (off the boundary lines).
        from leonet.control.gridindex import membership

        mine = membership(eng.index, lat[:m], lon[:m])
        ref = np.zeros_like(mine)
        order = [eng.region_index(policy.regions[r].ref) for r in policy.regions]
        ref[pi, np.array(order)[gi]] = True
        bad = int((mine != ref).any(axis=1).sum())
        # And the decisions: IAM evaluation written out in numpy over shapely's membership.
        want = reference_rules(policy, eng, ref, speed[:m], t[:m], wl[:m])
        wrong = int((d.rule_index[:m] != want).sum())
        print(f"{label}: {rate / 1e6:.2f} M decisions/s wall, {n / best_cpu / 1e6:.2f} M per "
              f"CPU-second (best of {args.repeat}, {n:,} points; "
              f"{int(d.allowed.sum()):,} allowed) | baseline STRtree {base / 1e3:.1f} k points/s "
              f"| ratio {rate / base:,.0f}x | mismatches vs shapely: membership {bad}/{m:,}, "
              f"decisions {wrong}/{m:,}")


def reference_rules(policy, eng, member, speed, t, wl) -> np.ndarray:
    """Deciding rule per point from a membership matrix, rule by rule in numpy (the
    conditions this benchmark's policy uses: regions, time, speed, whitelist, altitude 0)."""
    n = member.shape[0]
    deny = np.full(n, -1)
    allow = np.full(n, -1)
    for j in range(len(policy.rules) - 1, -1, -1):
        r = policy.rules[j]
        ok = np.ones(n, dtype=bool)
        if r.regions is not None:
            cols = [eng.region_index(policy.regions[x].ref) for x in r.regions]
            ok &= member[:, cols].any(axis=1)
        if r.start is not None:
            ok &= t >= r.start
        if r.speed_kmh_above is not None:
            ok &= speed > r.speed_kmh_above
        if r.unless_whitelisted:
            ok &= ~wl
        if r.altitude_m_above is not None:
            ok &= r.altitude_m_above < 0.0  # every benchmark terminal is on the ground
        (deny if r.effect == "deny" else allow)[ok] = j
    return np.where(deny >= 0, deny, allow)


if __name__ == "__main__":
    main()
