"""Ephemeris: Earth-fixed states of a constellation over a time grid, as arrays."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from leonet.notebook.display import html_summary
from leonet.physics.earth import ecef_to_geodetic
from leonet.physics.ground import GroundPoints
from leonet.physics.timegrid import TimeGrid
from leonet.physics.visibility import VisibilitySeries, count_visible, visible

# SGP4 error codes (Vallado et al. 2006, sgp4unit): what a nonzero ``error`` means.
SGP4_ERRORS = {
    0: "ok",
    1: "mean elements: eccentricity >= 1 or < -0.001, or semi-major axis < 0.95 Earth radii",
    2: "mean motion less than 0",
    3: "perturbed elements: eccentricity < 0 or > 1",
    4: "semi-latus rectum < 0",
    5: "epoch elements are sub-orbital",
    6: "satellite has decayed",
}


@dataclass(frozen=True, eq=False)
class Ephemeris:
    """Earth-fixed (ITRS, or pseudo-Earth-fixed without polar motion) states.

    ``r_ecef_km`` and ``v_ecef_km_s`` are ``(n_times, n_sats, 3)``; ``error`` is
    ``(n_times, n_sats)`` with SGP4's error code, and positions are NaN wherever it is
    nonzero.
    """

    grid: TimeGrid
    constellation: Any
    r_ecef_km: np.ndarray
    v_ecef_km_s: np.ndarray
    error: np.ndarray

    @property
    def n_times(self) -> int:
        return self.r_ecef_km.shape[0]

    @property
    def n_sats(self) -> int:
        return self.r_ecef_km.shape[1]

    @cached_property
    def _geodetic(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return ecef_to_geodetic(self.r_ecef_km)

    @property
    def lat_deg(self) -> np.ndarray:
        """Sub-satellite geodetic latitude, ``(n_times, n_sats)``."""
        return self._geodetic[0]

    @property
    def lon_deg(self) -> np.ndarray:
        """Sub-satellite longitude in [-180, 180], ``(n_times, n_sats)``."""
        return self._geodetic[1]

    @property
    def alt_km(self) -> np.ndarray:
        """Height above the WGS84 ellipsoid, ``(n_times, n_sats)``."""
        return self._geodetic[2]

    @cached_property
    def error_by_sat(self) -> np.ndarray:
        """First nonzero SGP4 error code of each satellite over the grid (0: none)."""
        bad = self.error != 0
        first = np.argmax(bad, axis=0)
        return np.where(bad.any(axis=0), self.error[first, np.arange(self.n_sats)], 0)

    def visible_from(self, points: GroundPoints, *, min_elevation_deg=None,
                     max_range_km: float | None = None):
        """Satellites above each point's mask at every instant: a `VisibilitySeries`."""
        return VisibilitySeries(self.grid, points, tuple(
            visible(points, self.r_ecef_km[k], min_elevation_deg=min_elevation_deg,
                    max_range_km=max_range_km)
            for k in range(self.n_times)
        ))

    def count_visible(self, points: GroundPoints, *, min_elevation_deg=None,
                      max_range_km: float | None = None) -> np.ndarray:
        """Number of satellites in view, ``(n_times, n_points)``."""
        return np.stack([
            count_visible(points, self.r_ecef_km[k], min_elevation_deg=min_elevation_deg,
                          max_range_km=max_range_km)
            for k in range(self.n_times)
        ]) if self.n_times else np.zeros((0, len(points)), np.int32)

    def __repr__(self) -> str:
        return f"Ephemeris(n_times={self.n_times}, n_sats={self.n_sats}, {self.grid!r})"

    def _repr_html_(self) -> str:
        failed = int(np.any(self.error != 0, axis=0).sum()) if self.error.size else 0
        return html_summary("Ephemeris", [
            ("instants", self.n_times), ("satellites", self.n_sats),
            ("first", self.grid.iso[0] if self.n_times else ""),
            ("last", self.grid.iso[-1] if self.n_times else ""),
            ("satellites with SGP4 errors", failed)])
