"""Maps of H3 cells without network access: heatmaps of a figure, availability classes, and
coverage versus latitude. Country outlines come from the boundary edition shipped in a PyPI
package (`leonet.control.boundaries`: Natural Earth 1:10m).

Maps are equirectangular, centred on the cells, so a region that straddles the antimeridian
(Fiji, Chukotka) is drawn in one piece with longitudes running past 180°. A regional map is
stretched by 1/cos(its middle latitude) (`region_aspect`), so that distances east-west and
north-south match at its centre (no map of Ukraine squashed to two thirds of its height); a
world map is plate carrée.
"""

from __future__ import annotations

import functools
from pathlib import Path

import h3.api.numpy_int as h3n
import numpy as np
import shapely

from leonet.control.boundaries import countries
from leonet.control.regions import disputed_ids, disputed_region
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


def region_aspect(lat0_deg: float, lat1_deg: float) -> float:
    """The y/x aspect of an equirectangular map of latitudes ``lat0..lat1``: true scale
    along its middle parallel (bounded at 5:1 near the poles)."""
    return 1.0 / max(0.2, float(np.cos(np.deg2rad((lat0_deg + lat1_deg) / 2.0))))


def points_extent(lat_deg: np.ndarray, lon_deg: np.ndarray) -> tuple[float, float, float, float]:
    """``(lon0, lon1, lat0, lat1)`` around points (the 1st to 99th percentile, so a few
    strays do not shrink the rest, plus a 10 % margin); the world when there are none."""
    lat, lon = np.asarray(lat_deg, dtype=np.float64), np.asarray(lon_deg, dtype=np.float64)
    if not lat.size:
        return (-180.0, 180.0, -90.0, 90.0)
    x0, x1 = np.percentile(lon, [1, 99])
    y0, y1 = np.percentile(lat, [1, 99])
    mx, my = max(0.5, 0.1 * (x1 - x0)), max(0.5, 0.1 * (y1 - y0))
    return float(x0 - mx), float(x1 + mx), float(max(-90, y0 - my)), float(min(90, y1 + my))


def draw_disputed(ax, extent: tuple[float, float, float, float]) -> None:
    """Outlines of the disputed areas named on their own (`leonet.control.regions`) that
    fall in ``extent``, dashed."""
    window = shapely.box(extent[0], extent[2], extent[1], extent[3])
    for rid in sorted(set(disputed_ids().values())):
        geom = disputed_region(rid).geometry
        if geom is None or not shapely.intersects(geom, window):
            continue
        for line in shapely.get_parts(shapely.boundary(geom)):
            xy = np.asarray(line.coords)
            ax.plot(xy[:, 0], xy[:, 1], color="0.1", linewidth=0.7, linestyle="--", zorder=3)


def region_frame(ax, extent: tuple[float, float, float, float], *,
                 disputed: bool = True) -> None:
    """A regional map frame over ``extent``: country outlines (and the disputed areas,
    dashed), labelled axes, and the true-scale aspect of `region_aspect`."""
    draw_countries(ax, extent)
    if disputed:
        draw_disputed(ax, extent)
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect(region_aspect(extent[2], extent[3]))
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")


def _frame(cells: CellSet, title: str, world: bool):
    if world:
        fig, ax = plots.world_axes(title)
        return fig, ax, 0.0, (-180.0, 180.0, -90.0, 90.0)
    lon0 = centre_lon(cells.lon_deg)
    rings, _ = cell_rings(cells, lon0)
    x0, x1, y0, y1 = _extent(rings)
    if x1 - x0 > 300.0:  # all the way round: an ordinary -180..180 frame
        lon0, x0, x1 = 0.0, -180.0, 180.0
    aspect = region_aspect(y0, y1)
    width = 9.0
    height = float(np.clip(width * (y1 - y0) * aspect / (x1 - x0), 3.0, 11.0))
    fig, ax = plots.subplots(figsize=(width, height))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(aspect)
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    ax.set_title(title)
    ax.grid(True, color="0.9", linewidth=0.5)
    return fig, ax, lon0, (x0, x1, y0, y1)


def _is_world(cells: CellSet) -> bool:
    return bool(len(cells)) and (np.ptp(cells.lat_deg) > 100 or len(cells) > 20000)


def cell_map(cells: CellSet, values, path: Path, *, title: str, label: str,
             cmap: str = "viridis", vmin: float | None = None, vmax: float | None = None,
             percent: bool = False, world: bool | None = None) -> Path:
    """A heatmap of one value per cell (NaN cells grey), with country outlines.

    The colour scale follows the data (``vmin``/``vmax`` override it); a ``percent`` scale is
    clamped to 0–100. A field with one value everywhere gets no invented range: its cells
    are drawn in one colour and the legend says so ("100 % in every cell")."""
    # matplotlib loads with the first figure, not at CLI start-up (see `plots.pyplot`).
    import matplotlib
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import Patch

    world = _is_world(cells) if world is None else world
    fig, ax, lon0, extent = _frame(cells, title, world)
    vals = np.asarray(values, dtype=np.float64)
    rings, owner = cell_rings(cells, lon0)
    colours = matplotlib.colormaps[cmap].with_extremes(bad="0.8")
    coll = PolyCollection(rings, array=np.ma.masked_invalid(vals[owner]), cmap=colours,
                          edgecolors="face", linewidths=0.2, zorder=2)
    lo, hi = colour_limits(vals, vmin=vmin, vmax=vmax, percent=percent)
    coll.set_clim(lo, hi)
    ax.add_collection(coll)
    draw_countries(ax, extent)
    finite = vals[np.isfinite(vals)]
    if finite.size and finite.min() == finite.max() and vmin is None and vmax is None:
        value = f"{finite[0]:g} %" if percent else f"{finite[0]:g}"
        ax.legend(handles=[Patch(color=coll.cmap(coll.norm(finite[0])),
                                 label=f"{label}: {value} in every cell")],
                  loc="upper left", bbox_to_anchor=(0.0, -0.08), fontsize=9, frameon=False)
    else:
        fig.colorbar(coll, ax=ax, shrink=0.7, label=label + (" (%)" if percent else ""))
    return plots.save(fig, Path(path))


def colour_limits(values, *, vmin: float | None = None, vmax: float | None = None,
                  percent: bool = False) -> tuple[float, float]:
    """The colour scale of a heatmap: ``vmin``/``vmax`` when given, else the finite data's
    range, clamped to 0–100 for a ``percent`` field; a constant field (or none) gets a unit
    range around its value, kept inside 0–100 for percent.

    >>> colour_limits([100.0, 100.0], percent=True)
    (99.0, 100.0)
    >>> colour_limits([12.5, 97.0, float("nan")], percent=True)
    (12.5, 97.0)
    >>> colour_limits([3.0, 7.0], vmin=0.0)
    (0.0, 7.0)
    """
    vals = np.asarray(values, dtype=np.float64)
    finite = vals[np.isfinite(vals)]
    lo = vmin if vmin is not None else (float(finite.min()) if finite.size else 0.0)
    hi = vmax if vmax is not None else (float(finite.max()) if finite.size else 1.0)
    if percent:
        lo, hi = min(max(lo, 0.0), 100.0), min(max(hi, 0.0), 100.0)
    if hi <= lo:  # one value: a unit range that stays on the scale
        lo, hi = (hi - 1.0, hi) if percent and hi >= 1.0 else (lo, lo + 1.0)
    return float(lo), float(hi)


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
                     weights=None, bin_deg: float | None = None,
                     percent: dict[str, np.ndarray] | None = None) -> Path:
    """Area-weighted means of per-cell values in latitude bins: ``series`` on the left axis
    (e.g. satellites in view), ``percent`` on a right axis (e.g. percent of time covered).

    The latitude axis spans the cells (Taiwan's 22–25°N, not the globe's ±90°), with bins of
    `profile_bin_deg` unless ``bin_deg`` is given; the legend sits below the axes, clear of
    the lines."""
    lat = np.asarray(lat_deg, dtype=np.float64)
    w = np.ones_like(lat) if weights is None else np.asarray(weights, dtype=np.float64)
    step = profile_bin_deg(lat) if bin_deg is None else bin_deg
    centres, binned = bin_by_latitude(lat, {**series, **(percent or {})}, w, step)
    fig, ax = plots.subplots(figsize=(10, 4.5))
    for name in series:
        ax.plot(centres, binned[name], label=name, linewidth=1.4, marker="." if
                np.isfinite(binned[name]).sum() < 30 else None)
    ax.set_xlabel("latitude (°N)")
    ax.set_ylabel("satellites in view")
    lo, hi = (float(np.nanmin(lat)), float(np.nanmax(lat))) if lat.size else (-90.0, 90.0)
    pad = max(step, 0.03 * (hi - lo))
    ax.set_xlim(max(-90.0, lo - pad), min(90.0, hi + pad))
    ax.set_ylim(bottom=0)
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
    ax.legend(handles, names, fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.14),
              ncol=min(3, len(names)), frameon=False)
    return plots.save(fig, Path(path))


def profile_bin_deg(lat_deg: np.ndarray) -> float:
    """Latitude bins for a profile of cells spanning ``lat_deg``: 1° for wide areas, finer
    for narrow ones so that about 20 bins or more show (0.1° at the finest, which is about
    the spacing of resolution-5 cells).

    >>> profile_bin_deg(np.array([-60.0, 60.0])), profile_bin_deg(np.array([21.9, 25.3]))
    (1.0, 0.1)
    >>> profile_bin_deg(np.array([44.4, 52.4]))
    0.25
    """
    span = float(np.ptp(lat_deg)) if np.size(lat_deg) else 180.0
    for step in (1.0, 0.5, 0.25):
        if span / step >= 20:
            return step
    return 0.1


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
