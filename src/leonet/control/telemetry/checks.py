"""Check telemetry rows one by one (vectorised), drop the bad ones, sort the rest.

Each dropped or noted row gets one entry in `RowIssues` with the reason in plain words:

* dropped: missing terminal id; time missing, unreadable or without a zone; time in the
  future (beyond ``future_tolerance_s`` after ``now``); position off the globe (latitude
  outside -90..90, longitude outside -180..180, or not a number); altitude or speed missing
  or outside physical bounds; a terminal the registry does not know (when ``known_terminals``
  is given); an exact duplicate of an earlier row (same terminal, time and position);
* kept with a note: a row earlier than a row of the same terminal before it (out of order:
  sorted in); a second report of a terminal at the same instant from another position (kept:
  it is evidence for ``cloned_identity``); a heading outside 0..360 (cleared to NaN); a
  serving satellite that is not a whole number in 0..999,999,999 (cleared); a height above
  ground outside -100..100,000 m (cleared to NaN: unknown).
"""

from __future__ import annotations

import datetime as dt

import numba
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from leonet.control.telemetry.core import IssueLog, Telemetry, empty_telemetry
from leonet.errors import InputError
from leonet.physics.earth import great_circle_km
from leonet.physics.timegrid import (
    OFFSET_BEYOND_RE,
    REPRESENTABLE,
    iso_utc,
    parse_utc,
    units_out_of_range,
    units_to_ns,
)

# NORAD catalogue numbers have 5 digits today, 9 once the Alpha-5 scheme runs out (18 SDS,
# "Satellite catalog number" format notes, 2020); anything larger is not a satellite.
MAX_SATELLITE_NUMBER = 1_000_000_000
# A terminal's clock is GNSS-disciplined; five minutes absorbs ingestion delays and clock skew
# of the receiving system without letting a report from tomorrow in.
FUTURE_TOLERANCE_S = 300.0
# Physical bounds (same as the decision API's): the Dead Sea shore is -430 m, airliners fly
# below 15 km, stratospheric balloons below 50 km; nothing on the ground moves at 30,000 km/h.
ALT_RANGE_M = (-500.0, 100_000.0)
# A height above ground below -100 m is a wrong sign or datum (basements and mine shafts do not
# have sky in view), not a measurement.
HEIGHT_AGL_RANGE_M = (-100.0, 100_000.0)
SPEED_RANGE_KMH = (0.0, 30_000.0)


def _as_ids(values) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(sorted distinct ids, code per row, missing mask)`` using Arrow's dictionary encoding
    (C++), never a Python loop per row."""
    import pyarrow.compute as pc  # ~50 ms to import: not at CLI start-up

    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not isinstance(values, pa.Array):
        values = np.asarray(values, dtype=object)
        try:
            values = pa.array(values, type=pa.string(), from_pandas=True)
        except (pa.ArrowTypeError, pa.ArrowInvalid):
            values = pa.array([None if v is None else str(v) for v in values.tolist()],
                              type=pa.string())
    if pa.types.is_dictionary(values.type):
        values = values.cast(values.type.value_type)
    if not pa.types.is_string(values.type):
        values = values.cast(pa.string())
    missing = np.asarray(pc.or_kleene(pc.is_null(values),
                                      pc.equal(pc.utf8_trim_whitespace(values), "")).fill_null(
        True).to_numpy(zero_copy_only=False), dtype=bool)
    encoded = values.dictionary_encode()
    dictionary = np.asarray(encoded.dictionary.to_numpy(zero_copy_only=False), dtype=object)
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    # Rank the dictionary so codes order like the ids themselves.
    order = np.argsort(dictionary.astype(str), kind="stable") if dictionary.size else order_empty()
    rank = np.empty(dictionary.size, dtype=np.int64)
    rank[order] = np.arange(dictionary.size)
    codes = np.where(codes >= 0, rank[np.maximum(codes, 0)], -1)
    return dictionary[order], codes, missing


def order_empty() -> np.ndarray:
    return np.zeros(0, dtype=np.int64)


def _as_times(values) -> tuple[np.ndarray, dict[int, str]]:
    """int64 ns per row (NaT, the smallest int64, where missing or unreadable) and the reason
    for each unreadable row."""
    nat = np.iinfo(np.int64).min
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        if pa.types.is_timestamp(values.type):
            if values.type.tz is None:
                raise InputError("time has no time zone; store UTC timestamps "
                                 "(timestamp with tz='UTC')", "time")
            return _counts_to_ns(values.cast(pa.int64()).fill_null(nat).to_numpy(
                zero_copy_only=False), values.type.unit)
        if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
            return _parse_iso(values.cast(pa.string()))
        raise InputError(f"time must be timestamps or ISO 8601 text, got {values.type}", "time")
    arr = np.asarray(values)
    if np.issubdtype(arr.dtype, np.datetime64):
        unit = np.datetime_data(arr.dtype)[0]
        if unit not in ("s", "ms", "us", "ns"):  # days...: microseconds hold them exactly
            arr, unit = arr.astype("datetime64[us]"), "us"
        return _counts_to_ns(arr.view(np.int64), unit)
    if arr.dtype.kind in "OUS":
        return _parse_iso(pa.array([None if v is None else str(v) for v in arr.tolist()],
                                   type=pa.string()))
    raise InputError("time must be datetime64 values or ISO 8601 strings with a zone, got "
                     f"dtype {arr.dtype}", "time")


def _counts_to_ns(raw: np.ndarray, unit: str) -> tuple[np.ndarray, dict[int, str]]:
    """Counts of ``unit`` since 1970 (NaT where missing) as ns; a count past what ns hold is
    NaT with its reason, never wrapped."""
    nat = np.iinfo(np.int64).min
    outside = (raw != nat) & units_out_of_range(raw, unit)
    reasons = {int(i): f"{raw[i]} {unit} since 1970 is outside the representable range "
                       f"{REPRESENTABLE}" for i in np.flatnonzero(outside)}
    return units_to_ns(np.where(outside, nat, raw), unit, nat=nat), reasons


def _parse_iso(strings) -> tuple[np.ndarray, dict[int, str]]:
    """Arrow's vectorised ISO 8601 reader, chunk by chunk; a chunk that fails, or holds an
    offset Arrow takes but `parse_utc` refuses, is read value by value so that each bad
    value is reported on its own row with `parse_utc`'s reason."""
    nat = np.iinfo(np.int64).min
    out = np.full(len(strings), nat, dtype=np.int64)
    chunk = 1 << 16
    target = pa.timestamp("ns", tz="UTC")
    bad: dict[int, str] = {}
    for lo in range(0, len(strings), chunk):
        part = strings.slice(lo, chunk)
        try:
            if not pc.any(pc.match_substring_regex(part, OFFSET_BEYOND_RE)).as_py():
                out[lo:lo + len(part)] = part.cast(target).cast(pa.int64()).fill_null(
                    nat).to_numpy(zero_copy_only=False)
                continue
        except (pa.ArrowInvalid, OverflowError):
            pass
        for k, text in enumerate(part.to_pylist()):
            if text is None:
                continue
            try:
                out[lo + k] = parse_utc(text).view(np.int64)
            except InputError as exc:
                bad[lo + k] = _time_reason(text, exc)
    return out, bad


def _time_reason(text: str, exc: InputError) -> str:
    try:
        parsed = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return f"cannot read {text!r} as a time; expected ISO 8601 with a zone, e.g. " \
               "2026-02-03T10:00:00Z"
    if parsed.tzinfo is None:
        return f"{text!r} has no time zone; add Z for UTC (e.g. {text.strip()}Z)"
    return exc.what  # out of range, or an offset beyond +-14:00


def _floats(values, name: str) -> np.ndarray:
    if isinstance(values, pa.ChunkedArray | pa.Array):
        if not (pa.types.is_floating(values.type) or pa.types.is_integer(values.type)
                or pa.types.is_null(values.type)):
            raise InputError(f"{name} must be numbers, got {values.type}", name)
        # Unsafe: an integer past 2^53 becomes the nearest float (then range-checked).
        return values.cast(pa.float64(), safe=False).fill_null(np.nan).to_numpy(
            zero_copy_only=False)
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be numbers", name) from None


@numba.njit(cache=True)
def _order_by_code_then_time(codes, t_ns, n_codes):  # pragma: no cover - compiled
    """A stable counting sort by code, then each terminal's rows sorted by time (stable), and
    per row the input row of the latest earlier-listed report of its terminal when the row is
    out of order (-1 otherwise)."""
    n = codes.size
    count = np.zeros(n_codes + 1, dtype=np.int64)
    for i in range(n):
        count[codes[i] + 1] += 1
    for k in range(n_codes):
        count[k + 1] += count[k]
    starts = count.copy()
    order = np.empty(n, dtype=np.int64)
    fill = count[:-1].copy()
    for i in range(n):
        c = codes[i]
        order[fill[c]] = i
        fill[c] += 1
    late_after = np.full(n, -1, dtype=np.int64)
    for k in range(n_codes):
        lo, hi = starts[k], starts[k + 1]
        sorted_ok = True
        best = -1
        for j in range(lo, hi):
            i = order[j]
            if best >= 0 and t_ns[i] < t_ns[best]:
                late_after[i] = best
                sorted_ok = False
            elif best < 0 or t_ns[i] > t_ns[best]:
                best = i
        if not sorted_ok:
            seg = order[lo:hi].copy()
            perm = np.argsort(t_ns[seg], kind="mergesort")
            for j in range(hi - lo):
                order[lo + j] = seg[perm[j]]
    return order, starts, late_after


def telemetry_from_arrays(terminal_id, time, lat_deg, lon_deg, alt_m, speed_kmh,
                          heading_deg=None, serving_sat=None, height_agl_m=None, *, now=None,
                          known_terminals=None, future_tolerance_s: float = FUTURE_TOLERANCE_S,
                          source: str = "telemetry", _issues=None, _rows=None, _label=None):
    """Check, de-duplicate and sort terminal reports → ``(Telemetry, RowIssues)``.

    Every argument is an array of one value per row (numpy, lists or pyarrow arrays);
    ``time`` holds datetime64 values or ISO 8601 strings with a zone. ``now`` (default: the
    current time) bounds future timestamps; ``known_terminals`` (a collection of ids), when
    given, drops rows of other terminals. Bad rows are reported, the rest kept: nothing is
    raised for a bad row, only for arrays of the wrong type or length.

    >>> tel, issues = telemetry_from_arrays(
    ...     ["B", "A", "A", "A"], ["2026-02-03T10:05:00Z", "2026-02-03T10:00:00Z",
    ...     "2026-02-03T09:00:00Z", "2026-02-03T09:00:00Z"], [50.4, 50.4, 95.0, 50.4],
    ...     [30.5, 30.5, 30.5, 30.5], [0, 0, 0, 0], [0, 0, 0, 0], now="2026-02-04T00:00:00Z")
    >>> tel.terminal_id.tolist(), len(issues)
    (['A', 'A', 'B'], 2)
    >>> print(issues.describe(0))
    telemetry row 2 (terminal A): lat_deg: latitude 95 is off the globe (outside -90..90); dropped
    >>> print(issues.reason[1])
    arrived out of order: earlier than row 1 of the same terminal (2026-02-03T10:00:00Z)
    """
    issues = _issues if _issues is not None else IssueLog(source)
    n = len(lat_deg)
    # Row numbers as reported: files pass the input row of each array position.
    rows_of = (lambda k: k) if _rows is None else (lambda k: _rows[k])
    label = _label or (lambda r: f"row {int(r)}")  # how a message names another row
    lengths = {"terminal_id": len(terminal_id), "time": len(time), "lat_deg": n,
               "lon_deg": len(lon_deg), "alt_m": len(alt_m), "speed_kmh": len(speed_kmh)}
    if heading_deg is not None:
        lengths["heading_deg"] = len(heading_deg)
    if serving_sat is not None:
        lengths["serving_sat"] = len(serving_sat)
    if height_agl_m is not None:
        lengths["height_agl_m"] = len(height_agl_m)
    if len(set(lengths.values())) > 1:
        raise InputError("columns differ in length: " + ", ".join(
            f"{k} {v}" for k, v in lengths.items()), source)
    names, codes, no_id = _as_ids(terminal_id)
    t_ns, unreadable = _as_times(time)
    lat = _floats(lat_deg, "lat_deg")
    lon = _floats(lon_deg, "lon_deg")
    alt = _floats(alt_m, "alt_m")
    speed = _floats(speed_kmh, "speed_kmh")
    heading = (np.full(n, np.nan) if heading_deg is None
               else _floats(heading_deg, "heading_deg").copy())
    sat_given = (np.full(n, -1.0) if serving_sat is None
                 else _floats(serving_sat, "serving_sat").copy())
    agl = (np.full(n, np.nan) if height_agl_m is None
           else _floats(height_agl_m, "height_agl_m").copy())
    now_ns = _now_ns(now)
    nat = np.iinfo(np.int64).min
    bad = np.zeros(n, dtype=bool)
    ids_of = names[np.maximum(codes, 0)] if names.size else np.full(n, "", dtype=object)

    def drop(mask, field_name, reasons_fn):
        rows = np.flatnonzero(mask & ~bad)
        if rows.size:
            issues.add(rows_of(rows), field_name, reasons_fn(rows), True,
                       terminal_ids=np.where(no_id[rows], "", ids_of[rows]))
            bad[rows] = True

    drop(no_id, "terminal_id", lambda r: "terminal id is missing")
    if unreadable:
        mask = np.zeros(n, dtype=bool)
        mask[list(unreadable)] = True
        drop(mask, "time", lambda r: [unreadable[int(i)] for i in r])
    drop(t_ns == nat, "time", lambda r: "time is missing")
    limit = now_ns + int(future_tolerance_s * 1e9)
    drop(t_ns > limit, "time", lambda r: [
        f"{iso_utc(t_ns[i], 's')} is {_ahead(t_ns[i] - now_ns)} in the future (now "
        f"{iso_utc(now_ns, 's')})" for i in r])
    drop(~(np.abs(lat) <= 90.0), "lat_deg", lambda r: [
        f"latitude {_num(lat[i])} is off the globe (outside -90..90)" for i in r])
    drop(~(np.abs(lon) <= 180.0), "lon_deg", lambda r: [
        f"longitude {_num(lon[i])} is off the globe (outside -180..180)" for i in r])
    drop(~((alt >= ALT_RANGE_M[0]) & (alt <= ALT_RANGE_M[1])), "alt_m", lambda r: [
        f"altitude {_num(alt[i])} m is outside {ALT_RANGE_M[0]:g}..{ALT_RANGE_M[1]:g} m"
        for i in r])
    drop(~((speed >= SPEED_RANGE_KMH[0]) & (speed <= SPEED_RANGE_KMH[1])), "speed_kmh",
         lambda r: [f"speed {_num(speed[i])} km/h is outside {SPEED_RANGE_KMH[0]:g}.."
                    f"{SPEED_RANGE_KMH[1]:g} km/h" for i in r])
    if known_terminals is not None:
        known = np.isin(names, np.asarray(list(known_terminals), dtype=object))
        drop(~known[np.maximum(codes, 0)], "terminal_id",
             lambda r: "unknown terminal: not in the registry")
    odd_heading = ~np.isnan(heading) & ~((heading >= 0) & (heading <= 360))
    rows = np.flatnonzero(odd_heading & ~bad)
    issues.add(rows_of(rows), "heading_deg", [
        f"heading {_num(heading[i])}° is outside 0..360; cleared" for i in rows], False,
        terminal_ids=ids_of[rows])
    heading[odd_heading] = np.nan
    # A satellite is an index (0, 1, ...) or a NORAD catalogue number: a whole number below
    # MAX_SATELLITE_NUMBER; -1 or NaN is "not given".
    absent = np.isnan(sat_given) | (sat_given == -1)
    odd_sat = ~absent & ~((sat_given >= 0) & (sat_given < MAX_SATELLITE_NUMBER)
                          & (sat_given == np.floor(sat_given)))
    rows = np.flatnonzero(odd_sat & ~bad)
    issues.add(rows_of(rows), "serving_sat", [
        f"satellite {_num(sat_given[i])} is not a whole number in 0..{MAX_SATELLITE_NUMBER - 1}"
        " (an index or a NORAD catalogue number); cleared" for i in rows],
        False, terminal_ids=ids_of[rows])
    sat = np.where(absent | odd_sat, -1, sat_given).astype(np.int64)
    odd_agl = ~np.isnan(agl) & ~((agl >= HEIGHT_AGL_RANGE_M[0]) & (agl <= HEIGHT_AGL_RANGE_M[1]))
    rows = np.flatnonzero(odd_agl & ~bad)
    issues.add(rows_of(rows), "height_agl_m", [
        f"height above ground {_num(agl[i])} m is outside {HEIGHT_AGL_RANGE_M[0]:g}.."
        f"{HEIGHT_AGL_RANGE_M[1]:g} m; cleared" for i in rows], False, terminal_ids=ids_of[rows])
    agl[odd_agl] = np.nan

    keep = np.flatnonzero(~bad)
    if not keep.size:
        return empty_telemetry(), issues.freeze(n) if _issues is None else issues
    used = np.zeros(names.size, dtype=bool)
    used[codes[keep]] = True
    remap = np.cumsum(used) - 1
    k_codes = remap[codes[keep]]
    order, starts, late_after = _order_by_code_then_time(k_codes, t_ns[keep], int(used.sum()))
    late = np.flatnonzero(late_after >= 0)
    issues.add(rows_of(keep[late]), "time", [
        f"arrived out of order: earlier than {label(rows_of(keep[late_after[i]]))} of the "
        f"same terminal ({iso_utc(t_ns[keep[late_after[i]]], 's')})" for i in late], False,
        terminal_ids=ids_of[keep[late]])
    rows = keep[order]
    # Duplicates: neighbours after the sort with the same terminal and time.
    same = np.flatnonzero((k_codes[order][1:] == k_codes[order][:-1])
                          & (t_ns[rows][1:] == t_ns[rows][:-1])) + 1
    dup_drop = np.zeros(rows.size, dtype=bool)
    if same.size:
        a, b = rows[same - 1], rows[same]
        exact = ((lat[a] == lat[b]) & (lon[a] == lon[b]) & (alt[a] == alt[b])
                 & (speed[a] == speed[b]))
        # Chains of exact duplicates point back to the first row of the chain.
        first = same - 1
        for j in range(1, same.size):
            if exact[j - 1] and exact[j] and same[j] == same[j - 1] + 1:
                first[j] = first[j - 1]
        ex = np.flatnonzero(exact)
        issues.add(rows_of(b[ex]), "time", [
            f"duplicate of {label(rows_of(rows[first[j]]))} (same terminal, time and "
            "position)" for j in ex], True, terminal_ids=ids_of[b[ex]])
        dup_drop[same[ex]] = True
        other = np.flatnonzero(~exact)
        if other.size:
            d_km = great_circle_km(lat[a[other]], lon[a[other]], lat[b[other]], lon[b[other]])
            issues.add(rows_of(b[other]), "time", [
                f"second report at the same instant as {label(rows_of(a[j]))}, "
                f"{d_km[m]:,.3f} km away" for m, j in enumerate(other)], False,
                terminal_ids=ids_of[b[other]])
    if dup_drop.any():
        rows = rows[~dup_drop]
        kept_codes = k_codes[order][~dup_drop]
        starts = np.concatenate([[0], np.cumsum(np.bincount(kept_codes,
                                                            minlength=int(used.sum())))])
    terminals = names[used]
    lengths = np.diff(starts)
    tel = Telemetry(terminal_id=np.repeat(terminals, lengths), time=t_ns[rows].view(
        "datetime64[ns]"), lat_deg=lat[rows], lon_deg=lon[rows], alt_m=alt[rows],
        speed_kmh=speed[rows], heading_deg=heading[rows], serving_sat=sat[rows],
        height_agl_m=agl[rows])
    nonempty = lengths > 0
    tel.__dict__["starts"] = np.concatenate([[0], np.cumsum(lengths[nonempty])]).astype(np.int64)
    tel.__dict__["terminals"] = terminals[nonempty]
    # Where each kept row came from (input row numbers), for checks made after this one.
    tel.__dict__["input_rows"] = np.asarray(rows_of(rows), dtype=np.int64)
    return tel, issues.freeze(n) if _issues is None else issues


def _now_ns(now) -> int:
    if now is None:
        return int(np.datetime64(dt.datetime.now(dt.UTC).replace(tzinfo=None), "ns").view(
            np.int64))
    if isinstance(now, np.datetime64):
        return int(now.astype("datetime64[ns]").view(np.int64))

    return int(parse_utc(now, what="now").astype("datetime64[ns]").view(np.int64))


def _ahead(ns: int) -> str:
    s = ns / 1e9
    if s < 3600:
        return f"{s / 60:.0f} min"
    if s < 2 * 86400:
        return f"{s / 3600:.1f} h"
    return f"{s / 86400:.0f} days"


def _num(x: float) -> str:
    return "missing" if np.isnan(x) else f"{x:g}"
