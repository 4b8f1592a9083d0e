"""Bad TLE input: each fault raises InputError naming the file, line, field, expected and found.

Column positions below are from the TLE format description (Space-Track, "Basic Description of
the Two Line Element Set Format"), written out independently of the reader's own table.
"""

from __future__ import annotations

import pytest

from leonet.errors import InputError
from leonet.physics.orbits import parse_tle, read_tle
from tests.physics.orbits.synthetic import ISS_LINE1, ISS_LINE2, catalogue, with_checksum

GOOD = catalogue(n_leo=1)[0]
HEAD = f"{GOOD.name}\n{GOOD.line1}\n{GOOD.line2}\n"  # lines 1-3; the record under test follows
L1_NO, L2_NO = 5, 6  # its element lines are lines 5 and 6


def put(line: str, first_col: int, text: str, *, fix_checksum: bool = True) -> str:
    """``line`` with ``text`` written from 1-based column ``first_col``."""
    out = line[:first_col - 1] + text + line[first_col - 1 + len(text):]
    return with_checksum(out) if fix_checksum else out


def error_of(line1: str = ISS_LINE1, line2: str = ISS_LINE2, *, name: str = "ISS (ZARYA)",
             text: str | None = None) -> str:
    if text is None:
        text = f"{HEAD}{name}\n{line1}\n{line2}\n"
    with pytest.raises(InputError) as info:
        parse_tle(text, source="bad.tle")
    return str(info.value)


def test_bad_checksum_line_1():
    msg = error_of(line1=put(ISS_LINE1, 69, "2", fix_checksum=False))
    assert msg == (f"bad.tle:{L1_NO}: line 1 checksum (column 69): expected 1 (mod-10 sum of "
                   "the first 68 columns, '-' counting 1), found '2' (satellite ISS (ZARYA))")


def test_bad_checksum_line_2():
    msg = error_of(line2=put(ISS_LINE2, 69, "5", fix_checksum=False))
    assert msg.startswith(f"bad.tle:{L2_NO}: line 2 checksum (column 69): expected 2 ")
    assert msg.endswith("found '5' (satellite ISS (ZARYA))")


def test_line_too_short_and_too_long():
    assert error_of(line1=ISS_LINE1[:68]).startswith(
        f"bad.tle:{L1_NO}: line 1 length: expected 69 characters, found 68")
    assert error_of(line2=ISS_LINE2 + "7").startswith(
        f"bad.tle:{L2_NO}: line 2 length: expected 69 characters, found 70")


# (line, first column, last column, field name in the message, what the message must expect)
FIELDS = [
    (1, 1, 1, "line number", "'1'"),
    (1, 3, 7, "catalog number", "alpha-5"),
    (1, 8, 8, "classification", "U, C or S"),
    (1, 10, 17, "international designator", "YYNNNPPP"),
    (1, 19, 32, "epoch", "YYDDD.DDDDDDDD"),
    (1, 34, 43, "first derivative of mean motion", "±.NNNNNNNN"),
    (1, 45, 52, "second derivative of mean motion", "±NNNNN±N"),
    (1, 54, 61, "BSTAR", "±NNNNN±N"),
    (1, 63, 63, "ephemeris type", "0 (SGP4 mean elements"),
    (1, 65, 68, "element set number", "up to 4 digits"),
    (1, 69, 69, "checksum", "a digit"),
    (2, 1, 1, "line number", "'2'"),
    (2, 3, 7, "catalog number", "alpha-5"),
    (2, 9, 16, "inclination", "NNN.NNNN degrees"),
    (2, 18, 25, "RAAN", "NNN.NNNN degrees"),
    (2, 27, 33, "eccentricity", "7 digits"),
    (2, 35, 42, "argument of perigee", "NNN.NNNN degrees"),
    (2, 44, 51, "mean anomaly", "NNN.NNNN degrees"),
    (2, 53, 63, "mean motion", "NN.NNNNNNNN rev/day"),
    (2, 64, 68, "revolution number", "up to 5 digits"),
    (2, 69, 69, "checksum", "a digit"),
]


@pytest.mark.parametrize("line,first,last,field,expected", FIELDS,
                         ids=[f"{f[0]}-{f[3]}" for f in FIELDS])
@pytest.mark.parametrize("bad_char", ["x", "#", "é"])
def test_non_numeric_or_misplaced_character_in_each_field(line, first, last, field, expected,
                                                          bad_char):
    col = last  # the last column of every field must hold a non-blank of a fixed kind
    fix = field != "checksum"
    if line == 1:
        bad = put(ISS_LINE1, col, bad_char, fix_checksum=fix)
        msg, no, original = error_of(line1=bad), L1_NO, bad
    else:
        bad = put(ISS_LINE2, col, bad_char, fix_checksum=fix)
        msg, no, original = error_of(line2=bad), L2_NO, bad
    columns = f"column {first}" if first == last else f"columns {first}-{last}"
    assert msg.startswith(f"bad.tle:{no}: line {line} {field} ({columns}): expected ")
    assert expected in msg
    assert f"found {original[first - 1:last]!r}" in msg


def test_blank_inside_a_right_aligned_number():
    msg = error_of(line2=put(ISS_LINE2, 64, "2 024"))
    assert msg.startswith(f"bad.tle:{L2_NO}: line 2 revolution number (columns 64-68): ")
    assert "found '2 024'" in msg


def test_separator_column_not_blank():
    msg = error_of(line1=put(ISS_LINE1, 9, "9"))
    assert msg.startswith(f"bad.tle:{L1_NO}: line 1 column 9: expected a blank separating the "
                          "fields, found '9'")


def test_alpha5_letters_i_and_o_are_not_catalog_numbers():
    for letter in "IO":
        msg = error_of(line1=put(ISS_LINE1, 3, letter + "5544"),
                       line2=put(ISS_LINE2, 3, letter + "5544"))
        assert msg.startswith(f"bad.tle:{L1_NO}: line 1 catalog number (columns 3-7)")
        assert f"found '{letter}5544'" in msg


def test_mismatched_catalog_numbers():
    msg = error_of(line2=put(ISS_LINE2, 3, "25545"))
    assert msg == (f"bad.tle:{L2_NO}: line 2 catalog number (columns 3-7): expected '25544' as "
                   "on line 1, found '25545' (satellite ISS (ZARYA))")


@pytest.mark.parametrize("line,col,text,field,expected", [
    (2, 9, "181.0000", "inclination (columns 9-16)", "0 to 180 degrees"),
    (2, 18, "360.0001", "RAAN (columns 18-25)", "0 to 360 degrees"),
    (2, 35, "400.0000", "argument of perigee (columns 35-42)", "0 to 360 degrees"),
    (2, 44, "999.9999", "mean anomaly (columns 44-51)", "0 to 360 degrees"),
    (2, 53, " 0.00000000", "mean motion (columns 53-63)", "more than 0 rev/day"),
    (1, 19, "19000.50000000", "epoch (columns 19-32)", "a day of year from 1 to 365"),
    (1, 19, "19366.50000000", "epoch (columns 19-32)", "(366 in leap years)"),
    (1, 19, "24367.00000000", "epoch (columns 19-32)", "(366 in leap years)"),
])
def test_values_out_of_range(line, col, text, field, expected):
    if line == 1:
        msg, no = error_of(line1=put(ISS_LINE1, col, text)), L1_NO
    else:
        msg, no = error_of(line2=put(ISS_LINE2, col, text)), L2_NO
    assert msg.startswith(f"bad.tle:{no}: line {line} {field}: expected ")
    assert expected in msg and f"found {text!r}" in msg


def test_leap_day_366_is_accepted_in_a_leap_year():
    rec = parse_tle(f"{put(ISS_LINE1, 19, '24366.50000000')}\n{ISS_LINE2}").records[0]
    assert (rec.satrec.epochyr, rec.satrec.epochdays) == (24, 366.5)


def test_sgp4_initialisation_errors_name_the_field():
    # 17.5 rev/day is an orbit below the Earth's surface: sgp4 error 6.
    msg = error_of(line2=put(ISS_LINE2, 53, "17.50000000"))
    assert msg.startswith(f"bad.tle:{L2_NO}: line 2 mean motion (columns 53-63): sgp4 "
                          "initialisation failed with error 6 (")
    assert "found '17.50000000'" in msg
    # e = 0.9999999 at ISS mean motion: perigee inside the Earth, sgp4 error 4.
    msg = error_of(line2=put(ISS_LINE2, 27, "9999999"))
    assert msg.startswith(f"bad.tle:{L2_NO}: line 2 eccentricity (columns 27-33): sgp4 "
                          "initialisation failed with error 4 (")


def test_sgp4_xp_ephemeris_type_is_refused():
    msg = error_of(line1=put(ISS_LINE1, 63, "4"))
    assert msg.startswith(f"bad.tle:{L1_NO}: line 1 ephemeris type (column 63): expected 0 ")
    assert "found '4'" in msg


def test_truncated_file_line_2_missing():
    msg = error_of(text=f"{HEAD}ISS (ZARYA)\n{ISS_LINE1}\n")
    assert msg == (f"bad.tle:{L1_NO}: line 2 missing: expected element line 2 (starting '2 ') "
                   "after line 1, found end of file (truncated file?) (satellite ISS (ZARYA))")


def test_line_2_missing_before_the_next_record():
    msg = error_of(text=f"{HEAD}ISS (ZARYA)\n{ISS_LINE1}\n{HEAD}")
    assert msg.startswith(f"bad.tle:{L1_NO}: line 2 missing: expected element line 2")
    assert f"found {GOOD.name!r}" in msg


def test_line_2_without_line_1():
    msg = error_of(text=f"{HEAD}ISS (ZARYA)\n{ISS_LINE2}\n")
    assert msg.startswith(f"bad.tle:{L1_NO}: line 2 without a line 1 before it: expected "
                          "element line 1 (starting '1 '), found '2 25544")


@pytest.mark.parametrize("text", ["", "\n\n", "  \r\n\t\r\n"])
def test_empty_file(text):
    with pytest.raises(InputError, match=r"^bad\.tle: empty file: expected TLE records"):
        parse_tle(text, source="bad.tle")


def test_name_line_without_elements():
    assert error_of(text=f"{HEAD}LONELY SAT\n") == (
        "bad.tle:4: name line 'LONELY SAT' has no elements after it: expected element line 1 "
        "(starting '1 '), found end of file")
    assert error_of(text=f"{HEAD}LONELY SAT\n\nNEXT SAT\n{ISS_LINE1}\n{ISS_LINE2}\n") == (
        "bad.tle:4: name line 'LONELY SAT' has no elements after it: expected element line 1 "
        "(starting '1 '), found another name line 'NEXT SAT'")


def test_first_fault_in_file_order_is_reported():
    # A range fault (found late by the batch checks) comes before a format fault.
    bad_range = put(ISS_LINE2, 9, "181.0000")
    bad_format = put(ISS_LINE1, 20, "x")
    text = f"{HEAD}A\n{ISS_LINE1}\n{bad_range}\nB\n{bad_format}\n{ISS_LINE2}\nC\n{ISS_LINE1}\n"
    assert error_of(text=text).startswith(f"bad.tle:{L2_NO}: line 2 inclination")


def test_skip_invalid_loads_the_rest_and_reports_each_bad_record():
    good2 = catalogue(n_leo=2)[1]
    text = "\r\n".join([
        GOOD.name, GOOD.line1, GOOD.line2,                       # 1-3 good
        "BAD SUM", put(ISS_LINE1, 69, "0", fix_checksum=False), ISS_LINE2,   # 4-6
        "NO LINE 2", ISS_LINE1,                                  # 7-8
        "LONELY",                                                # 9
        good2.name, good2.line1, good2.line2,                    # 10-12 good
        "MISMATCH", ISS_LINE1, put(ISS_LINE2, 3, "25545"),       # 13-15
        "", ISS_LINE1, ISS_LINE2,                                # 16-18 good, no name
        "TRUNCATED", ISS_LINE1,                                  # 19-20
    ])
    got = parse_tle(text, source="mixed.tle", skip_invalid=True)
    assert [(r.name, r.where) for r in got.records] == [
        (GOOD.name, "mixed.tle:2"), (good2.name, "mixed.tle:11"), ("", "mixed.tle:17")]
    assert [s.where for s in got.skipped] == [
        "mixed.tle:5", "mixed.tle:8", "mixed.tle:9", "mixed.tle:15", "mixed.tle:20"]
    reasons = [s.reason for s in got.skipped]
    assert reasons[0].startswith("line 1 checksum (column 69): expected 1")
    assert reasons[1].startswith("line 2 missing") and "found 'LONELY'" in reasons[1]
    assert reasons[2].startswith("name line 'LONELY' has no elements after it")
    assert reasons[3].startswith("line 2 catalog number (columns 3-7): expected '25544'")
    assert reasons[4].startswith("line 2 missing") and "end of file" in reasons[4]
    with pytest.raises(InputError, match=r"^mixed\.tle:5: line 1 checksum"):
        parse_tle(text, source="mixed.tle")


def test_skip_invalid_with_nothing_valid_is_an_error():
    text = f"X\n{put(ISS_LINE1, 69, '0', fix_checksum=False)}\n{ISS_LINE2}\nY\n"
    with pytest.raises(InputError, match=r"^bad\.tle: no valid element records: all 2 were "
                                         r"invalid; the first, at bad\.tle:2: line 1 checksum"):
        parse_tle(text, source="bad.tle", skip_invalid=True)


def test_unreadable_files(tmp_path):
    missing = tmp_path / "missing.tle"
    with pytest.raises(InputError, match=r"missing\.tle: cannot read the file"):
        read_tle(missing)
    latin1 = tmp_path / "latin1.tle"
    latin1.write_bytes(f"{GOOD.name}\n{GOOD.line1}\n{GOOD.line2}\n".encode() + b"D\xe9BRIS\n")
    with pytest.raises(InputError, match=r"latin1\.tle:4: not UTF-8 text: byte 0xe9"):
        read_tle(latin1)
