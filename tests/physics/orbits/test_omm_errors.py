"""Bad OMM input: each fault raises InputError naming the file, record or CSV line, the keyword
(with its TLE field meaning), what was expected and what was found."""

from __future__ import annotations

import json

import pytest

from leonet.errors import InputError
from leonet.physics.orbits import parse_omm_csv, parse_omm_json, read_omm
from tests.physics.orbits.synthetic import CELESTRAK_CSV_HEADER, catalogue

GOOD, OTHER = (s.omm for s in catalogue(n_leo=2)[:2])
REQUIRED = {
    "EPOCH": "epoch", "MEAN_MOTION": "mean motion", "ECCENTRICITY": "eccentricity",
    "INCLINATION": "inclination", "RA_OF_ASC_NODE": "RAAN",
    "ARG_OF_PERICENTER": "argument of perigee", "MEAN_ANOMALY": "mean anomaly",
    "NORAD_CAT_ID": "catalog number", "BSTAR": "BSTAR",
    "MEAN_MOTION_DOT": "first derivative of mean motion",
    "MEAN_MOTION_DDOT": "second derivative of mean motion",
}


def json_error(bad: dict | object) -> str:
    """The message for a file whose second record (index 1) is ``bad``."""
    with pytest.raises(InputError) as info:
        parse_omm_json(json.dumps([GOOD, bad]), source="bad.json")
    return str(info.value)


def changed(**values) -> dict:
    return {**GOOD, **values}


@pytest.mark.parametrize("key", sorted(REQUIRED))
def test_missing_required_keyword(key):
    bad = {k: v for k, v in GOOD.items() if k != key}
    msg = json_error(bad)
    assert msg.startswith(f"bad.json:1 [1]: {key} ({REQUIRED[key]}): required field missing; "
                          "expected ")
    assert json_error(changed(**{key: None})) == msg  # null counts as missing


@pytest.mark.parametrize("key", sorted(set(REQUIRED) - {"EPOCH"}))
@pytest.mark.parametrize("value", ["fast", True, [1.0], {"value": 1}])
def test_non_numeric_value(key, value):
    msg = json_error(changed(**{key: value}))
    assert msg.startswith(f"bad.json:1 [1]: {key} ({REQUIRED[key]}): expected ")
    assert msg.endswith(f"found {value!r}")


@pytest.mark.parametrize("key,value,expected", [
    ("ECCENTRICITY", 1.0, "a number from 0 up to (not including) 1"),
    ("ECCENTRICITY", -0.001, "a number from 0 up to (not including) 1"),
    ("INCLINATION", 180.5, "0 to 180 degrees"),
    ("INCLINATION", -1.0, "0 to 180 degrees"),
    ("RA_OF_ASC_NODE", 360.5, "0 to 360 degrees"),
    ("ARG_OF_PERICENTER", -0.1, "0 to 360 degrees"),
    ("MEAN_ANOMALY", 361.0, "0 to 360 degrees"),
    ("MEAN_MOTION", 0.0, "a number of rev/day above 0"),
    ("MEAN_MOTION", -15.2, "a number of rev/day above 0"),
    ("MEAN_MOTION", "NaN", "a number of rev/day above 0"),
    ("NORAD_CAT_ID", 340000, "a whole number from 0 to 339999"),
    ("NORAD_CAT_ID", 25544.5, "a whole number from 0 to 339999"),
    ("NORAD_CAT_ID", -1, "a whole number from 0 to 339999"),
    ("EPHEMERIS_TYPE", 4, "0 (SGP4 mean elements"),
    ("ELEMENT_SET_NO", -1, "a whole number, 0 or more"),
    ("REV_AT_EPOCH", 1.5, "a whole number, 0 or more"),
    ("BSTAR", float("inf"), "a finite number"),
    ("MEAN_MOTION_DOT", "-inf", "a finite number"),
    ("CLASSIFICATION_TYPE", "X", "U, C or S"),
])
def test_value_out_of_range(key, value, expected):
    msg = json_error(changed(**{key: value}))
    assert msg.startswith(f"bad.json:1 [1]: {key} (")
    assert f"): expected {expected}" in msg and msg.endswith(f"found {value!r}")


def test_integer_too_large_for_a_float():
    msg = json_error(changed(BSTAR=10**400))
    assert msg.startswith("bad.json:1 [1]: BSTAR (BSTAR): expected a finite number")
    assert "found 1000000000" in msg


@pytest.mark.parametrize("epoch", [
    "2026-13-01T00:00:00", "2026-02-30T00:00:00", "22 Aug 2026", 20260822,
    "2026-08-22T04:08:54+02:00", "2100-01-01T00:00:00", "1950-06-01T00:00:00", "",
])
def test_bad_epoch(epoch):
    msg = json_error(changed(EPOCH=epoch))
    assert msg.startswith("bad.json:1 [1]: EPOCH (epoch): ")
    assert "expected an ISO 8601 UTC time" in msg
    if epoch != "":
        assert f"found {epoch!r}" in msg


def test_sgp4_initialisation_errors_name_the_keyword():
    msg = json_error(changed(MEAN_MOTION=17.5))  # below the Earth's surface: error 6
    assert msg.startswith("bad.json:1 [1]: MEAN_MOTION (mean motion): sgp4 initialisation failed "
                          "with error 6 (")
    assert msg.endswith("found 17.5")
    msg = json_error(changed(ECCENTRICITY=0.9999999))  # perigee inside the Earth: error 4
    assert msg.startswith("bad.json:1 [1]: ECCENTRICITY (eccentricity): sgp4 initialisation "
                          "failed with error 4 (")


def test_record_that_is_not_an_object():
    assert json_error(42) == \
        "bad.json:1 [1]: expected a JSON object of OMM keywords, found 42"


@pytest.mark.parametrize("text,message", [
    ("", r"^bad\.json: empty file"),
    ("[]", r"^bad\.json: no element records found"),
    ('"GP data"', r"^bad\.json: expected a JSON array of OMM objects, found a str"),
    ('[{"EPOCH": 1},\n {"EPOCH": }]', r"^bad\.json:2: not valid JSON: Expecting value "
                                      r"\(column 12\)"),
])
def test_not_an_omm_json_document(text, message):
    with pytest.raises(InputError, match=message):
        parse_omm_json(text, source="bad.json")


def test_first_fault_in_record_order_is_reported():
    text = json.dumps([GOOD, changed(MEAN_MOTION=-1), {"EPOCH": "x"}])
    with pytest.raises(InputError, match=r"^bad\.json:1 \[1\]: MEAN_MOTION"):
        parse_omm_json(text, source="bad.json")


def test_pretty_printed_json_names_the_line_of_the_record():
    """Each record's line is where its object opens (counted by hand from the layout that
    json.dumps(indent=2) writes: '[' then each object spanning its keys plus two lines)."""
    text = json.dumps([GOOD, GOOD, changed(MEAN_ANOMALY=400.0)], indent=2)
    opening = [n + 1 for n, line in enumerate(text.splitlines()) if line == "  {"]
    assert opening == [2, 2 + len(GOOD) + 2, 2 + 2 * (len(GOOD) + 2)]
    with pytest.raises(InputError, match=rf"^bad\.json:{opening[2]} \[2\]: MEAN_ANOMALY"):
        parse_omm_json(text, source="bad.json")
    got = parse_omm_json(text, source="x.json", skip_invalid=True)
    assert [r.where for r in got.records] == [f"x.json:{n} [{i}]"
                                              for i, n in enumerate(opening[:2])]
    assert got.skipped[0].where == f"x.json:{opening[2]} [2]"


def test_skip_invalid_json():
    text = json.dumps([GOOD, changed(INCLINATION=200), "oops", OTHER, changed(EPOCH=None)])
    got = parse_omm_json(text, source="x.json", skip_invalid=True)
    assert [r.where for r in got.records] == ["x.json:1 [0]", "x.json:1 [3]"]
    assert [(s.where, s.reason.split(":")[0]) for s in got.skipped] == [
        ("x.json:1 [1]", "INCLINATION (inclination)"),
        ("x.json:1 [2]", "expected a JSON object of OMM keywords, found 'oops'"),
        ("x.json:1 [4]", "EPOCH (epoch)"),
    ]


# CSV: faults are located by the line of the file.
HEADER = CELESTRAK_CSV_HEADER.split(",")


def csv_row(record: dict) -> str:
    return ",".join(str(record[k]) for k in HEADER)


def test_csv_missing_column():
    header = ",".join(k for k in HEADER if k != "MEAN_MOTION")
    with pytest.raises(InputError, match=r"^bad\.csv:1: header: missing column MEAN_MOTION; "
                                         r"expected OMM keywords as CelesTrak writes them"):
        parse_omm_csv(f"{header}\n", source="bad.csv")


def test_csv_duplicate_column():
    with pytest.raises(InputError, match=r"^bad\.csv:1: header: column BSTAR appears more "
                                         "than once"):
        parse_omm_csv(f"{CELESTRAK_CSV_HEADER},BSTAR\n", source="bad.csv")


def test_csv_row_of_the_wrong_width():
    text = f"{CELESTRAK_CSV_HEADER}\n{csv_row(GOOD)}\n\n{csv_row(OTHER)},extra\n"
    with pytest.raises(InputError, match=r"^bad\.csv:4: expected 17 comma-separated values "
                                         r"as in the header, found 18$"):
        parse_omm_csv(text, source="bad.csv")


def test_csv_non_numeric_and_empty_values_name_the_line():
    text = f"{CELESTRAK_CSV_HEADER}\r\n{csv_row(GOOD)}\r\n{csv_row(changed(INCLINATION='5l.6'))}"
    with pytest.raises(InputError, match=r"^bad\.csv:3: INCLINATION \(inclination\): expected "
                                         r"0 to 180 degrees, found '5l\.6'$"):
        parse_omm_csv(text, source="bad.csv")
    text = f"{CELESTRAK_CSV_HEADER}\n{csv_row(changed(BSTAR=''))}\n"
    with pytest.raises(InputError, match=r"^bad\.csv:2: BSTAR \(BSTAR\): required field "
                                         "missing"):
        parse_omm_csv(text, source="bad.csv")


@pytest.mark.parametrize("text", ["", "\n \n"])
def test_csv_empty(text):
    with pytest.raises(InputError, match=r"^bad\.csv: empty file: expected OMM CSV"):
        parse_omm_csv(text, source="bad.csv")


def test_csv_header_only_has_no_records():
    with pytest.raises(InputError, match=r"^bad\.csv: no element records found"):
        parse_omm_csv(CELESTRAK_CSV_HEADER + "\n", source="bad.csv")


def test_skip_invalid_csv(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("\n".join([CELESTRAK_CSV_HEADER, csv_row(changed(ECCENTRICITY=1.5)),
                               csv_row(GOOD), "", csv_row(OTHER)[:-3], csv_row(OTHER)]))
    got = read_omm(path, skip_invalid=True)
    assert [r.where for r in got.records] == [f"{path}:3", f"{path}:6"]
    assert [s.where for s in got.skipped] == [f"{path}:2", f"{path}:5"]
    assert got.skipped[0].reason.startswith("ECCENTRICITY (eccentricity): expected a number "
                                            "from 0 up to (not including) 1, found '1.5'")
