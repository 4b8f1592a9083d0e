"""Figures of a replayed scenario, as PNG files: terminals served over time, the decisions on
maps after each policy change, where incidents began, coverage per cell and RTT over time.

matplotlib loads with the first figure (through `plots` and `maps`), not when `leonet.api` or
the CLI is imported: it is the slowest import of the report.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from leonet.control.detect.config import KINDS
from leonet.control.policy import Policy
from leonet.data import policy_files
from leonet.reporting import maps, plots
from leonet.reporting.maps import points_extent, region_frame
from leonet.reporting.palette import FIXED, colour_of, palette_for
from leonet.reporting.scenario_data import ServedByRegion, day, kinds_found, slug
from leonet.scenario.results import CoverageRun, Decided, ScenarioResult

# Legends of the maps: larger than matplotlib's default markers, readable at report width.
LEGEND = {"fontsize": 8, "markerscale": 3, "framealpha": 0.9}


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


def report_palette(policies: Iterable[Policy] = ()) -> dict[str, str]:
    """The colours of one report: every deciding rule of the shipped policies and of
    ``policies``, every incident kind and the fixed names (`palette.FIXED`), so that a rule
    or kind has one colour in every figure, and the same one in every report on the shipped
    policies (the set, hence each colour, does not depend on which policies a report uses)."""
    names = set(FIXED) | set(KINDS)
    for pol in [*(Policy.load(f) for f in policy_files()), *policies]:
        names.update(rule.id for rule in pol.rules)
    return palette_for(names)


def draw_figures(result: ScenarioResult, served: ServedByRegion, out_dir: Path,
                 palette: dict[str, str] | None = None) -> ScenarioFigures:
    """Draw every figure of ``result`` into ``out_dir``, in the colours of ``palette``
    (`report_palette` of the scenario's policies when not given)."""
    if palette is None:
        palette = report_palette(step.policy for step in result.scenario.policies)
    return ScenarioFigures(
        served=served_figure(result, served, out_dir / "served.png"),
        decisions=(decisions_figure(result, out_dir / "decisions.png", palette)
                   if result.policy_changes else None),
        incidents=(incidents_figure(result, out_dir / "incidents.png", palette)
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
    fig, axes = plots.subplots(2, 1, figsize=(13, 8), sharex=True)
    regions = palette_for(str(served.regions[j]) for j in served.top)
    for j in served.top:
        colour = regions[str(served.regions[j])]
        axes[0].plot(t, served.allowed[:, j], label=f"{served.regions[j]} allowed",
                     linewidth=1.4, color=colour)
        axes[0].plot(t, served.on[:, j], linestyle=":", linewidth=0.8, color=colour,
                     label=f"{served.regions[j]} switched on")
    axes[0].set_ylabel("terminals")
    axes[0].set_ylim(bottom=0)
    groups = palette_for(g.id for g in result.fleet.groups)
    g_index = result.fleet.group[d.state.terminal]
    for k, g in enumerate(result.fleet.groups):
        n = np.bincount(d.state.instant[g_index == k], minlength=n_t)
        a = np.bincount(d.state.instant[g_index == k], weights=d.allowed[g_index == k],
                        minlength=n_t)
        share = np.where(n > 0, a / np.maximum(n, 1), np.nan)
        axes[1].plot(t, 100.0 * share, label=g.id, linewidth=1.2, color=groups[g.id])
    axes[1].set_ylabel("% of the group's terminals allowed")
    axes[1].set_ylim(-3, 103)
    axes[1].set_xlabel("date (UTC)")
    # Legends beside the axes, not over them: the event markers run along the top.
    axes[0].legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                   title="region", title_fontsize=9)
    axes[1].legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1.0),
                   title="group", title_fontsize=9)
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


def decisions_figure(result: ScenarioResult, path: Path,
                     palette: dict[str, str] | None = None) -> Path:
    """One map per policy change: the terminals switched on, coloured by decision (allowed,
    else the deciding rule), each rule in its ``palette`` colour in every panel."""

    panels = result.policy_changes
    all_lat = np.concatenate([c.decided.state.lat_deg for c in panels])
    all_lon = np.concatenate([c.decided.state.lon_deg for c in panels])
    extent = points_extent(all_lat, all_lon)
    cols = min(3, len(panels))
    rows_n = (len(panels) + cols - 1) // cols
    fig, axes = plots.subplots(rows_n, cols, figsize=(6.2 * cols, 5.2 * rows_n),
                               squeeze=False)
    for ax, c in zip(axes.ravel(), panels, strict=False):
        _decision_panel(ax, c.decided, extent, f"{day(c.step.from_ns)}: {c.step.event}",
                        palette)
    for ax in axes.ravel()[len(panels):]:
        ax.axis("off")
    fig.tight_layout()
    return plots.save(fig, path)


def incidents_figure(result: ScenarioResult, path: Path,
                     palette: dict[str, str] | None = None) -> Path:
    """Where the incidents of every window began, by kind (in ``palette`` colours)."""

    inc = result.incidents
    extent = points_extent(inc.lat_deg, inc.lon_deg)
    fig, ax = plots.subplots(figsize=(10, 7))
    for kind in kinds_found(result):
        m = inc.kind == kind
        ax.scatter(inc.lon_deg[m], inc.lat_deg[m], s=8, c=colour_of(kind, palette),
                   linewidths=0, label=f"{kind} ({int(m.sum()):,})", zorder=4)
    region_frame(ax, extent)
    ax.legend(loc="lower left", title="incident kind", **LEGEND)
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

def _decision_panel(ax, decided: Decided, extent, title: str,
                    palette: dict[str, str] | None) -> None:
    lat, lon = decided.state.lat_deg, decided.state.lon_deg
    denied = ~decided.allowed
    rules, counts = np.unique(decided.rule[denied].astype(str), return_counts=True)
    for j in np.argsort(-counts, kind="stable"):
        m = denied & (decided.rule == rules[j])
        ax.scatter(lon[m], lat[m], s=3, c=colour_of(str(rules[j]), palette),
                   label=f"{rules[j]} ({counts[j]:,})", linewidths=0, zorder=4)
    # Allowed last, on top: where service is, is the point of the map.
    ax.scatter(lon[decided.allowed], lat[decided.allowed], s=3,
               c=colour_of("allowed", palette), linewidths=0,
               label=f"allowed ({int(decided.allowed.sum()):,})", zorder=5)
    region_frame(ax, extent)
    ax.set_title(title, fontsize=10)
    ax.legend(loc="lower left", **LEGEND)
