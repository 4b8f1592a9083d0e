"""Scenario files: every shipped one is valid, and bad input is refused naming the file and
the key path, with exit code 2 from the command line."""

from __future__ import annotations

import textwrap

import pytest

from leonet.cli import main
from leonet.data import scenario_dir
from leonet.errors import InputError
from leonet.scenario import load_scenario

POLICY = """
version = "t1"
default = "deny"
[[rules]]
id = "ua"
effect = "allow"
regions = ["UA"]
"""

BASE = """
[scenario]
name = "t"
title = "test"
start = "2026-01-01T12:00:00Z"
end = "2026-01-11T12:00:00Z"
step = "1d"

[[policies]]
file = "p.toml"
from = "2026-01-03T00:00:00Z"
event = "on"

[[groups]]
id = "g"
n = 10
place = { cities = ["UA"] }
"""

SHIPPED = sorted(scenario_dir().glob("*.scenario.toml"))


def write(tmp_path, text: str, policy: str = POLICY):
    (tmp_path / "p.toml").write_text(policy, encoding="utf-8")
    path = tmp_path / "s.scenario.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_every_public_event_has_a_shipped_scenario():
    names = {p.name.removesuffix(".scenario.toml") for p in SHIPPED}
    assert names == {"ukraine-2022-activation", "ukraine-2022-funding", "ukraine-2023-drones",
                     "crimea-2023", "ukraine-2024-occupied", "ukraine-2026", "taiwan",
                     "ukraine-2022-2026"}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_scenarios_are_valid_and_cite_sources(path):
    scn = load_scenario(path)
    assert scn.sources, "a shipped scenario cites its sources"
    assert path.read_text(encoding="utf-8").lstrip().startswith("#"), "header comment"
    for step in scn.policies:
        assert step.path.parent == path.parent


def test_a_minimal_scenario_loads(tmp_path):
    scn = load_scenario(write(tmp_path, BASE))
    assert len(scn.timeline_ns) == 11
    assert scn.policies[0].snapshot_ns - scn.policies[0].from_ns == 12 * 3600 * 10**9
    assert scn.constellation == "starlink-gen1" and scn.detection is None


BAD = [
    ("", BASE.replace("[scenario]", "[scenari]"), "needs a [scenario] table"),
    ("scenario.step", BASE.replace('step = "1d"', 'stpe = "1d"'), "did you mean 'step'"),
    ("scenario.titel", BASE.replace('title = "test"', 'title = "test"\ntitel = "x"'),
     "did you mean 'title'"),
    ("scenario.start", BASE.replace("2026-01-01T12:00:00Z", "2026-01-01T12:00:00"),
     "zone"),
    ("scenario.step", BASE.replace('step = "1d"', 'step = "-1d"'), "must be > 0"),
    ("policies[0].file", BASE.replace('"p.toml"', '"missing.toml"'), "does not exist"),
    ("groups[0].mobility", BASE + 'mobility = "helicopter"\n', "unknown mobility"),
    ("groups[0].mobility", BASE + 'mobility = { static = 0.5, vehicle = 0.4 }\n',
     "add up to 0.9"),
    ("groups[0].mobility", BASE + 'mobility = "maritime"\n', "sea lanes"),
    ("groups[0].place", BASE.replace('{ cities = ["UA"] }', '{ region = "Atlantis" }'),
     "unknown region 'Atlantis'"),
    ("groups[0].place.near", BASE.replace('{ cities = ["UA"] }', '{ near = [130.5, 45.0] }'),
     "off the globe"),
    ("groups[0].home_country", BASE + 'home_country = "crimea"\n', "not a country"),
    ("sponsors[0].groups", BASE + '\n[[sponsors]]\nid = "s"\ngroups = ["gg"]\n',
     "did you mean 'g'"),
    ("detection.windows[0].start", BASE + '\n[detection]\n[[detection.windows]]\n'
     'start = "2025-01-01T00:00:00Z"\nduration = "1d"\n', "within the scenario"),
    ("detection.kinds", BASE + '\n[detection]\nkinds = ["speeding"]\n', "unknown detector"),
    ("enforcement", BASE + '\n[enforcement]\nsuspend_on = ["cluster"]\n', "[detection]"),
    ("coverage.resolution", BASE + '\n[coverage]\nregions = ["UA"]\nresolution = 16\n'
     'start = "2026-01-05T00:00:00Z"\n', "0..15"),
    ("latency.from", BASE + '\n[latency]\nfrom = ["Atlantis City"]\n'
     'start = "2026-01-05T00:00:00Z"\n', "Atlantis"),
    ("lanes.x", BASE + '\n[lanes]\nx = [[120.2, 22.6], [121.7, 25.2]]\n', "look swapped"),
]


@pytest.mark.parametrize(("where", "text", "what"), BAD, ids=[b[0] or "head" for b in BAD])
def test_bad_scenarios_name_file_key_and_problem(tmp_path, where, text, what):
    path = write(tmp_path, text)
    with pytest.raises(InputError) as err:
        load_scenario(path)
    message = str(err.value)
    assert str(path) in message and what in message
    assert where in message


def test_policies_out_of_order_and_bad_policy_documents(tmp_path):
    two = BASE + '\n[[policies]]\nfile = "p.toml"\nfrom = "2026-01-02T00:00:00Z"\nevent = "x"\n'
    with pytest.raises(InputError, match=r"policies\[1\].from: policies must be listed"):
        load_scenario(write(tmp_path, two))
    with pytest.raises(InputError, match=r"p\.toml.*Narnia"):
        load_scenario(write(tmp_path, BASE, policy=POLICY.replace('"UA"', '"Narnia"')))
    policy_file = tmp_path / "p.toml"
    with pytest.raises(InputError, match="policy document"):
        load_scenario(policy_file)


def test_cli_check_and_run_refuse_bad_input_with_exit_code_2(tmp_path, capsys):
    bad = write(tmp_path, BASE.replace('step = "1d"', 'step = "1 fortnight"'))
    assert main(["scenario", "check", str(bad)]) == 2
    assert "scenario.step" in capsys.readouterr().err
    assert main(["scenario", "run", "no-such-scenario", "--out", str(tmp_path / "o")]) == 2
    assert "shipped scenarios" in capsys.readouterr().err
    assert main(["scenario", "run", "ukraine-2022-2026", "--out", str(tmp_path / "o"),
                 "--seed", "-1"]) == 2
    assert main(["scenario", "check", "ukraine-2026"]) == 0
    assert main(["scenario", "list", "--json"]) == 0
    assert "ukraine-2022-2026" in capsys.readouterr().out
