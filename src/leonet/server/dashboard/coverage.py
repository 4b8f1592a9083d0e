"""The dashboard's coverage map: a region's H3 cells as one triangle mesh, sent once, and per
time window one byte per cell (or per cell and 15-s sample) of a figure of merit from
leonet's own coverage and capacity code (`leonet.regional`), so the browser only rewrites a
colour buffer when the slider or the sky's clock moves.

Figures:

- ``in_view``: satellites above the scenario's elevation mask at every 15-s sample of the
  window (`leonet.physics.visibility.count_visible`, the kernel `leonet coverage` counts with);
- ``percent_covered``: percent of the window's samples with a satellite in view
  (`leonet.physics.coverage.figures_from_counts`, the figures `leonet coverage` prints);
- ``availability``: the class of `leonet capacity` (`leonet.regional.capacity.region_capacity`)
  over the window, activation by the policy in force at its start.

>>> mesh = cell_mesh(region_cells("h3:851e6387fffffff", 5))  # Kyiv's cell
>>> mesh.lonlat_deg.shape, mesh.triangles.tolist(), mesh.cell_of_vertex.tolist()
((6, 2), [[0, 1, 2], [0, 2, 3], [0, 3, 4], [0, 4, 5]], [0, 0, 0, 0, 0, 0])
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import h3.api.numpy_int as h3n
import numpy as np

from leonet.errors import InputError
from leonet.physics.capacity import CLASSES
from leonet.physics.coverage import figures_from_counts
from leonet.physics.ground import GroundPoints
from leonet.physics.orbits.constellation import Constellation
from leonet.physics.timegrid import NS_PER_S, TimeGrid, iso_utc
from leonet.physics.visibility import count_visible
from leonet.regional.capacity import region_capacity
from leonet.regional.cells import CellSet, region_cells

Figure = Literal["in_view", "percent_covered", "availability"]
FIGURES: tuple[Figure, ...] = ("in_view", "percent_covered", "availability")
# The range: res 4 (≈1,770 km² cells: all land is 81k of them) to res 6 (≈36 km²).
RESOLUTIONS = (4, 5, 6)
# All land at res 4 (81,395 cells) is the largest map asked for; a software rasteriser draws
# about six vertices per cell, so res 5 over all land (570k cells) would not be a map.
MAX_MAP_CELLS = 100_000
# Satellites in view travel as one byte; more than 255 above a mask never happens (the
# 10.7k snapshot shows about 60 at 25°).
MAX_IN_VIEW = 255
# Region forms that read files (``cells:``, ``file:``, GeoJSON paths) are for the command line;
# a web parameter must not name files on the server.
FILE_FORMS = ("cells:", "file:")


@dataclass(frozen=True, eq=False)
class CellMesh:
    """Cells as triangles for the GPU: ``lonlat_deg`` float32 ``(n_vertices, 2)`` (each cell's
    boundary; longitudes continue past ±180° so no cell is torn),
    ``triangles`` uint32 ``(n_triangles, 3)`` and ``cell_of_vertex``
    uint32 ``(n_vertices,)``: which cell's colour each vertex takes."""

    lonlat_deg: np.ndarray
    triangles: np.ndarray
    cell_of_vertex: np.ndarray


def map_cells(region: str, res: int) -> CellSet:
    """The cells of ``region`` (a country, disputed area or named region, or ``land``) at
    ``res`` 4-6, at most `MAX_MAP_CELLS`."""
    text = region.strip()
    if text.lower().startswith(FILE_FORMS) or text.lower().endswith((".geojson", ".json")):
        raise InputError(f"{region!r}: the dashboard takes region names (a country, disputed "
                         "area, 'land'), not files", "region")
    if res not in RESOLUTIONS:
        raise InputError(f"resolution must be one of {', '.join(map(str, RESOLUTIONS))}, got "
                         f"{res}", "res")
    return region_cells(text, res, max_cells=MAX_MAP_CELLS)


def cell_mesh(cells: CellSet) -> CellMesh:
    """`CellMesh` of ``cells``: each cell a fan of triangles from its first boundary vertex
    (a hexagon is 6 vertices and 4 triangles, a pentagon 5 and 3: the fewest a software
    rasteriser can shade)."""
    rings = [h3n.cell_to_boundary(int(c)) for c in cells.cells.tolist()]
    sizes = np.array([len(r) for r in rings], dtype=np.int64)  # 6, or 5 for pentagons
    starts = np.cumsum(sizes) - sizes
    latlng = np.concatenate(rings) if rings else np.zeros((0, 2))
    cell_of_vertex = np.repeat(np.arange(len(cells), dtype=np.uint32), sizes)
    # Keep each cell whole across the antimeridian: its vertices within 180° of its first.
    first_lon = latlng[starts, 1][cell_of_vertex] if rings else np.zeros(0)
    lon = first_lon + (latlng[:, 1] - first_lon + 180.0) % 360.0 - 180.0
    fans = sizes - 2
    tri_cell = np.repeat(np.arange(len(cells)), fans)
    k = np.arange(int(fans.sum())) - np.repeat(np.cumsum(fans) - fans, fans)
    s = starts[tri_cell]
    triangles = np.column_stack([s, s + k + 1, s + k + 2]).astype(np.uint32)
    return CellMesh(np.column_stack([lon, latlng[:, 0]]).astype(np.float32),
                    triangles.reshape(-1, 3), cell_of_vertex)


def in_view(points: GroundPoints, r_ecef_km: np.ndarray) -> np.ndarray:
    """uint8 ``(n_times, n_cells)``: satellites above each point's mask at each sample of
    ``r_ecef_km`` ``(n_times, n_sats, 3)``."""
    out = np.empty((r_ecef_km.shape[0], len(points)), dtype=np.uint8)
    for k in range(r_ecef_km.shape[0]):
        out[k] = np.minimum(count_visible(points, r_ecef_km[k]), MAX_IN_VIEW)
    return out


def percent_covered(counts: np.ndarray, step_s: float) -> np.ndarray:
    """uint8 ``(1, n_cells)``: percent of the samples of ``counts`` with a satellite in view,
    rounded, as `leonet coverage` computes it."""
    offsets_s = np.arange(counts.shape[0]) * step_s
    pct = figures_from_counts(counts, offsets_s).percent_covered
    return np.rint(pct).astype(np.uint8)[None, :]


def availability(cells: CellSet, sats: Constellation, grid: TimeGrid, policy_file: Path | None,
                 min_elevation_deg: float) -> np.ndarray:
    """uint8 ``(1, n_cells)``: index into `leonet.physics.capacity.CLASSES` of each cell's
    class over ``grid`` (what `leonet capacity` reports), activated by ``policy_file``."""
    cap = region_capacity(cells, sats, grid, policy_file=policy_file,
                          min_elevation_deg=min_elevation_deg)
    index = {name: i for i, name in enumerate(CLASSES)}
    return np.array([index[str(c)] for c in cap.capacity.availability], dtype=np.uint8)[None, :]


# Capacity schedules every satellite's beams over the region and 1,000 km of land around it at
# each instant (26 s for Ukraine at res 5 over 11 instants on this machine), so availability
# samples the window every minute, not every 15 s.
AVAILABILITY_STEP_S = 60.0


class CoverageMaps:
    """Meshes and figures of the regions the page asks for, kept for the next request: a
    region's mesh is built once, a figure once per (region, resolution, window).

    ``positions(start_ns, duration_s)`` gives the sky the globe draws (float32 Earth-fixed
    km every ``step_s``), so in-view counts use the very samples on screen; ``policy_file_at``
    names the policy in force at an instant (None before the first)."""

    def __init__(self, sats: Constellation, positions: Callable[[int, float], np.ndarray],
                 step_s: float, window_s: float, min_elevation_deg: float,
                 policy_file_at: Callable[[int], Path | None]) -> None:
        self.sats = sats
        self.positions = positions
        self.step_s = step_s
        self.window_s = window_s
        self.min_elevation_deg = min_elevation_deg
        self.policy_file_at = policy_file_at

    @lru_cache(maxsize=4)  # noqa: B019  (one per view; a few regions in memory)
    def cells(self, region: str, res: int) -> tuple[CellSet, CellMesh, GroundPoints]:
        cells = map_cells(region, res)
        return cells, cell_mesh(cells), cells.points(self.min_elevation_deg)

    def window_start(self, t_ns: int) -> int:
        """The window holding ``t_ns``: windows are aligned on multiples of their length."""
        w = round(self.window_s * NS_PER_S)
        return t_ns // w * w

    @lru_cache(maxsize=16)  # noqa: B019
    def figure(self, region: str, res: int, figure: Figure, start_ns: int) -> np.ndarray:
        """uint8 ``(n_samples, n_cells)`` of ``figure`` over the window from ``start_ns`` (a
        `window_start`): a row per 15-s sample for ``in_view``, one row otherwise."""
        cells, _, points = self.cells(region, res)
        if figure == "availability":
            grid = TimeGrid.range(iso_utc(start_ns, "s"), f"{self.window_s}s",
                                  f"{AVAILABILITY_STEP_S}s")
            return availability(cells, self.sats, grid, self.policy_file_at(start_ns),
                                self.min_elevation_deg)
        counts = in_view(points, self.positions(start_ns, self.window_s))
        return counts if figure == "in_view" else percent_covered(counts, self.step_s)
