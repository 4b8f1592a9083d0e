"""Read CelesTrak OMM element sets (CCSDS Orbit Mean-Elements Message keywords), JSON or CSV.

CelesTrak's GP service gives the same SGP4 mean elements as TLEs in OMM form (CelesTrak,
"A New Way to Obtain GP Data", 2020): a JSON array of objects, or CSV with one column per
keyword. Each record is checked field by field (required keywords present, numbers numeric
and in range, the epoch an ISO 8601 UTC time) and initialised with sgp4's ``sgp4init`` and
WGS72 constants, exactly as sgp4's own ``sgp4.omm.initialize`` does.

>>> text = '''[{"OBJECT_NAME": "ISS (ZARYA)", "NORAD_CAT_ID": 25544,
...   "EPOCH": "2019-12-09T16:38:29.363424", "MEAN_MOTION": 15.50103472,
...   "ECCENTRICITY": 0.0007417, "INCLINATION": 51.6439, "RA_OF_ASC_NODE": 211.2001,
...   "ARG_OF_PERICENTER": 17.6667, "MEAN_ANOMALY": 85.6398, "BSTAR": 3.8792e-05,
...   "MEAN_MOTION_DOT": 1.764e-05, "MEAN_MOTION_DDOT": 0}]'''
>>> rec = parse_omm_json(text, source="iss.json").records[0]
>>> rec.name, rec.norad_id, rec.where
('ISS (ZARYA)', 25544, 'iss.json:1 [0]')
>>> parse_omm_json(text.replace("15.50103472", '"fast"'), source="iss.json")
Traceback (most recent call last):
...
leonet.errors.InputError: iss.json:1 [0]: MEAN_MOTION (mean motion): expected a number of
rev/day above 0, found 'fast'
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
from sgp4.api import WGS72, Satrec

from leonet.errors import InputError
from leonet.physics.orbits.tle import (
    ElementRecord,
    ElementSet,
    finish,
    parse_tle,
    read_text,
    sgp4_error_text,
)
from leonet.physics.timegrid import NS_PER_DAY

# Column order of CelesTrak's FORMAT=CSV GP data.
CELESTRAK_CSV_COLUMNS = (
    "OBJECT_NAME", "OBJECT_ID", "EPOCH", "MEAN_MOTION", "ECCENTRICITY", "INCLINATION",
    "RA_OF_ASC_NODE", "ARG_OF_PERICENTER", "MEAN_ANOMALY", "EPHEMERIS_TYPE",
    "CLASSIFICATION_TYPE", "NORAD_CAT_ID", "ELEMENT_SET_NO", "REV_AT_EPOCH", "BSTAR",
    "MEAN_MOTION_DOT", "MEAN_MOTION_DDOT",
)


@dataclass(frozen=True, slots=True)
class _Number:
    key: str
    meaning: str  # the TLE field the keyword carries
    expected: str
    required: bool = True
    lo: float = -math.inf
    hi: float = math.inf
    hi_open: bool = False  # hi itself excluded
    lo_open: bool = False
    integer: bool = False
    allowed: tuple[float, ...] = ()


_ANGLE = "0 to 360 degrees"
_NUMBERS = (
    _Number("MEAN_MOTION", "mean motion", "a number of rev/day above 0", lo=0.0, lo_open=True),
    _Number("ECCENTRICITY", "eccentricity", "a number from 0 up to (not including) 1",
            lo=0.0, hi=1.0, hi_open=True),
    _Number("INCLINATION", "inclination", "0 to 180 degrees", lo=0.0, hi=180.0),
    _Number("RA_OF_ASC_NODE", "RAAN", _ANGLE, lo=0.0, hi=360.0),
    _Number("ARG_OF_PERICENTER", "argument of perigee", _ANGLE, lo=0.0, hi=360.0),
    _Number("MEAN_ANOMALY", "mean anomaly", _ANGLE, lo=0.0, hi=360.0),
    # 4 marks SGP4-XP elements, which standard SGP4 cannot propagate correctly.
    _Number("EPHEMERIS_TYPE", "ephemeris type",
            "0 (SGP4 mean elements; 2 in older sets; 4 = SGP4-XP is not SGP4)",
            required=False, integer=True, allowed=(0.0, 2.0)),
    _Number("NORAD_CAT_ID", "catalog number",
            "a whole number from 0 to 339999 (alpha-5 'Z9999', the largest sgp4 accepts)",
            lo=0.0, hi=339_999.0, integer=True),
    _Number("ELEMENT_SET_NO", "element set number", "a whole number, 0 or more",
            required=False, lo=0.0, integer=True),
    _Number("REV_AT_EPOCH", "revolution number", "a whole number, 0 or more",
            required=False, lo=0.0, integer=True),
    _Number("BSTAR", "BSTAR", "a finite number (per Earth radius)"),
    _Number("MEAN_MOTION_DOT", "first derivative of mean motion",
            "a finite number of rev/day² (half the first derivative, as in TLEs)"),
    _Number("MEAN_MOTION_DDOT", "second derivative of mean motion",
            "a finite number of rev/day³ (a sixth of the second derivative, as in TLEs)"),
)
_EPOCH_EXPECTED = ("an ISO 8601 UTC time such as 2026-08-22T04:08:54.125088, "
                   "between 1957 and 2056 (the years a TLE's two-digit year can express)")
_EPOCH_RE = re.compile(r"\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?)?Z?")
_EPOCH_FIRST = np.datetime64("1957-01-01T00:00", "ns")
_EPOCH_END = np.datetime64("2057-01-01T00:00", "ns")
# sgp4init counts the epoch in days from 1949 December 31 00:00 UT (Vallado et al. 2006,
# "Revisiting Spacetrack Report #3", AIAA 2006-6753, SGP4 code).
_SGP4_EPOCH0 = np.datetime64("1949-12-31T00:00", "ns")
# rev/day^k -> rad/min^k: times 2π / 1440^k.
_REV_PER_DAY_TO_RAD_PER_MIN = 2.0 * math.pi / 1440.0
_DEG = math.pi / 180.0
_SGP4_ERROR_KEY = {1: "ECCENTRICITY", 2: "MEAN_MOTION", 3: "ECCENTRICITY", 4: "ECCENTRICITY",
                   5: "MEAN_MOTION", 6: "MEAN_MOTION"}
_MEANING = {n.key: n.meaning for n in _NUMBERS}
_REQUIRED = ("EPOCH", *(n.key for n in _NUMBERS if n.required))

_MISSING: Any = object()


@dataclass(frozen=True, slots=True)
class _RowFault:
    """A row that is not a record at all (a JSON non-object, a CSV row of the wrong width)."""

    message: str


def read_omm(path: str | os.PathLike[str], *, skip_invalid: bool = False) -> ElementSet:
    """Read CelesTrak OMM as JSON or CSV, told apart by content (not by file extension)."""
    text, source = read_text(path)
    if _looks_like_json(text):
        return parse_omm_json(text, source=source, skip_invalid=skip_invalid)
    return parse_omm_csv(text, source=source, skip_invalid=skip_invalid)


def read_elements(path: str | os.PathLike[str], *, skip_invalid: bool = False) -> ElementSet:
    """Read any element file leonet knows: OMM JSON, OMM CSV or TLE (two- or three-line)."""
    text, source = read_text(path)
    return parse_elements(text, source=source, skip_invalid=skip_invalid)


def parse_elements(text: str, *, source: str = "<string>",
                   skip_invalid: bool = False) -> ElementSet:
    """Parse element text of any supported kind, told apart by content; see `read_elements`."""
    text = text.removeprefix("\ufeff")
    if _looks_like_json(text):
        return parse_omm_json(text, source=source, skip_invalid=skip_invalid)
    first = next((line for line in text.splitlines() if line.strip()), "")
    if first.lstrip().startswith("<"):
        raise InputError("OMM XML is not supported: expected TLE, OMM JSON or OMM CSV text",
                         source)
    if "," in first and any(k in first.upper() for k in ("NORAD_CAT_ID", "MEAN_MOTION")):
        return parse_omm_csv(text, source=source, skip_invalid=skip_invalid)
    return parse_tle(text, source=source, skip_invalid=skip_invalid)


def _looks_like_json(text: str) -> bool:
    return text.lstrip()[:1] in ("[", "{")


def parse_omm_json(text: str, *, source: str = "<string>",
                   skip_invalid: bool = False) -> ElementSet:
    """Parse a JSON array of OMM objects (or one object), as CelesTrak's FORMAT=JSON gives."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise InputError("empty file: expected a JSON array of OMM objects", source)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg} (column {exc.colno}); expected a JSON "
                         "array of OMM objects", f"{source}:{exc.lineno}") from None
    if isinstance(doc, dict):
        doc = [doc]
    if not isinstance(doc, list):
        raise InputError(f"expected a JSON array of OMM objects, found a {type(doc).__name__}",
                         source)
    rows = [r if isinstance(r, dict) else
            _RowFault(f"expected a JSON object of OMM keywords, found {_shown(r)}") for r in doc]
    lines = _element_lines(text) if text.lstrip().startswith("[") else [1] * len(doc)
    return _build(rows, [f"{source}:{line} [{i}]" for i, line in enumerate(lines)], source,
                  skip_invalid)


_JSON_SPACE = re.compile(r"[ \t\n\r]*")


def _element_lines(text: str) -> list[int]:
    """The line on which each element of a (valid) top-level JSON array starts, so that an
    error names a line of a pretty-printed file as well as the record's index."""
    decoder = json.JSONDecoder()
    i = text.index("[") + 1
    line, counted = 1 + text.count("\n", 0, i), i
    lines = []
    while True:
        i = _JSON_SPACE.match(text, i).end()
        if text[i] == "]":
            return lines
        line, counted = line + text.count("\n", counted, i), i
        lines.append(line)
        _, i = decoder.raw_decode(text, i)
        i = _JSON_SPACE.match(text, i).end()
        if text[i] == ",":
            i += 1


def parse_omm_csv(text: str, *, source: str = "<string>",
                  skip_invalid: bool = False) -> ElementSet:
    """Parse OMM CSV with a header row of keywords, as CelesTrak's FORMAT=CSV gives."""
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    rows: list[Any] = []
    wheres: list[str] = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = [cell.strip().upper() for cell in row]
                _check_header(header, f"{source}:{reader.line_num}")
                continue
            wheres.append(f"{source}:{reader.line_num}")
            if len(row) != len(header):
                rows.append(_RowFault(f"expected {len(header)} comma-separated values as in "
                                      f"the header, found {len(row)}"))
            else:
                rows.append(dict(zip(header, row, strict=True)))
    except csv.Error as exc:
        raise InputError(f"not valid CSV: {exc}", f"{source}:{reader.line_num}") from None
    if header is None:
        raise InputError("empty file: expected OMM CSV with a header row of keywords "
                         f"({','.join(CELESTRAK_CSV_COLUMNS)})", source)
    return _build(rows, wheres, source, skip_invalid)


def _check_header(header: list[str], where: str) -> None:
    missing = [k for k in _REQUIRED if k not in header]
    if missing:
        raise InputError(
            f"header: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; "
            f"expected OMM keywords as CelesTrak writes them ({','.join(CELESTRAK_CSV_COLUMNS)})"
            f", found {','.join(header)[:200]!r}", where)
    duplicated = sorted({k for k in header if header.count(k) > 1})
    if duplicated:
        raise InputError(f"header: column {', '.join(duplicated)} appears more than once; "
                         "expected each OMM keyword once", where)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _numbers(spec: _Number, col: list[Any], fault: dict[int, str]) -> np.ndarray:
    """A keyword's values as float64 (NaN where absent or bad); faults go into ``fault``."""
    n = len(col)
    values: np.ndarray | None = None
    if set(map(type, col)) <= {int, float, str}:
        try:
            values = np.array(col, dtype=np.float64)
        except (ValueError, OverflowError):
            values = None
    present = np.ones(n, dtype=bool)
    if values is None:  # something is missing or not a number: find what, value by value
        values = np.full(n, np.nan)
        for i, v in enumerate(col):
            if v is _MISSING or v is None or (isinstance(v, str) and not v.strip()):
                present[i] = False
                if spec.required:
                    fault.setdefault(i, f"{spec.key} ({spec.meaning}): required field "
                                        f"missing; expected {spec.expected}")
                continue
            try:
                if isinstance(v, bool) or not isinstance(v, int | float | str):
                    raise TypeError
                values[i] = float(v)
            except (TypeError, ValueError, OverflowError):
                fault.setdefault(i, f"{spec.key} ({spec.meaning}): expected {spec.expected}, "
                                    f"found {_shown(v)}")
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(values)
        ok &= (values > spec.lo) if spec.lo_open else (values >= spec.lo)
        ok &= (values < spec.hi) if spec.hi_open else (values <= spec.hi)
        if spec.integer:
            ok &= values == np.floor(values)
        if spec.allowed:
            ok &= np.isin(values, spec.allowed)
    for i in np.flatnonzero(~ok & present).tolist():
        fault.setdefault(i, f"{spec.key} ({spec.meaning}): expected {spec.expected}, "
                            f"found {_shown(col[i])}")
    return values


def _epochs(col: list[Any], fault: dict[int, str]) -> np.ndarray:
    """Epochs as datetime64[ns] (NaT where bad); faults go into ``fault``."""
    texts = []
    for i, v in enumerate(col):
        if isinstance(v, str) and _EPOCH_RE.fullmatch(v.strip()):
            texts.append(v.strip().removesuffix("Z").replace(" ", "T"))
            continue
        texts.append("NaT")
        if v is _MISSING or v is None or v == "":
            fault.setdefault(i, f"EPOCH (epoch): required field missing; expected "
                                f"{_EPOCH_EXPECTED}")
        else:
            fault.setdefault(i, f"EPOCH (epoch): expected {_EPOCH_EXPECTED}, found {_shown(v)}")
    try:
        epochs = np.array(texts, dtype="datetime64[ns]")
    except ValueError:  # a well-formed but impossible date: find which
        epochs = np.full(len(texts), np.datetime64("NaT"), dtype="datetime64[ns]")
        for i, t in enumerate(texts):
            try:
                epochs[i] = np.datetime64(t, "ns")
            except ValueError as exc:
                fault.setdefault(i, f"EPOCH (epoch): expected {_EPOCH_EXPECTED}, found "
                                    f"{_shown(col[i])} ({exc})")
    bad = ~np.isnat(epochs) & ((epochs < _EPOCH_FIRST) | (epochs >= _EPOCH_END))
    for i in np.flatnonzero(bad).tolist():
        fault.setdefault(i, f"EPOCH (epoch): expected {_EPOCH_EXPECTED}, found {_shown(col[i])}")
    return epochs


def _build(rows: list[dict | _RowFault], wheres: list[str], source: str,
           skip_invalid: bool) -> ElementSet:
    """Check every record column by column, then initialise the good ones with sgp4init."""
    fault: dict[int, str] = {}
    dicts: list[dict] = []
    for i, row in enumerate(rows):
        if isinstance(row, _RowFault):
            fault[i] = row.message
            dicts.append({})
        else:
            dicts.append(row)
    names = [d.get("OBJECT_NAME") for d in dicts]
    epochs = _epochs([d.get("EPOCH", _MISSING) for d in dicts], fault)
    v = {spec.key: _numbers(spec, [d.get(spec.key, _MISSING) for d in dicts], fault)
         for spec in _NUMBERS}
    for i, d in enumerate(dicts):  # CLASSIFICATION_TYPE is the only checked text field
        c = d.get("CLASSIFICATION_TYPE")
        if c not in (None, "", "U", "C", "S"):
            fault.setdefault(i, f"CLASSIFICATION_TYPE (classification): expected U, C or S, "
                                f"found {_shown(c)}")
    # Whole days and the rest apart: ns counts near 2026 exceed float64's exact integers.
    ns = (epochs - _SGP4_EPOCH0).astype(np.int64)
    epoch_days = ns // NS_PER_DAY + (ns % NS_PER_DAY) / NS_PER_DAY
    # sgp4init's argument order after the catalog number and epoch.
    sgp4init_args = zip(*(a.tolist() for a in (
        epoch_days, v["BSTAR"],
        v["MEAN_MOTION_DOT"] * _REV_PER_DAY_TO_RAD_PER_MIN / 1440.0,
        v["MEAN_MOTION_DDOT"] * _REV_PER_DAY_TO_RAD_PER_MIN / 1440.0**2,
        v["ECCENTRICITY"], v["ARG_OF_PERICENTER"] * _DEG, v["INCLINATION"] * _DEG,
        v["MEAN_ANOMALY"] * _DEG, v["MEAN_MOTION"] * _REV_PER_DAY_TO_RAD_PER_MIN,
        v["RA_OF_ASC_NODE"] * _DEG)), strict=True)
    satnums = np.clip(np.nan_to_num(v["NORAD_CAT_ID"]), 0, 339_999).astype(np.int64).tolist()
    records: list[ElementRecord] = []
    errors: list[tuple[int, str, str]] = [(i, wheres[i], r) for i, r in fault.items()]
    for i, (satnum, args) in enumerate(zip(satnums, sgp4init_args, strict=True)):
        if i in fault:
            continue
        sat = Satrec()
        sat.sgp4init(WGS72, "i", satnum, *args)
        if sat.error:
            key = _SGP4_ERROR_KEY.get(sat.error, "MEAN_MOTION")
            errors.append((i, wheres[i], f"{key} ({_MEANING[key]}): {sgp4_error_text(sat.error)}"
                                         f"; expected elements of an orbit SGP4 can propagate, "
                                         f"found {_shown(dicts[i][key])}"))
            continue
        _describe(sat, dicts[i], v, i)
        name = names[i]
        records.append(ElementRecord("" if name is None else str(name).strip(), satnum, sat,
                                     wheres[i]))
    return finish(records, errors, source, skip_invalid)


def _describe(sat: Satrec, d: dict, v: dict[str, np.ndarray], i: int) -> None:
    """Copy the descriptive keywords onto the Satrec, as ``sgp4.omm.initialize`` does."""
    sat.classification = (d.get("CLASSIFICATION_TYPE") or "U").strip()
    object_id = d.get("OBJECT_ID")
    if isinstance(object_id, str) and re.fullmatch(r"\d{4}-\d{3}[A-Z]{0,3}", object_id.strip()):
        sat.intldesg = object_id.strip()[2:].replace("-", "")
    for key, attr in (("EPHEMERIS_TYPE", "ephtype"), ("ELEMENT_SET_NO", "elnum"),
                      ("REV_AT_EPOCH", "revnum")):
        if not math.isnan(v[key][i]):
            setattr(sat, attr, int(v[key][i]))
