"""UTC instants as `datetime64[ns]`, with sgp4's two-part Julian dates and UT1.

A `TimeGrid` is the time axis of every array leonet computes: ephemerides are
``(n_times, n_sats, 3)``, visibility and routes are per instant.

>>> grid = TimeGrid.range("2026-08-23T00:00:00Z", duration="1h", step="15s")
>>> len(grid), str(grid.iso[1])
(241, '2026-08-23T00:00:15Z')
>>> parse_duration_s("1.9s"), parse_duration_s("PT6H"), parse_duration_s("100ms")
(1.9, 21600.0, 0.1)
>>> iso_utc(1_787_443_215_000_000_000), iso_utc(1_787_443_215_250_000_000, unit="s")
('2026-08-23T00:00:15Z', '2026-08-23T00:00:15Z')
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache, cached_property

import numpy as np

from leonet.errors import InputError

NS_PER_S = 1_000_000_000
NS_PER_MS = 1_000_000
NS_PER_DAY = 86_400 * NS_PER_S
# Julian date of the Unix epoch 1970-01-01T00:00:00 UTC.
JD_UNIX_EPOCH = 2440587.5
# datetime64[ns] holds int64 nanoseconds since 1970 (the smallest int64 is NaT): instants from
# 1677-09-21T00:12:43.145224193Z to 2262-04-11T23:47:16.854775807Z. Outside, a conversion to
# nanoseconds wraps around silently (9999-12-31 becomes 1816-03-30), so every time that enters
# is checked against these bounds first (`parse_utc`, `parse_bound`, `units_to_ns`).
NS_MIN = -(2**63) + 1
NS_MAX = 2**63 - 1
MAX_DURATION_S = (NS_MAX - NS_MIN) / NS_PER_S
REPRESENTABLE = "1677-09-21T00:12:44Z .. 2262-04-11T23:47:16Z"
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# Civil UTC offsets run from -12:00 (Baker Island) to +14:00 (Kiribati, Line Islands): IANA tz
# database. Anything past 14 hours either way is a typo, never a place.
MAX_UTC_OFFSET = dt.timedelta(hours=14)
# The same bound over ISO 8601 text, for vectorised readers (Arrow's takes any offset < 24 h):
# text ending in an offset beyond +-14:00.
OFFSET_BEYOND_RE = r"[+-](?:(?:1[5-9]|2\d)(?::?\d\d)?|14:?(?:0[1-9]|[1-5]\d))\s*$"
_UNIT_NS = {"s": NS_PER_S, "ms": NS_PER_MS, "us": 1_000, "ns": 1}

_UNIT_S = {
    "ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "sec": 1.0,
    "m": 60.0, "min": 60.0, "h": 3600.0, "hr": 3600.0, "d": 86400.0, "day": 86400.0,
    "days": 86400.0, "w": 604800.0,
}
_DURATION_RE = re.compile(r"^\s*([-+]?\d+(?:\.\d*)?|[-+]?\.\d+)\s*([a-zµ]*)\s*$", re.IGNORECASE)
_ISO_DURATION_RE = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)S)?)?$",
    re.IGNORECASE,
)


def parse_duration_s(value: str | float | int | dt.timedelta, *, what: str = "duration") -> float:
    """Seconds in a duration given as ``"6h"``, ``"10m"``, ``"1.9s"``, ``"100ms"``, ``"PT6H"``,
    a number of seconds, or a `datetime.timedelta`. Compound forms like ``"1h30m"`` work too."""
    if isinstance(value, dt.timedelta):
        return _bounded_s(value.total_seconds(), what, value)
    if isinstance(value, int | float | np.integer | np.floating):
        if not np.isfinite(value):
            raise InputError(f"{what} must be finite, got {value!r}")
        return _bounded_s(float(value), what, value)
    text = str(value).strip()
    iso = _ISO_DURATION_RE.match(text)
    if iso and text.upper() not in ("P", "PT"):
        parts = {k: float(v) if v else 0.0 for k, v in iso.groupdict().items()}
        return _bounded_s(parts["d"] * 86400 + parts["h"] * 3600 + parts["m"] * 60
                          + parts["s"], what, value)
    total = 0.0
    pieces = re.findall(r"[-+]?\d*\.?\d+\s*[a-zµ]*", text, flags=re.IGNORECASE)
    if not pieces or "".join(p.replace(" ", "") for p in pieces) != text.replace(" ", ""):
        raise InputError(
            f"cannot read {what} {value!r}; expected a number with a unit such as "
            "'15s', '10m', '6h', '1d', '100ms' or an ISO 8601 duration such as 'PT6H'"
        )
    for piece in pieces:
        m = _DURATION_RE.match(piece)
        if m is None:
            raise InputError(f"cannot read {what} {value!r}")
        unit = m.group(2).lower() or "s"
        if unit not in _UNIT_S:
            raise InputError(
                f"unknown unit {m.group(2)!r} in {what} {value!r}; "
                f"expected one of {', '.join(sorted(set(_UNIT_S)))}"
            )
        total += float(m.group(1)) * _UNIT_S[unit]
    return _bounded_s(total, what, value)


def _bounded_s(seconds: float, what: str, value: object) -> float:
    # No duration longer than the whole representable range (584 years) means anything.
    if not abs(seconds) <= MAX_DURATION_S:
        raise InputError(f"{what} {value!r} is longer than the 584 years between the first "
                         "and last representable instants")
    return seconds


class OutOfRangeError(InputError):
    """A well-formed time before or after what nanoseconds since 1970 in int64 can hold;
    ``after`` tells which side."""

    def __init__(self, what: str, text: str, *, after: bool) -> None:
        super().__init__(f"{what} {text} is outside the representable range {REPRESENTABLE}")
        self.after = after


def parse_utc(value: str | dt.datetime | np.datetime64, *, what: str = "time") -> np.datetime64:
    """One UTC instant as ``datetime64[ns]``.

    Strings must carry a zone (``Z`` or ``+02:00``): a time without one is ambiguous and is
    refused rather than guessed. `numpy.datetime64` values are taken as UTC, as numpy has no
    zones. An instant outside `REPRESENTABLE` raises `OutOfRangeError` (never wraps).

    >>> parse_utc("9999-12-31T23:59:59Z", what="until")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    leonet.physics.timegrid.OutOfRangeError: until 9999-12-31T23:59:59Z is outside ...
    """
    if isinstance(value, np.datetime64):
        if np.isnat(value):
            raise InputError(f"{what} is NaT (not a time)")
        unit = np.datetime_data(value.dtype)[0]
        if unit not in _UNIT_NS:  # days, years...: microseconds hold +-290,000 years exactly
            value, unit = value.astype("datetime64[us]"), "us"
        ns = units_to_ns(np.array([value.view(np.int64)]), unit, what=what)[0]
        return np.datetime64(int(ns), "ns")
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise InputError(f"{what} {value!r} has no timezone; give an aware datetime (UTC)")
        if abs(value.utcoffset()) > MAX_UTC_OFFSET:
            raise InputError(f"{what} {value.isoformat()} has the UTC offset "
                             f"{value.strftime('%z')}; offsets in use lie within -12:00..+14:00, "
                             "and leonet takes -14:00..+14:00")
        micros = (value - _EPOCH) // dt.timedelta(microseconds=1)  # exact, no overflow
        if not NS_MIN <= micros * 1000 <= NS_MAX:
            raise OutOfRangeError(what, value.isoformat(), after=micros > 0)
        return np.datetime64(micros * 1000, "ns")
    text = str(value).strip()
    try:
        parsed = dt.datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise InputError(
            f"cannot read {what} {value!r}; expected ISO 8601 such as 2026-08-23T00:00:00Z"
        ) from None
    if parsed.tzinfo is None:
        # A date alone ("2022-02-26") needs a time before its zone to be accepted back.
        suggestion = text.replace(" ", "T") + ("Z" if "T" in text or " " in text
                                               else "T00:00:00Z")
        raise InputError(
            f"{what} {value!r} has no timezone; add 'Z' for UTC (e.g. {suggestion}) or an offset"
        )
    try:
        return parse_utc(parsed, what=what)
    except OutOfRangeError as exc:
        raise OutOfRangeError(what, text, after=exc.after) from None


def parse_bound(value: str | dt.datetime | np.datetime64, *, what: str, end: bool
                ) -> np.datetime64 | None:
    """One end of a time window: as `parse_utc`, except that an ``end`` after `REPRESENTABLE`
    (``9999-12-31T23:59:59Z``, the usual way to write "forever") is None, "no end", and a
    start before it is None, "no start". The other two (an end before 1677, a start after 2262:
    windows that hold no representable instant) are refused.

    >>> parse_bound("9999-12-31T23:59:59Z", what="until", end=True) is None
    True
    >>> parse_bound("0001-01-01T00:00:00Z", what="from", end=False) is None
    True
    """
    try:
        return parse_utc(value, what=what)
    except OutOfRangeError as exc:
        if exc.after == end:
            return None
        raise


def units_out_of_range(values: np.ndarray, unit: str) -> np.ndarray:
    """Where int64 counts of ``unit`` (``"s"``, ``"ms"``, ``"us"``, ``"ns"``) since 1970 hold
    an instant outside `REPRESENTABLE` (their product in nanoseconds would overflow int64)."""
    limit = NS_MAX // _UNIT_NS[unit]
    values = np.asarray(values, dtype=np.int64)
    return (values < -limit) | (values > limit)


def units_to_ns(values: np.ndarray, unit: str, *, what: str = "time",
                nat: int | None = None) -> np.ndarray:
    """int64 counts of ``unit`` since 1970 as int64 nanoseconds, refusing (`OutOfRangeError`)
    a value that would overflow instead of wrapping. ``nat``: a value passed through
    unchanged (a missing time), never checked.

    >>> units_to_ns(np.array([1, -2]), "ms").tolist()
    [1000000, -2000000]
    """
    values = np.asarray(values, dtype=np.int64)
    keep = np.ones(values.shape, bool) if nat is None else values != nat
    bad = keep & units_out_of_range(values, unit)
    if bad.any():
        v = int(values[np.argmax(bad)])
        raise OutOfRangeError(what, f"{v} {unit} since 1970", after=v > 0)
    return np.where(keep, values * _UNIT_NS[unit], values)


def iso_utc(t_ns: int | np.integer | np.datetime64 | np.ndarray, unit: str | None = None
            ) -> str | np.ndarray:
    """ISO 8601 UTC text with a trailing ``Z`` of instants given as nanoseconds since the Unix
    epoch (int64) or as `datetime64`: one string for one instant, an array for an array.

    ``unit`` (``"s"``, ``"ms"``, ``"us"``, ``"ns"``) cuts the text at that unit; by default it
    is the coarsest of seconds, milliseconds and nanoseconds that shows every instant exactly.

    >>> iso_utc(np.array([0, 1_500_000_000])).tolist()
    ['1970-01-01T00:00:00.000Z', '1970-01-01T00:00:01.500Z']
    """
    t = np.asarray(t_ns)
    utc = (t.astype(np.int64).view("datetime64[ns]") if t.dtype.kind in "iu"
           else t.astype("datetime64[ns]"))
    if unit is None:
        ns = utc.view(np.int64)
        unit = ("s" if (np.mod(ns, NS_PER_S) == 0).all() else
                "ms" if (np.mod(ns, NS_PER_MS) == 0).all() else "ns")
    text = np.char.add(np.datetime_as_string(utc, unit=unit), "Z")
    return str(text) if text.ndim == 0 else text


@dataclass(frozen=True, eq=False)
class TimeGrid:
    """UTC instants, shape ``(n_times,)``, as `datetime64[ns]`.

    ``jd`` + ``fr`` is the two-part UTC Julian date that `sgp4` expects (whole part at
    midnight, fraction of day), which keeps sub-microsecond precision.
    """

    utc: np.ndarray

    def __post_init__(self) -> None:
        utc = np.asarray(self.utc)
        if utc.ndim != 1:
            raise InputError(f"time grid must be one-dimensional, got shape {utc.shape}")
        if not np.issubdtype(utc.dtype, np.datetime64):
            raise InputError(f"time grid needs datetime64 values, got {utc.dtype}")
        utc = utc.astype("datetime64[ns]")
        if np.isnat(utc).any():
            raise InputError("time grid contains NaT (not-a-time) values")
        utc.flags.writeable = False
        object.__setattr__(self, "utc", utc)

    # -- construction -----------------------------------------------------------------
    @classmethod
    def range(
        cls,
        start: str | dt.datetime | np.datetime64,
        duration: str | float | dt.timedelta = 0,
        step: str | float | dt.timedelta = "60s",
    ) -> TimeGrid:
        """Instants ``start, start+step, …`` up to and including ``start+duration``."""
        t0 = parse_utc(start, what="start")
        duration_s = parse_duration_s(duration, what="duration")
        step_s = parse_duration_s(step, what="step")
        if duration_s < 0:
            raise InputError(f"duration must be >= 0, got {duration!r}")
        if step_s <= 0:
            raise InputError(f"step must be > 0, got {step!r}")
        step_ns = round(step_s * NS_PER_S)
        if step_ns == 0:
            raise InputError(f"step {step!r} is below one nanosecond")
        end_ns = int(t0.view(np.int64)) + round(duration_s * NS_PER_S)
        if end_ns > NS_MAX:
            raise OutOfRangeError("start + duration", f"(start {iso_utc(t0)} + {duration})",
                                  after=True)
        n = round(duration_s * NS_PER_S) // step_ns + 1
        return cls(t0 + np.arange(n, dtype=np.int64) * np.timedelta64(step_ns, "ns"))

    @classmethod
    def from_instants(
        cls, instants: Sequence[str | dt.datetime | np.datetime64] | np.ndarray
    ) -> TimeGrid:
        """A grid of explicit instants (strings need a zone; datetime64 is taken as UTC)."""
        arr = np.asarray(instants)
        if np.issubdtype(arr.dtype, np.datetime64):
            return cls(arr.reshape(-1))
        return cls(np.array([parse_utc(v, what=f"instant {i}") for i, v in enumerate(instants)]))

    @classmethod
    def at(cls, instant: str | dt.datetime | np.datetime64) -> TimeGrid:
        """A grid of one instant."""
        return cls(np.array([parse_utc(instant)]))

    # -- views ------------------------------------------------------------------------
    def __len__(self) -> int:
        return self.utc.shape[0]

    @property
    def n_times(self) -> int:
        return self.utc.shape[0]

    def __getitem__(self, index: slice | int | np.ndarray) -> TimeGrid:
        sub = self.utc[index]
        return TimeGrid(np.atleast_1d(sub))

    def chunks(self, size: int) -> Iterator[tuple[int, TimeGrid]]:
        """Consecutive sub-grids of at most ``size`` instants, with their start index."""
        if size < 1:
            raise InputError(f"chunk size must be >= 1, got {size}")
        for i in range(0, len(self), size):
            yield i, self[i : i + size]

    @cached_property
    def _ns(self) -> np.ndarray:
        return self.utc.astype(np.int64)

    @cached_property
    def jd(self) -> np.ndarray:
        """Whole part of the UTC Julian date (at 0h UTC, so it ends in .5)."""
        return JD_UNIX_EPOCH + np.floor_divide(self._ns, NS_PER_DAY).astype(np.float64)

    @cached_property
    def fr(self) -> np.ndarray:
        """Fraction of the UTC day, in [0, 1)."""
        return np.mod(self._ns, NS_PER_DAY).astype(np.float64) / NS_PER_DAY

    @cached_property
    def offsets_s(self) -> np.ndarray:
        """Seconds since the first instant."""
        return (self._ns - self._ns[0]).astype(np.float64) / NS_PER_S

    @cached_property
    def iso(self) -> np.ndarray:
        """ISO 8601 UTC strings with a trailing ``Z`` (seconds, or finer when needed)."""
        return iso_utc(self.utc)

    @cached_property
    def ut1_minus_utc_s(self) -> np.ndarray:
        """UT1 − UTC in seconds from skyfield's built-in IERS table (predictions past its end)."""
        ts = _timescale()
        days = np.floor_divide(self._ns, NS_PER_DAY)
        sec = np.mod(self._ns, NS_PER_DAY).astype(np.float64) / NS_PER_S
        t = ts.utc(1970, 1, 1 + days, 0, 0, sec)
        return np.atleast_1d(np.asarray(t.dut1, dtype=np.float64))

    @property
    def fr_ut1(self) -> np.ndarray:
        """Fraction of day in UT1 to pair with `jd` (may fall slightly outside [0, 1))."""
        return self.fr + self.ut1_minus_utc_s / 86400.0

    def __repr__(self) -> str:
        if len(self) == 0:
            return "TimeGrid([])"
        return f"TimeGrid({self.iso[0]} … {self.iso[-1]}, n_times={len(self)})"


@cache
def _timescale():
    # skyfield (and its IERS table) loads only when UT1 is asked for.
    from skyfield.api import load

    return load.timescale(builtin=True)
