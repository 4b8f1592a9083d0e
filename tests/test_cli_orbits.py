"""The issue-2 command forms, through the real entry point (exit codes included)."""

import json

import numpy as np
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from sgp4.api import Satrec
from sgp4.exporter import export_tle

from leonet.cli import main
from leonet.physics.orbits.constellation import Constellation
from leonet.physics.timegrid import TimeGrid


@pytest.fixture
def tle_file(tmp_path):
    """Three real-looking TLEs written from preset satellites (synthetic, not shared data)."""
    sats = Constellation.load("oneweb")[:3]
    lines = []
    for k, sat in enumerate(sats.satrecs):
        l1, l2 = export_tle(sat)
        lines += [f"TESTSAT-{k}", l1, l2]
    path = tmp_path / "three.tle"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_constellation_info_json(tle_file, capsys):
    assert main(["constellation", "info", str(tle_file), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["n_sats"] == 3 and info["source"] == str(tle_file)


def test_filters_on_the_command_line(tle_file, tmp_path, capsys):
    sats = Constellation.load(str(tle_file))
    keep = [int(sats.norad_id[0]), int(sats.norad_id[2])]
    assert main(["constellation", "info", str(tle_file), "--norad",
                 f"{keep[0]}, {keep[1]}", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["n_sats"] == 2
    assert main(["constellation", "info", str(tle_file), "--name", "testsat-1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["n_sats"] == 1
    out = tmp_path / "two.csv"
    assert main(["ephemeris", str(tle_file), "--start", "2026-08-23T00:00:00Z", "--duration",
                 "2m", "--step", "60s", "--norad", str(keep[1]), "--out", str(out)]) == 0
    table = pacsv.read_csv(out)
    assert table["norad_id"].to_pylist() == [keep[1]] * 3
    assert table["name"].to_pylist() == ["TESTSAT-2"] * 3
    assert main(["constellation", "info", str(tle_file), "--norad", "1,x"]) == 2
    assert "--norad" in capsys.readouterr().err
    assert main(["constellation", "info", str(tle_file), "--norad", "7"]) == 2
    assert "no satellites left" in capsys.readouterr().err


def test_constellation_info_preset_table(capsys):
    assert main(["constellation", "info", "kuiper"]) == 0
    out = capsys.readouterr().out
    assert "3,236 satellites" in out and "kuiper-630km-51.9deg" in out


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_ephemeris_columns_and_values(tle_file, tmp_path, suffix):
    out = tmp_path / f"eph.{suffix}"
    rc = main(["ephemeris", str(tle_file), "--start", "2026-08-23T00:00:00Z", "--duration",
               "10m", "--step", "60s", "--out", str(out)])
    assert rc == 0
    table = pacsv.read_csv(out) if suffix == "csv" else pq.read_table(out)
    assert table.column_names == ["time", "norad_id", "name", "x_km", "y_km", "z_km",
                                  "vx_km_s", "vy_km_s", "vz_km_s", "lat_deg", "lon_deg",
                                  "alt_km", "error"]
    assert table.num_rows == 11 * 3
    if suffix == "csv":
        assert out.read_text().splitlines()[1].startswith('"2026-08-23T00:00:00Z",')
    # Values equal the Python API (itself checked against skyfield in the physics tests).
    sats = Constellation.load(str(tle_file))
    eph = sats.propagate(TimeGrid.range("2026-08-23T00:00:00Z", "10m", "60s"))
    x = np.asarray(table["x_km"]).reshape(11, 3)
    assert np.allclose(x, eph.r_ecef_km[:, :, 0], atol=1e-9)
    assert table["name"][0].as_py() == "TESTSAT-0"


def test_overhead_equals_skyfield_altaz(capsys):
    """Every satellite skyfield puts above the mask is listed, with its elevation, azimuth
    and range (skyfield: the same SGP4 elements, topocentric altaz from the WGS84 site)."""
    from skyfield.api import EarthSatellite, load, wgs84

    rc = main(["overhead", "--lat", "50.45", "--lon", "30.52", "--at", "2026-08-23T00:00:00Z",
               "--source", "oneweb", "--min-elevation", "10", "--json"])
    assert rc == 0
    rows = {r["norad_id"]: r for r in json.loads(capsys.readouterr().out)["satellites"]}
    sats = Constellation.load("oneweb")
    ts = load.timescale(builtin=True)
    t = ts.utc(2026, 8, 23)
    site = wgs84.latlon(50.45, 30.52)
    seen = {}
    for norad, sat in zip(sats.norad_id.tolist(), sats.satrecs, strict=True):
        alt, az, dist = (EarthSatellite.from_satrec(sat, ts) - site).at(t).altaz()
        if alt.degrees >= 10.0:
            seen[norad] = (alt.degrees, az.degrees, dist.km)
    assert len(seen) >= 3 and set(rows) == set(seen)
    for norad, (el, az, rng) in seen.items():
        r = rows[norad]  # printed to 1e-4° and 1 m; positions agree with skyfield to < 1 m
        assert r["elevation_deg"] == pytest.approx(el, abs=2e-4)
        assert r["azimuth_deg"] == pytest.approx(az, abs=2e-4)
        assert r["range_km"] == pytest.approx(rng, abs=0.002)


def test_overhead_json(capsys):
    rc = main(["overhead", "--lat", "50.45", "--lon", "30.52", "--at", "2026-08-23T00:00:00Z",
               "--min-elevation", "40", "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    els = [s["elevation_deg"] for s in out["satellites"]]
    assert els and min(els) >= 40 and els == sorted(els, reverse=True)


@pytest.mark.parametrize("argv,message", [
    (["overhead", "--lat", "95", "--lon", "0", "--at", "2026-08-23T00:00:00Z"], "'--lat'"),
    (["overhead", "--lat", "0", "--lon", "0", "--at", "2026-08-23T00:00:00Z",
      "--min-elevation", "90"], "elevation mask"),
    (["overhead", "--lat", "0", "--lon", "0", "--at", "2026-08-23T00:00:00"], "no timezone"),
    (["ephemeris", "oneweb", "--start", "2026-08-23T00:00:00Z", "--step", "0s",
      "--out", "x.csv"], "step must be > 0"),
    (["ephemeris", "oneweb", "--start", "2026-08-23T00:00:00Z", "--duration", "-1h",
      "--out", "x.csv"], "duration must be >= 0"),
    (["ephemeris", "oneweb", "--start", "2026-08-23T00:00:00Z", "--out", "x.txt"],
     ".csv or .parquet"),
    (["constellation", "info", "no-such-thing"], "no such file or preset"),
])
def test_bad_input_exits_2(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_bad_tle_names_line_and_skip_invalid(tle_file, capsys):
    text = tle_file.read_text().splitlines()
    text[2] = text[2][:-1] + str((int(text[2][-1]) + 1) % 10)  # corrupt a checksum
    tle_file.write_text("\n".join(text) + "\n")
    assert main(["constellation", "info", str(tle_file)]) == 2
    err = capsys.readouterr().err
    assert "three.tle:3" in err and "checksum" in err
    assert main(["constellation", "info", str(tle_file), "--skip-invalid", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["n_sats"] == 2
    assert "skipped" in captured.err


def test_exported_tles_round_trip_through_sgp4():
    sat = Constellation.load("oneweb").satrecs[5]
    l1, l2 = export_tle(sat)
    again = Satrec.twoline2rv(l1, l2)
    assert again.inclo == pytest.approx(sat.inclo, abs=1e-6)
