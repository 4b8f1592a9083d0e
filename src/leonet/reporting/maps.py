"""Maps of H3 cells without network access: heatmaps of a figure, availability classes, and
coverage versus latitude. Country outlines come from the boundary edition shipped in a PyPI
package (`leonet.control.boundaries`: Natural Earth 1:10m).

Maps are plate carrée, centred on the cells, so a region that straddles the antimeridian
(Fiji, Chukotka) is drawn in one piece with longitudes running past 180°.
"""

from __future__ import annotations

import functools
from pathlib import Path

import h3.api.numpy_int as h3n
import numpy as np
import shapely

from leonet.control.boundaries import countries
from leonet.physics.capacity import CLASSES
from leonet.regional.cells import CellSet, cell_polygon
from leonet.reporting import plots
from leonet.reporting.palette import FIXED


def centre_lon(lon_deg: np.ndarray) -> float:
    """Circular mean of longitudes (so cells on both sides of ±180° centre near 180°)."""
    rad = np.deg2rad(np.asarray(lon_deg, dtype=np.float64))
    if rad.size == 0:
        return 0.0
    return float(np.rad2deg(np.arctan2(np.sin(rad).mean(), np.cos(rad).mean())))


def _wrap(lon: np.ndarray, lon0: float) -> np.ndarray:
    return lon0 + (np.asarray(lon) - lon0 + 180.0) % 360.0 - 180.0


def cell_rings(cells: CellSet, lon0: float) -> tuple[list[np.ndarray], np.ndarray]:
    """Each cell's boundary as an ``(n, 2)`` lon/lat ring, continuous across ±180° and
    placed within 180° of ``lon0``, and the index of the cell each ring belongs to (a cell
    around a pole is closed along the pole and may come out as several rings)."""
    rings, owner = [], []
    for i, c in enumerate(cells.cells.tolist()):
        ring = np.array(h3n.cell_to_boundary(c))[:, ::-1]
        step = np.diff(np.concatenate([ring[:, 0], ring[:1, 0]]))
        step -= 360.0 * np.round(step / 360.0)
        if abs(step.sum()) > 180.0:  # winds around a pole
            for part in shapely.get_parts(cell_polygon(c)):
                xy = np.asarray(part.exterior.coords)
                mid = xy[:, 0].mean()
                rings.append(xy + np.array([_wrap(mid, lon0) - mid, 0.0]))
                owner.append(i)
            continue
        lon = ring[0, 0] + np.concatenate([[0.0], np.cumsum(step[:-1])])
        mid = lon.mean()
        rings.append(np.column_stack([lon + _wrap(mid, lon0) - mid, ring[:, 1]]))
        owner.append(i)
    return rings, np.asarray(owner, dtype=np.int64)


def _extent(rings: list[np.ndarray], margin_frac: float = 0.08) -> tuple[float, ...]:
    allxy = np.vstack(rings)
    x0, y0 = allxy.min(axis=0)
    x1, y1 = allxy.max(axis=0)
    mx = max(0.5, (x1 - x0) * margin_frac)
    my = max(0.5, (y1 - y0) * margin_frac)
    return x0 - mx, x1 + mx, max(-90.0, y0 - my), min(90.0, y1 + my)


def draw_countries(ax, extent: tuple[float, float, float, float], *, color: str = "0.25",
                   linewidth: float = 0.6) -> None:
    """Country outlines inside ``extent`` (lon0, lon1, lat0, lat1; longitudes may run past
    ±180°), simplified to the map's scale."""
    # matplotlib loads with the first figure, not at CLI start-up (see `plots.pyplot`).
    from matplotlib.collections import LineCollection

    segments = _country_segments(tuple(float(v) for v in extent))
    ax.add_collection(LineCollection(segments, colors=color, linewidths=linewidth, zorder=3))


@functools.lru_cache(maxsize=16)
def _country_segments(extent: tuple[float, float, float, float]) -> tuple[np.ndarray, ...]:
    # Cached: a report draws several panels of the same extent, and simplifying the 1:10m
    # outlines is most of the cost of a map.
    x0, x1, y0, y1 = extent
    tol = max(x1 - x0, y1 - y0) / 1500.0
    segments = []
    table = countries()
    for k in (-1, 0, 1):
        window = shapely.box(x0 - 360.0 * k, y0, x1 - 360.0 * k, y1)
        for geom in table.geometry:
            if not shapely.intersects(shapely.envelope(geom), window):
                continue
            clipped = shapely.clip_by_rect(shapely.simplify(geom, tol), *window.bounds)
            for line in shapely.get_parts(shapely.boundary(clipped)):
                for part in shapely.get_parts(line):
                    xy = np.asarray(part.coords)
                    if len(xy) > 1:
                        segments.append(xy + np.array([360.0 * k, 0.0]))
    return tuple(segments)


def _frame(cells: CellSet, title: str, world: bool):
    if world:
        fig, ax = plots.world_axes(title)
        return fig, ax, 0.0, (-180.0, 180.0, -90.0, 90.0)
    lon0 = centre_lon(cells.lon_deg)
    rings, _ = cell_rings(cells, lon0)
    x0, x1, y0, y1 = _extent(rings)
    if x1 - x0 > 300.0:  # all the way round: an ordinary -180..180 frame
        lon0, x0, x1 = 0.0, -180.0, 180.0
    aspect = 1.0 / max(0.2, np.cos(np.deg2rad((y0 + y1) / 2.0)))
    width = 9.0
    height = float(np.clip(width * (y1 - y0) * aspect / (x1 - x0), 3.0, 11.0))
    fig, ax = plots.subplots(figsize=(width, height))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(aspect)
    ax.set_xlabel("longitude (°)")
    ax.set_ylabel("latitude (°)")
    ax.set_title(title)
    ax.grid(True, color="0.9", linewidth=0.5)
    return fig, ax, lon0, (x0, x1, y0, y1)


def _is_world(cells: CellSet) -> bool:
    return bool(len(cells)) and (np.ptp(cells.lat_deg) > 100 or len(cells) > 20000)


def cell_map(cells: CellSet, values, path: Path, *, title: str, label: str,
             cmap: str = "viridis", vmin: float | None = None, vmax: float | None = None,
             world: bool | None = None) -> Path:
    """A heatmap of one value per cell (NaN cells grey), with country outlines."""
    # matplotlib loads with the first figure, not at CLI start-up (see `plots.pyplot`).
    import matplotlib
    from matplotlib.collections import PolyCollection

    world = _is_world(cells) if world is None else world
    fig, ax, lon0, extent = _frame(cells, title, world)
    vals = np.asarray(values, dtype=np.float64)
    rings, owner = cell_rings(cells, lon0)
    colours = matplotlib.colormaps[cmap].with_extremes(bad="0.8")
    coll = PolyCollection(rings, array=np.ma.masked_invalid(vals[owner]), cmap=colours,
                          edgecolors="face", linewidths=0.2, zorder=2)
    finite = vals[np.isfinite(vals)]
    coll.set_clim(vmin if vmin is not None else (finite.min() if finite.size else 0.0),
                  vmax if vmax is not None else (finite.max() if finite.size else 1.0))
    ax.add_collection(coll)
    draw_countries(ax, extent)
    fig.colorbar(coll, ax=ax, shrink=0.7, label=label)
    return plots.save(fig, Path(path))


def availability_map(cells: CellSet, classes, path: Path, *, title: str,
                     world: bool | None = None) -> Path:
    """Cells coloured by availability class (available / limited / not activated / not
    covered), as on the operator's public map."""
    # matplotlib loads with the first figure, not at CLI start-up (see `plots.pyplot`).
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import Patch

    world = _is_world(cells) if world is None else world
    fig, ax, lon0, extent = _frame(cells, title, world)
    rings, owner = cell_rings(cells, lon0)
    labels = np.asarray(classes, dtype=object)
    colours = [FIXED[str(labels[i])] for i in owner]
    ax.add_collection(PolyCollection(rings, facecolors=colours, edgecolors="face",
                                     linewidths=0.2, zorder=2))
    draw_countries(ax, extent)
    present = [c for c in CLASSES if np.any(labels == c)]
    ax.legend(handles=[Patch(color=FIXED[c],
                             label=f"{c} ({int(np.sum(labels == c)):,})") for c in present],
              loc="lower left", fontsize=8, framealpha=0.9)
    return plots.save(fig, Path(path))


def latitude_profile(lat_deg, series: dict[str, np.ndarray], path: Path, *, title: str,
                     weights=None, bin_deg: float = 1.0,
                     percent: dict[str, np.ndarray] | None = None) -> Path:
    """Area-weighted means of per-cell values in latitude bins: ``series`` on the left axis
    (e.g. satellites in view), ``percent`` on a right axis (e.g. percent of time covered)."""
    lat = np.asarray(lat_deg, dtype=np.float64)
    w = np.ones_like(lat) if weights is None else np.asarray(weights, dtype=np.float64)
    centres, binned = bin_by_latitude(lat, {**series, **(percent or {})}, w, bin_deg)
    fig, ax = plots.subplots(figsize=(10, 4.5))
    for name in series:
        ax.plot(centres, binned[name], label=name, linewidth=1.4)
    ax.set_xlabel("latitude (°)")
    ax.set_ylabel(", ".join(series))
    ax.set_xlim(-90, 90)
    ax.set_xticks(np.arange(-90, 91, 15))
    ax.grid(True, color="0.9")
    ax.set_title(title)
    handles, names = ax.get_legend_handles_labels()
    if percent:
        ax2 = ax.twinx()
        for name in percent:
            ax2.plot(centres, binned[name], label=name, linewidth=1.0, linestyle="--",
                     color="tab:red")
        ax2.set_ylabel("percent of time")
        ax2.set_ylim(0, 105)
        h2, n2 = ax2.get_legend_handles_labels()
        handles, names = handles + h2, names + n2
    ax.legend(handles, names, fontsize=8, loc="upper center")
    return plots.save(fig, Path(path))


def bin_by_latitude(lat_deg: np.ndarray, series: dict[str, np.ndarray], weights: np.ndarray,
                    bin_deg: float = 1.0) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Weighted mean of each series in latitude bins of ``bin_deg`` (NaN where empty)."""
    edges = np.arange(-90.0, 90.0 + bin_deg / 2, bin_deg)
    idx = np.clip(np.digitize(lat_deg, edges) - 1, 0, edges.size - 2)
    wsum = np.bincount(idx, weights=weights, minlength=edges.size - 1)
    out = {}
    for name, values in series.items():
        v = np.asarray(values, dtype=np.float64)
        s = np.bincount(idx, weights=weights * v, minlength=edges.size - 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[name] = np.where(wsum > 0, s / wsum, np.nan)
    return (edges[:-1] + edges[1:]) / 2.0, out
