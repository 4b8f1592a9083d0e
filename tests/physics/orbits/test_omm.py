"""OMM readers against the TLE path (same satellites, via sgp4's exporter) and sgp4's own
`sgp4.omm.initialize`."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest
from sgp4 import omm as sgp4_omm
from sgp4.api import WGS72, Satrec
from sgp4.exporter import export_omm

from leonet.errors import InputError
from leonet.physics.orbits import (
    parse_elements,
    parse_omm_csv,
    parse_omm_json,
    read_elements,
    read_omm,
    read_tle,
)
from tests.conftest import shared_file
from tests.physics.orbits.synthetic import CELESTRAK_CSV_HEADER, catalogue, three_line_text

# An OMM epoch carries microseconds, a TLE epoch 1e-8 day (0.864 ms); export_omm rounds to the
# microsecond and sgp4init splits the Julian date differently from twoline2rv, so the epochs
# agree within 2 µs, and positions within 2 µs × 7.7 km/s ≈ 1.5 cm: allow 2 cm.
TWO_MICROSECONDS_DAYS = 2e-6 / 86400.0
TWO_CENTIMETRES_KM = 2e-5
# Between two OMM readings of the same text the epoch may still differ by one float64 step of
# the day count sgp4init takes (3.6e-12 day ≈ 0.3 µs near 2026, ≈ 2.4 mm along track).
FIVE_MILLIMETRES_KM = 5e-6
# Velocities: a 2 µs epoch shift moves a LEO velocity by 2e-6 s × 8e-3 km/s² ≈ 2e-8 km/s.
TENTH_MM_PER_S_KM_S = 1e-7
# Propagation instants relative to each epoch, in days (SGP4 is meant for days around it).
OFFSETS_DAYS = np.array([0.0, 0.37, -0.81, 1.5, -3.0])


def csv_text(records: list[dict], newline: str = "\n") -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator=newline)
    header = CELESTRAK_CSV_HEADER.split(",")
    writer.writerow(header)
    writer.writerows([[r[k] for k in header] for r in records])
    return out.getvalue()


def assert_same_orbit(sat: Satrec, ref: Satrec, tol_km: float) -> None:
    assert sat.satnum == ref.satnum
    assert abs((sat.jdsatepoch - ref.jdsatepoch) + (sat.jdsatepochF - ref.jdsatepochF)) \
        < TWO_MICROSECONDS_DAYS
    for attr in ("inclo", "nodeo", "argpo", "mo", "ecco", "no_kozai", "bstar", "ndot", "nddot"):
        assert getattr(sat, attr) == pytest.approx(getattr(ref, attr), rel=1e-9, abs=1e-15), attr
    jd = np.full(OFFSETS_DAYS.shape, ref.jdsatepoch)
    fr = ref.jdsatepochF + OFFSETS_DAYS
    e, r, v = sat.sgp4_array(jd, fr)
    e_ref, r_ref, v_ref = ref.sgp4_array(jd, fr)
    np.testing.assert_array_equal(e, e_ref)
    ok = e == 0
    assert np.all(np.linalg.norm(r[ok] - r_ref[ok], axis=-1) < tol_km)
    assert np.all(np.linalg.norm(v[ok] - v_ref[ok], axis=-1) < TENTH_MM_PER_S_KM_S)


@pytest.fixture(scope="module")
def sats():
    return catalogue()


def test_json_gives_the_tle_path_positions(sats, tmp_path):
    path = tmp_path / "synthetic.json"
    path.write_text(json.dumps([s.omm for s in sats], indent=1), encoding="utf-8")
    got = read_omm(path)
    assert got.source == str(path) and got.skipped == () and len(got) == len(sats)
    # json.dumps(indent=1) opens each record on a line of its own: " {".
    opening = [n + 1 for n, line in enumerate(path.read_text().splitlines()) if line == " {"]
    for k, (rec, sat) in enumerate(zip(got.records, sats, strict=True)):
        assert (rec.name, rec.norad_id, rec.where) == (sat.name, sat.satnum,
                                                       f"{path}:{opening[k]} [{k}]")
        assert rec.line1 is None and rec.line2 is None
        assert_same_orbit(rec.satrec, Satrec.twoline2rv(sat.line1, sat.line2, WGS72),
                          TWO_CENTIMETRES_KM)


def test_csv_in_celestrak_column_order_gives_the_tle_path_positions(sats, tmp_path):
    path = tmp_path / "synthetic.csv"
    path.write_text(csv_text([s.omm for s in sats], newline="\r\n"), encoding="utf-8")
    got = read_omm(path)
    assert got.skipped == () and len(got) == len(sats)
    for k, (rec, sat) in enumerate(zip(got.records, sats, strict=True)):
        assert (rec.name, rec.norad_id, rec.where) == (sat.name, sat.satnum, f"{path}:{k + 2}")
        assert_same_orbit(rec.satrec, Satrec.twoline2rv(sat.line1, sat.line2, WGS72),
                          TWO_CENTIMETRES_KM)


def test_csv_equals_sgp4_omm_initialize(sats):
    text = csv_text([s.omm for s in sats])
    got = parse_omm_csv(text)
    for rec, fields in zip(got.records, sgp4_omm.parse_csv(io.StringIO(text)), strict=True):
        ref = Satrec()
        sgp4_omm.initialize(ref, fields)
        assert_same_orbit(rec.satrec, ref, FIVE_MILLIMETRES_KM)
        for attr in ("classification", "intldesg", "ephtype", "elnum", "revnum"):
            assert getattr(rec.satrec, attr) == getattr(ref, attr), attr


def test_space_track_style_string_values_read_the_same(sats):
    as_numbers = parse_omm_json(json.dumps([s.omm for s in sats]))
    as_strings = parse_omm_json(json.dumps([{k: str(v) for k, v in s.omm.items()}
                                            for s in sats]))
    for a, b in zip(as_numbers.records, as_strings.records, strict=True):
        assert a.norad_id == b.norad_id
        assert_same_orbit(a.satrec, b.satrec, FIVE_MILLIMETRES_KM)


def test_one_object_with_only_the_required_keywords(sats):
    sat = sats[0]
    required = ("EPOCH", "MEAN_MOTION", "ECCENTRICITY", "INCLINATION", "RA_OF_ASC_NODE",
                "ARG_OF_PERICENTER", "MEAN_ANOMALY", "NORAD_CAT_ID", "BSTAR",
                "MEAN_MOTION_DOT", "MEAN_MOTION_DDOT")
    doc = {k: sat.omm[k] for k in required}
    doc["EPOCH"] += "Z"
    got = parse_omm_json(json.dumps(doc), source="one.json")
    rec = got.records[0]
    assert (rec.name, rec.norad_id, rec.where) == ("", sat.satnum, "one.json:1 [0]")
    assert_same_orbit(rec.satrec, Satrec.twoline2rv(sat.line1, sat.line2, WGS72),
                      TWO_CENTIMETRES_KM)


def test_duplicates_are_kept(sats):
    got = parse_omm_json(json.dumps([sats[0].omm, sats[0].omm]))
    assert [r.norad_id for r in got.records] == [sats[0].satnum] * 2


def test_content_decides_the_format_not_the_extension(sats, tmp_path):
    few = sats[:3]
    names = [s.name for s in few]
    (tmp_path / "a.csv").write_text(json.dumps([s.omm for s in few]))
    (tmp_path / "b.json").write_text(csv_text([s.omm for s in few]))
    (tmp_path / "c.json").write_text(three_line_text(few))
    assert [r.name for r in read_omm(tmp_path / "a.csv").records] == names
    assert [r.name for r in read_omm(tmp_path / "b.json").records] == names
    for f in ("a.csv", "b.json", "c.json"):
        assert [r.name for r in read_elements(tmp_path / f).records] == names
    assert read_elements(tmp_path / "c.json").records[0].line1 == few[0].line1


def test_byte_order_mark_is_ignored(sats):
    few = sats[:2]
    for text in (json.dumps([s.omm for s in few]), csv_text([s.omm for s in few]),
                 three_line_text(few)):
        got = parse_elements("\ufeff" + text)
        assert [(r.name, r.norad_id) for r in got.records] == [(s.name, s.satnum) for s in few]


def test_omm_xml_is_refused_clearly():
    with pytest.raises(InputError, match=r"^x\.xml: OMM XML is not supported"):
        parse_elements('<?xml version="1.0"?>\n<ndm></ndm>', source="x.xml")


def test_real_snapshot_through_omm(tmp_path):
    """The real snapshot converted to OMM JSON and CSV loads whole, at the TLE positions."""
    tle = read_tle(shared_file("starlink-2026-08-22.tle"))
    records = [export_omm(r.satrec, r.name) for r in tle.records]
    for got in (parse_omm_json(json.dumps(records)), parse_omm_csv(csv_text(records))):
        assert len(got.records) == len(tle.records) == 10_744 and got.skipped == ()
        for a, b in zip(got.records[::53], tle.records[::53], strict=True):
            assert (a.name, a.norad_id) == (b.name, b.norad_id)
            assert_same_orbit(a.satrec, b.satrec, TWO_CENTIMETRES_KM)
