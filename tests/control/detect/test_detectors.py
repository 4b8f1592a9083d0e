"""Each detector at its thresholds, on hand-made traces whose answers are worked out here."""

from __future__ import annotations

import numpy as np
import pytest

from leonet.control.detect import DetectConfig, TerminalFacts, detect, read_terminal_facts
from leonet.control.policy import Policy
from leonet.control.telemetry import telemetry_from_arrays
from leonet.errors import InputError

T0 = np.datetime64("2026-03-10T00:00:00", "ns")
NOW = "2027-01-01T00:00:00Z"
KYIV = (50.4501, 30.5234)
KM_PER_DEG_LAT = 6371.0088 * np.pi / 180  # along a meridian on the mean sphere


def _tel(rows):
    """rows: (terminal, seconds after T0, lat, lon[, alt, speed])."""
    cols = list(zip(*[(*r, 0.0, 0.0)[:6] for r in rows], strict=True))
    t = T0 + np.array(cols[1], dtype=np.int64) * np.timedelta64(1, "s")
    tel, issues = telemetry_from_arrays(list(cols[0]), t, cols[2], cols[3], cols[4], cols[5],
                                        now=NOW)
    assert not len(issues), issues.summary()
    return tel


def _north(km):
    """A point ``km`` due north of Kyiv (exact on the sphere)."""
    return KYIV[0] + km / KM_PER_DEG_LAT, KYIV[1]


def _kinds(found, terminal):
    return sorted(found.kind[found.terminal_id == terminal].tolist())


def test_impossible_travel_at_the_speed_limit():
    # 100 km north; less 2 x 1 km of position error = 98 km; at 1,300 km/h that takes
    # 98 / 1300 h = 271.4 s. 280 s is possible, 260 s is not.
    far = _north(100.0)
    tel = _tel([("slow", 0, *KYIV), ("slow", 280, *far), ("fast", 0, *KYIV),
                ("fast", 260, *far)])
    found = detect(tel, kinds=["impossible_travel"])
    assert found.terminal_id.tolist() == ["fast"]
    # Shorter than min_jump_km (10 km) never counts, even at once.
    tel = _tel([("near", 0, *KYIV), ("near", 1, *_north(9.0))])
    assert len(detect(tel, kinds=["impossible_travel"])) == 0


def test_a_glitch_is_travel_but_not_a_clone_and_alternation_is_a_clone():
    far = _north(400.0)
    glitch = [("g", 60 * k, *KYIV) for k in range(10)]
    glitch[5] = ("g", 300, *far)
    twin = [("c", 60 * k, *(KYIV if k % 2 == 0 else far)) for k in range(12)]
    found = detect(_tel(glitch + twin), kinds=["cloned_identity", "impossible_travel"])
    assert _kinds(found, "g") == ["impossible_travel"]  # out and back: one incident
    assert _kinds(found, "c") == ["cloned_identity"]  # its jumps are part of the clone
    # Two returns are not enough (clone_min_returns = 3): A B A B.
    short = [("s", 60 * k, *(KYIV if k % 2 == 0 else far)) for k in range(4)]
    assert "cloned_identity" not in _kinds(detect(_tel(short), kinds=["cloned_identity"]), "s")


POLICY = """
version = "t"
default = "deny"
plans = ["residential", "aviation"]
[[rules]]
id = "ua"
effect = "allow"
regions = ["UA"]
[[rules]]
id = "ua-speed"
effect = "deny"
regions = ["UA"]
speed_kmh_above = 90
[[rules]]
id = "ua-roam"
effect = "deny"
roaming_days_above = 10
[[rules]]
id = "ua-whitelist"
effect = "deny"
regions = ["UA"]
whitelisted = false
from = "2026-03-10T12:00:00Z"
"""


def test_speed_limit_needs_two_reports_over_and_is_strict_at_the_threshold():
    policy = Policy.from_text(POLICY)
    rows = [("at90", 60 * k, *KYIV, 0.0, 90.0) for k in range(5)]
    rows += [("one", 60 * k, *KYIV, 0.0, 120.0 if k == 2 else 80.0) for k in range(5)]
    rows += [("two", 60 * k, *KYIV, 0.0, 120.0 if k in (2, 3) else 80.0) for k in range(5)]
    found = detect(_tel(rows), policy, kinds=["speed_limit"])
    assert found.terminal_id.tolist() == ["two"]
    assert found.rule.tolist() == ["ua-speed"] and found.n_reports.tolist() == [2]
    assert "moving up to 120 km/h where rule 'ua-speed' denies service" in found.evidence[0]


def test_plan_limit_without_a_policy_and_no_altitude_limit_without_a_rule():
    # GNSS altitudes above sea level; the ground under Kyiv is 128 m on the P.1511 grid.
    rows = [("car", 60 * k, *KYIV, 179.0, 60.0) for k in range(3)]
    rows += [("drone", 60 * k, *KYIV, 1000.0, 150.0) for k in range(3)]
    rows += [("plane", 60 * k, *KYIV, 9000.0, 800.0) for k in range(3)]
    rows += [("mast", 60 * k, *KYIV, 400.0, 0.0) for k in range(3)]
    facts = TerminalFacts.from_arrays(["car", "drone", "plane", "mast"],
                                      plan=["residential", "residential", "aviation", ""])
    config = DetectConfig(plan_max_speed_kmh={"residential": 10.0})
    found = detect(_tel(rows), terminals=facts, config=config,
                   kinds=["speed_limit", "altitude_limit", "drone_like"])
    assert _kinds(found, "car") == ["speed_limit"]
    assert _kinds(found, "drone") == ["drone_like", "speed_limit"]
    assert _kinds(found, "plane") == [] and _kinds(found, "mast") == []
    assert "altitude_limit" not in found.kind.tolist()  # no policy, no altitude rule
    drone = found.evidence[(found.terminal_id == "drone") & (found.kind == "drone_like")][0]
    assert drone.startswith("drone-like flight: 3 reports over 2 min, at least 7")
    assert "GNSS altitude 1,000 m above sea level over ground at 128 ± 116 m" in drone


def test_roaming_from_the_terms_and_from_a_rule():
    policy = Policy.from_text(POLICY)
    day = 86400
    # Home UA, in Warsaw: reports every day for 70 days; a second terminal allowed 100 days.
    rows = [("abroad", k * day, 52.2297, 21.0122) for k in range(71)]
    rows += [("allowed", k * day, 52.2297, 21.0122) for k in range(71)]
    facts = TerminalFacts.from_arrays(["abroad", "allowed"], home_country=["Ukraine", "UA"],
                                      roaming_days_allowed=[np.nan, 100.0])
    found = detect(_tel(rows), terminals=facts, kinds=["roaming_limit"])
    # 60 days allowed: the first report over is day 61 (60 days is not more than 60).
    assert found.terminal_id.tolist() == ["abroad"]
    assert found.start[0] == T0 + 61 * day * np.timedelta64(1, "s")
    assert "70.0 days by the last report" in found.evidence[0]
    # With the policy's rule (more than 10 days abroad is denied) both are over on day 11.
    found = detect(_tel(rows), policy, terminals=facts, kinds=["roaming_limit"])
    assert found.terminal_id.tolist() == ["abroad", "allowed"]
    assert (found.start == T0 + 11 * day * np.timedelta64(1, "s")).all()
    assert "rule 'ua-roam'" in found.evidence[1]


def test_not_whitelisted_respects_regions_and_validity_windows():
    policy = Policy.from_text(POLICY)
    rows = [(t, 3600 * k, *KYIV) for t in ("none", "ua", "pl", "late") for k in range(24)]
    facts = TerminalFacts.from_arrays(
        ["none", "ua", "pl", "late"],
        whitelist=[("ua", "UA", None, None), ("pl", "PL", None, None),
                   ("late", "UA", T0 + 18 * 3600 * np.timedelta64(1, "s"), None)])
    found = detect(_tel(rows), policy, terminals=facts, kinds=["not_whitelisted"])
    assert found.terminal_id.tolist() == ["late", "none", "pl"]
    # The rule holds from 12:00; "late" is verified from 18:00.
    assert np.datetime_as_string(found.start, unit="h").tolist() == [
        "2026-03-10T12", "2026-03-10T12", "2026-03-10T12"]
    assert np.datetime_as_string(found.end, unit="h").tolist() == [
        "2026-03-10T17", "2026-03-10T23", "2026-03-10T23"]


def test_cluster_needs_enough_terminals_within_radius_and_window():
    def group(prefix, n, start_s, spacing_s, lat):
        return [(f"{prefix}{k:02d}", start_s + k * spacing_s, lat + 0.01 * k, 31.0)
                for k in range(n)]
    # A warm-up report so appearances after 6 h count; a group of 10 within 45 min,
    # 9 within 45 min, 10 spread one per 3 h.
    rows = [("early", 0, 45.0, 20.0)]
    rows += group("ten", 10, 8 * 3600, 300, 48.0)
    rows += group("nine", 9, 8 * 3600, 300, 46.0)
    rows += group("spread", 10, 8 * 3600, 3 * 3600, 49.0)
    found = detect(_tel(rows), kinds=["cluster"])
    assert sorted(set(found.terminal_id.tolist())) == [f"ten{k:02d}" for k in range(10)]


def test_denied_region_default_and_allow_everywhere():
    rows = [("ru", 0, 55.7558, 37.6173), ("ua", 0, *KYIV)]
    found = detect(_tel(rows), Policy.from_text(POLICY), kinds=["denied_region"])
    assert found.terminal_id.tolist() == ["ru"] and found.rule.tolist() == ["default"]
    assert "Russia (RU)" in found.evidence[0]
    allow_all = Policy.from_text('version = "a"\ndefault = "allow"\n')
    assert len(detect(_tel(rows), allow_all, kinds=["denied_region"])) == 0


def test_kind_names_and_policy_needs_are_checked():
    tel = _tel([("a", 0, *KYIV)])
    with pytest.raises(InputError, match="unknown detector 'clone'; did you mean"):
        detect(tel, kinds=["clone"])
    with pytest.raises(InputError, match="denied_region needs a policy"):
        detect(tel, kinds="denied_region")
    found = detect(tel)
    assert any("denied_region, not_whitelisted not checked" in n for n in found.notes)


def test_facts_file_errors_name_file_line_and_column(tmp_path):
    path = tmp_path / "facts.csv"
    path.write_text("terminal_id,home_country,whitelisted\nA,UA,true\nB,Ukriane,false\n")
    with pytest.raises(InputError, match=r"facts.csv:3, column home_country: unknown home"):
        read_terminal_facts(path)
    path.write_text("terminal_id,whitelisted\nA,UA;crimae\n")
    with pytest.raises(InputError, match=r"facts.csv:2, column whitelisted: unknown region "
                                         r"'crimae'; did you mean 'crimea'"):
        read_terminal_facts(path)
    path.write_text("terminal_id,whitelisted,plan\nA,UA;ua-occupied,roam\nB,yes,\n")
    facts = read_terminal_facts(path)
    assert facts.whitelisted.tolist() == [False, True]
    assert facts.wl_region.tolist() == ["UA", "ua-occupied"] and facts.plan.tolist() == [
        "roam", ""]


def test_config_file_is_checked(tmp_path):
    path = tmp_path / "detect.toml"
    path.write_text("max_travel_speed_kmh = 900\ncontact_regions = ['ua-occupied']\n")
    cfg = DetectConfig.load(path)
    assert cfg.max_travel_speed_kmh == 900.0 and cfg.contact_regions == ("ua-occupied",)
    path.write_text("max_travel_speed = 900\n")
    with pytest.raises(InputError, match="unknown setting 'max_travel_speed'; did you mean"):
        DetectConfig.load(path)
    path.write_text("clone_min_returns = 'three'\n")
    with pytest.raises(InputError, match="clone_min_returns: expected a whole number"):
        DetectConfig.load(path)
