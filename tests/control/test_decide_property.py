"""Property: the compiled, vectorised decide equals the slow reference on random policies.

The reference (`reference_decide`) walks every rule in file order with shapely point-in-polygon
and H3's own cell lookup. Points closer than 1e-9° (0.1 mm) to a region boundary are skipped:
on the line itself either answer is right.
"""

import json

import h3
import numpy as np
import shapely
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from leonet.control.policy import Coded, Policy
from leonet.control.policy.reference import reference_decide
from leonet.errors import InputError

COUNTRIES = ["UA", "PL", "MD", "RO", "BY", "crimea", "ua-occupied"]
PLANS = ["residential", "roam", "donated"]
TIMES = np.array(["2024-01-01T00:00", "2025-01-01T00:00", "2026-01-01T00:00"],
                 dtype="datetime64[ns]")


@st.composite
def star_polygon(draw):
    cx = draw(st.floats(22.0, 38.0))
    cy = draw(st.floats(44.0, 54.0))
    k = draw(st.integers(3, 10))
    angles = np.sort(np.array(draw(st.lists(st.floats(0, 2 * np.pi), min_size=k, max_size=k,
                                            unique=True))))
    assume(np.diff(np.concatenate([angles, [angles[0] + 2 * np.pi]])).min() > 0.05)
    radii = np.array(draw(st.lists(st.floats(0.2, 3.0), min_size=k, max_size=k)))
    ring = np.column_stack([cx + radii * np.cos(angles), cy + radii * np.sin(angles)])
    ring = np.vstack([ring, ring[:1]]).round(6).tolist()
    assume(shapely.Polygon(ring).is_valid)
    return {"type": "Polygon", "coordinates": [ring]}


@st.composite
def policies(draw):
    areas = {f"a{k}": {"geojson": draw(star_polygon())} for k in range(draw(st.integers(0, 3)))}
    cell = h3.latlng_to_cell(draw(st.floats(45, 53)), draw(st.floats(23, 37)), 4)
    areas["cells"] = {"h3": [cell, *h3.grid_ring(cell, 1)[:2]]}
    names = COUNTRIES + [f"area:{a}" for a in areas]
    rules = []
    for k in range(draw(st.integers(1, 7))):
        rule = {"id": f"r{k}", "effect": draw(st.sampled_from(["allow", "deny"]))}
        if draw(st.booleans()):
            rule["regions"] = draw(st.lists(st.sampled_from(names), min_size=1, max_size=3,
                                            unique=True))
        if draw(st.integers(0, 4)) == 0:
            rule["except_regions"] = [n for n in draw(st.lists(st.sampled_from(names),
                                      min_size=1, max_size=2, unique=True))
                                      if n not in rule.get("regions", [])]
        if draw(st.booleans()):
            rule["from"] = str(TIMES[draw(st.integers(0, 2))]) + "Z"
        if draw(st.integers(0, 2)) == 0:
            rule["until"] = str(TIMES[draw(st.integers(0, 2))] + np.timedelta64(1, "D")) + "Z"
        if draw(st.booleans()):
            rule["speed_kmh_above"] = draw(st.sampled_from([0, 50, 90]))
        if draw(st.integers(0, 3)) == 0:
            rule["altitude_m_above"] = draw(st.sampled_from([-10, 30]))
        if draw(st.integers(0, 3)) == 0:
            rule["plans"] = draw(st.lists(st.sampled_from(PLANS), min_size=1, max_size=2,
                                          unique=True))
        for key in ("unless_whitelisted", "whitelisted", "unfunded"):
            if draw(st.integers(0, 3)) == 0:
                rule[key] = draw(st.booleans())
        if draw(st.integers(0, 4)) == 0:
            rule["roaming_days_above"] = 5
        if draw(st.integers(0, 4)) == 0:
            rule["home_countries"] = draw(st.lists(st.sampled_from(["UA", "PL"]), min_size=1,
                                                   max_size=2, unique=True))
        rules.append(rule)
    return {"version": "p", "default": draw(st.sampled_from(["allow", "deny"])),
            "plans": PLANS, "areas": areas, "rules": rules}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=policies(), seed=st.integers(0, 2**32 - 1))
def test_vectorised_decide_equals_reference(doc, seed):
    policy = _load(doc)
    rng = np.random.default_rng(seed)
    n = 150
    lat = rng.uniform(43.0, 55.0, n)
    lon = rng.uniform(20.0, 41.0, n)
    d = policy.decide(
        lat_deg=lat, lon_deg=lon, alt_m=rng.choice([0.0, 50.0], n),
        speed_kmh=rng.choice([0.0, 60.0, 120.0, np.nan], n),
        time=TIMES[rng.integers(0, 3, n)] + rng.integers(-2, 3, n).astype("timedelta64[D]"),
        whitelisted=rng.random(n) < 0.3,
        plan=np.array([None, *PLANS], dtype=object)[rng.integers(0, 4, n)],
        home_country=np.array(["UA", "PL", "MD"], dtype=object)[rng.integers(0, 3, n)],
        roaming_days=rng.choice([0.0, 10.0], n), funded=rng.random(n) < 0.7)
    _check_against_reference(policy, d, lat, lon)


ATTRIBUTES = {
    "alt_m": [0.0, 50.0], "speed_kmh": [0.0, 60.0, 120.0, np.nan],
    "time": list(TIMES), "whitelisted": [False, True], "plan": [None, *PLANS],
    "home_country": ["UA", "PL", "MD"], "roaming_days": [0.0, 10.0], "funded": [False, True],
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=policies(), seed=st.integers(0, 2**32 - 1),
       shared=st.dictionaries(st.sampled_from(sorted(ATTRIBUTES)), st.integers(0, 3)))
def test_decide_with_attributes_given_once_equals_reference(doc, seed, shared):
    """Attributes given once for every row (a scalar) settle some rules for the whole batch
    before the kernel runs; the decisions must not change."""
    policy = _load(doc)
    rng = np.random.default_rng(seed)
    n = 120
    lat = rng.uniform(43.0, 55.0, n)
    lon = rng.uniform(20.0, 41.0, n)
    kw = {}
    for name, values in ATTRIBUTES.items():
        if name in shared:
            kw[name] = values[shared[name] % len(values)]
        else:
            kw[name] = np.array(values, dtype=object if name in ("plan", "home_country")
                                else None)[rng.integers(0, len(values), n)]
    d = policy.decide(lat_deg=lat, lon_deg=lon, **kw)
    _check_against_reference(policy, d, lat, lon)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=policies(), seed=st.integers(0, 2**32 - 1), m=st.integers(1, 8))
def test_decide_with_coded_plan_and_home_equals_reference(doc, seed, m):
    """Plan and home country as per-row codes into a table (repeats and missing values
    included): the engine groups the rows itself; the decisions must not change."""
    policy = _load(doc)
    rng = np.random.default_rng(seed)
    n = 120
    lat = rng.uniform(43.0, 55.0, n)
    lon = rng.uniform(20.0, 41.0, n)
    plans = tuple(rng.choice(np.array([None, *PLANS], dtype=object), m).tolist())
    homes = tuple(rng.choice(np.array([None, "UA", "PL", "MD"], dtype=object), m).tolist())
    codes = rng.integers(0, m, n)
    d = policy.decide(
        lat_deg=lat, lon_deg=lon, alt_m=rng.choice([0.0, 50.0], n),
        speed_kmh=rng.choice([0.0, 60.0, 120.0], n), time=TIMES[rng.integers(0, 3, n)],
        whitelisted=rng.random(n) < 0.3, plan=Coded(codes, plans),
        home_country=Coded(codes, homes), roaming_days=rng.choice([0.0, 10.0], n),
        funded=rng.random(n) < 0.7)
    _check_against_reference(policy, d, lat, lon)


def _load(doc) -> Policy:
    try:
        return Policy.from_text(json.dumps(doc), fmt="json", source="<hypothesis>")
    except InputError as exc:
        assume("contradictory" not in str(exc))
        raise


def _check_against_reference(policy, d, lat, lon) -> None:
    boundaries = shapely.union_all([r.as_geometry().boundary for r in policy.regions.values()])
    near = shapely.dwithin(boundaries, shapely.points(lon, lat), 1e-9)
    for i in np.flatnonzero(~near):
        assert d.rule_index[i] == reference_decide(policy, d.terminals.row(int(i))), \
            d.explain(int(i))
