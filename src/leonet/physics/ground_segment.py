"""Gateways, PoPs and terminals: the shipped Starlink tables and custom CSV / GeoJSON files.

The shipped tables (``leonet/data/starlink_gateways.csv``, 222 sites, and
``starlink_pops.csv``, 23 PoPs) are derived from public facts; every row carries a
``source`` key explained in ``leonet/data/README.md``.

>>> gw = starlink_gateways()
>>> len(gw) >= 200, gw.kind
(True, 'gateway')
>>> pops = starlink_pops()
>>> pops.names[pops.index_of("Frankfurt")], pops.country[pops.index_of("Frankfurt")]
('Frankfurt', 'DE')
>>> kyiv = wgs84.point(50.45, 30.52, name="Kyiv")
>>> str(pops.names[assign_pops(kyiv, pops)[0]])
'Frankfurt'
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np

from leonet.errors import InputError
from leonet.physics.earth import great_circle_km
from leonet.physics.ground import DEFAULT_MIN_ELEVATION_DEG, GroundPoints, wgs84

# Gateways (earth stations) are authorised to operate down to 25° elevation, like user
# terminals, in SpaceX's Gen1 modification (FCC 21-48, 2021, para. 4 and Schedule S).
GATEWAY_MIN_ELEVATION_DEG = 25.0

_LAT = ("lat_deg", "lat", "latitude")
_LON = ("lon_deg", "lon", "lng", "long", "longitude")
_ALT_M = ("alt_m", "elevation_m", "altitude_m", "height_m")
_KINDS = ("gateway", "pop", "terminal")


@dataclass(frozen=True, eq=False)
class Sites:
    """Ground sites of one kind as arrays ``(n,)``: positions (``points``), ISO country
    code (or ""), a ``source`` per row, and for terminals an optional PoP name (or "")."""

    points: GroundPoints
    country: np.ndarray
    source: np.ndarray
    pop: np.ndarray = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        n = len(self.points)
        for name in ("country", "source", "pop"):
            value = getattr(self, name)
            arr = (np.full(n, "", dtype=object) if value is None
                   else np.asarray(value, dtype=object).reshape(-1))
            if arr.shape != (n,):
                raise InputError(f"{name} has {arr.shape[0]} rows for {n} sites")
            object.__setattr__(self, name, arr)

    def __len__(self) -> int:
        return len(self.points)

    @property
    def kind(self) -> str:
        return self.points.kind

    @property
    def names(self) -> np.ndarray:
        return self.points.names

    def index_of(self, name: str) -> int:
        """Index of the site called ``name`` (case-insensitive; PoPs also by code)."""
        key = name.strip().casefold()
        hits = [i for i, n in enumerate(self.names) if str(n).casefold() == key]
        if not hits:
            known = ", ".join(sorted(str(n) for n in self.names)[:30])
            raise InputError(f"no {self.kind} named {name!r}; known: {known}")
        return hits[0]

    def __getitem__(self, index) -> Sites:
        idx = np.atleast_1d(np.arange(len(self))[index])
        return Sites(self.points[idx], self.country[idx], self.source[idx], self.pop[idx])

    def __repr__(self) -> str:
        return f"Sites(kind={self.kind!r}, n={len(self)})"


@cache
def _shipped(name: str) -> str:
    return resources.files("leonet.data").joinpath(name).read_text("utf-8")


def starlink_gateways(min_elevation_deg: float = GATEWAY_MIN_ELEVATION_DEG) -> Sites:
    """The shipped table of 222 Starlink gateway sites (approximate, late 2023)."""
    return parse_sites(_shipped("starlink_gateways.csv"), "gateway",
                       where="leonet/data/starlink_gateways.csv",
                       min_elevation_deg=min_elevation_deg)


def starlink_pops() -> Sites:
    """The shipped table of 23 Starlink PoPs (points of presence)."""
    return parse_sites(_shipped("starlink_pops.csv"), "pop",
                       where="leonet/data/starlink_pops.csv")


def read_sites(path: str | Path, kind: str, *,
               min_elevation_deg: float = DEFAULT_MIN_ELEVATION_DEG) -> Sites:
    """Gateways, PoPs or terminals from a CSV (``name,lat_deg,lon_deg`` and optionally
    ``alt_m``, ``min_elevation_deg``, ``country``, ``pop``, ``source``; ``lat``/``latitude``
    and ``lon``/``lng``/``longitude`` are accepted too) or a GeoJSON FeatureCollection of
    Point features (their properties give the same optional fields)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", str(path)) from None
    if path.suffix.lower() in (".geojson", ".json"):
        return parse_geojson_sites(text, kind, where=str(path),
                                   min_elevation_deg=min_elevation_deg)
    return parse_sites(text, kind, where=str(path), min_elevation_deg=min_elevation_deg)


def parse_sites(text: str, kind: str, *, where: str = "<string>",
                min_elevation_deg: float = DEFAULT_MIN_ELEVATION_DEG) -> Sites:
    """Sites from CSV text (see `read_sites`); errors name the line and field."""
    _check_kind(kind)
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise InputError("empty file: expected a header such as name,lat_deg,lon_deg",
                         where) from None
    col = {h: i for i, h in enumerate(header)}
    lat_c = next((col[c] for c in _LAT if c in col), None)
    lon_c = next((col[c] for c in _LON if c in col), None)
    if lat_c is None or lon_c is None:
        raise InputError(f"header {','.join(header)!r} needs a latitude column "
                         f"({'/'.join(_LAT)}) and a longitude column ({'/'.join(_LON)})",
                         f"{where}:1")
    alt_c = next((col[c] for c in _ALT_M if c in col), None)
    rows: dict[str, list] = {k: [] for k in ("name", "lat", "lon", "alt", "mask", "country",
                                             "source", "pop")}
    for lineno, row in enumerate(reader, start=2):
        if not row or not "".join(row).strip():
            continue
        if len(row) != len(header):
            raise InputError(f"{len(row)} fields, header has {len(header)}",
                             f"{where}:{lineno}")

        def get(name: str, row=row) -> str:
            return row[col[name]].strip() if name in col else ""

        lat = _number(row[lat_c], header[lat_c], f"{where}:{lineno}")
        lon = _number(row[lon_c], header[lon_c], f"{where}:{lineno}")
        alt = _number(row[alt_c], header[alt_c], f"{where}:{lineno}") if alt_c is not None \
            and row[alt_c].strip() else 0.0
        mask = (_number(get("min_elevation_deg"), "min_elevation_deg", f"{where}:{lineno}")
                if get("min_elevation_deg") else min_elevation_deg)
        _check_site(lat, lon, alt, mask, f"{where}:{lineno}")
        rows["name"].append(get("name") or f"{kind}-{len(rows['name'])}")
        rows["lat"].append(lat)
        rows["lon"].append(lon)
        rows["alt"].append(alt)
        rows["mask"].append(mask)
        rows["country"].append(get("country").upper())
        rows["source"].append(get("source") or where)
        rows["pop"].append(get("pop"))
    return _build(rows, kind, where)


def parse_geojson_sites(text: str, kind: str, *, where: str = "<string>",
                        min_elevation_deg: float = DEFAULT_MIN_ELEVATION_DEG) -> Sites:
    """Sites from a GeoJSON FeatureCollection of Points; errors give the JSON path."""
    _check_kind(kind)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
                         where) from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise InputError("expected a GeoJSON FeatureCollection", f"{where}: $")
    feats = doc.get("features")
    if not isinstance(feats, list):
        raise InputError("'features' must be a list", f"{where}: $.features")
    rows: dict[str, list] = {k: [] for k in ("name", "lat", "lon", "alt", "mask", "country",
                                             "source", "pop")}
    for i, feat in enumerate(feats):
        path = f"{where}: $.features[{i}]"
        geom = feat.get("geometry") if isinstance(feat, dict) else None
        if not isinstance(geom, dict) or geom.get("type") != "Point":
            raise InputError("expected a Point geometry", f"{path}.geometry")
        coords = geom.get("coordinates")
        if (not isinstance(coords, list) or len(coords) not in (2, 3)
                or not all(isinstance(c, int | float) for c in coords)):
            raise InputError("coordinates must be [lon, lat] or [lon, lat, alt_m]",
                             f"{path}.geometry.coordinates")
        props = feat.get("properties") or {}
        lon, lat = float(coords[0]), float(coords[1])
        alt = float(coords[2]) if len(coords) == 3 else 0.0
        mask = props.get("min_elevation_deg", min_elevation_deg)
        if not isinstance(mask, int | float):
            raise InputError("min_elevation_deg must be a number",
                             f"{path}.properties.min_elevation_deg")
        _check_site(lat, lon, alt, float(mask), f"{path}.geometry.coordinates")
        rows["name"].append(str(props.get("name") or f"{kind}-{i}"))
        rows["lat"].append(lat)
        rows["lon"].append(lon)
        rows["alt"].append(alt)
        rows["mask"].append(float(mask))
        rows["country"].append(str(props.get("country") or "").upper())
        rows["source"].append(str(props.get("source") or where))
        rows["pop"].append(str(props.get("pop") or ""))
    return _build(rows, kind, where)


def _check_kind(kind: str) -> None:
    if kind not in _KINDS:
        raise InputError(f"kind must be one of {', '.join(_KINDS)}, got {kind!r}")


def _number(text: str, field_name: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"field {field_name!r} must be a number, got {text.strip()!r}",
                         where) from None
    if not np.isfinite(value):
        raise InputError(f"field {field_name!r} must be finite, got {text.strip()!r}", where)
    return value


def _check_site(lat: float, lon: float, alt_m: float, mask: float, where: str) -> None:
    if not -90.0 <= lat <= 90.0 or not -180.0 <= lon <= 360.0:
        raise InputError(f"impossible coordinates: latitude {lat} must be in [-90, 90] and "
                         f"longitude {lon} in [-180, 360]", where)
    # Deepest dry land (Dead Sea shore, -430 m) to a mountain-top site with margin.
    if not -500.0 <= alt_m <= 9000.0:
        raise InputError(f"height {alt_m} m is not a ground site (expected -500 to 9,000 m)",
                         where)
    if not 0.0 <= mask < 90.0:
        raise InputError(f"elevation mask must be in [0, 90) degrees, got {mask}", where)


def _build(rows: dict[str, list], kind: str, where: str) -> Sites:
    if not rows["name"]:
        raise InputError(f"no {kind} rows", where)
    pts = wgs84.point(rows["lat"], rows["lon"], rows["alt"],
                      name=np.array(rows["name"], dtype=object),
                      min_elevation_deg=np.array(rows["mask"]), kind=kind)
    return Sites(pts, rows["country"], rows["source"], rows["pop"])


def assign_pops(points: GroundPoints | Sites, pops: Sites, *,
                country: np.ndarray | None = None,
                by_country: Mapping[str, str] | None = None) -> np.ndarray:
    """The PoP index of every point: an explicit PoP (a terminal's ``pop`` column), else
    the PoP its country is assigned to in ``by_country`` (ISO code -> PoP name), else the
    nearest PoP by great-circle distance."""
    explicit = points.pop if isinstance(points, Sites) else None
    if isinstance(points, Sites):
        country = points.country if country is None else country
        points = points.points
    d = great_circle_km(points.lat_deg[:, None], points.lon_deg[:, None],
                        pops.points.lat_deg[None, :], pops.points.lon_deg[None, :])
    out = np.argmin(d, axis=1)
    if by_country and country is not None:
        table = {k.upper(): pops.index_of(v) for k, v in by_country.items()}
        for i, cc in enumerate(country):
            if str(cc).upper() in table:
                out[i] = table[str(cc).upper()]
    if explicit is not None:
        for i, name in enumerate(explicit):
            if name:
                out[i] = pops.index_of(str(name))
    return out
