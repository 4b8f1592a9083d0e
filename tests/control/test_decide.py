"""The vectorised decide: IAM evaluation, exact time boundaries, exact borders, explain."""

import numpy as np
import pytest

from leonet.control.policy import Coded, Policy
from leonet.control.policy.reference import reference_decide
from leonet.errors import InputError

from .test_regions import CASES

POLICY = """
version = "v1"
default = "deny"
plans = ["residential", "roam", "donated"]

[[rules]]
id = "ua"
effect = "allow"
regions = ["UA"]
from = "2022-02-26T00:00:00Z"
until = "2030-01-01T00:00:00Z"

[[rules]]
id = "crimea"
effect = "deny"
regions = ["crimea"]

[[rules]]
id = "fast"
effect = "deny"
regions = ["UA"]
speed_kmh_above = 90
unless_whitelisted = true
from = "2026-02-01T00:00:00Z"

[[rules]]
id = "roamers"
effect = "allow"
plans = ["roam"]
roaming_days_above = 0

[[rules]]
id = "unfunded"
effect = "deny"
plans = ["donated"]
unfunded = true

[[rules]]
id = "high"
effect = "deny"
altitude_m_above = 1000
home_countries = ["RU"]
"""
KYIV = (50.4501, 30.5234)
WARSAW = (52.2297, 21.0122)
SIMFEROPOL = (44.9521, 34.1024)


@pytest.fixture(scope="module")
def policy():
    return Policy.from_text(POLICY, source="test")


def test_iam_evaluation(policy):
    t = "2026-03-01T00:00:00Z"
    lat = [KYIV[0], KYIV[0], KYIV[0], SIMFEROPOL[0], WARSAW[0], WARSAW[0], KYIV[0], KYIV[0]]
    lon = [KYIV[1], KYIV[1], KYIV[1], SIMFEROPOL[1], WARSAW[1], WARSAW[1], KYIV[1], KYIV[1]]
    d = policy.decide(lat_deg=lat, lon_deg=lon, time=t,
                      speed_kmh=[0, 120, 120, 120, 0, 0, 0, 0],
                      whitelisted=[False, False, True, False, False, False, False, False],
                      plan=[None, None, None, None, None, "roam", "donated", "donated"],
                      roaming_days=[0, 0, 0, 0, 0, 3, 0, 0],
                      funded=[True, True, True, True, True, True, False, True])
    # Any matching deny wins, and the reason is the first deny in file order (crimea before
    # fast for a fast terminal in Crimea); otherwise the first allow; otherwise the default.
    assert d.rule.tolist() == ["ua", "fast", "ua", "crimea", "default", "roamers", "unfunded",
                               "ua"]
    assert d.allowed.tolist() == [True, False, True, False, False, True, False, True]
    assert d.counts() == {"ua": 3, "crimea": 1, "fast": 1, "roamers": 1, "unfunded": 1,
                          "default": 1}


def test_time_boundaries_are_exact_to_the_nanosecond(policy):
    times = np.array(["2022-02-25T23:59:59.999999999", "2022-02-26T00:00:00",
                      "2029-12-31T23:59:59.999999999", "2030-01-01T00:00:00",
                      "2026-01-31T23:59:59.999999999", "2026-02-01T00:00:00"],
                     dtype="datetime64[ns]")
    d = policy.decide(lat_deg=KYIV[0], lon_deg=KYIV[1], speed_kmh=120.0, time=times)
    assert d.rule.tolist() == ["default", "ua", "fast", "fast", "ua", "fast"]
    d = policy.decide(lat_deg=KYIV[0], lon_deg=KYIV[1], time=times[:4])
    assert d.rule.tolist() == ["default", "ua", "ua", "default"]


def test_speed_threshold_is_strict(policy):
    d = policy.decide(lat_deg=KYIV[0], lon_deg=KYIV[1], speed_kmh=[90.0, np.nextafter(90, 91),
                                                                  np.nan],
                      time="2026-03-01T00:00:00Z")
    assert d.rule.tolist() == ["ua", "fast", "ua"]


def test_broadcasting_keeps_the_input_shape(policy):
    times = np.array(["2020-01-01T00:00", "2026-03-01T00:00"], dtype="datetime64[ns]")
    d = policy.decide(lat_deg=np.array([KYIV[0], WARSAW[0], SIMFEROPOL[0]]),
                      lon_deg=np.array([KYIV[1], WARSAW[1], SIMFEROPOL[1]]),
                      time=times[:, None])
    assert d.allowed.shape == (2, 3)
    assert d.rule.tolist() == [["default", "default", "crimea"], ["ua", "default", "crimea"]]
    assert "Row 4: 52.2297°N 21.0122°E" in d.explain((1, 1))


def test_explain_gives_the_chain(policy):
    d = policy.decide(lat_deg=SIMFEROPOL[0], lon_deg=SIMFEROPOL[1], speed_kmh=120,
                      time="2026-03-01T00:00:00Z")
    text = d.explain(0)
    assert "DENIED by rule 'crimea'" in text
    assert "first matching deny rule in file order" in text
    assert "ua (allow) also matches, but a deny wins" in text
    assert "fast (deny) also matches, but an earlier rule decided" in text
    assert "roamers (allow) does not match: roaming 0 days is not above 0" in text


def test_bad_terminal_inputs(policy):
    with pytest.raises(InputError, match=r"plan\[1\].*unknown plan 'roaming'.*'roam'"):
        policy.decide(lat_deg=[0, 0], lon_deg=[0, 0], plan=["roam", "roaming"],
                      time="2026-03-01T00:00:00Z")
    with pytest.raises(InputError, match="no timezone"):
        policy.decide(lat_deg=0, lon_deg=0, time="2026-03-01T00:00:00")
    with pytest.raises(InputError, match=r"lat_deg\[1\]"):
        policy.decide(lat_deg=[0, 91], lon_deg=[0, 0], time="2026-03-01T00:00:00Z")
    with pytest.raises(InputError, match="home country"):
        policy.decide(lat_deg=0, lon_deg=0, home_country="ZZ", time="2026-03-01T00:00:00Z")


def test_plan_and_home_as_codes_decide_as_text_and_as_groups(policy):
    """Per-row codes into a table (with repeats, a missing value and an unlisted spelling)
    decide as the same values given as text, and as each (plan, home) group decided alone."""
    rng = np.random.default_rng(2)
    n = 400
    lat = rng.uniform(44.0, 53.0, n)
    lon = rng.uniform(20.0, 38.0, n)
    kw = {"alt_m": rng.choice([0.0, 2000.0], n), "roaming_days": rng.choice([0.0, 3.0], n),
          "funded": rng.random(n) < 0.5, "time": "2026-03-01T00:00:00Z"}
    plans = ("roam", None, "donated", "roam", "residential")
    homes = ("RU", "UA", None, "RUS", "PL")
    codes = rng.integers(0, len(plans), n)
    coded = policy.decide(lat_deg=lat, lon_deg=lon, plan=Coded(codes, plans),
                          home_country=Coded(codes, homes), **kw)
    text = policy.decide(lat_deg=lat, lon_deg=lon, plan=np.array(plans, dtype=object)[codes],
                         home_country=np.array(homes, dtype=object)[codes], **kw)
    assert coded.rule.tolist() == text.rule.tolist()
    assert {"roamers", "unfunded", "high"} <= set(coded.rule.tolist())
    for k in range(len(plans)):
        rows = np.flatnonzero(codes == k)
        alone = policy.decide(lat_deg=lat[rows], lon_deg=lon[rows], plan=plans[k],
                              home_country=homes[k],
                              **{a: v[rows] if isinstance(v, np.ndarray) else v
                                 for a, v in kw.items()})
        assert coded.rule[rows].tolist() == alone.rule.tolist()
    row = int(np.flatnonzero(codes == 3)[0])
    assert "plan roam, home RU" in coded.explain(row)


def test_bad_coded_inputs(policy):
    t = "2026-03-01T00:00:00Z"
    with pytest.raises(InputError, match=r"plan\[2\].*unknown plan 'roaming'.*'roam'"):
        policy.decide(lat_deg=[0] * 4, lon_deg=[0] * 4, time=t,
                      plan=Coded(np.array([0, 0, 1, 1]), ("roam", "roaming")))
    with pytest.raises(InputError, match=r"home_country\[1\]: unknown home country 'ZZ'"):
        policy.decide(lat_deg=[0] * 3, lon_deg=[0] * 3, time=t,
                      home_country=Coded(np.array([1, 0, 0]), ("ZZ", "UA")))
    with pytest.raises(InputError, match="plan codes must be integers indexing its 2 values"):
        policy.decide(lat_deg=[0, 0], lon_deg=[0, 0], time=t,
                      plan=Coded(np.array([0, 2]), ("roam", "donated")))
    # A value no row uses is not looked at.
    d = policy.decide(lat_deg=[0, 0], lon_deg=[0, 0], time=t,
                      plan=Coded(np.array([0, 0]), ("roam", "not-a-plan")))
    assert d.rule.tolist() == ["default", "default"]


def test_hand_checked_border_points_through_the_kernel():
    """Every hand-checked point of test_regions, decided by the compiled kernel."""
    names = sorted({ref for c in CASES for ref in c[3] + c[4]})
    rules = "\n".join(f'[[rules]]\nid = "r{k}"\neffect = "allow"\nregions = ["{n}"]\n'
                      for k, n in enumerate(names))
    # One policy per region keeps "the first allow" equal to "in this region".
    for k, name in enumerate(names):
        pol = Policy.from_text('version = "1"\ndefault = "deny"\n' + rules.split("[[rules]]")[0]
                               + "[[rules]]" + rules.split("[[rules]]")[k + 1], source=name)
        lat = np.array([c[1] for c in CASES])
        lon = np.array([c[2] for c in CASES])
        got = pol.decide(lat_deg=lat, lon_deg=lon, time="2026-03-01T00:00:00Z").allowed
        for c, g in zip(CASES, got, strict=True):
            if name in c[3]:
                assert g, f"{c[0]} should be in {name}"
            if name in c[4]:
                assert not g, f"{c[0]} should not be in {name}"


def test_kernel_matches_reference_near_every_ukrainian_border_vertex(policy):
    """Points scattered within ~100 m of Ukraine's and Crimea's boundary vertices."""
    import shapely

    rng = np.random.default_rng(5)
    coords = np.concatenate([shapely.get_coordinates(policy.regions[n].geometry)
                             for n in ("UA", "crimea")])
    pick = coords[rng.integers(0, coords.shape[0], 3000)] + rng.normal(0, 1e-3, (3000, 2))
    t = "2026-03-01T00:00:00Z"
    d = policy.decide(lat_deg=pick[:, 1], lon_deg=pick[:, 0], time=t)
    for i in range(pick.shape[0]):
        row = d.terminals.row(i)
        assert d.rule_index[i] == reference_decide(policy, row), d.explain(i)


def test_enclave_with_counter_enclave_as_custom_geojson():
    """Baarle: NE 10m lacks the Belgian enclaves, so a policy gives one as GeoJSON. The shape
    is hand-made on the pattern of Baarle-Hertog's enclave H1 holding Dutch counter-enclave
    N1; points are placed by hand inside the enclave, inside the counter-enclave, and outside."""
    enclave = [[4.925, 51.435], [4.945, 51.435], [4.945, 51.445], [4.925, 51.445],
               [4.925, 51.435]]
    counter = [[4.932, 51.438], [4.936, 51.438], [4.936, 51.441], [4.932, 51.441],
               [4.932, 51.438]]
    doc = {"version": "1", "default": "deny",
           "areas": {"baarle-h1": {"geojson": {"type": "Polygon",
                                               "coordinates": [enclave, counter]}}},
           "rules": [{"id": "be-enclave", "effect": "allow", "regions": ["area:baarle-h1"]},
                     {"id": "nl", "effect": "deny", "regions": ["NL"],
                      "except_regions": ["area:baarle-h1"]}]}
    import json

    pol = Policy.from_text(json.dumps(doc), fmt="json", source="<baarle>")
    d = pol.decide(lat_deg=[51.4365, 51.4395, 51.4500], lon_deg=[4.9270, 4.9340, 4.9340],
                   time="2026-03-01T00:00:00Z")
    assert d.rule.tolist() == ["be-enclave", "nl", "nl"]
