"""`leonet detect` and `leonet telemetry check` as a user runs them."""

from __future__ import annotations

import csv
import json

from leonet.cli import main
from leonet.control.detect.labelled import POLICY

TELEMETRY = """terminal_id,time,lat_deg,lon_deg,alt_m,speed_kmh
kyiv,2026-02-03T10:00:00Z,50.4501,30.5234,0,0
kyiv,2026-02-03T10:10:00Z,50.4502,30.5235,0,0
crimea,2026-02-03T10:00:00Z,44.9521,34.1024,0,0
crimea,2026-02-03T10:10:00Z,44.9522,34.1025,0,0
car,2026-02-03T10:00:00Z,50.40,30.40,0,120
car,2026-02-03T10:02:00Z,50.38,30.36,0,121
car,2026-02-03T10:04:00Z,50.36,30.32,0,119
jump,2026-02-03T10:00:00Z,49.8397,24.0297,0,0
jump,2026-02-03T10:10:00Z,49.5883,34.5514,0,0
bad,2026-02-03T10:00:00Z,95,30,0,0
ghost,2026-02-03T10:00:00Z,50.45,30.52,0,0
"""
FACTS = "terminal_id,plan,home_country,whitelisted\nkyiv,residential,UA,true\n" \
        "crimea,residential,UA,false\ncar,roam,UA,false\njump,residential,UA,false\n" \
        "bad,residential,UA,false\n"


def _files(tmp_path):
    (tmp_path / "policy.toml").write_text(POLICY)
    (tmp_path / "telemetry.csv").write_text(TELEMETRY)
    (tmp_path / "facts.csv").write_text(FACTS)
    return tmp_path / "policy.toml", tmp_path / "telemetry.csv", tmp_path / "facts.csv"


def test_exact_form_writes_the_five_columns(tmp_path, capsys):
    policy, telemetry, _ = _files(tmp_path)
    out = tmp_path / "INCIDENTS.csv"
    code = main(["detect", "--policy", str(policy), "--telemetry", str(telemetry), "--out",
                 str(out), "--now", "2026-02-04T00:00:00Z"])
    assert code == 1  # the file has rows that are dropped (README "Exit codes")
    with open(out, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["terminal_id", "kind", "start", "end", "evidence"]
    got = {(r["terminal_id"], r["kind"]) for r in rows}
    assert {("crimea", "denied_region"), ("car", "speed_limit"),
            ("jump", "impossible_travel")} <= got
    # Without facts nobody is whitelisted: the ghost (no facts needed) is kept.
    assert not any(t == "kyiv" and k != "not_whitelisted" for t, k in got)
    crimea = next(r for r in rows if r["terminal_id"] == "crimea")
    assert crimea["start"] == "2026-02-03T10:00:00Z" and crimea["end"] == "2026-02-03T10:10:00Z"
    err = capsys.readouterr().err
    assert "latitude 95 is off the globe" in err


def test_terminals_kinds_json_and_issues(tmp_path, capsys):
    policy, telemetry, facts = _files(tmp_path)
    out = tmp_path / "inc.csv"
    issues = tmp_path / "issues.csv"
    code = main(["detect", "--policy", str(policy), "--telemetry", str(telemetry), "--out",
                 str(out), "--terminals", str(facts), "--kinds", "denied_region,speed_limit",
                 "--issues", str(issues), "--json", "--now", "2026-02-04T00:00:00Z"])
    assert code == 1  # two rows dropped, as the summary says
    summary = json.loads(capsys.readouterr().out)
    assert summary["by_kind"]["denied_region"] == 1 and summary["by_kind"]["speed_limit"] == 1
    assert summary["by_kind"]["impossible_travel"] == 0
    assert summary["rows_read"] == 11 and summary["rows_dropped"] == 2
    with open(issues, newline="") as fh:
        reasons = {r["terminal_id"]: r["reason"] for r in csv.DictReader(fh)}
    assert reasons["ghost"] == "unknown terminal: not in the registry"
    assert "off the globe" in reasons["bad"]


def test_bad_input_exits_2(tmp_path, capsys):
    _, telemetry, _ = _files(tmp_path)
    out = tmp_path / "inc.csv"
    assert main(["detect", "--telemetry", str(tmp_path / "none.csv"), "--out", str(out)]) == 2
    assert main(["detect", "--telemetry", str(telemetry), "--out", str(out), "--kinds",
                 "denied_region"]) == 2
    assert "denied_region needs a policy" in capsys.readouterr().err
    assert main(["detect", "--telemetry", str(telemetry), "--out", str(tmp_path / "x.txt")]) == 2
    assert not out.exists()


def test_telemetry_check(tmp_path, capsys):
    _, telemetry, _ = _files(tmp_path)
    clean = tmp_path / "clean.parquet"
    code = main(["telemetry", "check", str(telemetry), "--clean", str(clean), "--now",
                 "2026-02-04T00:00:00Z"])
    assert code == 1  # a row was dropped
    text = capsys.readouterr().out
    assert "1 of 11 rows dropped" in text and f"{telemetry}:11 (terminal bad)" in text
    assert clean.exists()


def test_altitude_datum(tmp_path, capsys):
    # A flight reported in heights above the WGS84 ellipsoid: at Kyiv the EGM2008 geoid is
    # 25.2 m up, so 1,025 m ellipsoidal is 1,000 m above sea level; drone-like either way.
    path = tmp_path / "hae.csv"
    path.write_text("terminal_id,time,lat_deg,lon_deg,alt_m,speed_kmh\n" + "".join(
        f"d,2026-02-03T10:0{k}:00Z,{50.4501 + 0.01 * k},30.5234,1025.2,150\n"
        for k in range(3)))
    out = tmp_path / "inc.csv"
    code = main(["detect", "--telemetry", str(path), "--out", str(out), "--kinds",
                 "drone_like", "--alt-datum", "wgs84", "--now", "2026-02-04T00:00:00Z"])
    assert code == 0
    assert "GNSS altitude 1,000 m above sea level" in out.read_text()
    code = main(["telemetry", "check", str(path), "--alt-datum", "egm96"])
    assert code == 2
    assert "unknown altitude datum 'egm96'; expected msl or wgs84" in capsys.readouterr().err


HEADER = "terminal_id,time,lat_deg,lon_deg,alt_m,speed_kmh\n"


def test_exit_codes_clean_dropped_and_nothing_to_check(tmp_path, capfd):
    """0 clean, 1 rows dropped or nothing to check, 2 bad input; as `telemetry check`."""
    clean = tmp_path / "clean.csv"
    clean.write_text(HEADER + "A,2026-02-01T00:00:00Z,48.85,2.35,35,0\n")
    dropped = tmp_path / "dropped.csv"
    dropped.write_text(HEADER + "A,2026-02-01T00:00:00Z,48.85,2.35,35,0\n"
                       "B,2026-02-01T00:00:00Z,95,2.35,35,0\n")
    empty = tmp_path / "empty.csv"
    empty.write_text(HEADER)
    out = str(tmp_path / "inc.csv")
    now = ["--now", "2026-02-04T00:00:00Z"]
    assert main(["detect", "--telemetry", str(clean), "--out", out, *now]) == 0
    assert main(["telemetry", "check", str(clean), *now]) == 0
    capfd.readouterr()
    assert main(["detect", "--telemetry", str(dropped), "--out", out, *now]) == 1
    assert "1 rows dropped" in capfd.readouterr().err
    assert main(["telemetry", "check", str(dropped), *now]) == 1
    assert main(["detect", "--telemetry", str(empty), "--out", out, *now]) == 1
    assert "nothing to check" in capfd.readouterr().err
    assert main(["detect", "--telemetry", str(tmp_path / "missing.csv"), "--out", out,
                 *now]) == 2
