"""Telemetry files: CSV and Parquet in (`read_telemetry`), CSV and Parquet out
(`write_telemetry`).

A file has the columns ``terminal_id,time,lat_deg,lon_deg,alt_m,speed_kmh`` and optionally
``heading_deg``, ``serving_sat`` and ``height_agl_m``; other columns are ignored. ``alt_m`` is
the height above mean sea level a GNSS receiver reports; ``read_telemetry(...,
alt_datum="wgs84")`` reads heights above the WGS84 ellipsoid instead (as some receivers and
logs give them) and converts them with the EGM2008 geoid. Problems with single rows
(a line with the wrong number of fields, a number that is not a number, a time without a
zone, an unreadable block of a Parquet file) are reported in `RowIssues` and the rest is
read; only a file that cannot be read at all (missing, not CSV/Parquet, no footer, missing
columns) raises `InputError`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from leonet.control.telemetry.checks import FUTURE_TOLERANCE_S, telemetry_from_arrays
from leonet.control.telemetry.core import OPTIONAL, REQUIRED, IssueLog, RowIssues, Telemetry
from leonet.errors import InputError
from leonet.physics.terrain import msl_from_ellipsoid_m

NUMERIC = ("lat_deg", "lon_deg", "alt_m", "speed_kmh", "heading_deg", "serving_sat",
           "height_agl_m")
# What ``alt_m`` is measured from: mean sea level (GNSS receivers' altitude: NMEA GGA, gpsd's
# altMSL) or the WGS84 ellipsoid (gpsd's altHAE, u-blox's height).
ALT_DATUMS = ("msl", "wgs84")
PARQUET_SUFFIXES = (".parquet", ".pq")
CSV_SUFFIXES = (".csv", ".txt")


def read_telemetry(path: str | Path, *, now=None, known_terminals=None,
                   future_tolerance_s: float = FUTURE_TOLERANCE_S, alt_datum: str = "msl"
                   ) -> tuple[Telemetry, RowIssues]:
    """Read a CSV or Parquet telemetry file → ``(Telemetry, RowIssues)``.

    See `telemetry_from_arrays` for the checks; rows are numbered from 0 in input order and
    CSV entries also carry their line number. ``alt_datum="wgs84"``: the file's ``alt_m`` are
    heights above the WGS84 ellipsoid, converted to mean sea level (EGM2008).
    """
    if alt_datum not in ALT_DATUMS:
        raise InputError(f"unknown altitude datum {alt_datum!r}; expected "
                         f"{' or '.join(ALT_DATUMS)}", "alt_datum")
    path = Path(path)
    if not path.exists():
        raise InputError(f"telemetry file {path} does not exist", str(path))
    suffix = path.suffix.lower()
    log = IssueLog(str(path))
    if suffix in PARQUET_SUFFIXES:
        table, rows, n_input = read_parquet(path, log, str(path))
        line_of = None
    elif suffix in CSV_SUFFIXES:
        table, skipped_lines = _read_csv(path, log)
        n_input = table.num_rows
        rows = np.arange(n_input, dtype=np.int64)
        line_of = _line_numbers(skipped_lines)
        table, rows = _numbers_from_text(table, rows, log)
    else:
        raise InputError("telemetry must be a .csv or .parquet file", str(path))
    cols = {name: table.column(name) for name in REQUIRED + OPTIONAL
            if name in table.column_names}
    numeric = all(pa.types.is_floating(cols[c].type) or pa.types.is_integer(cols[c].type)
                  for c in ("lat_deg", "lon_deg", "alt_m"))
    if alt_datum == "wgs84" and numeric:  # else the row checks refuse the column, by name
        cols["alt_m"] = msl_from_ellipsoid_m(
            _floats_of(cols["lat_deg"]), _floats_of(cols["lon_deg"]), _floats_of(cols["alt_m"]))
    tel, _ = telemetry_from_arrays(
        cols["terminal_id"], cols["time"], cols["lat_deg"], cols["lon_deg"], cols["alt_m"],
        cols["speed_kmh"], cols.get("heading_deg"), cols.get("serving_sat"),
        cols.get("height_agl_m"), now=now,
        known_terminals=known_terminals, future_tolerance_s=future_tolerance_s,
        source=str(path), _issues=log, _rows=rows,
        _label=None if line_of is None else (lambda r: f"line {int(line_of(np.array([r]))[0])}"))
    return tel, log.freeze(n_input, line_of)


def _floats_of(column) -> np.ndarray:
    """A numeric Arrow column as float64 (nulls as NaN; the row checks report them)."""
    return column.cast(pa.float64()).fill_null(np.nan).to_numpy(zero_copy_only=False)


def _check_columns(names: list[str], where) -> None:
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}; telemetry needs "
                         f"{','.join(REQUIRED)} (optional: {','.join(OPTIONAL)})", str(where))


def read_parquet(source, log: IssueLog, label: str):
    """Row groups one by one (``source``: a path or a file-like object): an unreadable one (a
    checksum or decoding failure) is reported with its rows and skipped; the others are
    read. Returns ``(table, input row of each table row, rows in the file)``."""
    try:
        pf = pq.ParquetFile(source, page_checksum_verification=True)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"cannot read the Parquet file (no readable footer): {exc}",
                         label) from None
    names = pf.schema_arrow.names
    _check_columns(names, label)
    wanted = [c for c in REQUIRED + OPTIONAL if c in names]
    meta = pf.metadata
    parts, rows = [], []
    offset = 0
    for g in range(meta.num_row_groups):
        size = meta.row_group(g).num_rows
        try:
            parts.append(pf.read_row_group(g, columns=wanted))
            rows.append(np.arange(offset, offset + size, dtype=np.int64))
        except (pa.ArrowException, OSError, ValueError) as exc:
            log.add([offset], "", f"unreadable block (row group {g} of "
                    f"{meta.num_row_groups}): {str(exc).splitlines()[0][:200]}", True,
                    n_rows=[size])
        offset += size
    table = pa.concat_tables(parts) if parts else pf.schema_arrow.empty_table().select(wanted)
    return table, (np.concatenate(rows) if rows else np.zeros(0, np.int64)), offset


def _read_csv(path: Path, log: IssueLog):
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            header = fh.readline().strip().split(",")
    except OSError as exc:
        raise InputError(f"cannot read: {exc}", str(path)) from None
    header = [h.strip().strip('"') for h in header]
    _check_columns(header, path)
    # Everything as text first: numbers are converted column by column below, so one bad
    # value costs one row, not the file.
    convert = pacsv.ConvertOptions(
        column_types={c: pa.string() for c in header},
        include_columns=[c for c in REQUIRED + OPTIONAL if c in header],
        strings_can_be_null=True, quoted_strings_can_be_null=False)
    bad_lines: list[tuple] = []

    def on_bad_line(row) -> str:
        bad_lines.append((row.number, row.actual_columns, row.expected_columns, row.text))
        return "skip"

    def read(threads: bool):
        bad_lines.clear()
        return pacsv.read_csv(path, parse_options=pacsv.ParseOptions(
            invalid_row_handler=on_bad_line), convert_options=convert,
            read_options=pacsv.ReadOptions(use_threads=threads))

    try:
        table = read(True)
        if bad_lines:  # line numbers are known only to the single-threaded reader
            table = read(False)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"cannot read the CSV file: {exc}", str(path)) from None
    skipped = []
    for number, actual, expected, text in bad_lines:
        line = -1 if number is None else int(number)
        skipped.append(line)
        log.add([-1], "", f"line has {actual} fields, the header has {expected}: "
                f"{text[:120]!r}", True, lines=[line])
    return table, np.array(sorted(skipped), dtype=np.int64)


def _numbers_from_text(table, rows: np.ndarray, log: IssueLog):
    """Numeric columns from text; rows with a value that is not a number are reported and
    left out (so later checks do not report them again as missing)."""
    import pyarrow.compute as pc  # ~50 ms to import: not at CLI start-up

    n = table.num_rows
    refused = np.zeros(n, dtype=bool)
    columns = {}
    for name in table.column_names:
        col = table.column(name).combine_chunks()
        if name not in NUMERIC:
            columns[name] = col
            continue
        values = np.full(n, np.nan)
        trimmed = pc.utf8_trim_whitespace(col)
        chunk = 1 << 16
        for lo in range(0, n, chunk):
            part = trimmed.slice(lo, chunk)
            try:
                values[lo:lo + len(part)] = part.cast(pa.float64()).fill_null(
                    np.nan).to_numpy(zero_copy_only=False)
                continue
            except pa.ArrowInvalid:
                pass
            for k, text in enumerate(part.to_pylist()):
                if text is None or text == "":
                    continue
                try:
                    values[lo + k] = float(text)
                except ValueError:
                    if not refused[lo + k]:
                        log.add([rows[lo + k]], name, f"cannot read {text[:40]!r} as a number",
                                True, terminal_ids=[table.column("terminal_id")[lo + k].as_py()
                                                    or ""])
                    refused[lo + k] = True
        columns[name] = pa.array(values)
    out = pa.table(columns)
    if refused.any():
        keep = np.flatnonzero(~refused)
        return out.take(pa.array(keep)), rows[keep]
    return out, rows


def _line_numbers(skipped_lines: np.ndarray):
    """Line of each data row: the header is line 1, and lines that could not be split into
    fields take a line number but no row."""
    skipped = np.sort(skipped_lines[skipped_lines >= 0])
    # Data row r sits on line r + 2 + (skipped lines before it); u_j is the row index a
    # skipped line would have had.
    u = skipped - np.arange(skipped.size) - 2

    def line_of(rows: np.ndarray) -> np.ndarray:
        return rows + 2 + np.searchsorted(u, rows, side="right")

    return line_of


def write_telemetry(telemetry: Telemetry, path: str | Path) -> None:
    """Write to Parquet (with page checksums) or CSV, by the file's extension."""
    write_table(telemetry.to_table(), Path(path))


def write_table(table, path: Path) -> None:
    """Parquet (zstd, page checksums, so corruption is detected on read) or CSV (times as
    ISO 8601 with Z)."""
    import pyarrow.compute as pc  # ~50 ms to import: not at CLI start-up

    suffix = path.suffix.lower()
    try:
        if suffix in PARQUET_SUFFIXES:
            pq.write_table(table, path, compression="zstd", write_page_checksum=True,
                           row_group_size=1 << 20)
        elif suffix in CSV_SUFFIXES:
            time = table.column("time")
            ns = time.cast(pa.int64()).to_numpy(zero_copy_only=False)
            whole = not (ns % 1_000_000_000).any()
            text = pc.strftime(time.cast(pa.timestamp("s", tz="UTC"), safe=False) if whole
                               else time, format="%Y-%m-%dT%H:%M:%SZ")
            out = table.set_column(table.column_names.index("time"), "time", text)
            cols = {}
            for name in out.column_names:
                col = out.column(name)
                if pa.types.is_dictionary(col.type):
                    col = col.cast(col.type.value_type)
                if name in ("heading_deg", "height_agl_m"):  # absent: empty, not "nan"
                    col = pc.if_else(pc.is_nan(col), pa.scalar(None, pa.float64()), col)
                cols[name] = col
            pacsv.write_csv(pa.table(cols), path)
        else:
            raise InputError("output must be .csv or .parquet", str(path))
    except OSError as exc:
        raise InputError(f"cannot write: {exc}", str(path)) from None
