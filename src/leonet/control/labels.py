"""Point -> region labels: the country, or the disputed area, each point is in.

One grid index (`leonet.control.gridindex`) over the shipped boundary edition answers a whole
array of points in one compiled pass: the polygon's own answer for every point not lying on a
boundary line itself (a point exactly on a shared border goes to one of the two sides).

A point outside every land polygon is in the region whose coast is nearest when that coast is
within ``waters_km`` (the territorial sea, 12 nmi, by default; `leonet.control.waters`); 0
keeps land only. Land points never change label.

>>> region_labels([50.45, 44.95, 48.0, 52.23, 44.6167],
...               [30.52, 34.10, 37.8, 21.01, 33.5254]).tolist()
['UA', 'crimea', 'ua-occupied-donetsk', 'PL', 'crimea']
>>> region_labels([44.6167], [33.5254], waters_km=0).tolist()
['(sea)']
>>> region_labels([48.0], [37.8], roll_up=True).tolist(), country_labels([0.0], [-30.0]).tolist()
(['ua-occupied'], [''])
"""

from __future__ import annotations

from functools import cache

import numpy as np

from leonet.control.boundaries import countries
from leonet.control.gridindex import GridIndex, build_index, first_region
from leonet.control.regions import disputed_ids, disputed_parents, disputed_region, wrap_lon
from leonet.control.watergrid import WaterGrid, grid_units, water_grid
from leonet.control.waters import (
    TERRITORIAL_SEA_KM,
    coast_grid,
    near_coast_cells,
    nearest_coast,
    unit_countries,
)

SEA = "(sea)"


@cache
def _region_labeler() -> tuple[np.ndarray, np.ndarray, GridIndex]:
    """``(names, rolled-up names, index)``: the last name of each is the one for no region."""
    # Disputed areas before countries, and the smallest first, so a point gets the most
    # specific name: "ua-occupied-donetsk" rather than "ua-occupied", "kashmir-india" rather
    # than "kashmir".
    regions = sorted((disputed_region(i) for i in dict.fromkeys(disputed_ids().values())),
                     key=lambda r: r.geometry.area)
    table = countries()
    names = [*(r.ref for r in regions), *(str(c) for c in table.code), SEA]
    parent = disputed_parents()
    index = build_index([r.geometry for r in regions] + list(table.geometry))
    return (np.array(names, dtype=object),
            np.array([parent.get(n, n) for n in names], dtype=object), index)


def land_index() -> GridIndex:
    """The grid index of every land unit (disputed areas, then countries): a point any of
    them holds is on land."""
    return _region_labeler()[2]


def land_index_tried(country_codes: set[str]) -> np.ndarray:
    """Per region of `land_index`, whether a lookup over the polygons of ``country_codes``
    already tells a point in it from one outside it: the countries named, and every disputed
    area (its land lies in countries' polygons, which touch every cell it touches)."""
    names = _region_labeler()[0][:-1]
    n_disputed = len(names) - len(countries().code)
    return np.array([k < n_disputed or str(n) in country_codes for k, n in enumerate(names)],
                    dtype=np.bool_)


def waters_grid(waters_km: float) -> WaterGrid:
    """The per-cell answers to "whose waters" for ``waters_km`` (`leonet.control.watergrid`)."""
    return water_grid(float(waters_km), land_index())


@cache
def _country_labeler() -> tuple[np.ndarray, GridIndex]:
    """``(codes, index)``: the last code, ``""``, is the one for no country (index -1)."""
    table = countries()
    return (np.array([*(str(c) for c in table.code), ""], dtype=object),
            build_index(list(table.geometry)))


def region_labels(lat_deg, lon_deg, *, roll_up: bool = False,
                  waters_km: float = TERRITORIAL_SEA_KM) -> np.ndarray:
    """The disputed area or country code each point is in (``"(sea)"`` when none), as a flat
    object array. With ``roll_up``, a part of a named area is reported as the area (the four
    occupied oblasts as ``ua-occupied``). Waters within ``waters_km`` of a coast count."""
    names, rolled, index = _region_labeler()
    lat, lon = _flat(lat_deg, lon_deg)
    k = first_region(index, lat, lon)
    _add_waters(k, lat, lon, waters_km, np.arange(len(names) - 1))
    return (rolled if roll_up else names)[k]


def country_index(lat_deg, lon_deg, *, waters_km: float = TERRITORIAL_SEA_KM) -> np.ndarray:
    """Row of `leonet.control.boundaries.countries` holding each point (int32), -1 at sea
    (beyond ``waters_km`` of any coast)."""
    lat, lon = _flat(lat_deg, lon_deg)
    k = first_region(_country_labeler()[1], lat, lon)
    _add_waters(k, lat, lon, waters_km, _unit_country_rows())
    return k


def country_labels(lat_deg, lon_deg, *, waters_km: float = TERRITORIAL_SEA_KM) -> np.ndarray:
    """The country code (of the shipped boundary edition) each point is in, ``""`` at sea
    (beyond ``waters_km`` of any coast), as a flat object array."""
    return _country_labeler()[0][country_index(lat_deg, lon_deg, waters_km=waters_km)]


@cache
def _unit_country_rows() -> np.ndarray:
    table = countries()
    return np.array([table.index(c) for c in unit_countries()], dtype=np.int32)


def _add_waters(k: np.ndarray, lat: np.ndarray, lon: np.ndarray, waters_km: float,
                unit_to_label: np.ndarray) -> None:
    """Give the points outside every polygon (``k == -1``) the label of their nearest coast's
    land unit when it is within ``waters_km``, in place."""
    if not waters_km:
        return
    sea = np.flatnonzero(k < 0)
    if sea.size:
        unit = grid_units(waters_grid(waters_km), land_index(), lat[sea], lon[sea],
                          at_sea=True)
        hit = unit >= 0
        k[sea[hit]] = unit_to_label[unit[hit]]


def water_units(lat_deg, lon_deg, waters_km: float = TERRITORIAL_SEA_KM
                ) -> tuple[np.ndarray, np.ndarray]:
    """``(unit, distance_km)`` per point: the land unit (`leonet.control.waters.unit_names`)
    whose waters hold a point outside every land polygon, and the distance to that coast;
    ``(-1, nan)`` on land, ``(-1, inf)`` beyond ``waters_km`` of every coast. Points in grid
    cells far from any coast are settled by one bit each."""
    lat, lon = _flat(lat_deg, lon_deg)
    unit = np.full(lat.size, -1, dtype=np.int32)
    dist = np.full(lat.size, np.inf)
    if not waters_km or not lat.size:
        return unit, dist
    g = coast_grid()
    with np.errstate(invalid="ignore"):
        ix = np.clip(np.floor((lon + 180.0) / g.res_deg), 0, g.ncols - 1).astype(np.int64)
        iy = np.clip(np.floor((lat + 90.0) / g.res_deg), 0, g.nrows - 1).astype(np.int64)
    cell = iy * g.ncols + ix
    near = np.flatnonzero((near_coast_cells(waters_km)[cell >> 3] >> (7 - (cell & 7))) & 1)
    if near.size:
        land = first_region(_country_labeler()[1], lat[near], lon[near]) >= 0
        dist[near[land]] = np.nan
        sea = near[~land]
        unit[sea], dist[sea] = nearest_coast(lat[sea], lon[sea], waters_km)
    return unit, dist


def describe_place(lat_deg: float, lon_deg: float,
                   waters_km: float = TERRITORIAL_SEA_KM) -> str:
    """Where one point is, in words: ``"in UA (land)"``, ``"in UA: territorial sea, 3.2 km
    from the coast"``, ``"in crimea (UA): ..."``, or at sea beyond any waters."""
    index = _region_labeler()[2]
    lat, lon = _flat([lat_deg], [lon_deg])
    k = int(first_region(index, lat, lon)[0])
    if k >= 0:
        return f"in {_with_country(k)} (land)"
    unit, dist = water_units(lat, lon, waters_km)
    if unit[0] >= 0:
        kind = ("territorial sea" if waters_km == TERRITORIAL_SEA_KM
                else f"waters within {waters_km:g} km of the coast")
        return f"in {_with_country(int(unit[0]))}: {kind}, {dist[0]:.1f} km from the coast"
    if not waters_km:
        return "at sea or in no country (the policy counts land only: waters = \"land\")"
    return f"at sea or in no country: no coast within {waters_km:g} km"


def _with_country(k: int) -> str:
    name = str(_region_labeler()[0][k])
    code = str(unit_countries()[k])
    return name if name == code else f"{name} ({code})"


def _flat(lat_deg, lon_deg) -> tuple[np.ndarray, np.ndarray]:
    """Flat float64 coordinates; only longitudes outside -180..180 are wrapped: wrapping moves
    the others by float rounding, which can carry a point lying on a boundary line across it."""
    lat = np.asarray(lat_deg, dtype=np.float64).ravel()
    lon = np.asarray(lon_deg, dtype=np.float64).ravel()
    out = (lon < -180.0) | (lon > 180.0)
    if out.any():
        lon = np.where(out, wrap_lon(lon), lon)
    return lat, lon
