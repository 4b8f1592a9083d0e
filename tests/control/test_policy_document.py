"""Policy documents: the vocabulary of issue 5 and clear errors naming file, rule and field."""

import json

import pytest

from leonet.control.policy import Policy
from leonet.data import policy_files
from leonet.errors import InputError

HEAD = 'version = "2026-02-03"\ndefault = "deny"\n'


def rule(**kw) -> str:
    lines = ["[[rules]]"]
    for k, v in kw.items():
        lines.append(f"{k} = {json.dumps(v)}")
    return "\n".join(lines) + "\n"


def load(text: str, **kw) -> Policy:
    return Policy.from_text(HEAD + text, fmt="toml", source="p.toml", **kw)


def test_issue_example_loads_and_round_trips():
    text = (rule(id="ua-activated", effect="allow", regions=["UA"],
                 **{"from": "2022-02-26T00:00:00Z", "until": "2030-01-01T00:00:00Z"})
            + rule(id="ua-speed-cutoff", effect="deny", regions=["UA"], speed_kmh_above=90,
                   unless_whitelisted=True, **{"from": "2026-02-01T00:00:00Z"}))
    p = load(text)
    assert (p.version, p.default, [r.id for r in p.rules]) == (
        "2026-02-03", "deny", ["ua-activated", "ua-speed-cutoff"])
    again = Policy.from_text(json.dumps(p.to_dict()), fmt="json")
    assert again.to_dict() == p.to_dict()
    assert again.digest == p.digest


def test_unknown_region_names_rule_and_suggests():
    with pytest.raises(InputError) as exc:
        load(rule(id="r1", effect="allow", regions=["UA", "Polnd"]))
    msg = str(exc.value)
    assert "p.toml: rules[0] (id 'r1', line 4).regions[1]" in msg
    assert "did you mean" in msg and "(PL)" in msg


def test_unknown_plan_suggests():
    with pytest.raises(InputError, match=r"rules\[0\].*plans\[0\].*unknown plan 'residental'.*"
                                         r"'residential'"):
        load(rule(id="r1", effect="allow", plans=["residental"]))


def test_time_without_zone_is_refused():
    with pytest.raises(InputError, match=r"id 'r1'.*\.from: .*no timezone"):
        load(rule(id="r1", effect="allow", **{"from": "2026-02-01T00:00:00"}))
    # A bare TOML local datetime (no quotes) too.
    with pytest.raises(InputError, match="no timezone"):
        load('[[rules]]\nid = "r1"\neffect = "allow"\nfrom = 2026-02-01T00:00:00\n')


def test_contradictions_are_errors():
    with pytest.raises(InputError, match="contradictory validity window"):
        load(rule(id="r1", effect="allow", **{"from": "2026-02-01T00:00:00Z",
                                              "until": "2026-01-01T00:00:00Z"}))
    with pytest.raises(InputError, match=r"contradictory rules: allow 'a'.*deny 'd'"):
        load(rule(id="a", effect="allow", regions=["UA"]) + rule(id="d", effect="deny",
                                                                  regions=["Ukraine"]))
    with pytest.raises(InputError, match="used twice"):
        load(rule(id="a", effect="allow") + rule(id="a", effect="deny", regions=["PL"]))
    with pytest.raises(InputError, match="contradictory conditions"):
        load(rule(id="a", effect="deny", whitelisted=True, unless_whitelisted=True))


def test_warnings_report_conflicts_and_dead_rules():
    p = load(rule(id="ua", effect="allow", regions=["UA"])
             + rule(id="crimea", effect="deny", regions=["crimea"])
             + rule(id="crimea-allow", effect="allow", regions=["crimea"],
                    **{"from": "2023-01-01T00:00:00Z"})
             + rule(id="ua-again", effect="allow", regions=["UA"], speed_kmh_above=10))
    text = "\n".join(p.warnings)
    assert "'crimea-allow' can never grant service: deny rule 'crimea'" in text
    assert "'ua-again' is never the reason" in text
    # Denying Crimea inside an allowed Ukraine is an exception, not a conflict.
    assert "conflict" not in text


def test_a_real_conflict_warns(tmp_path):
    # An allow for a zone astride the Ukrainian-Polish border (Lviv oblast to Przemyśl)
    # against a deny of Ukraine: they overlap and neither contains the other.
    zone = {"type": "Polygon", "coordinates": [[[22.0, 49.5], [24.5, 49.5], [24.5, 50.2],
                                                [22.0, 50.2], [22.0, 49.5]]]}
    (tmp_path / "zone.geojson").write_text(json.dumps(zone))
    (tmp_path / "p.toml").write_text(
        HEAD + rule(id="border-zone", effect="allow", regions=["file:zone.geojson"])
        + rule(id="no-ua", effect="deny", regions=["UA"]))
    assert Policy.load(tmp_path / "p.toml").warnings == (
        "conflict: where both match, deny 'no-ua' overrides allow 'border-zone' (deny wins)",)
    # an allow narrowed by a condition the deny lacks: government terminals in Ukraine,
    # Crimea denied
    p = load(rule(id="press", effect="allow", regions=["UA"], plans=["government"])
             + rule(id="crimea", effect="deny", regions=["crimea"]))
    assert p.warnings == ("conflict: where both match, deny 'crimea' overrides allow 'press' "
                          "(deny wins)",)


def test_shipped_policies_check_clean():
    for path in policy_files():
        assert Policy.load(path).warnings == (), path.name


def test_unknown_keys_suggest():
    with pytest.raises(InputError, match=r"unknown rule key 'speed_kmh_abov'.*'speed_kmh_above'"):
        load(rule(id="r", effect="deny", speed_kmh_abov=90))
    with pytest.raises(InputError, match="default must be 'allow' or 'deny'"):
        Policy.from_text('version = "1"\n', source="p.toml")


def test_file_regions_are_relative_to_the_policy(tmp_path):
    (tmp_path / "zones").mkdir()
    square = {"type": "Polygon", "coordinates": [[[30, 50], [31, 50], [31, 51], [30, 51],
                                                  [30, 50]]]}
    (tmp_path / "zones" / "sq.geojson").write_text(json.dumps(square))
    (tmp_path / "p.toml").write_text(HEAD + rule(id="sq", effect="allow",
                                                 regions=["file:zones/sq.geojson"]))
    p = Policy.load(tmp_path / "p.toml")
    d = p.decide(lat_deg=[50.5, 51.5], lon_deg=[30.5, 30.5], time="2026-03-01T00:00:00Z")
    assert d.rule.tolist() == ["sq", "default"]
    with pytest.raises(InputError, match="needs a policy loaded from a file"):
        Policy.from_text((tmp_path / "p.toml").read_text())


def test_bad_geojson_file_is_named(tmp_path):
    bad = {"type": "Polygon", "coordinates": [[[30, 50], [31, 50], [31, 51], [30, 51]]]}
    (tmp_path / "bad.geojson").write_text(json.dumps(bad))
    (tmp_path / "p.toml").write_text(HEAD + rule(id="z", effect="deny",
                                                 regions=["file:bad.geojson"]))
    with pytest.raises(InputError, match=r"bad\.geojson at coordinates\[0\]: ring is not closed"):
        Policy.load(tmp_path / "p.toml")


INLINE_TOML = HEAD + '''
[areas.front]
description = "20 km either side of a contact line"
geojson = { type = "LineString", coordinates = [[36.0, 47.0], [37.0, 47.0]] }
buffer_km = 20

[areas.cells]
h3 = ["871e6a2e6ffffff"]

[areas.ua-not-front]
regions = ["UA"]
minus = ["area:front"]

[[rules]]
id = "front-deny"
effect = "deny"
regions = ["area:front"]

[[rules]]
id = "ua"
effect = "allow"
regions = ["area:ua-not-front", "area:cells"]
'''


def test_inline_areas_in_toml_and_json():
    p = Policy.from_text(INLINE_TOML, source="<upload>")
    q = Policy.from_text(json.dumps(p.to_dict()), fmt="json", source="<upload>")
    # 47.17 N is 19 km north of the line at 47.0 N; 47.19 N is 21 km north.
    for pol in (p, q):
        d = pol.decide(lat_deg=[47.17, 47.19, 49.0], lon_deg=[36.5, 36.5, 32.0],
                       time="2026-03-01T00:00:00Z")
        assert d.rule.tolist() == ["front-deny", "ua", "ua"]


def test_area_errors_name_the_json_path():
    doc = {"version": "1", "default": "deny",
           "areas": {"z": {"geojson": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0],
                                                                           [1, 1], [0, 0.5]]]}}},
           "rules": [{"id": "r", "effect": "deny", "regions": ["area:z"]}]}
    with pytest.raises(InputError, match=r"<upload>: areas\.z\.geojson at coordinates\[0\]"):
        Policy.from_text(json.dumps(doc), fmt="json", source="<upload>")
    doc["areas"] = {"a": {"regions": ["area:b"]}, "b": {"regions": ["area:a"]}}
    with pytest.raises(InputError, match="cycle"):
        Policy.from_text(json.dumps(doc), fmt="json", source="<upload>")
    doc["areas"] = {}
    with pytest.raises(InputError, match="unknown area 'z'"):
        Policy.from_text(json.dumps(doc), fmt="json", source="<upload>")
