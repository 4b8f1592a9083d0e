"""Terminal populations: synthetic (from world-city populations) or read from CSV/Parquet.

A file has the columns ``terminal_id,time,lat_deg,lon_deg,alt_m,speed_kmh`` and optionally
``plan,whitelisted,home_country,roaming_days,funded``; times carry a zone.

>>> pop = synthesize_population(1000, seed=7, time="2026-02-10T12:00:00Z")
>>> len(pop), pop.terminal_id[0], bool((abs(pop.lat_deg) <= 90).all())
(1000, 'T000000', True)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from leonet.control.boundaries import countries
from leonet.control.regions import Region
from leonet.errors import InputError
from leonet.physics.ground import world_cities
from leonet.physics.timegrid import iso_utc, parse_utc

REQUIRED = ("terminal_id", "time", "lat_deg", "lon_deg", "alt_m", "speed_kmh")
OPTIONAL = ("plan", "whitelisted", "home_country", "roaming_days", "funded")
# Synthetic mix (assumptions, stated so a reader can change them): most terminals are fixed,
# some ride in vehicles, a few are airborne on drones; plans roughly as Starlink sells them.
_SPEED_CLASSES = ((0.80, 0.0, 0.0), (0.17, 20.0, 130.0), (0.03, 60.0, 200.0))
_PLANS = (("residential", 0.55), ("roam", 0.2), ("business", 0.1), ("mobile-priority", 0.05),
          ("donated", 0.1))
# The world-city table gives overseas departments and territories ISO 3166-1 codes of their
# own; the shipped boundary edition (Natural Earth 5.1.1 admin-0) draws them inside their
# sovereign's feature, and ISO 3166-2 lists them as parts of that state (FR-GF, FR-GP,
# FR-MQ, FR-RE, FR-YT; Bonaire, Sint Eustatius and Saba NL-BQ1..3; Christmas and Cocos
# Islands external territories of AU; Svalbard and Jan Mayen of NO). A terminal there has its
# sovereign as home country, a code the policy engine knows.
_SOVEREIGN = {"GF": "FR", "GP": "FR", "MQ": "FR", "RE": "FR", "YT": "FR", "BQ": "NL",
              "CC": "AU", "CX": "AU", "SJ": "NO"}


@dataclass(frozen=True, eq=False)
class Population:
    """Terminals as arrays (one row each); optional columns are None when absent."""

    terminal_id: np.ndarray
    time: np.ndarray  # datetime64[ns]
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_m: np.ndarray
    speed_kmh: np.ndarray
    plan: np.ndarray | None = None
    whitelisted: np.ndarray | None = None
    home_country: np.ndarray | None = None
    roaming_days: np.ndarray | None = None
    funded: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.lat_deg.size)

    def at_time(self, time) -> Population:
        """The same terminals at another instant."""
        t = np.full(len(self), parse_utc(time), dtype="datetime64[ns]")
        return replace(self, time=t)

    def decide(self, policy):
        """`Policy.decide` over every terminal."""
        kw = {k: getattr(self, k) for k in OPTIONAL if getattr(self, k) is not None}
        return policy.decide(lat_deg=self.lat_deg, lon_deg=self.lon_deg, alt_m=self.alt_m,
                             speed_kmh=self.speed_kmh, time=self.time, **kw)

    def columns(self) -> dict[str, np.ndarray]:
        out = {k: getattr(self, k) for k in REQUIRED}
        out.update({k: getattr(self, k) for k in OPTIONAL if getattr(self, k) is not None})
        return out


def synthesize_population(n: int, *, seed: int = 0, time="2026-02-10T12:00:00Z",
                          countries: list[str] | None = None, spread_km: float = 8.0
                          ) -> Population:
    """``n`` terminals placed at world cities with probability proportional to population,
    scattered around each city (normal, ``spread_km`` scaled by the city's size)."""
    if n < 0:
        raise InputError(f"population size must be >= 0, got {n}")
    rng = np.random.default_rng(seed)
    lat, lon, country = place_at_cities(n, rng, countries, spread_km)
    u = rng.random(n)
    speed = np.zeros(n)
    alt = np.zeros(n)
    lo = 0.0
    for share, vmin, vmax in _SPEED_CLASSES:
        sel = (u >= lo) & (u < lo + share)
        speed[sel] = rng.uniform(vmin, vmax, sel.sum()) if vmax > 0 else 0.0
        lo += share
    airborne = u >= 1.0 - _SPEED_CLASSES[-1][0]
    alt[airborne] = rng.uniform(50.0, 500.0, airborne.sum())
    plans = np.array([p for p, _ in _PLANS], dtype=object)
    plan = plans[rng.choice(plans.size, size=n, p=[w for _, w in _PLANS])]
    return Population(
        terminal_id=np.array([f"T{i:06d}" for i in range(n)], dtype=object),
        time=np.full(n, parse_utc(time), dtype="datetime64[ns]"),
        lat_deg=lat, lon_deg=lon, alt_m=alt, speed_kmh=speed, plan=plan,
        whitelisted=rng.random(n) < 0.1, home_country=_home_countries(country),
        roaming_days=np.zeros(n), funded=~((plan == "donated") & (rng.random(n) < 0.5)),
    )


def place_at_cities(n: int, rng: np.random.Generator, countries: list[str] | None = None,
                    spread_km: float = 8.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` places drawn at world cities (GeoNames, 15,000 people or more) with probability
    proportional to population, scattered around each city (normal, ``spread_km`` for a city
    of a million, scaled by the square root of its size); ``(lat_deg, lon_deg, country)``."""
    cities = world_cities()
    mask = np.ones(len(cities), dtype=bool)
    if countries:
        mask = np.isin(cities.country.astype(str), [c.upper() for c in countries])
        if not mask.any():
            raise InputError(f"no cities in countries {countries}")
    idx = np.flatnonzero(mask)
    weight = cities.population[idx].astype(np.float64)
    pick = idx[rng.choice(idx.size, size=n, p=weight / weight.sum())]
    scale_km = spread_km * np.sqrt(np.maximum(cities.population[pick], 1.5e4) / 1e6)
    north_km = rng.normal(0.0, 1.0, n) * scale_km
    east_km = rng.normal(0.0, 1.0, n) * scale_km
    lat = np.clip(cities.lat_deg[pick] + north_km / 111.2, -89.9, 89.9)
    lon = cities.lon_deg[pick] + east_km / (111.2 * np.cos(np.deg2rad(lat)))
    lon = (lon + 180.0) % 360.0 - 180.0
    return lat, lon, cities.country[pick].astype(object)


def countries_of_regions(regions: Iterable[Region]) -> list[str]:
    """The country codes of the world cities (`place_at_cities`' towns) that lie in any of
    ``regions``, sorted: where a synthetic population must be drawn for its terminals to meet
    the rules naming those regions. Empty when no town lies in them."""
    cities = world_cities()
    inside = np.zeros(len(cities), dtype=bool)
    for region in regions:
        inside |= region.contains(cities.lat_deg, cities.lon_deg)
    return sorted({str(c) for c in cities.country[inside]})


def _home_countries(city_codes: np.ndarray) -> np.ndarray:
    """Home country of each terminal: its city's code where the boundary edition has it,
    else the sovereign's (`_SOVEREIGN`), else none (``None``: no home-country rule applies)."""
    known = {str(c) for c in countries().code}
    codes = city_codes.astype(str)
    table = {c: c if c in known else _SOVEREIGN.get(c) for c in np.unique(codes).tolist()}
    return np.array([table[c] for c in codes.tolist()], dtype=object)


def read_points(path: str | Path) -> Population:
    """Read terminals from CSV or Parquet (errors name the file, column and row)."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"points file {path} does not exist", str(path))
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            table = pq.read_table(path)
        elif path.suffix.lower() in (".csv", ".txt"):
            table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
                column_types={"terminal_id": pa.string(), "time": pa.string(),
                              "plan": pa.string(), "home_country": pa.string()}))
        else:
            raise InputError("points must be .csv or .parquet", str(path))
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"cannot read points: {exc}", str(path)) from None
    missing = [c for c in REQUIRED if c not in table.column_names]
    if missing:
        raise InputError(f"missing column(s) {', '.join(missing)}; required: "
                         f"{','.join(REQUIRED)}", str(path))
    cols: dict = {}
    for name in REQUIRED + OPTIONAL:
        if name not in table.column_names:
            continue
        col = table.column(name)
        where = f"{path}: column {name}"
        if name in ("terminal_id", "plan", "home_country"):
            cols[name] = np.array(col.to_pylist(), dtype=object)
        elif name == "time":
            cols[name] = _times(col, path)
        elif name in ("whitelisted", "funded"):
            cols[name] = _bools(col.to_pylist(), where, default=name == "funded")
        else:
            cols[name] = _floats(col.to_pylist(), where, allow_missing=name != "lat_deg"
                                 and name != "lon_deg")
    ids = cols["terminal_id"]
    if any(v is None or v == "" for v in ids):
        row = next(i for i, v in enumerate(ids) if v is None or v == "")
        raise InputError("terminal_id is empty", f"{path}: row {row + 2}")
    return Population(**cols)


def _times(col, path: Path) -> np.ndarray:
    if pa.types.is_timestamp(col.type):
        if col.type.tz is None:
            raise InputError("time column has no timezone; store UTC timestamps with tz='UTC'",
                             f"{path}: column time")
        return np.array(col.cast(pa.timestamp("ns", tz="UTC")).to_numpy(zero_copy_only=False),
                        dtype="datetime64[ns]")
    values = col.to_pylist()
    out = np.empty(len(values), dtype="datetime64[ns]")
    cache: dict[str, np.datetime64] = {}
    for i, v in enumerate(values):
        if v not in cache:
            try:
                cache[v] = parse_utc(v if v is not None else "", what="time")
            except InputError as exc:
                raise InputError(exc.what, f"{path}: row {i + 2}, column time") from None
        out[i] = cache[v]
    return out


def _floats(values: list, where: str, *, allow_missing: bool) -> np.ndarray:
    out = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    if not allow_missing and np.isnan(out).any():
        row = int(np.flatnonzero(np.isnan(out))[0])
        raise InputError("value is missing", f"{where}, row {row + 2}")
    return out


_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f", ""}


def _bools(values: list, where: str, *, default: bool) -> np.ndarray:
    out = np.empty(len(values), dtype=bool)
    for i, v in enumerate(values):
        if v is None:
            out[i] = default
        elif isinstance(v, bool | np.bool_):
            out[i] = bool(v)
        elif str(v).strip().lower() in _TRUE:
            out[i] = True
        elif str(v).strip().lower() in _FALSE:
            out[i] = False if str(v).strip() else default
        else:
            raise InputError(f"expected true/false, got {v!r}", f"{where}, row {i + 2}")
    return out


def write_points(path: str | Path, columns: dict[str, np.ndarray]) -> None:
    """Write columns to CSV or Parquet (by extension); times as ISO 8601 with Z in CSV."""
    path = Path(path)
    arrays = {}
    for name, values in columns.items():
        values = np.asarray(values)
        if np.issubdtype(values.dtype, np.datetime64):
            if path.suffix.lower() == ".csv":
                arrays[name] = pa.array(iso_utc(values, "s").tolist())
            else:
                arrays[name] = pa.array(values.astype("datetime64[ns]"),
                                        type=pa.timestamp("ns", tz="UTC"))
        elif values.dtype == object:
            arrays[name] = pa.array([None if v is None else str(v) for v in values.tolist()])
        else:
            arrays[name] = pa.array(values)
    table = pa.table(arrays)
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            pq.write_table(table, path)
        elif path.suffix.lower() == ".csv":
            pacsv.write_csv(table, path)
        else:
            raise InputError("output must be .csv or .parquet", str(path))
    except OSError as exc:
        raise InputError(f"cannot write: {exc}", str(path)) from None
