"""Spill-over: what controlling service per H3 cell (resolution N) does at a region's border.

An operator that switches service per cell cannot follow a border exactly. Activating every
cell that *touches* the region ("cover") spills service over the border; activating only cells
wholly inside ("inner") leaves a strip of the region dark. For each border cell the report
gives how much lies on each side and in which neighbouring countries.

>>> from leonet.control.regions import resolve_region
>>> rep = spillover(resolve_region("VA"), resolution=9)
>>> rep.border_cells > 0, rep.spill_km2 > rep.region_km2
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import h3
import shapely

from leonet.control.boundaries import countries
from leonet.control.regions import Region, geodesic_area_km2, h3_cells_geometry
from leonet.errors import InputError

MAX_CELLS = 2_000_000  # beyond this the analysis would take minutes: ask for a coarser N


@dataclass(frozen=True)
class SpilloverReport:
    region: str
    resolution: int
    cell_km2: float  # average cell area at this resolution (H3's table)
    region_km2: float
    inner_cells: int  # cells wholly inside
    border_cells: int  # cells straddling the border
    spill_km2: float  # outside the region but inside a border cell ("cover" spills this)
    dark_km2: float  # inside the region but in a border cell ("inner" leaves this dark)
    by_neighbour_km2: dict[str, float]  # spill per neighbouring country (or "(sea)")
    border_cell_ids: tuple[str, ...]

    def summary(self) -> str:
        top = ", ".join(f"{k} {v:,.0f} km²" for k, v in list(self.by_neighbour_km2.items())[:6])
        return (f"{self.region} at H3 resolution {self.resolution} (cells ≈ {self.cell_km2:,.2f}"
                f" km²): {self.inner_cells:,} cells inside, {self.border_cells:,} on the border. "
                f"Activating every touching cell spills {self.spill_km2:,.0f} km² over the "
                f"border ({top or 'none'}); activating only inner cells leaves "
                f"{self.dark_km2:,.0f} km² of {self.region_km2:,.0f} km² dark.")


def spillover(region: Region, resolution: int) -> SpilloverReport:
    """The cell-granularity precision at ``region``'s border (see module docstring)."""
    if not 0 <= resolution <= 15:
        raise InputError(f"H3 resolution must be 0..15, got {resolution}", "resolution")
    geom = region.as_geometry()
    if geom.is_empty:
        raise InputError(f"region {region.ref} has no area", "region")
    area = geodesic_area_km2(geom)
    cell_km2 = h3.average_hexagon_area(resolution, unit="km^2")
    if area / cell_km2 > MAX_CELLS:
        raise InputError(f"{region.ref} would need about {area / cell_km2:,.0f} cells at "
                         f"resolution {resolution}; use a coarser resolution", "resolution")
    shape = h3.geo_to_h3shape(geom.__geo_interface__)
    touching = set(h3.h3shape_to_cells_experimental(shape, resolution, contain="overlap"))
    inner = set(h3.h3shape_to_cells_experimental(shape, resolution, contain="full"))
    border = sorted(touching - inner)
    table = countries()
    tree = shapely.STRtree(table.geometry)
    spill = dark = 0.0
    by: dict[str, float] = {}
    shapely.prepare(geom)
    for cell in border:
        poly = h3_cells_geometry([h3.str_to_int(cell)])
        inside = shapely.intersection(poly, geom)
        outside = shapely.difference(poly, geom)
        a_in = geodesic_area_km2(inside)
        a_out = geodesic_area_km2(outside)
        spill += a_out
        dark += a_in
        if a_out <= 0:
            continue
        land = 0.0
        for k in tree.query(outside, predicate="intersects"):
            part = geodesic_area_km2(shapely.intersection(outside, table.geometry[k]))
            if part > 0:
                code = str(table.code[k])
                by[code] = by.get(code, 0.0) + part
                land += part
        # Shared borders of two editions' polygons leave float slivers: ignore below 0.01 %.
        if a_out - land > 1e-4 * a_out:
            by["(sea)"] = by.get("(sea)", 0.0) + a_out - land
    by.pop(region.ref, None)
    ordered = dict(sorted(by.items(), key=lambda kv: -kv[1]))
    return SpilloverReport(region=region.ref, resolution=resolution, cell_km2=float(cell_km2),
                           region_km2=area, inner_cells=len(inner), border_cells=len(border),
                           spill_km2=spill, dark_km2=dark, by_neighbour_km2=ordered,
                           border_cell_ids=tuple(border))
