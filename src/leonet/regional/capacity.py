"""Busy-hour capacity of a region's H3 cells, with the demand of the land around them.

Capacity needs the demand around a region as well as inside it: a satellite over Ukraine's
border also serves Poland. `region_capacity` therefore adds *context* cells (land within
``context_km`` of the region, 1,000 km by default: the ground range at which a 550 km
satellite is still 25° above the horizon is about 940 km) whose demand competes for the same
satellites; only the region's own cells are reported.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import h3
import h3.api.numpy_int as h3n
import numpy as np
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import shapely

from leonet.control.labels import country_labels
from leonet.control.policy import Policy
from leonet.control.regions import buffer_km_geometry, resolve_region
from leonet.errors import InputError
from leonet.notebook.display import html_columns, to_arrow, to_pandas
from leonet.physics.capacity import (
    DEFAULT_ASSUMPTIONS,
    CapacityAssumptions,
    CapacityFigures,
    capacity_from_ephemerides,
)
from leonet.physics.coverage import DEFAULT_MAX_BYTES, CoverageFigures
from leonet.physics.earth import EARTH_MEAN_RADIUS_KM
from leonet.physics.ground import DEFAULT_MIN_ELEVATION_DEG, world_cities
from leonet.physics.timegrid import TimeGrid
from leonet.regional.cells import (
    CellSet,
    cell_columns,
    cells_by_tiles,
    concat_cells,
    estimate_cells,
)

DEFAULT_CONTEXT_KM = 1000.0
# Context beyond this many cells is dropped with a note (a run would take minutes per instant).
MAX_CONTEXT_CELLS = 400_000

@dataclass(frozen=True, eq=False)
class RegionCapacity:
    """Busy-hour capacity of a region's cells (context cells ran too but are not reported)."""

    cells: CellSet
    coverage: CoverageFigures
    capacity: CapacityFigures
    terminals: np.ndarray
    assumptions: CapacityAssumptions
    n_context: int
    notes: tuple[str, ...]

    def columns(self) -> dict[str, np.ndarray]:
        cap = self.capacity.columns()
        return {**cell_columns(self.cells), **self.coverage.columns(),
                "terminals": self.terminals, **cap}

    def class_counts(self) -> dict[str, int]:
        labels, counts = np.unique(self.capacity.availability.astype(str), return_counts=True)
        return {str(k): int(v) for k, v in zip(labels, counts, strict=True)}

    def to_pandas(self):
        """`columns` as a pandas DataFrame, one row per cell."""
        return to_pandas(self.columns())

    def to_arrow(self):
        """`columns` as an Arrow table, one row per cell."""
        return to_arrow(self.columns())

    def _repr_html_(self) -> str:
        return html_columns(f"Busy-hour capacity of {self.cells.name} "
                            f"({len(self.cells):,} cells)", self.columns())


def context_cells(cells: CellSet, context_km: float) -> tuple[CellSet | None, str | None]:
    """Land cells within ``context_km`` of the region (centres on land in the shipped
    boundary edition), outside it; or None and the reason when there are none or too many."""
    if context_km <= 0 or cells.name in ("land", "globe"):
        return None, None  # nothing, or no land, lies outside
    geom = cells.geometry
    if geom is None:
        if len(cells) > 20_000:
            return None, (f"no context demand around {cells.name}: too many cells to outline "
                          "(give a named region or a GeoJSON file)")
        geom = shapely.union_all(cells.polygons())
    if cells.source == "latitude band":
        # Within d of a band on the sphere is the band widened by d / R along the meridians.
        lo, hi = geom.bounds[1], geom.bounds[3]
        dlat = np.degrees(context_km / EARTH_MEAN_RADIUS_KM)
        grown = shapely.box(-180.0, max(-90.0, lo - dlat), 180.0, min(90.0, hi + dlat))
    else:
        try:
            grown = buffer_km_geometry(geom, float(context_km))
        except shapely.errors.GEOSException as exc:
            return None, (f"no context demand: the outline of {cells.name} could not be grown "
                          f"({exc})")
    if estimate_cells(grown, cells.res) > MAX_CONTEXT_CELLS + len(cells):
        return None, (f"no context demand: land within {context_km:g} km of {cells.name} would "
                      f"exceed {MAX_CONTEXT_CELLS:,} cells at resolution {cells.res}")
    cand = np.setdiff1d(cells_by_tiles(grown, cells.res), cells.cells)
    ctx = CellSet(cand, cells.res, f"context of {cells.name}", "context")
    land = country_labels(ctx.lat_deg, ctx.lon_deg, waters_km=0)
    keep = land != ""
    ctx = ctx.subset(keep)
    return CellSet(ctx.cells, ctx.res, ctx.name, ctx.source, (), land[keep]), None


def read_terminals(path: Path, cells: CellSet) -> np.ndarray:
    """Terminals per cell from a CSV/Parquet file with ``h3_cell`` and ``terminals`` columns
    (rows of the same cell add up); cells not listed get NaN."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"terminals file {path} does not exist", str(path))
    try:
        table = pq.read_table(path) if path.suffix.lower() == ".parquet" else pacsv.read_csv(path)
    except Exception as exc:  # pyarrow raises several types for unreadable files
        raise InputError(f"cannot read terminals: {exc}", str(path)) from None
    for col in ("h3_cell", "terminals"):
        if col not in table.column_names:
            raise InputError(f"missing column {col!r} (columns: {', '.join(table.column_names)})",
                             str(path))
    ids = [str(v).strip().lower() for v in table.column("h3_cell").to_pylist()]
    values = np.array(table.column("terminals").to_pylist(), dtype=np.float64)
    ints = np.empty(len(ids), np.uint64)
    for i, text in enumerate(ids):
        where = f"{path}: row {i + 2}"
        if not h3.is_valid_cell(text):
            raise InputError(f"{text!r} is not a valid H3 cell index", where)
        if h3.get_resolution(text) != cells.res:
            raise InputError(f"cell {text} has resolution {h3.get_resolution(text)}; the run "
                             f"uses resolution {cells.res}", where)
        if not (np.isfinite(values[i]) and values[i] >= 0):
            raise InputError(f"terminals must be a number >= 0, got {values[i]!r}", where)
        ints[i] = h3.str_to_int(text)
    if not ids:
        return np.full(len(cells), np.nan)
    keys, inverse = np.unique(ints, return_inverse=True)
    per_cell = np.bincount(inverse, weights=values, minlength=keys.size)
    pos = np.clip(np.searchsorted(keys, cells.cells), 0, keys.size - 1)
    return np.where(keys[pos] == cells.cells, per_cell[pos], np.nan)


def activation(cells: CellSet, *, policy_file: Path | None = None,
               not_activated: Sequence[str] = (), at: np.datetime64 | None = None,
               whitelisted: bool = False) -> np.ndarray:
    """Whether each cell is activated: allowed by ``policy_file`` at its centre at ``at``
    for a stationary terminal on no particular plan (``whitelisted`` or not), and outside
    every ``not_activated`` region."""
    act = np.ones(len(cells), dtype=bool)
    if policy_file is not None:
        policy = Policy.load(policy_file)
        act &= np.asarray(policy.decide(lat_deg=cells.lat_deg, lon_deg=cells.lon_deg,
                                        time=at, whitelisted=whitelisted).allowed, dtype=bool)
    for name in not_activated:
        region = resolve_region(name, where="--not-activated")
        act &= ~np.asarray(region.contains(cells.lat_deg, cells.lon_deg), dtype=bool)
    return act


def city_terminals(cells: CellSet, take_up: float) -> np.ndarray:
    """Terminals per cell from towns: ``take_up`` times the population of every GeoNames
    place of at least 15,000 people (`world_cities`) whose position falls in the cell."""
    if not (np.isfinite(take_up) and 0 <= take_up <= 1):
        raise InputError(f"city take-up must be a share in [0, 1], got {take_up}", "take_up")
    out = np.zeros(len(cells))
    if take_up == 0 or len(cells) == 0:
        return out
    table = world_cities()
    lat0, lat1 = cells.lat_deg.min() - 1, cells.lat_deg.max() + 1
    near = np.flatnonzero((table.lat_deg >= lat0) & (table.lat_deg <= lat1))
    ids = np.array([h3n.latlng_to_cell(float(table.lat_deg[i]), float(table.lon_deg[i]),
                                       cells.res) for i in near], dtype=np.uint64)
    pos = np.clip(np.searchsorted(cells.cells, ids), 0, len(cells) - 1)
    hit = cells.cells[pos] == ids
    np.add.at(out, pos[hit], take_up * table.population[near][hit])
    return out


def region_capacity(cells: CellSet, constellation, grid: TimeGrid, *,
                    assumptions: CapacityAssumptions = DEFAULT_ASSUMPTIONS,
                    terminals_file: Path | None = None,
                    terminals_per_km2: float | None = None, city_take_up: float = 0.0,
                    context_km: float = DEFAULT_CONTEXT_KM, policy_file: Path | None = None,
                    not_activated: Sequence[str] = (), whitelisted: bool = False,
                    min_sats: int = 1,
                    min_elevation_deg: float = DEFAULT_MIN_ELEVATION_DEG,
                    max_bytes: int = DEFAULT_MAX_BYTES, workers: int | None = None,
                    progress: Callable[[int], None] | None = None,
                    client=None) -> RegionCapacity:
    """Busy-hour capacity of ``cells`` with the demand of the land around them; with
    ``client`` (a `distributed.Client`) split by time over its cluster.

    Terminals per cell: from ``terminals_file`` where listed; elsewhere ``terminals_per_km2``
    times the cell's area if its centre is on land (default: the assumption's density without
    a file, 0 with one); plus ``city_take_up`` times the population of the towns in the cell
    (`city_terminals`). Context cells are land cells."""
    notes: list[str] = []
    ctx, why = context_cells(cells, context_km)
    if why:
        notes.append(why)
    parts = [cells] if ctx is None or len(ctx) == 0 else [cells, ctx]
    every = concat_cells(parts, cells.name)
    n_region = len(cells)
    density = (terminals_per_km2 if terminals_per_km2 is not None
               else (0.0 if terminals_file is not None else assumptions.terminals_per_km2))
    if not np.isfinite(density) or density < 0:
        raise InputError(f"terminals per km² must be >= 0, got {density}", "terminals_per_km2")
    # A density of terminals per km² of land: cells whose centre is at sea get none.
    region_land = (cells.labels != "") if cells.labels is not None else (
        country_labels(cells.lat_deg, cells.lon_deg, waters_km=0) != "")
    on_land = np.concatenate([region_land, np.ones(len(every) - n_region, dtype=bool)])
    terminals = np.where(on_land, density * every.area_km2, 0.0)
    if terminals_file is not None:
        listed = read_terminals(terminals_file, every)
        terminals = np.where(np.isnan(listed), terminals, listed)
    if city_take_up:
        # Looked up part by part: each part is sorted, their concatenation is not.
        terminals = terminals + np.concatenate([city_terminals(p, city_take_up) for p in parts])
    act = activation(every, policy_file=policy_file, not_activated=not_activated,
                     at=grid.utc[0], whitelisted=whitelisted)
    points = every.points(min_elevation_deg)
    demand = assumptions.demand_gbps(terminals)
    if client is not None:
        # Dask is an optional extra: its module is imported only when a client is given.
        from leonet.distributed.capacity import capacity as cluster_capacity

        cov, cap = cluster_capacity(points, demand, constellation, grid, client,
                                    assumptions=assumptions, activated=act, min_sats=min_sats,
                                    max_bytes=max_bytes, progress=progress)
    else:
        chunks = constellation.iter_propagate(grid, max_bytes=max_bytes, workers=workers)
        cov, cap = capacity_from_ephemerides(points, demand, chunks, grid,
                                             assumptions=assumptions, activated=act,
                                             min_sats=min_sats, progress=progress)
    return RegionCapacity(cells, cov[:n_region], cap[:n_region], terminals[:n_region],
                          assumptions, len(every) - n_region, tuple(notes))

