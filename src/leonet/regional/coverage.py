"""Coverage of a region's H3 cells: the figures of merit of `leonet.physics.coverage` at every
cell centre, with the cells' own columns.

>>> from leonet.regional.cells import region_cells
>>> from leonet.physics.orbits.constellation import Constellation
>>> from leonet.physics.timegrid import TimeGrid
>>> cells = region_cells("TW", 4)
>>> grid = TimeGrid.range("2026-08-23T00:00:00Z", "30m", "5m")
>>> run = region_coverage(cells, Constellation.load("starlink-gen1"), grid)
>>> list(run.columns())[:6]
['h3_cell', 'lat_deg', 'lon_deg', 'area_km2', 'mean_in_view', 'min_in_view']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

from leonet.notebook.display import html_columns, to_arrow, to_pandas
from leonet.physics.coverage import DEFAULT_MAX_BYTES, CoverageFigures, coverage
from leonet.physics.ground import DEFAULT_MIN_ELEVATION_DEG
from leonet.physics.timegrid import TimeGrid
from leonet.regional.cells import CellSet, cell_columns


@dataclass(frozen=True, eq=False)
class RegionCoverage:
    """Coverage figures of merit of a region's cells over a time grid."""

    cells: CellSet
    coverage: CoverageFigures
    grid: TimeGrid
    source: str
    min_elevation_deg: float

    def columns(self) -> dict[str, np.ndarray]:
        """One row per cell: ``h3_cell, lat_deg, lon_deg, area_km2`` then the figures."""
        return {**cell_columns(self.cells), **self.coverage.columns()}

    def summary(self) -> CoverageSummary:
        """Area-weighted means and extremes over the region."""
        return summarise(self.cells, self.coverage)

    def to_pandas(self):
        """`columns` as a pandas DataFrame, one row per cell."""
        return to_pandas(self.columns())

    def to_arrow(self):
        """`columns` as an Arrow table, one row per cell."""
        return to_arrow(self.columns())

    def _repr_html_(self) -> str:
        return html_columns(f"Coverage of {self.cells.name} ({len(self.cells):,} cells, "
                            f"{len(self.grid):,} instants)", self.columns())


@dataclass(frozen=True)
class CoverageSummary:
    """A region's coverage in a few figures: means are weighted by cell area, ``worst_*``
    and the extremes are over cells (``*_in_view`` count satellites)."""

    cells: int
    area_km2: float
    mean_in_view: float
    min_in_view: int
    max_in_view: int
    percent_covered: float
    worst_percent_covered: float  # of the least covered cell
    area_fully_covered_pct: float  # share of the area covered at every instant
    longest_gap_s: float

    def to_dict(self) -> dict[str, float]:
        """The figures by name, in field order (what `leonet coverage --json` prints)."""
        return asdict(self)


def summarise(cells: CellSet, fig: CoverageFigures) -> CoverageSummary:
    """`CoverageSummary` of coverage figures ``fig`` over ``cells``."""
    w = cells.area_km2
    return CoverageSummary(
        cells=len(cells),
        area_km2=float(w.sum()),
        mean_in_view=float(np.average(fig.mean_in_view, weights=w)),
        min_in_view=int(fig.min_in_view.min()),
        max_in_view=int(fig.max_in_view.max()),
        percent_covered=float(np.average(fig.percent_covered, weights=w)),
        worst_percent_covered=float(fig.percent_covered.min()),
        area_fully_covered_pct=float(100.0 * w[fig.percent_covered >= 100.0].sum() / w.sum()),
        longest_gap_s=float(fig.longest_gap_s.max()),
    )


def region_coverage(cells: CellSet, constellation, grid: TimeGrid, *, min_sats: int = 1,
                    min_elevation_deg: float = DEFAULT_MIN_ELEVATION_DEG,
                    max_bytes: int = DEFAULT_MAX_BYTES, workers: int | None = None,
                    progress: Callable[[int], None] | None = None,
                    client=None) -> RegionCoverage:
    """Coverage figures of merit at every cell centre of ``cells``; with ``client`` (a
    `distributed.Client`) split by time over its cluster, with the same figures."""
    points = cells.points(min_elevation_deg)
    if client is not None:
        # Dask is an optional extra: its module is imported only when a client is given.
        from leonet.distributed.coverage import coverage as cluster_coverage

        fig = cluster_coverage(points, constellation, grid, client, min_sats=min_sats,
                               max_bytes=max_bytes, progress=progress)
    else:
        fig = coverage(points, constellation, grid, min_sats=min_sats, max_bytes=max_bytes,
                       workers=workers, progress=progress)
    return RegionCoverage(cells, fig, grid, getattr(constellation, "source", ""),
                          float(min_elevation_deg))
