"""Height above ground of each report, and how sure it is.

A report carries its GNSS altitude above mean sea level (``alt_m``) and, when its source
measured it, its height above the ground (``height_agl_m``). Where that is absent the height
above ground is estimated from the terrain under the report (`leonet.physics.terrain`), and
the lowest it can be is that estimate less the ground's error and the GNSS vertical error:
detectors claim "above ground" only by that lower bound, so a car on a mountain pass or a
terminal in a valley town is never taken for a flight. Without terrain (``terrain = false``)
only reports with ``height_agl_m`` have a height above ground; the others have NaN, and no
detector says anything about their height.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from leonet.control.telemetry import Telemetry
from leonet.physics.terrain import ground_height


@dataclass(frozen=True, eq=False)
class AboveGround:
    """Per report: ``estimate_m`` (best estimate of the height above ground), ``low_m`` (the
    lowest it can be), and the ground used (``ground_m`` above sea level, ``ground_error_m``),
    NaN where the report measured its own height or nothing is known."""

    estimate_m: np.ndarray
    low_m: np.ndarray
    ground_m: np.ndarray
    ground_error_m: np.ndarray

    @property
    def measured(self) -> np.ndarray:
        """Reports whose height above ground came with them."""
        return np.isfinite(self.estimate_m) & np.isnan(self.ground_m)

    def for_policy(self, rows: np.ndarray) -> np.ndarray:
        """Heights to give a policy's altitude conditions: the lower bound, and 0 (on the
        ground, never above a limit) where nothing is known."""
        low = self.low_m[rows]
        return np.where(np.isfinite(low), low, 0.0)


def above_ground(tel: Telemetry, *, terrain: bool, gnss_vertical_error_m: float) -> AboveGround:
    measured = np.isfinite(tel.height_agl_m)
    n = len(tel)
    ground = np.full(n, np.nan)
    error = np.full(n, np.nan)
    estimate = np.where(measured, tel.height_agl_m, np.nan)
    low = estimate.copy()
    rows = np.flatnonzero(~measured)
    if terrain and rows.size:
        g = ground_height(tel.lat_deg[rows], tel.lon_deg[rows])
        ground[rows], error[rows] = g.height_m, g.error_m
        estimate[rows] = tel.alt_m[rows] - g.height_m
        low[rows] = estimate[rows] - g.error_m - gnss_vertical_error_m
    return AboveGround(estimate, low, ground, error)


def height_words(h: AboveGround, tel: Telemetry, rows: np.ndarray) -> str:
    """How high the highest of ``rows`` was, and from what: for evidence."""
    top = int(rows[np.nanargmax(h.low_m[rows])])
    if not np.isnan(h.ground_m[top]):
        return (f"at least {h.low_m[top]:,.0f} m above ground at the highest (GNSS altitude "
                f"{tel.alt_m[top]:,.0f} m above sea level over ground at "
                f"{h.ground_m[top]:,.0f} ± {h.ground_error_m[top]:,.0f} m)")
    return f"{h.estimate_m[top]:,.0f} m above ground at the highest (as reported)"
