"""Figures of a replayed scenario, as PNG files: terminals served over time, the decisions on
maps after each policy change, where incidents began, coverage per cell and RTT over time.

matplotlib loads with the first figure (through `plots` and `maps`), not when `leonet.api` or
the CLI is imported: it is the slowest import of the report.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely

from leonet.control.detect.config import KINDS
from leonet.control.regions import disputed_ids, disputed_region
from leonet.reporting import maps, plots
from leonet.reporting.maps import draw_countries
from leonet.reporting.scenario_data import ServedByRegion, day, kinds_found, slug
from leonet.scenario.results import CoverageRun, Decided, ScenarioResult

# Colours of the decisions on maps: allowed on top in green; the denying rules in turn.
_ALLOWED = "#2ca02c"
_DENIED = ("#d62728", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#17becf")
_KIND_COLOURS = dict(zip(KINDS, ("#d62728", "#ff7f0e", "#9467bd", "#393b79", "#8c564b",
                                 "#e377c2", "#17becf", "#bcbd22", "#1f77b4"), strict=True))


@dataclass(frozen=True)
class ScenarioFigures:
    """The figure files of a report; None (or empty) where the scenario has nothing to draw.
    ``coverage[i]`` maps ``result.coverage[i]``."""

    served: Path
    decisions: Path | None
    incidents: Path | None
    coverage: tuple[Path, ...]
    latency: Path | None

    def paths(self) -> list[Path]:
        return [p for p in (self.served, self.decisions, self.incidents, *self.coverage,
                            self.latency) if p is not None]


def draw_figures(result: ScenarioResult, served: ServedByRegion, out_dir: Path
                 ) -> ScenarioFigures:
    """Draw every figure of ``result`` into ``out_dir``."""
    return ScenarioFigures(
        served=served_figure(result, served, out_dir / "served.png"),
        decisions=(decisions_figure(result, out_dir / "decisions.png")
                   if result.policy_changes else None),
        incidents=(incidents_figure(result, out_dir / "incidents.png")
                   if result.windows and len(result.incidents) else None),
        coverage=tuple(coverage_figure(c, out_dir / f"coverage-{slug(c.region)}.png")
                       for c in result.coverage),
        latency=latency_figure(result, out_dir / "latency.png") if result.latency else None)


def served_figure(result: ScenarioResult, served: ServedByRegion, path: Path) -> Path:
    """Terminals allowed and switched on in the top regions (above) and the share allowed
    of each group (below), with the policy changes marked."""

    d, scn = result.timeline, result.scenario
    t = result.timeline_ns.view("datetime64[ns]")
    n_t = len(t)
    fig, axes = plots.subplots(2, 1, figsize=(12, 8), sharex=True)
    for j in served.top:
        axes[0].plot(t, served.allowed[:, j], label=f"{served.regions[j]} allowed",
                     linewidth=1.4)
        axes[0].plot(t, served.on[:, j], linestyle=":", linewidth=0.8, color=axes[0].lines[-1]
                     .get_color())
    axes[0].set_ylabel("terminals (solid: allowed, dotted: switched on)")
    axes[0].legend(fontsize=8, ncol=2, loc="upper left")
    g_index = result.fleet.group[d.state.terminal]
    for k, g in enumerate(result.fleet.groups):
        n = np.bincount(d.state.instant[g_index == k], minlength=n_t)
        a = np.bincount(d.state.instant[g_index == k], weights=d.allowed[g_index == k],
                        minlength=n_t)
        share = np.where(n > 0, a / np.maximum(n, 1), np.nan)
        axes[1].plot(t, 100.0 * share, label=g.id, linewidth=1.2)
    axes[1].set_ylabel("% of the group's terminals allowed")
    axes[1].set_ylim(-3, 103)
    axes[1].legend(fontsize=8, ncol=3, loc="lower left")
    for ax in axes:
        ax.grid(True, color="0.9")
        for n_step, step in enumerate(scn.policies, start=1):
            x = np.datetime64(int(step.from_ns), "ns")
            ax.axvline(x, color="0.4", linewidth=0.8, linestyle="--")
            if ax is axes[0]:
                ax.annotate(str(n_step), (x, 1.0), xycoords=("data", "axes fraction"),
                            xytext=(2, -12), textcoords="offset points", fontsize=8)
    axes[0].set_title(f"{scn.name}: terminals served per region over time")
    return plots.save(fig, path)


def decisions_figure(result: ScenarioResult, path: Path) -> Path:
    """One map per policy change: the terminals switched on, coloured by decision."""

    panels = result.policy_changes
    all_lat = np.concatenate([c.decided.state.lat_deg for c in panels])
    all_lon = np.concatenate([c.decided.state.lon_deg for c in panels])
    extent = _extent(all_lat, all_lon)
    cols = min(3, len(panels))
    rows_n = (len(panels) + cols - 1) // cols
    fig, axes = plots.subplots(rows_n, cols, figsize=(5.2 * cols, 4.4 * rows_n),
                                   squeeze=False)
    for ax, c in zip(axes.ravel(), panels, strict=False):
        _decision_panel(ax, c.decided, extent, f"{day(c.step.from_ns)}: {c.step.event}")
    for ax in axes.ravel()[len(panels):]:
        ax.axis("off")
    fig.tight_layout()
    return plots.save(fig, path)


def incidents_figure(result: ScenarioResult, path: Path) -> Path:
    """Where the incidents of every window began, by kind."""

    inc = result.incidents
    extent = _extent(inc.lat_deg, inc.lon_deg)
    fig, ax = plots.subplots(figsize=(10, 7))
    for kind in kinds_found(result):
        m = inc.kind == kind
        ax.scatter(inc.lon_deg[m], inc.lat_deg[m], s=8, c=_KIND_COLOURS[kind], linewidths=0,
                   label=f"{kind} ({int(m.sum()):,})", zorder=4)
    _outlines(ax, extent)
    ax.legend(fontsize=8, markerscale=2, loc="lower left")
    ax.set_title("Where incidents began (all windows)")
    return plots.save(fig, path)


def coverage_figure(run: CoverageRun, path: Path) -> Path:
    """Mean satellites in view per cell of a `CoverageRun`."""

    return maps.cell_map(run.cells, run.coverage.coverage.mean_in_view, path,
                         title=f"{run.region}: mean satellites in view",
                         label="mean satellites in view")


def latency_figure(result: ScenarioResult, path: Path) -> Path:
    """RTT over the latency grid, one panel per place, one line per mode."""

    lat = result.latency
    grid = lat.grid
    n = len(lat.places)
    fig, axes = plots.subplots(1, n, figsize=(4.2 * n, 3.8), sharey=True, squeeze=False)
    minutes = grid.offsets_s / 60.0
    for i, ax in enumerate(axes[0]):
        for mode, s in lat.series.items():
            ax.plot(minutes, s.rtt_ms[:, i], label=mode, linewidth=1.1)
        ax.set_title(f"{lat.places[i]} → {lat.to[i]}", fontsize=9)
        ax.set_xlabel(f"minutes after {grid.iso[0]}")
        ax.grid(True, color="0.9")
    axes[0][0].set_ylabel("RTT (ms)")
    axes[0][0].set_ylim(bottom=0)
    axes[0][0].legend(fontsize=8)
    return plots.save(fig, path)


# -- map helpers ------------------------------------------------------------------------------

def _extent(lat: np.ndarray, lon: np.ndarray) -> tuple[float, float, float, float]:
    if not lat.size:
        return (-180.0, 180.0, -90.0, 90.0)
    x0, x1 = np.percentile(lon, [1, 99])
    y0, y1 = np.percentile(lat, [1, 99])
    mx, my = max(0.5, 0.1 * (x1 - x0)), max(0.5, 0.1 * (y1 - y0))
    return float(x0 - mx), float(x1 + mx), float(max(-90, y0 - my)), float(min(90, y1 + my))


def _draw_areas(ax, extent) -> None:
    """Outlines of the disputed areas in view, dashed."""
    window = shapely.box(extent[0], extent[2], extent[1], extent[3])
    for rid in sorted(set(disputed_ids().values())):
        geom = disputed_region(rid).geometry
        if geom is None or not shapely.intersects(geom, window):
            continue
        for line in shapely.get_parts(shapely.boundary(geom)):
            xy = np.asarray(line.coords)
            ax.plot(xy[:, 0], xy[:, 1], color="0.1", linewidth=0.7, linestyle="--", zorder=3)


def _outlines(ax, extent) -> None:
    """Country outlines and disputed areas over ``extent``, framed at the local aspect."""

    draw_countries(ax, extent)
    _draw_areas(ax, extent)
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect(1.0 / max(0.2, np.cos(np.deg2rad((extent[2] + extent[3]) / 2))))


def _decision_panel(ax, decided: Decided, extent, title: str) -> None:
    lat, lon = decided.state.lat_deg, decided.state.lon_deg
    denied = ~decided.allowed
    rules, counts = np.unique(decided.rule[denied].astype(str), return_counts=True)
    order = np.argsort(-counts, kind="stable")
    for k, j in enumerate(order[: len(_DENIED)]):
        m = denied & (decided.rule == rules[j])
        ax.scatter(lon[m], lat[m], s=3, c=_DENIED[k], label=f"{rules[j]} ({counts[j]:,})",
                   linewidths=0, zorder=4)
    ax.scatter(lon[decided.allowed], lat[decided.allowed], s=3, c=_ALLOWED, linewidths=0,
               label=f"allowed ({int(decided.allowed.sum()):,})", zorder=5)
    _outlines(ax, extent)
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=6, markerscale=3, loc="lower left")
