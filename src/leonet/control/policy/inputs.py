"""Terminal attributes for `Policy.decide`: checked, broadcast, coded for the kernel."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from leonet.control.regions import resolve_region, wrap_lon
from leonet.errors import InputError, did_you_mean
from leonet.physics.timegrid import parse_utc


@dataclass(frozen=True, eq=False)
class Coded:
    """Text values given per row as integer codes into a table: row ``i`` holds
    ``values[codes[i]]`` (None or "" for none). `Policy.decide` takes plans and home
    countries this way with no string per row, checks each value of the table once, and
    groups the rows itself."""

    codes: np.ndarray
    values: tuple[str | None, ...]


@dataclass(frozen=True, eq=False)
class Terminals:
    """Flat arrays of length ``n`` (or 1 for a value shared by every row)."""

    shape: tuple[int, ...]
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_m: np.ndarray
    speed_kmh: np.ndarray
    time_ns: np.ndarray
    whitelisted: np.ndarray
    plan: np.ndarray  # index into the policy's plans, -1 = none
    home: np.ndarray  # index into the engine's home codes, -1 = other / none
    roaming_days: np.ndarray
    funded: np.ndarray
    plan_names: tuple[str, ...]
    home_names: np.ndarray  # canonical home country codes (object), "" = none
    home_of: np.ndarray  # index into home_names

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    def row(self, i: int) -> dict:
        def at(a):
            return a[i] if a.shape[0] > 1 else a[0]
        plan = int(at(self.plan))
        return {
            "lat_deg": float(at(self.lat_deg)), "lon_deg": float(at(self.lon_deg)),
            "alt_m": float(at(self.alt_m)), "speed_kmh": float(at(self.speed_kmh)),
            "time": np.datetime64(int(at(self.time_ns)), "ns"),
            "whitelisted": bool(at(self.whitelisted)),
            "plan": self.plan_names[plan] if plan >= 0 else None,
            "home_country": str(self.home_names[at(self.home_of)]) or None,
            "roaming_days": float(at(self.roaming_days)), "funded": bool(at(self.funded)),
        }


def _times(time) -> np.ndarray:
    if time is None:
        return np.array([np.datetime64(dt.datetime.now(dt.UTC).replace(tzinfo=None), "ns")])
    arr = np.asarray(time)
    if np.issubdtype(arr.dtype, np.datetime64):
        return arr.astype("datetime64[ns]", copy=False)
    if arr.dtype.kind in "OUS":
        flat = [parse_utc(v, what=f"time[{k}]") if not isinstance(v, np.datetime64) else v
                for k, v in enumerate(arr.ravel().tolist())] if arr.ndim else [
                    parse_utc(arr.item(), what="time")]
        return np.array(flat, dtype="datetime64[ns]").reshape(arr.shape)
    raise InputError("time must be datetime64 values or ISO 8601 strings with a zone "
                     f"(e.g. 2026-02-01T00:00:00Z), got dtype {arr.dtype}", "time")


def _factorize(values, what: str) -> tuple[np.ndarray, np.ndarray]:
    """``(table, codes)``: distinct texts (object, "" for none) and each row's index into
    them, in the input's shape (0-d for a scalar)."""
    if values is None:
        return np.array([""], dtype=object), np.zeros((), dtype=np.intp)
    if isinstance(values, Coded):
        codes = np.asarray(values.codes)
        m = len(values.values)
        if codes.dtype.kind not in "iu" or (codes.size and not (
                int(codes.min()) >= 0 and int(codes.max()) < m)):
            raise InputError(f"{what} codes must be integers indexing its {m} values", what)
        # A table may repeat a value, or give none as both None and "": distinct texts.
        texts: dict[str, int] = {}
        text_of = np.array([texts.setdefault("" if _missing(v) else str(v), len(texts))
                            for v in values.values], dtype=np.intp)
        return np.array(list(texts), dtype=object), text_of[codes]
    arr = np.asarray(values, dtype=object)
    table, codes = np.unique(np.array(["" if _missing(v) else str(v) for v in arr.ravel()]),
                             return_inverse=True)
    return table.astype(object), codes.reshape(arr.shape)


def _vocabulary_codes(values, vocabulary: tuple[str, ...], what: str, canonical, unknown, *,
                      first_bad_by_row: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(names, codes, index)``: the canonical name of each distinct value ("" for none),
    each row's index into ``names`` and into ``vocabulary`` (-1 when not in it).

    Each distinct value that a row uses is checked once. ``unknown(value, where)`` is the
    error for a value ``canonical`` returns None for, naming its first row; of several, the
    one met first in the rows, or the first in sorted order."""
    table, codes = _factorize(values, what)
    used = np.zeros(table.size, dtype=bool)
    used[codes.ravel()] = True
    names = np.full(table.size, "", dtype=object)
    known: dict[str, str | None] = {}
    bad = []
    for k in np.flatnonzero(used).tolist():
        value = str(table[k])
        if value:
            if value not in known:
                known[value] = canonical(value)
            names[k] = known[value]
            if known[value] is None:
                bad.append(k)
    if bad:
        first_row = {k: int(np.flatnonzero(codes.ravel() == k)[0]) for k in bad}
        k = min(bad, key=first_row.get if first_bad_by_row else lambda k: str(table[k]))
        raise unknown(str(table[k]), f"{what}[{first_row[k]}]" if codes.ndim else what)
    index = np.array([vocabulary.index(v) if v in vocabulary else -1 for v in names.tolist()],
                     dtype=np.int16)
    return names, codes, index[codes]


def _missing(v) -> bool:
    return v is None or v == "" or (isinstance(v, float) and np.isnan(v))


def _country_code(value: str) -> str | None:
    """The canonical code of a country name or code, None if it names no country."""
    try:
        reg = resolve_region(value, where="home_country")
    except InputError:
        return None
    return reg.ref if reg.kind == "country" else None


def make_terminals(*, lat_deg, lon_deg, alt_m=0.0, speed_kmh=0.0, time=None, whitelisted=False,
                   plan=None, home_country=None, roaming_days=0.0, funded=True,
                   plans: tuple[str, ...], home_codes: tuple[str, ...]) -> Terminals:
    lat = np.asarray(lat_deg, dtype=np.float64)
    lon = np.asarray(lon_deg, dtype=np.float64)
    t = _times(time)

    def unknown_plan(value, where):
        hint = did_you_mean(value, plans, n=2, cutoff=0.5,
                            otherwise=f"; the policy's plans are {', '.join(plans)}")
        return InputError(f"unknown plan {value!r}{hint}", where)

    def unknown_home(value, where):
        return InputError(f"unknown home country {value!r}; expected an ISO 3166 code such "
                          "as UA or UKR", where)

    _, _, plan_codes = _vocabulary_codes(plan, plans, "plan",
                                         lambda v: v if v in plans else None, unknown_plan,
                                         first_bad_by_row=False)
    # Canonical alpha-2 codes ("Ukraine", "UKR" -> "UA").
    home_names, home_of, home_codes_arr = _vocabulary_codes(
        home_country, home_codes, "home_country", _country_code, unknown_home,
        first_bad_by_row=True)
    fields = {
        "lat": lat, "lon": lon, "alt": np.asarray(alt_m, dtype=np.float64),
        "speed": np.asarray(speed_kmh, dtype=np.float64), "t": t.view(np.int64),
        "wl": np.asarray(whitelisted, dtype=np.bool_), "plan": np.asarray(plan_codes),
        "home": np.asarray(home_codes_arr), "roam": np.asarray(roaming_days, dtype=np.float64),
        "funded": np.asarray(funded, dtype=np.bool_),
    }
    try:
        shape = np.broadcast_shapes(*(a.shape for a in fields.values()))
    except ValueError:
        shapes = ", ".join(f"{k} {a.shape}" for k, a in fields.items() if a.shape)
        raise InputError(f"input arrays do not broadcast together: {shapes}", "decide") from None
    n = int(np.prod(shape))

    def flat(a: np.ndarray) -> np.ndarray:
        # Values shared by every row stay length 1 (the kernel reads index 0): no copies.
        if a.size == 1:
            return np.ascontiguousarray(a.reshape(1))
        return np.ascontiguousarray(np.broadcast_to(a, shape).reshape(n))

    lat_f, lon_f = flat(lat), flat(lon)
    if not (np.abs(lat_f) <= 90).all():  # NaN fails the comparison too
        i = int(np.flatnonzero(~(np.abs(lat_f) <= 90))[0])
        raise InputError(f"latitude {lat_f[i]} is not a number in -90..90", f"lat_deg[{i}]")
    lo, hi = (float(lon_f.min()), float(lon_f.max())) if lon_f.size else (0.0, 0.0)
    if not (np.isfinite(lo) and np.isfinite(hi)):
        i = int(np.flatnonzero(~np.isfinite(lon_f))[0])
        raise InputError(f"longitude {lon_f[i]} is not a finite number", f"lon_deg[{i}]")
    if lo < -180 or hi > 180:
        lon_f = wrap_lon(lon_f)
    return Terminals(
        shape=shape, lat_deg=lat_f, lon_deg=np.ascontiguousarray(lon_f),
        alt_m=flat(fields["alt"]), speed_kmh=flat(fields["speed"]), time_ns=flat(fields["t"]),
        whitelisted=flat(fields["wl"]), plan=flat(fields["plan"]).astype(np.int16),
        home=flat(fields["home"]).astype(np.int16), roaming_days=flat(fields["roam"]),
        funded=flat(fields["funded"]), plan_names=plans, home_names=home_names,
        home_of=flat(np.asarray(home_of)))
