"""`make demo`: the main job on embedded defaults (no network, no ../shared data).

The demo is the shipped end-to-end scenario (`DEMO_SCENARIO`, Ukraine 2022-2026: policies,
sponsors, synthetic terminals, detection and enforcement, coverage and latency), followed by
the physics and network sections: each a function ``(out_dir) -> Section`` listed in
`SECTIONS`; later work adds its part with one line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from leonet.data import scenario_dir
from leonet.physics.capacity import DEFAULT_ASSUMPTIONS
from leonet.physics.coverage import coverage_from_ephemerides
from leonet.physics.ephemeris import Ephemeris
from leonet.physics.ground import concat_points, find_city
from leonet.physics.network import Network
from leonet.physics.orbits.constellation import Constellation
from leonet.physics.route_series import REASONS
from leonet.physics.timegrid import TimeGrid
from leonet.regional.capacity import region_capacity
from leonet.regional.cells import latitude_band, region_cells
from leonet.regional.coverage import summarise
from leonet.reporting import maps, plots
from leonet.reporting.exports import write_cells_geojson, write_table
from leonet.reporting.html import Section, write_report
from leonet.reporting.policy_section import policy_section
from leonet.reporting.scenario import write_files
from leonet.scenario import load_scenario, run
from leonet.scenario.results import LatencyRoute

DEMO_CITIES = ("Kyiv", "Taipei", "London", "New York City", "São Paulo", "Nairobi", "Tokyo",
               "Sydney", "Singapore", "Reykjavík")


def sky_section(out_dir: Path) -> Section:
    """Satellites in view over ten cities, one hour at 15 s, starlink-gen1 preset."""
    sats = Constellation.load("starlink-gen1")
    grid = TimeGrid.range("2026-08-23T00:00:00Z", "1h", "15s")
    eph = sats.propagate(grid)
    cities = [find_city(name) for name in DEMO_CITIES]
    points = concat_points([c.point() for c in cities], kind="city")
    counts = eph.count_visible(points)

    sec = Section(
        "Satellites in view",
        f"{len(sats):,} satellites of the starlink-gen1 preset (FCC 21-48 filing) propagated "
        f"with SGP4 over {grid.iso[0]} to {grid.iso[-1]} every 15 s ({len(grid)} instants), "
        "seen from ten cities above a 25° elevation mask.",
    )
    rows = [[c.name, c.country, round(c.lat_deg, 2), int(counts[:, i].min()),
             round(float(counts[:, i].mean()), 1), int(counts[:, i].max())]
            for i, c in enumerate(cities)]
    sec.table("Satellites above 25° (min / mean / max over the hour)",
              ["city", "country", "latitude (°)", "min", "mean", "max"], rows)
    csv = out_dir / "sky_in_view.csv"
    with csv.open("w", encoding="utf-8") as f:
        f.write("time," + ",".join(c.name for c in cities) + "\n")
        for k in range(len(grid)):
            f.write(f"{grid.iso[k]}," + ",".join(str(int(n)) for n in counts[k]) + "\n")
    sec.files.append(csv)

    fig, ax = plots.world_axes("starlink-gen1 ground tracks over one hour, and satellites "
                               "in view (mean) per city")
    lon, lat = plots.unwrapped_tracks(eph.lon_deg[:, ::11], eph.lat_deg[:, ::11])
    ax.plot(lon, lat, color="tab:blue", linewidth=0.3, alpha=0.5)
    maps.draw_countries(ax, (-180.0, 180.0, -90.0, 90.0), color="0.45", linewidth=0.4)
    sc = ax.scatter(points.lon_deg, points.lat_deg, c=counts.mean(axis=0), cmap="viridis",
                    s=90, edgecolors="k", zorder=3, vmin=0)
    for c in cities:
        ax.annotate(c.name, (c.lon_deg, c.lat_deg), xytext=(5, 5), textcoords="offset points",
                    fontsize=8)
    fig.colorbar(sc, ax=ax, shrink=0.6, label="mean satellites above 25°")
    sec.figures.append(("Ground tracks (every 11th satellite) and cities",
                        plots.save(fig, out_dir / "sky_map.png")))

    fig, ax = plots.subplots(figsize=(10, 4.5))
    minutes = grid.offsets_s / 60.0
    for i, c in enumerate(cities):
        ax.plot(minutes, counts[:, i], label=c.name, linewidth=1)
    ax.set_xlabel("minutes after " + str(grid.iso[0]))
    ax.set_ylabel("satellites above 25°")
    ax.legend(ncol=5, fontsize=8)
    ax.grid(True, color="0.9")
    sec.figures.append(("Satellites in view over the hour",
                        plots.save(fig, out_dir / "sky_in_view.png")))
    return sec


def _or_nan(value: float | None) -> float:
    return float("nan") if value is None else value


def latency_section(out_dir: Path) -> Section:
    """RTT from Kyiv and Taipei to their PoPs over an hour: operator, bent pipe, fibre."""
    sats = Constellation.load("starlink-gen1")
    net = Network.build(sats)
    grid = TimeGrid.range("2026-08-23T00:00:00Z", "1h", "15s")
    cities = [find_city(name) for name in ("Kyiv", "Taipei")]
    src = concat_points([c.point() for c in cities], kind="city")
    pop = net.pop_of(src, country=np.array([c.country for c in cities], dtype=object))
    dst = net.pops.points[pop]  # the destination is the PoP itself
    runs = {"operator": ("operator", "highest_elevation"),
            "operator, lowest-latency scheduler": ("operator", "lowest_latency"),
            "bentpipe": ("bentpipe", "highest_elevation"), "fibre": ("fibre", None)}
    modes = tuple(runs)
    series = {m: net.routes(src, dst, grid, mode=mode, pop=pop,
                            strategy=strategy or "highest_elevation")
              for m, (mode, strategy) in runs.items()}

    sec = Section(
        "Latency to the PoP",
        f"Round-trip time (propagation only) from Kyiv and Taipei to their nearest Starlink "
        f"PoP over one hour at 15 s steps, on the starlink-gen1 preset with +Grid lasers "
        f"({net.isls.n_links:,} links, 5,400 km range), {len(net.gateways)} shipped "
        f"gateway sites and {len(net.pops)} PoPs. Operator: terminal → serving satellite "
        f"(15 s slots; the highest in the sky, or the one with the fastest route to the "
        f"PoP) → lasers → gateway → fibre to the PoP. Bent pipe: no lasers, the serving "
        f"satellite must see a gateway. Fibre: great circle × "
        f"{net.fibre_route_factor} at c/{net.fibre_index}. Gaps are instants without "
        f"service. Starlink is not licensed in Taiwan: Taipei is a what-if.",
    )
    rows = []
    for i, c in enumerate(cities):
        for m in modes:
            r = LatencyRoute.of(series[m], i, c.name, str(net.pops.names[pop[i]]))
            rows.append([c.name, r.to, m, f"{r.availability:.1%}",
                         round(_or_nan(r.rtt_ms_median), 1), round(_or_nan(r.rtt_ms_p95), 1),
                         r.path_changes,
                         "; ".join(f"{n} × {why}" for why, n in r.no_service) or "—"])
    sec.table("RTT to the PoP over the hour (ms)",
              ["city", "PoP", "mode", "availability", "median", "p95", "path changes",
               "no service"], rows)
    fig, axes = plots.subplots(1, 2, figsize=(13, 4.5), sharey=True)
    minutes = grid.offsets_s / 60.0
    for i, (ax, c) in enumerate(zip(axes, cities, strict=True)):
        for m in modes:
            ax.plot(minutes, series[m].rtt_ms[:, i], label=m, linewidth=1.2)
        ax.set_title(f"{c.name} → PoP {net.pops.names[pop[i]]}")
        ax.set_xlabel(f"minutes after {grid.iso[0]}")
        ax.grid(True, color="0.9")
    axes[0].set_ylabel("RTT (ms, propagation)")
    axes[0].set_ylim(bottom=0)
    axes[0].legend()
    sec.figures.append(("RTT to the PoP: operator vs bent pipe vs fibre",
                        plots.save(fig, out_dir / "latency_to_pop.png")))
    csv = out_dir / "latency_to_pop.csv"
    with csv.open("w", encoding="utf-8") as f:
        f.write("time,city,mode,rtt_ms,path,no_service\n")
        for m in modes:
            s = series[m]
            for i, c in enumerate(cities):
                for k in range(len(grid)):
                    ok = bool(s.available[k, i])
                    f.write(f"{grid.iso[k]},{c.name},\"{m}\","
                            f"{s.rtt_ms[k, i]:.3f}," if ok else f"{grid.iso[k]},{c.name},\"{m}\",,")
                    f.write(f"\"{'|'.join(s.path(k, i))}\"," if ok else ",")
                    f.write("\n" if ok else f"{REASONS[s.reason[k, i]]}\n")
    sec.files.append(csv)
    return sec


def coverage_section(out_dir: Path) -> Section:
    """Coverage of Ukraine and Taiwan per H3 cell (res 5), six hours at 60 s, gen1 preset."""
    sats = Constellation.load("starlink-gen1")
    grid = TimeGrid.range("2026-08-23T00:00:00Z", "6h", "60s")
    eph = sats.propagate(grid)
    sec = Section(
        "Coverage of Ukraine and Taiwan",
        f"Every H3 resolution-5 cell (about 253 km²) whose centre lies in Ukraine or Taiwan "
        f"(Natural Earth 1:10m, German point of view: Crimea in Ukraine; Kinmen and Matsu in "
        f"Taiwan), seen from its centre by the {len(sats):,} satellites of the starlink-gen1 "
        f"preset over {grid.iso[0]} to {grid.iso[-1]} every 60 s ({len(grid)} instants). "
        "'Covered' means at least one satellite above the mask: 25° (FCC 21-48) and the "
        "stricter 40° of the original Gen1 filing. The same runs from the command line: "
        "leonet coverage --region UA --start 2026-08-23T00:00:00Z --duration 6h --res 5 "
        "--out ua.csv --map ua.png.",
    )
    rows = []
    for code in ("UA", "TW"):
        cells = region_cells(code, 5)
        figs = {mask: coverage_from_ephemerides(cells.points(mask), [eph], grid)
                for mask in (25.0, 40.0)}
        s25, s40 = summarise(cells, figs[25.0]), summarise(cells, figs[40.0])
        rows.append([code, len(cells), round(s25.area_km2), round(s25.mean_in_view, 1),
                     s25.min_in_view, s25.max_in_view, round(s25.worst_percent_covered, 2),
                     round(s40.mean_in_view, 1), s40.min_in_view,
                     round(s40.percent_covered, 2), round(s40.worst_percent_covered, 2),
                     round(s40.longest_gap_s)])
        columns = {"h3_cell": cells.ids, "lat_deg": cells.lat_deg, "lon_deg": cells.lon_deg,
                   **figs[25.0].columns(),
                   "mean_in_view_40deg": figs[40.0].mean_in_view,
                   "percent_covered_40deg": figs[40.0].percent_covered,
                   "longest_gap_s_40deg": figs[40.0].longest_gap_s}
        sec.files.append(write_table(out_dir / f"coverage_{code}.csv", columns))
        sec.files.append(write_cells_geojson(out_dir / f"coverage_{code}.geojson", cells,
                                             {k: v for k, v in columns.items()
                                              if k != "h3_cell"}))
        sec.figures.append((f"{cells.name}: mean satellites above 25° per cell", maps.cell_map(
            cells, figs[25.0].mean_in_view, out_dir / f"coverage_{code}_in_view.png",
            title=f"{code}: mean satellites above 25°, starlink-gen1, 6 h",
            label="mean satellites in view")))
        if code == "UA":
            sec.figures.append(("Ukraine: percent of time with a satellite above 40°",
                                maps.cell_map(cells, figs[40.0].percent_covered,
                                              out_dir / "coverage_UA_40deg.png",
                                              title="UA: percent of time covered at a 40° mask",
                                              label="percent of time covered",
                                              percent=True)))
    sec.table("Per-cell coverage (area-weighted mean; worst = the least covered cell)",
              ["region", "cells", "area (km²)", "mean in view 25°", "min 25°", "max 25°",
               "worst % covered 25°", "mean in view 40°", "min 40°", "% covered 40°",
               "worst % covered 40°", "longest gap 40° (s)"], rows)

    globe = latitude_band(-90.0, 90.0, 2)
    every = slice(None, None, 10)  # every 10 minutes is plenty for a time average
    coarse = Ephemeris(grid[every], sats, eph.r_ecef_km[every], eph.v_ecef_km_s[every],
                       eph.error[every])
    fig = coverage_from_ephemerides(globe.points(25.0), [coarse], grid[every])
    sec.figures.append(("Coverage versus latitude: densest just inside the 53° shells' "
                        "turning latitude, then the 70° and 97.6° shells take over",
                        maps.latitude_profile(
                            globe.lat_deg, {"mean satellites above 25°": fig.mean_in_view,
                                            "fewest satellites above 25°": fig.min_in_view},
                            out_dir / "coverage_latitude.png", weights=globe.area_km2,
                            title="starlink-gen1: satellites in view versus latitude "
                                  f"(all {len(globe):,} res-2 cells, 6 h)",
                            percent={"percent of time covered": fig.percent_covered})))

    busy = TimeGrid.range("2026-08-23T18:00:00Z", "10m", "2m")
    ua = region_cells("UA", 5)
    run = region_capacity(ua, sats, busy, terminals_per_km2=DEFAULT_ASSUMPTIONS.terminals_per_km2,
                          city_take_up=0.01, not_activated=["crimea"])
    sec.text += (
        "\n\nBusy-hour capacity of Ukraine (what-if): 0.1 terminals per km² plus 1 % of the "
        "population of every town of 15,000 or more, 3.1 Mbps each at the busy hour, 20 Gbps "
        "in 16 beams per satellite, land within 1,000 km competing for the same satellites "
        f"({run.n_context:,} cells), Crimea not activated (docs/coverage.md gives each "
        "assumption's source). Towns sell out first.")
    sec.table("Ukraine at the busy hour: cells per availability class",
              ["class", "cells"], [[k, v] for k, v in run.class_counts().items()])
    sec.figures.append(("Ukraine: availability at the busy hour (what-if demand)",
                        maps.availability_map(ua, run.capacity.availability,
                                              out_dir / "capacity_UA.png",
                                              title="UA: availability at the busy hour, "
                                                    "starlink-gen1, what-if demand")))
    sec.files.append(write_table(out_dir / "capacity_UA.csv", run.columns()))
    return sec


DEMO_SCENARIO = "ukraine-2022-2026"


def scenario_sections(out_dir: Path, progress: Callable[[str], None] = print) -> list[Section]:
    """The end-to-end scenario, replayed and written into ``out_dir``."""
    scn = load_scenario(scenario_dir() / f"{DEMO_SCENARIO}.scenario.toml")
    return write_files(run(scn, progress=progress), out_dir)


SECTIONS: list[tuple[str, Callable[[Path], Section]]] = [
    ("satellites in view", sky_section),
    ("latency to the PoP", latency_section),
    ("coverage of Ukraine and Taiwan", coverage_section),
    ("policies", policy_section),
]


def run_demo(out_dir: Path, progress: Callable[[str], None] = print) -> Path:
    """Run every demo section into ``out_dir``; return the report's HTML path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    progress(f"demo: scenario {DEMO_SCENARIO} (end to end)")
    sections = scenario_sections(out_dir, progress=lambda msg: progress(f"demo: {msg}"))
    for name, section in SECTIONS:
        progress(f"demo: {name}")
        sections.append(section(out_dir))
    return write_report(out_dir, "leonet demo report: Ukraine 2022–2026 end to end, then the "
                        "physics underneath", sections)
