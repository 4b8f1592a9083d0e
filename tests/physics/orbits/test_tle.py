"""TLE reader against sgp4's own `Satrec.twoline2rv` and skyfield's TLE file parser."""

from __future__ import annotations

import numpy as np
import pytest
from sgp4.api import WGS72, Satrec
from skyfield.api import load
from skyfield.iokit import parse_tle_file

from leonet.physics.orbits import ElementSet, parse_tle, read_tle
from tests.conftest import shared_file
from tests.physics.orbits.synthetic import (
    ISS_LINE1,
    ISS_LINE2,
    catalogue,
    three_line_text,
    with_checksum,
)

ELEMENTS = ("satnum", "epochyr", "epochdays", "jdsatepoch", "jdsatepochF", "ndot", "nddot",
            "bstar", "inclo", "nodeo", "ecco", "argpo", "mo", "no_kozai", "classification",
            "intldesg", "elnum", "revnum", "ephtype")
# Propagation instants relative to each epoch, in days.
OFFSETS_DAYS = np.array([0.0, 0.37, -0.81, 1.5, -3.0])


def assert_same_satrec(sat: Satrec, ref: Satrec) -> None:
    for attr in ELEMENTS:
        assert getattr(sat, attr) == getattr(ref, attr), attr
    jd = np.full(OFFSETS_DAYS.shape, ref.jdsatepoch)
    fr = ref.jdsatepochF + OFFSETS_DAYS
    e, r, v = sat.sgp4_array(jd, fr)
    e_ref, r_ref, v_ref = ref.sgp4_array(jd, fr)
    np.testing.assert_array_equal(e, e_ref)
    np.testing.assert_array_equal(r, r_ref)
    np.testing.assert_array_equal(v, v_ref)


def test_three_line_file_equals_twoline2rv(tmp_path):
    sats = catalogue()
    path = tmp_path / "synthetic.tle"
    path.write_text(three_line_text(sats), encoding="utf-8")
    got = read_tle(path)
    assert isinstance(got, ElementSet)
    assert got.source == str(path) and got.skipped == () and len(got) == len(sats)
    for k, (rec, sat) in enumerate(zip(got.records, sats, strict=True)):
        ref = Satrec.twoline2rv(sat.line1, sat.line2, WGS72)
        assert_same_satrec(rec.satrec, ref)
        assert rec.norad_id == sat.satnum == ref.satnum
        assert rec.name == sat.name
        assert (rec.line1, rec.line2) == (sat.line1, sat.line2)
        assert rec.where == f"{path}:{3 * k + 2}"  # the line of element line 1


def test_layouts_mixed_in_one_file():
    """2LE and 3LE records, "0 " names, CRLF, trailing blanks and blank lines in one file."""
    sats = catalogue(n_leo=6)
    chunks: list[str] = []
    expected: list[tuple[str, int, int]] = []  # name, norad id, line number of line 1
    line_no = 0

    def add(*lines: str) -> None:
        nonlocal line_no
        chunks.extend(lines)
        line_no += len(lines)

    for k, sat in enumerate(sats):
        style = k % 4
        if style == 0:  # plain 3LE
            add(sat.name + "\r\n")
            expected.append((sat.name, sat.satnum, line_no + 1))
        elif style == 1:  # 3LE with the "0 " name prefix and trailing blanks
            add(f"0 {sat.name}   \r\n")
            expected.append((sat.name, sat.satnum, line_no + 1))
        elif style == 2:  # 2LE, blank lines before
            add("\r\n", "   \t\r\n")
            expected.append(("", sat.satnum, line_no + 1))
        else:  # name, blank line, then elements with trailing whitespace
            add(sat.name + "\n", "\n")
            expected.append((sat.name, sat.satnum, line_no + 1))
        add(sat.line1 + "  \r\n", sat.line2 + "\t\r\n")
    add("\r\n", "\r\n")
    got = parse_tle("".join(chunks), source="mixed.tle")
    assert [(r.name, r.norad_id, r.where) for r in got.records] == \
        [(n, i, f"mixed.tle:{no}") for n, i, no in expected]
    for rec, sat in zip(got.records, sats, strict=True):
        assert (rec.line1, rec.line2) == (sat.line1, sat.line2)
        assert_same_satrec(rec.satrec, Satrec.twoline2rv(sat.line1, sat.line2, WGS72))


def test_duplicates_are_kept_and_last_line_may_lack_newline():
    text = f"ISS\n{ISS_LINE1}\n{ISS_LINE2}\nISS\n{ISS_LINE1}\n{ISS_LINE2}"
    got = parse_tle(text)
    assert [r.norad_id for r in got.records] == [25544, 25544]
    assert [r.where for r in got.records] == ["<string>:2", "<string>:5"]
    assert got.source == "<string>"


@pytest.mark.parametrize("lead", ["A", "H", "J", "N", "P", "Z"])
def test_alpha5_catalog_numbers_decode_as_sgp4_does(lead):
    line1 = with_checksum(ISS_LINE1[:2] + lead + "4567" + ISS_LINE1[7:])
    line2 = with_checksum(ISS_LINE2[:2] + lead + "4567" + ISS_LINE2[7:])
    rec = parse_tle(f"{line1}\n{line2}\n").records[0]
    assert rec.norad_id == Satrec.twoline2rv(line1, line2, WGS72).satnum
    # Alpha-5 skips I and O: A=10 .. H=17, J=18 .. N=22, P=23 .. Z=33.
    assert rec.norad_id == {"A": 104567, "H": 174567, "J": 184567, "N": 224567, "P": 234567,
                            "Z": 334567}[lead]


def test_old_style_blank_padded_numbers_are_accepted():
    # Catalog and element-set numbers right-aligned with blanks, as in older element sets.
    line1 = with_checksum(ISS_LINE1[:2] + "    5" + ISS_LINE1[7:64] + "  12" + ISS_LINE1[68])
    line2 = with_checksum(ISS_LINE2[:2] + "    5" + ISS_LINE2[7:63] + "   42" + ISS_LINE2[68])
    rec = parse_tle(f"VANGUARD 1\n{line1}\n{line2}").records[0]
    ref = Satrec.twoline2rv(line1, line2, WGS72)
    assert rec.norad_id == 5 == ref.satnum
    assert (rec.satrec.elnum, rec.satrec.revnum) == (ref.elnum, ref.revnum) == (12, 42)


@pytest.mark.parametrize("name,count", [
    ("starlink-2026-08-22.tle", 10_744),  # counts from ../shared/data/README.md
    ("oneweb-2026-08-22.tle", 651),
    ("kuiper-2026-08-22.tle", 391),
])
def test_real_snapshots_load_completely(name, count):
    path = shared_file(name)
    got = read_tle(path)
    assert len(got.records) == count and got.skipped == ()
    # skyfield's own TLE file parser agrees on every name and catalog number.
    ts = load.timescale(builtin=True)
    with open(path, "rb") as f:
        ref = list(parse_tle_file(f, ts))
    assert [(r.name, r.norad_id) for r in got.records] == \
        [(s.name, s.model.satnum) for s in ref]
    for rec in got.records[::97]:
        assert_same_satrec(rec.satrec, Satrec.twoline2rv(rec.line1, rec.line2, WGS72))
