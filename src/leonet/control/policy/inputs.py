"""Terminal attributes for `Policy.decide`: checked, broadcast, coded for the kernel."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from leonet.control.regions import resolve_region, wrap_lon
from leonet.errors import InputError, did_you_mean
from leonet.physics.timegrid import parse_utc


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
    home_names: np.ndarray  # canonical home country codes (object), or shape (1,) ""

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
            "home_country": str(at(self.home_names)) or None,
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


def _codes(values, vocabulary: tuple[str, ...], what: str, check) -> np.ndarray:
    """Integer codes of string values (None/""/NaN -> -1), checking each distinct value."""
    arr = np.asarray(values, dtype=object)
    flat = arr.ravel()
    out = np.full(flat.size, -1, dtype=np.int16)
    uniq, inverse = np.unique(np.array(["" if _missing(v) else str(v) for v in flat]),
                              return_inverse=True)
    for k, value in enumerate(uniq.tolist()):
        if not value:
            continue
        rows = np.flatnonzero(inverse == k)
        code = check(value, f"{what}[{int(rows[0])}]" if arr.ndim else what)
        if code in vocabulary:
            out[rows] = vocabulary.index(code)
    return out.reshape(arr.shape)


def _missing(v) -> bool:
    return v is None or v == "" or (isinstance(v, float) and np.isnan(v))


def make_terminals(*, lat_deg, lon_deg, alt_m=0.0, speed_kmh=0.0, time=None, whitelisted=False,
                   plan=None, home_country=None, roaming_days=0.0, funded=True,
                   plans: tuple[str, ...], home_codes: tuple[str, ...]) -> Terminals:
    lat = np.asarray(lat_deg, dtype=np.float64)
    lon = np.asarray(lon_deg, dtype=np.float64)
    t = _times(time)

    def check_plan(value, where):
        if value not in plans:
            hint = did_you_mean(value, plans, n=2, cutoff=0.5,
                                otherwise=f"; the policy's plans are {', '.join(plans)}")
            raise InputError(f"unknown plan {value!r}{hint}", where)
        return value

    def check_home(value, where):
        try:
            reg = resolve_region(value, where=where)
        except InputError:
            reg = None
        if reg is None or reg.kind != "country":
            raise InputError(f"unknown home country {value!r}; expected an ISO 3166 code such "
                             "as UA or UKR", where)
        return reg.ref

    plan_codes = _codes(plan, plans, "plan", check_plan) if plan is not None else np.int16(-1)
    if home_country is not None:
        # Canonical alpha-2 codes ("Ukraine", "UKR" -> "UA"), each distinct value checked once.
        raw = np.asarray(home_country, dtype=object)
        keys = ["" if _missing(v) else str(v) for v in raw.ravel().tolist()]
        canon: dict[str, str] = {"": ""}
        for k, key in enumerate(keys):
            if key not in canon:
                canon[key] = check_home(key, f"home_country[{k}]" if raw.ndim else "home_country")
        home_country = np.array([canon[k] for k in keys], dtype=object).reshape(raw.shape)
    home_codes_arr = (_codes(home_country, home_codes, "home_country", lambda v, w: v)
                      if home_country is not None else np.int16(-1))
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
    homes = (np.asarray(home_country, dtype=object) if home_country is not None
             else np.array([""], dtype=object))
    return Terminals(
        shape=shape, lat_deg=lat_f, lon_deg=np.ascontiguousarray(lon_f),
        alt_m=flat(fields["alt"]), speed_kmh=flat(fields["speed"]), time_ns=flat(fields["t"]),
        whitelisted=flat(fields["wl"]), plan=flat(fields["plan"]).astype(np.int16),
        home=flat(fields["home"]).astype(np.int16), roaming_days=flat(fields["roam"]),
        funded=flat(fields["funded"]), plan_names=plans,
        home_names=flat(np.where(homes == None, "", homes)) if homes.size > 1 else  # noqa: E711
        homes.reshape(-1)[:1])
