"""`leonet coverage` and `leonet capacity` through the real entry point (exit codes included)."""

import json
from pathlib import Path

import h3
import numpy as np
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
import shapely

from leonet.cli import main
from leonet.regional.cells import region_cells

WINDOW = ["--start", "2026-08-23T00:00:00Z", "--duration", "30m", "--step", "5m"]
REQUIRED = ["h3_cell", "lat_deg", "lon_deg", "mean_in_view", "min_in_view", "max_in_view",
            "percent_covered", "longest_gap_s"]


def test_coverage_csv_map_profile_geojson(tmp_path, capsys):
    out, png, prof, geo = (tmp_path / n for n in ("tw.csv", "tw.png", "p.png", "tw.geojson"))
    rc = main(["coverage", "--region", "TW", "--source", "starlink-gen1", *WINDOW, "--res", "4",
               "--out", str(out), "--map", str(png), "--profile", str(prof),
               "--geojson", str(geo)])
    assert rc == 0
    table = pacsv.read_csv(out).to_pydict()
    assert list(table)[:4] == ["h3_cell", "lat_deg", "lon_deg", "area_km2"]
    assert set(REQUIRED) <= set(table)
    cells = region_cells("TW", 4)
    assert table["h3_cell"] == list(cells.ids)
    for i, cell in enumerate(table["h3_cell"]):
        lat, lon = h3.cell_to_latlng(cell)
        assert table["lat_deg"][i] == pytest.approx(lat) and table["lon_deg"][i] == pytest.approx(
            lon)
        assert table["min_in_view"][i] <= table["mean_in_view"][i] <= table["max_in_view"][i]
        assert 0 <= table["percent_covered"][i] <= 100
    for png_file in (png, prof):
        assert png_file.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    doc = json.loads(geo.read_text())
    assert len(doc["features"]) == len(cells)
    feat = doc["features"][0]
    poly = shapely.geometry.shape(feat["geometry"])
    assert poly.is_valid and shapely.intersects_xy(poly, *h3.cell_to_latlng(
        feat["properties"]["h3_cell"])[::-1])
    assert feat["properties"]["percent_covered"] == table["percent_covered"][0]
    assert "mean_in_view" in capsys.readouterr().out


def test_coverage_parquet_and_json_summary(tmp_path, capsys):
    out = tmp_path / "fj.parquet"
    rc = main(["coverage", "--region", "Fiji", *WINDOW, "--res", "5", "--out", str(out),
               "--min-elevation", "60", "--min-sats", "2", "--json"])
    assert rc == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["region"] == "FJ" and summary["min_sats"] == 2
    table = pq.read_table(out)
    assert table.num_rows == summary["cells"] == len(region_cells("FJ", 5))
    lon = np.array(table.column("lon_deg"))
    assert (lon > 178).any() and (lon < -178).any()  # both sides of the antimeridian
    # A 60° mask and two satellites leave gaps: time to first coverage may be missing (null).
    assert table.column("longest_gap_s").to_numpy().max() > 0


@pytest.mark.parametrize(("args", "message"), [
    (["--region", "UKR2"], "did you mean"),
    (["--region", "VA"], "use resolution"),
    (["--region", "TW", "--res", "16"], "0..15"),
    (["--region", "TW", "--out", "x.txt"], "must end in .csv or .parquet"),
    (["--region", "TW", "--map-value", "speed"], "--map-value must be one of"),
    (["--region", "TW", "--min-elevation", "95"], "[0, 90)"),
    (["--region", "band:10:5"], "-90 <= min < max <= 90"),
    (["--region", "TW", "--map", "x.jpg"], "--map must end in"),
    (["--region", "TW", "--geojson", "x.kml"], "--geojson must end in"),
    (["--region", "TW", "--min-sats", "0"], "--min-sats must be >= 1"),
])
def test_bad_input_exits_2(tmp_path, capsys, args, message):
    base = ["coverage", *WINDOW, "--out", str(tmp_path / "x.csv"), "--res", "5"]
    if "--out" in args:
        base = ["coverage", *WINDOW, "--res", "5"]
        args = [a if a != "x.txt" else str(tmp_path / "x.txt") for a in args]
    assert main(base + args) == 2
    assert message in capsys.readouterr().err.replace("\n", " ")
    assert not (tmp_path / "x.csv").exists()  # nothing written on bad input


def test_self_intersecting_polygon_exits_2_naming_where(tmp_path, capsys):
    path = tmp_path / "zone.geojson"
    path.write_text(json.dumps({"type": "Polygon", "coordinates": [
        [[30, 45], [35, 50], [35, 45], [30, 50], [30, 45]]]}))
    rc = main(["coverage", "--region", f"file:{path}", *WINDOW, "--res", "4",
               "--out", str(tmp_path / "x.csv")])
    assert rc == 2
    err = capsys.readouterr().err.replace("\n", " ")
    assert "zone.geojson" in err and "intersects itself at lon/lat 32.5 47.5" in err


def test_capacity_with_terminals_and_activation(tmp_path, capsys):
    cells = region_cells("TW", 4)
    terminals = tmp_path / "terminals.csv"
    terminals.write_text("h3_cell,terminals\n" + "".join(
        f"{c},{20000 if i == 0 else 10}\n" for i, c in enumerate(cells.ids)))
    out, png = tmp_path / "cap.csv", tmp_path / "cap.png"
    rc = main(["capacity", "--region", "TW", *WINDOW, "--res", "4", "--out", str(out),
               "--map", str(png), "--terminals", str(terminals), "--context-km", "0",
               "--json"])
    assert rc == 0
    summary = json.loads(capsys.readouterr().out)
    table = pacsv.read_csv(out).to_pydict()
    assert table["terminals"][0] == 20000 and set(table["terminals"][1:]) == {10}
    # 20,000 terminals at 3.1 Mbps = 62 Gbps: more than one cell can get (a beam per
    # satellite in view); 10 terminals are easily served.
    assert table["demand_gbps"][0] == pytest.approx(62.0)
    assert table["availability"][0] == "limited" and table["oversubscription"][0] > 1
    assert set(table["availability"][1:]) == {"available"}
    assert summary["cells_limited"] == 1 and summary["context_cells"] == 0
    # a count of terminals: a whole number in the summary (not 20,190.00)
    assert summary["terminals"] == 20000 + 10 * (len(cells) - 1)
    assert isinstance(summary["terminals"], int)
    assert png.read_bytes()[:4] == b"\x89PNG"

    rc = main(["capacity", "--region", "TW", *WINDOW, "--res", "4", "--out", str(out),
               "--not-activated", "taiwan", "--sat-capacity-gbps", "96", "--context-km", "0"])
    assert rc == 0
    table = pacsv.read_csv(out).to_pydict()
    assert set(table["availability"]) == {"not activated"}
    assert set(table["served_mean_gbps"]) == {0}


def test_capacity_bad_input(tmp_path, capsys):
    base = ["capacity", "--region", "TW", *WINDOW, "--res", "4", "--out", str(tmp_path / "c.csv")]
    assert main([*base, "--beams", "0"]) == 2
    assert "beams_per_sat must be > 0" in capsys.readouterr().err
    assert main([*base, "--policy", str(tmp_path / "none.toml")]) == 2
    assert "does not exist" in capsys.readouterr().err
    bad = tmp_path / "t.csv"
    bad.write_text("h3_cell,terminals\nnotacell,3\n")
    assert main([*base, "--terminals", str(bad)]) == 2
    assert "row 2" in capsys.readouterr().err
    assert main([*base, "--not-activated", "Atlantis"]) == 2
    assert "unknown region" in capsys.readouterr().err


def test_capacity_activation_from_policy_documents(tmp_path, capsys):
    scenarios = Path(__file__).resolve().parents[1] / "scenarios"
    out = tmp_path / "ua.csv"
    base = ["capacity", "--region", "crimea", *WINDOW, "--res", "4", "--out", str(out),
            "--context-km", "0", "--policy", str(scenarios / "ukraine-2026.toml")]
    # Crimea is denied whoever asks; elsewhere the 2026 whitelist decides.
    assert main([*base, "--whitelisted"]) == 0
    assert set(pacsv.read_csv(out).column("availability").to_pylist()) == {"not activated"}
    kyiv = h3.latlng_to_cell(50.45, 30.52, 4)
    for flag, expected in (([], "not activated"), (["--whitelisted"], "available")):
        rc = main(["capacity", "--region", f"h3:{kyiv}", *WINDOW, "--res", "4", "--out",
                   str(out), "--context-km", "0", "--policy",
                   str(scenarios / "ukraine-2026.toml"), *flag])
        assert rc == 0
        assert pacsv.read_csv(out).column("availability").to_pylist() == [expected]
    rc = main(["capacity", "--region", "TW", *WINDOW, "--res", "4", "--out", str(out),
               "--context-km", "0", "--policy", str(scenarios / "taiwan.toml")])
    assert rc == 0
    assert set(pacsv.read_csv(out).column("availability").to_pylist()) == {"not activated"}
    capsys.readouterr()


def test_terminals_per_km2_count_on_land_only(tmp_path):
    # A box in the mid-Pacific (no land) and one over inland Ukraine.
    for name, ring, expect_land in (
            ("pacific", [[-150, -5], [-140, -5], [-140, 5], [-150, 5], [-150, -5]], False),
            ("ukraine", [[30, 49], [32, 49], [32, 50], [30, 50], [30, 49]], True)):
        zone = tmp_path / f"{name}.geojson"
        zone.write_text(json.dumps({"type": "Polygon", "coordinates": [ring]}))
        out = tmp_path / f"{name}.csv"
        rc = main(["capacity", "--region", str(zone), *WINDOW, "--res", "4", "--out", str(out),
                   "--context-km", "0", "--terminals-per-km2", "0.5"])
        assert rc == 0
        t = pacsv.read_csv(out).to_pydict()
        expected = [0.5 * a if expect_land else 0.0 for a in t["area_km2"]]
        assert t["terminals"] == pytest.approx(expected)
