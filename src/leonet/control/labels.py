"""Point -> region labels: the country, or the disputed area, each point is in.

One grid index (`leonet.control.gridindex`) over the shipped boundary edition answers a whole
array of points in one compiled pass: the polygon's own answer for every point not lying on a
boundary line itself (a point exactly on a shared border goes to one of the two sides).

>>> region_labels([50.45, 44.95, 48.0, 52.23], [30.52, 34.10, 37.8, 21.01]).tolist()
['UA', 'crimea', 'ua-occupied-donetsk', 'PL']
>>> region_labels([48.0], [37.8], roll_up=True).tolist(), country_labels([0.0], [-30.0]).tolist()
(['ua-occupied'], [''])
"""

from __future__ import annotations

from functools import cache

import numpy as np

from leonet.control.boundaries import countries
from leonet.control.gridindex import GridIndex, build_index, first_region
from leonet.control.regions import disputed_ids, disputed_parents, disputed_region, wrap_lon

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


@cache
def _country_labeler() -> tuple[np.ndarray, GridIndex]:
    """``(codes, index)``: the last code, ``""``, is the one for no country (index -1)."""
    table = countries()
    return (np.array([*(str(c) for c in table.code), ""], dtype=object),
            build_index(list(table.geometry)))


def region_labels(lat_deg, lon_deg, *, roll_up: bool = False) -> np.ndarray:
    """The disputed area or country code each point is in (``"(sea)"`` when none), as a flat
    object array. With ``roll_up``, a part of a named area is reported as the area (the four
    occupied oblasts as ``ua-occupied``)."""
    names, rolled, index = _region_labeler()
    return (rolled if roll_up else names)[_first(index, lat_deg, lon_deg)]


def country_index(lat_deg, lon_deg) -> np.ndarray:
    """Row of `leonet.control.boundaries.countries` holding each point (int32), -1 at sea."""
    return _first(_country_labeler()[1], lat_deg, lon_deg)


def country_labels(lat_deg, lon_deg) -> np.ndarray:
    """The country code (of the shipped boundary edition) each point is in, ``""`` at sea, as
    a flat object array."""
    codes, index = _country_labeler()
    return codes[_first(index, lat_deg, lon_deg)]


def _first(index: GridIndex, lat_deg, lon_deg) -> np.ndarray:
    """The lowest-numbered region holding each point, -1 (the labels' last entry) for none."""
    lat = np.asarray(lat_deg, dtype=np.float64).ravel()
    lon = np.asarray(lon_deg, dtype=np.float64).ravel()
    # Only longitudes outside -180..180 are wrapped: wrapping moves the others by float
    # rounding, which can carry a point lying on a boundary line across it.
    out = (lon < -180.0) | (lon > 180.0)
    if out.any():
        lon = np.where(out, wrap_lon(lon), lon)
    return first_region(index, lat, lon)
