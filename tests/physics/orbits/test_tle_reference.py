"""The TLE validator against a slow reference written field by field from the format
description (Space-Track, "Basic Description of the Two Line Element Set Format"), on lines
with one character changed at random: the reader accepts exactly what the reference accepts."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sgp4.api import WGS72, Satrec
from sgp4.io import compute_checksum

from leonet.errors import InputError
from leonet.physics.orbits import parse_tle
from tests.physics.orbits.synthetic import catalogue, with_checksum

SATS = catalogue(n_leo=8)
RIGHT_ALIGNED = re.compile(r" *[0-9]*")
CATALOG = re.compile(r" *[0-9]+|[A-HJ-NP-Z][0-9]{4}")
ANGLE = re.compile(r" *[0-9]+\.[0-9]{4}")


def blanks(line: str, cols: tuple[int, ...]) -> bool:
    return all(line[c - 1] == " " for c in cols)


def reference_accepts(line1: str, line2: str) -> bool:
    """Slow, plain reading of the format: one regular expression or comparison per field."""
    if len(line1) != 69 or len(line2) != 69:
        return False
    f1 = [
        line1[0] == "1", blanks(line1, (2, 9, 18, 33, 44, 53, 62, 64)),
        CATALOG.fullmatch(line1[2:7]), line1[7] in "UCS ",
        RIGHT_ALIGNED.fullmatch(line1[9:14]), re.fullmatch(r"[A-Z ]{3}", line1[14:17]),
        re.fullmatch(r"[0-9]{2}", line1[18:20]), re.fullmatch(r" *[0-9]+", line1[20:23]),
        re.fullmatch(r"\.[0-9]{8}", line1[23:32]),
        re.fullmatch(r"[ +-]\.[0-9]{8}", line1[33:43]),
        re.fullmatch(r"[ +-][0-9]{5}[ +-][0-9]", line1[44:52]),
        re.fullmatch(r"[ +-][0-9]{5}[ +-][0-9]", line1[53:61]),
        line1[62] in "02 ", RIGHT_ALIGNED.fullmatch(line1[64:68]),
        line1[68] == str(compute_checksum(line1[:68])),
    ]
    f2 = [
        line2[0] == "2", blanks(line2, (2, 8, 17, 26, 34, 43, 52)),
        CATALOG.fullmatch(line2[2:7]), ANGLE.fullmatch(line2[8:16]),
        ANGLE.fullmatch(line2[17:25]), re.fullmatch(r"[0-9]{7}", line2[26:33]),
        ANGLE.fullmatch(line2[34:42]), ANGLE.fullmatch(line2[43:51]),
        re.fullmatch(r" *[0-9]+\.[0-9]{8}", line2[52:63]),
        RIGHT_ALIGNED.fullmatch(line2[63:68]),
        line2[68] == str(compute_checksum(line2[:68])),
    ]
    if not (all(f1) and all(f2)) or line1[2:7] != line2[2:7]:
        return False
    year = int(line1[18:20])
    year += 1900 if year >= 57 else 2000
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if not 1 <= float(line1[20:32]) < 366 + leap:
        return False
    if float(line2[8:16]) > 180 or any(float(line2[a:b]) > 360
                                       for a, b in ((17, 25), (34, 42), (43, 51))):
        return False
    if float(line2[52:63]) <= 0:
        return False
    return Satrec.twoline2rv(line1, line2, WGS72).error == 0


@settings(max_examples=600, deadline=None)
@given(k=st.integers(0, len(SATS) - 1), which=st.sampled_from([1, 2]),
       col=st.integers(1, 69), char=st.sampled_from(string.digits + " +-.UCSABIOZx#é\t"),
       fix=st.booleans())
def test_one_changed_character(k, which, col, char, fix):
    sat = SATS[k]
    lines = [sat.line1, sat.line2]
    changed = lines[which - 1][:col - 1] + char + lines[which - 1][col:]
    lines[which - 1] = with_checksum(changed) if fix and col != 69 else changed
    text = f"GOOD\n{SATS[-1].line1}\n{SATS[-1].line2}\n{sat.name}\n{lines[0]}\n{lines[1]}\n"
    if reference_accepts(*lines):
        got = parse_tle(text, source="t.tle")
        assert [r.line1 for r in got.records] == [SATS[-1].line1, lines[0]]
    else:
        with pytest.raises(InputError, match=r"^t\.tle:[56]: line [12] "):
            parse_tle(text, source="t.tle")
