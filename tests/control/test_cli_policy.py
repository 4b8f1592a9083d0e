"""`leonet policy ...` as a user runs it: real files in, real files out, exit codes."""

import json
from pathlib import Path

import numpy as np
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from leonet.cli import main
from leonet.data import policy_files

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"

POINTS = """terminal_id,time,lat_deg,lon_deg,alt_m,speed_kmh,whitelisted
kyiv-fixed,2026-02-10T12:00:00Z,50.4501,30.5234,0,0,false
kyiv-car,2026-02-10T12:00:00Z,50.4501,30.5234,0,120,false
kyiv-car-wl,2026-02-10T12:00:00Z,50.4501,30.5234,0,120,true
simferopol,2026-02-10T12:00:00Z,44.9521,34.1024,0,0,true
donetsk,2026-02-10T12:00:00Z,48.0159,37.8028,0,0,false
warsaw,2026-02-10T12:00:00Z,52.2297,21.0122,0,0,false
"""


def test_check_scenarios(capsys):
    files = policy_files()
    assert len(files) == 7
    for path in files:
        assert main(["policy", "check", str(path)]) == 0, path
    assert "— OK" in capsys.readouterr().out
    # A scenario file is not a policy document, and says so.
    assert main(["policy", "check", str(SCENARIOS / "ukraine-2026.scenario.toml")]) == 2


def test_check_says_where_a_drawn_region_lies(tmp_path, capsys):
    """Kyiv's square written as [lat, lon] pairs is still a valid [lon, lat] polygon (in
    Iran): no rule on the numbers catches it, so check prints where each drawn region lies.
    Hand-checked: 0.5° x 0.8° centred at 30.35° N is 55.6 km x 76.9 km, about 4,270 km²."""
    (tmp_path / "zone.geojson").write_text(json.dumps({"type": "Polygon", "coordinates": [
        [[50.1, 30.1], [50.9, 30.1], [50.9, 30.6], [50.1, 30.6], [50.1, 30.1]]]}))
    (tmp_path / "p.toml").write_text('version = "1"\ndefault = "deny"\n[[rules]]\nid = "z"\n'
                                     'effect = "allow"\nregions = ["file:zone.geojson"]\n')
    assert main(["policy", "check", str(tmp_path / "p.toml")]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if "file:zone" in x)
    assert "(in IR)" in line and "30.35°N 50.50°E" in line
    area = float(line.split("; ")[1].split(" km²")[0].replace(",", ""))
    assert area == pytest.approx(4270, rel=0.01)


def test_check_bad_file_exits_2(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('version = "1"\ndefault = "deny"\n[[rules]]\nid = "x"\neffect = "allow"\n'
                   'regions = ["Ukriane"]\n')
    assert main(["policy", "check", str(bad)]) == 2
    err = " ".join(capsys.readouterr().err.split())  # rich wraps long lines
    assert "bad.toml: rules[0] (id 'x', line 4).regions[0]" in err
    assert "unknown region 'Ukriane'" in err
    assert main(["policy", "check", str(tmp_path / "missing.toml")]) == 2


def test_decide_csv_and_parquet(tmp_path, capsys):
    points = tmp_path / "points.csv"
    points.write_text(POINTS)
    policy = SCENARIOS / "ukraine-2026.toml"
    for suffix in (".csv", ".parquet"):
        out = tmp_path / f"out{suffix}"
        assert main(["policy", "decide", "--policy", str(policy), "--input", str(points),
                     "--output", str(out)]) == 0
        table = pq.read_table(out) if suffix == ".parquet" else pacsv.read_csv(out)
        got = dict(zip(table.column("terminal_id").to_pylist(),
                       zip(table.column("allowed").to_pylist(), table.column("rule").to_pylist(),
                           strict=True), strict=True))
        assert got == {
            "kyiv-fixed": (False, "ua-whitelist-required"),
            "kyiv-car": (False, "ua-speed-cutoff"),
            "kyiv-car-wl": (True, "ua-activated"),
            "simferopol": (False, "crimea-not-activated"),
            "donetsk": (False, "occupied-denied"),
            "warsaw": (False, "default"),
        }
        assert np.array_equal(table.column("lat_deg").to_numpy()[:1], [50.4501])
    assert "6 terminals: 1 allowed" in capsys.readouterr().out


def test_decide_bad_points_exit_2(tmp_path, capsys):
    points = tmp_path / "points.csv"
    points.write_text(POINTS.replace("2026-02-10T12:00:00Z,48.0159", "2026-02-10T12:00:00,48.0159"))
    rc = main(["policy", "decide", "--policy", str(SCENARIOS / "crimea-2023.toml"),
               "--input", str(points), "--output", str(tmp_path / "o.csv")])
    assert rc == 2
    assert "points.csv: row 6, column time" in " ".join(capsys.readouterr().err.split())


def test_diff_and_explain(tmp_path, capsys):
    points = tmp_path / "points.csv"
    points.write_text(POINTS)
    assert main(["policy", "diff", str(SCENARIOS / "crimea-2023.toml"),
                 str(SCENARIOS / "ukraine-2026.toml"), "--population", str(points)]) == 0
    out = capsys.readouterr().out
    assert "6 terminals: 4 allowed under 2023-09-07, 1 under 2026-02-03; 0 gain service, " \
           "3 lose it" in out
    # Without --population: a synthetic population placed by city populations in the
    # countries of the policies' regions (Ukraine's towns, Crimea's and the occupied areas'),
    # not worldwide where the rules never apply.
    assert main(["policy", "diff", str(SCENARIOS / "crimea-2023.toml"),
                 str(SCENARIOS / "ukraine-2026.toml"), "--synthetic", "20000"]) == 0
    out = capsys.readouterr().out
    assert "20,000 terminals at towns of UA, 10% whitelisted at random" in out
    # Policies naming no region: worldwide (reaching overseas departments such as Réunion,
    # whose city code the policy engine must accept).
    (tmp_path / "a.toml").write_text('version = "a"\ndefault = "allow"\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('version = "b"\ndefault = "deny"\n', encoding="utf-8")
    assert main(["policy", "diff", str(tmp_path / "a.toml"), str(tmp_path / "b.toml"),
                 "--synthetic", "20000"]) == 0
    out = capsys.readouterr().out
    assert "towns of the world" in out and "20,000 lose it" in out
    assert main(["policy", "explain", "--policy", str(SCENARIOS / "ukraine-2026.toml"),
                 "--lat", "50.45", "--lon", "30.52", "--time", "2026-02-10T12:00Z",
                 "--speed-kmh", "120"]) == 0
    assert "DENIED by rule 'ua-speed-cutoff'" in capsys.readouterr().out


def test_spillover_and_regions(capsys):
    assert main(["policy", "spillover", "LS", "--resolution", "5"]) == 0
    assert "LS at H3 resolution 5" in capsys.readouterr().out
    assert main(["policy", "regions", "crimea"]) == 0
    assert "crimea" in capsys.readouterr().out


def test_decide_parquet_input_and_bad_plan(tmp_path, capsys):
    points = tmp_path / "points.csv"
    points.write_text(POINTS)
    parquet = tmp_path / "points.parquet"
    assert main(["policy", "decide", "--policy", str(SCENARIOS / "crimea-2023.toml"),
                 "--input", str(points), "--output", str(parquet)]) == 0
    out = tmp_path / "again.csv"
    assert main(["policy", "decide", "--policy", str(SCENARIOS / "crimea-2023.toml"),
                 "--input", str(parquet), "--output", str(out)]) == 0
    assert pacsv.read_csv(out).column("rule").to_pylist()[:2] == ["ua-activated"] * 2
    bad = tmp_path / "bad.csv"
    bad.write_text(POINTS.replace(",whitelisted\n", ",whitelisted,plan\n").replace(
        ",false\n", ",false,residential\n").replace(",true\n", ",true,premium\n"))
    capsys.readouterr()
    assert main(["policy", "decide", "--policy", str(SCENARIOS / "crimea-2023.toml"),
                 "--input", str(bad), "--output", str(out)]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "bad.csv: row 4, column plan: unknown plan 'premium'" in err
