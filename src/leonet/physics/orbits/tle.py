"""Read CelesTrak-style TLE files: two-line and three-line element sets, mixed in one file.

Every element line is checked against the fixed-column TLE format (Space-Track "Basic
Description of the Two Line Element Set Format"; CelesTrak, T.S. Kelso, "Frequently Asked
Questions: Two-Line Element Set Format"): each column must hold the kind of character its
field allows, numbers are right-aligned, the mod-10 checksum matches, both lines carry the
same catalog number, the angles and the epoch are in range, and sgp4 accepts the elements.
sgp4's own reader checks none of this (a letter in the inclination silently reads as 0°), so
we do it here. The checks run on all lines at once as a numpy byte matrix; only the lines that
fail are looked at one by one, to say which field is wrong.

>>> iss = '''ISS (ZARYA)
... 1 25544U 98067A   19343.69339541  .00001764  00000-0  38792-4 0  9991
... 2 25544  51.6439 211.2001 0007417  17.6667  85.6398 15.50103472202482
... '''
>>> rec = parse_tle(iss, source="iss.tle").records[0]
>>> rec.name, rec.norad_id, rec.where, round(rec.satrec.inclo, 6)
('ISS (ZARYA)', 25544, 'iss.tle:2', 0.901357)
>>> parse_tle(iss.replace("0  9991", "0  9992"), source="iss.tle")
Traceback (most recent call last):
...
leonet.errors.InputError: iss.tle:2: line 1 checksum (column 69): expected 1 (mod-10 sum of the
first 68 columns, '-' counting 1), found '2' (satellite ISS (ZARYA))
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sgp4.api import SGP4_ERRORS, WGS72, Satrec

from leonet.errors import InputError

TLE_LINE_LENGTH = 69

# Alpha-5 catalog numbers (Space-Track, "Alpha-5" note, 2019): a leading letter stands for
# 10..33, skipping I and O, so "A0001" is 100001 and "Z9999" is 339999.
_ALPHA5_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_DIGITS = "0123456789"

# What each column may hold, by class code in the field patterns below.
_CLASSES = {
    "d": _DIGITS,
    "n": _DIGITS + " ",  # digit, or a blank before the first digit (right-aligned numbers)
    "a": _DIGITS + _ALPHA5_LETTERS + " ",
    "s": " +-",
    "e": "+- ",
    "c": "UCS ",
    "p": "ABCDEFGHIJKLMNOPQRSTUVWXYZ ",
    # Ephemeris type: 0 in distributed element sets, 2 (SGP4) or blank in older ones. Type 4
    # marks SGP4-XP elements, which standard SGP4 cannot propagate correctly.
    "t": "02 ",
    ".": ".",
    " ": " ",
    "1": "1",
    "2": "2",
}


@dataclass(frozen=True, slots=True)
class _Field:
    line: int
    name: str
    first_col: int  # 1-based, as every TLE format description numbers them
    pattern: str  # one class code per column
    expected: str

    @property
    def cols(self) -> slice:
        return slice(self.first_col - 1, self.first_col - 1 + len(self.pattern))

    @property
    def columns(self) -> str:
        last = self.first_col + len(self.pattern) - 1
        return f"column {last}" if last == self.first_col else f"columns {self.first_col}-{last}"


_ANGLE = "NNN.NNNN degrees (leading blanks allowed)"
_CATALOG = "a catalog number: 5 digits, or alpha-5 (a letter other than I or O, then 4 digits)"
_EXP = "±NNNNN±N (5 digits after an implied decimal point, then a power of ten)"
_FIELDS = (
    _Field(1, "line number", 1, "1", "'1'"),
    _Field(1, "catalog number", 3, "annnd", _CATALOG),
    _Field(1, "classification", 8, "c", "U, C or S"),
    _Field(1, "international designator", 10, "nnnnnppp",
           "YYNNNPPP (launch year, launch number, piece) or blanks"),
    _Field(1, "epoch", 19, "ddnnd.dddddddd",
           "YYDDD.DDDDDDDD (2-digit year, day of year with 8 decimals)"),
    _Field(1, "first derivative of mean motion", 34, "s.dddddddd", "±.NNNNNNNN rev/day²"),
    _Field(1, "second derivative of mean motion", 45, "sddddded", _EXP),
    _Field(1, "BSTAR", 54, "sddddded", _EXP),
    _Field(1, "ephemeris type", 63, "t",
           "0 (SGP4 mean elements; 2 or blank in older sets; 4 = SGP4-XP is not SGP4)"),
    _Field(1, "element set number", 65, "nnnn", "up to 4 digits, right-aligned"),
    _Field(1, "checksum", 69, "d", "a digit"),
    _Field(2, "line number", 1, "2", "'2'"),
    _Field(2, "catalog number", 3, "annnd", _CATALOG),
    _Field(2, "inclination", 9, "nnd.dddd", _ANGLE),
    _Field(2, "RAAN", 18, "nnd.dddd", _ANGLE),
    _Field(2, "eccentricity", 27, "ddddddd", "7 digits after an implied decimal point"),
    _Field(2, "argument of perigee", 35, "nnd.dddd", _ANGLE),
    _Field(2, "mean anomaly", 44, "nnd.dddd", _ANGLE),
    _Field(2, "mean motion", 53, "nd.dddddddd", "NN.NNNNNNNN rev/day"),
    _Field(2, "revolution number", 64, "nnnnn", "up to 5 digits, right-aligned"),
    _Field(2, "checksum", 69, "d", "a digit"),
)
_FIELD = {(f.line, f.name): f for f in _FIELDS}


@dataclass(frozen=True, slots=True)
class _Layout:
    """One element line's column rules as lookup tables, built once from `_FIELDS`."""

    allowed: np.ndarray  # (69, 256) bool: may column c hold byte b
    rjust: np.ndarray  # columns j where a non-blank at j followed by a blank at j+1 is wrong
    field_of_col: tuple[_Field | None, ...]


def _layout(line: int) -> _Layout:
    allowed = np.zeros((TLE_LINE_LENGTH, 256), dtype=bool)
    allowed[:, ord(" ")] = True  # separators; overwritten below for field columns
    rjust: list[int] = []
    field_of_col: list[_Field | None] = [None] * TLE_LINE_LENGTH
    for f in _FIELDS:
        if f.line != line:
            continue
        for k, code in enumerate(f.pattern):
            col = f.first_col - 1 + k
            allowed[col, :] = False
            allowed[col, [ord(ch) for ch in _CLASSES[code]]] = True
            field_of_col[col] = f
            if k + 1 < len(f.pattern) and code in "an" and f.pattern[k + 1] == "n":
                rjust.append(col)
    return _Layout(allowed, np.array(rjust), tuple(field_of_col))


_LAYOUTS = {1: _layout(1), 2: _layout(2)}
_COL_INDEX = np.arange(TLE_LINE_LENGTH)

# Checksum weights (TLE format): digits count their value, '-' counts 1, all else 0.
_CHECK_WEIGHT = np.zeros(256, dtype=np.int64)
_CHECK_WEIGHT[[ord(c) for c in _DIGITS]] = np.arange(10)
_CHECK_WEIGHT[ord("-")] = 1

_ALPHA5_VALUE = np.zeros(256, dtype=np.int64)
_ALPHA5_VALUE[[ord(c) for c in _DIGITS]] = np.arange(10)
_ALPHA5_VALUE[[ord(c) for c in _ALPHA5_LETTERS]] = np.arange(10, 34)


@dataclass(frozen=True, slots=True)
class ElementRecord:
    """One satellite's elements as read, with where they came from."""

    name: str  # "" for two-line records
    norad_id: int  # alpha-5 catalog numbers decoded ("A0001" -> 100001)
    satrec: Satrec  # initialised with WGS72, the constants SGP4 element sets are fitted with
    # "file.tle:12" (line of element line 1), "file.json:40 [17]" (line, record), "file.csv:18"
    where: str
    line1: str | None = None
    line2: str | None = None


@dataclass(frozen=True, slots=True)
class SkippedRecord:
    """A record left out by ``skip_invalid=True``, and why."""

    where: str
    reason: str


@dataclass(frozen=True)
class ElementSet:
    """The records a file held, in file order (duplicates kept), and those skipped."""

    records: tuple[ElementRecord, ...]
    skipped: tuple[SkippedRecord, ...]
    source: str  # the path, or "<string>"

    def __len__(self) -> int:
        return len(self.records)


def read_text(path: str | os.PathLike[str]) -> tuple[str, str]:
    """The text of an element file and its name for messages; unreadable files are bad input."""
    source = os.fspath(path)
    try:
        data = Path(source).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", source) from None
    try:
        return data.decode("utf-8-sig"), source
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            f"not UTF-8 text: byte {data[exc.start]:#04x} at offset {exc.start}; "
            "expected a TLE or OMM text file", f"{source}:{line}") from None


def finish(records: list[ElementRecord], errors: list[tuple[int, str, str]], source: str,
           skip_invalid: bool) -> ElementSet:
    """Raise the first error in file order, or skip and report them all.

    ``errors`` holds ``(order, where, reason)``; ``order`` sorts them as they appear in the file.
    """
    errors.sort(key=lambda e: e[0])
    if errors and not skip_invalid:
        _, where, reason = errors[0]
        raise InputError(reason, where)
    if not records:
        if errors:
            _, where, reason = errors[0]
            raise InputError(f"no valid element records: all {len(errors)} were invalid; "
                             f"the first, at {where}: {reason}", source)
        raise InputError("no element records found", source)
    return ElementSet(tuple(records), tuple(SkippedRecord(w, r) for _, w, r in errors), source)


def read_tle(path: str | os.PathLike[str], *, skip_invalid: bool = False) -> ElementSet:
    """Read a TLE file (two-line, three-line, or both mixed); see `parse_tle`."""
    text, source = read_text(path)
    return parse_tle(text, source=source, skip_invalid=skip_invalid)


def parse_tle(text: str, *, source: str = "<string>", skip_invalid: bool = False) -> ElementSet:
    """Parse TLE text: records of two element lines, each optionally after a name line.

    Name lines may carry the 3LE "0 " prefix (dropped). CRLF endings, trailing whitespace and
    blank lines between records are accepted. A line starting "1 " or "2 " is an element line,
    so a name that starts that way needs the "0 " prefix. Bad input raises `InputError` naming
    the line and field; with ``skip_invalid=True`` bad records go to ``skipped`` instead.
    """
    text = text.removeprefix("\ufeff")  # a byte-order mark left by some editors
    if "\n" not in text and "\r" in text:
        text = text.replace("\r", "\n")  # classic Mac line endings
    lines = text.split("\n")
    if not any(line.strip() for line in lines):
        raise InputError("empty file: expected TLE records (an optional name line, then "
                         "element lines 1 and 2)", source)
    pairs, errors = _split_records(lines, source)
    records = _check_pairs(pairs, source, errors)
    return finish(records, errors, source, skip_invalid)


@dataclass(slots=True)
class _Pairs:
    names: list[str]
    l1_no: list[int]  # 1-based line numbers
    l2_no: list[int]
    line1: list[str]
    line2: list[str]


def _kinds(lines: Sequence[str]) -> str:
    """One letter per (right-stripped) line: b blank, n name, 1 and 2 element lines, L a long
    line with a damaged line number (an element line whose column checks will say what is
    wrong). Names are at most 24 characters (the 3LE name field), so any line of 60 or more
    characters is an element line."""
    return "".join(
        "b" if not s
        else ("1" if s[0] == "1" else "2" if s[0] == "2" else "L")
        if (s[0] in "12" and s[1:2] == " ") or len(s) >= 60
        else "n"
        for s in lines)


def _shown(s: str) -> str:
    return repr(s if len(s) <= 40 else s[:37] + "...")


def _name(s: str) -> str:
    s = s.strip()
    return s[2:].strip() if s[:2] == "0 " else s


def _split_records(raw_lines: Sequence[str], source: str) -> tuple[_Pairs, list]:
    """Group lines into (name, line 1, line 2) records; structural faults become errors."""
    lines = [line.rstrip() for line in raw_lines]
    kinds = _kinds(lines)
    body = kinds.rstrip("b")
    if body == "n12" * (len(body) // 3):  # the usual 3LE file: no search needed
        return _Pairs([_name(s) for s in lines[0:len(body):3]],
                      list(range(2, len(body) + 1, 3)), list(range(3, len(body) + 1, 3)),
                      lines[1:len(body):3], lines[2:len(body):3]), []
    if body == "12" * (len(body) // 2):  # the usual 2LE file
        return _Pairs([""] * (len(body) // 2), list(range(1, len(body) + 1, 2)),
                      list(range(2, len(body) + 1, 2)), lines[0:len(body):2],
                      lines[1:len(body):2]), []
    pairs = _Pairs([], [], [], [], [])
    errors: list[tuple[int, str, str]] = []
    n = len(lines)

    def next_nonblank(j: int) -> int:
        while j < n and kinds[j] == "b":
            j += 1
        return j

    i = next_nonblank(0)
    while i < n:
        name = ""
        if kinds[i] == "n":
            name, name_no = _name(lines[i]), i + 1
            i = next_nonblank(i + 1)
            if i >= n or kinds[i] == "n":
                found = "end of file" if i >= n else f"another name line {_shown(lines[i])}"
                errors.append((name_no, f"{source}:{name_no}",
                               f"name line {_shown(name)} has no elements after it: expected "
                               f"element line 1 (starting '1 '), found {found}"))
                continue
        if kinds[i] == "2":
            errors.append((i + 1, f"{source}:{i + 1}",
                           "line 2 without a line 1 before it: expected element line 1 "
                           f"(starting '1 '), found {_shown(lines[i])}" + _of(name)))
            i = next_nonblank(i + 1)
            continue
        l1 = i
        i = next_nonblank(i + 1)
        if i >= n or kinds[i] in "1n":
            found = "end of file (truncated file?)" if i >= n else _shown(lines[i])
            errors.append((l1 + 1, f"{source}:{l1 + 1}",
                           "line 2 missing: expected element line 2 (starting '2 ') after "
                           f"line 1, found {found}" + _of(name)))
            continue
        pairs.names.append(name)
        pairs.l1_no.append(l1 + 1)
        pairs.l2_no.append(i + 1)
        pairs.line1.append(lines[l1])
        pairs.line2.append(lines[i])
        i = next_nonblank(i + 1)
    return pairs, errors


def _of(name: str) -> str:
    return f" (satellite {name})" if name else ""


def _byte_matrix(lines: Sequence[str]) -> np.ndarray:
    """(n, 69) uint8 matrix of equal-length lines; non-ASCII characters become '?'."""
    joined = "".join(lines).encode("ascii", errors="replace")
    return np.frombuffer(joined, dtype=np.uint8).reshape(len(lines), TLE_LINE_LENGTH)


def _column_faults(a: np.ndarray, line: int) -> np.ndarray:
    """(n, 69) bool: columns holding a character their field does not allow."""
    lay = _LAYOUTS[line]
    bad = ~lay.allowed[_COL_INDEX, a]
    blank = a == ord(" ")
    # Right-aligned numbers: a blank may not follow a non-blank inside the number.
    bad[:, lay.rjust + 1] |= ~blank[:, lay.rjust] & blank[:, lay.rjust + 1]
    return bad


def _checksums(a: np.ndarray) -> np.ndarray:
    return _CHECK_WEIGHT[a[:, :68]].sum(axis=1) % 10


def _catalog_numbers(a: np.ndarray) -> np.ndarray:
    """Catalog numbers from columns 3-7 of a (n, 69) byte matrix, alpha-5 decoded."""
    digits = np.where(a[:, 3:7] == ord(" "), 0, a[:, 3:7].astype(np.int64) - ord("0"))
    return _ALPHA5_VALUE[a[:, 2]] * 10_000 + digits @ np.array([1000, 100, 10, 1])


def _value(a: np.ndarray, f: _Field) -> np.ndarray:
    """A fixed-point field's numeric value (format-checked lines only; blanks read as 0)."""
    sub = a[:, f.cols].astype(np.float64) - ord("0")
    point = f.pattern.find(".") if "." in f.pattern else len(f.pattern)
    k = np.arange(len(f.pattern))
    weights = np.where(k < point, 10.0 ** (point - 1 - k), 10.0 ** (point - k))
    weights[[c not in "dn" for c in f.pattern]] = 0.0
    return np.where(sub < 0, 0.0, sub) @ weights


def _range_faults(a1: np.ndarray, a2: np.ndarray) -> list[tuple[np.ndarray, _Field, str]]:
    """(bad rows, field, what the field must be) for each range rule, in column order."""
    year2 = _value(a1, _Field(1, "", 19, "dd", ""))
    year = np.where(year2 < 57, 2000, 1900) + year2  # two-digit years: 57-99 are 1957-1999
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    day = _value(a1, _Field(1, "", 21, "nnd.dddddddd", ""))
    rules = [(~((day >= 1.0) & (day < 366.0 + leap)), _FIELD[1, "epoch"],
              "a day of year from 1 to 365 (366 in leap years) plus a fraction")]
    for name, top in (("inclination", 180.0), ("RAAN", 360.0), ("argument of perigee", 360.0),
                      ("mean anomaly", 360.0)):
        f = _FIELD[2, name]
        rules.append((_value(a2, f) > top, f, f"0 to {top:g} degrees"))
    f = _FIELD[2, "mean motion"]
    rules.append((_value(a2, f) <= 0.0, f, "more than 0 rev/day"))
    return rules


# Which field an sgp4 initialisation error points at (error texts: sgp4.api.SGP4_ERRORS).
_SGP4_ERROR_FIELD = {1: "eccentricity", 2: "mean motion", 3: "eccentricity",
                     4: "eccentricity", 5: "mean motion", 6: "mean motion"}


def sgp4_error_text(code: int) -> str:
    """What an sgp4 error code means, for messages."""
    return f"sgp4 initialisation failed with error {code} ({SGP4_ERRORS.get(code, 'unknown')})"


def _check_pairs(p: _Pairs, source: str, errors: list) -> list[ElementRecord]:
    """Validate all pairs at once; build records for the good ones, errors for the rest."""
    n = len(p.line1)
    sized = np.array([len(a) == TLE_LINE_LENGTH and len(b) == TLE_LINE_LENGTH
                      for a, b in zip(p.line1, p.line2, strict=True)], dtype=bool)
    idx = np.flatnonzero(sized)
    ok = np.zeros(n, dtype=bool)
    norad = np.zeros(n, dtype=np.int64)
    if idx.size:
        a1 = _byte_matrix([p.line1[i] for i in idx])
        a2 = _byte_matrix([p.line2[i] for i in idx])
        good = ~(_column_faults(a1, 1).any(axis=1) | _column_faults(a2, 2).any(axis=1))
        good &= (_checksums(a1) == a1[:, 68] - ord("0")) & (_checksums(a2) == a2[:, 68] - ord("0"))
        good &= (a1[:, 2:7] == a2[:, 2:7]).all(axis=1)
        for bad, _, _ in _range_faults(a1, a2):
            good &= ~bad
        ok[idx[good]] = True
        norad[idx] = _catalog_numbers(a1)
    records: list[ElementRecord] = []
    twoline2rv = Satrec.twoline2rv
    for name, line1, line2, l1_no, l2_no, fine, norad_id in zip(
            p.names, p.line1, p.line2, p.l1_no, p.l2_no, ok.tolist(), norad.tolist(),
            strict=True):
        if not fine:
            line_no, reason = _diagnose(line1, line2, l1_no, l2_no)
            errors.append((line_no, f"{source}:{line_no}", reason + _of(name)))
            continue
        sat = twoline2rv(line1, line2, WGS72)
        if sat.error:
            f = _FIELD[2, _SGP4_ERROR_FIELD.get(sat.error, "mean motion")]
            errors.append((l2_no, f"{source}:{l2_no}",
                           f"line 2 {f.name} ({f.columns}): {sgp4_error_text(sat.error)}; "
                           f"expected elements of an orbit SGP4 can propagate, found "
                           f"{line2[f.cols]!r}" + _of(name)))
            continue
        records.append(ElementRecord(name, norad_id, sat, f"{source}:{l1_no}", line1, line2))
    return records


def _diagnose(line1: str, line2: str, l1_no: int, l2_no: int) -> tuple[int, str]:
    """The first fault of one record, in column order: (line number, message)."""
    for line, text, no in ((1, line1, l1_no), (2, line2, l2_no)):
        if len(text) != TLE_LINE_LENGTH:
            return no, (f"line {line} length: expected {TLE_LINE_LENGTH} characters, "
                        f"found {len(text)}")
        a = _byte_matrix([text])
        bad = np.flatnonzero(_column_faults(a, line)[0])
        if bad.size:
            col = int(bad[0])
            f = _LAYOUTS[line].field_of_col[col]
            if f is None:
                return no, (f"line {line} column {col + 1}: expected a blank separating the "
                            f"fields, found {text[col]!r}")
            return no, f"line {line} {f.name} ({f.columns}): expected {f.expected}, found " \
                       f"{text[f.cols]!r}"
        want = int(_checksums(a)[0])
        if want != a[0, 68] - ord("0"):
            return no, (f"line {line} checksum (column 69): expected {want} (mod-10 sum of the "
                        f"first 68 columns, '-' counting 1), found {text[68]!r}")
    if line1[2:7] != line2[2:7]:
        f = _FIELD[2, "catalog number"]
        return l2_no, (f"line 2 catalog number ({f.columns}): expected {line1[2:7]!r} as on "
                       f"line 1, found {line2[2:7]!r}")
    a1, a2 = _byte_matrix([line1]), _byte_matrix([line2])
    for bad, f, expected in _range_faults(a1, a2):
        if bad[0]:
            text, no = (line1, l1_no) if f.line == 1 else (line2, l2_no)
            return no, (f"line {f.line} {f.name} ({f.columns}): expected {expected}, "
                        f"found {text[f.cols]!r}")
    raise AssertionError("a record failed the batch checks but no single check")
