"""`make demo`: the main job on embedded defaults (no network, no ../shared data).

Each part of the demo is a function ``(out_dir) -> Section`` listed in `SECTIONS`; later
work adds its part with one line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from leonet.control.policy.demo import policy_section
from leonet.physics.ground import concat_points, find_city
from leonet.physics.orbits.constellation import Constellation
from leonet.physics.timegrid import TimeGrid
from leonet.report import Section, write_report

DEMO_CITIES = ("Kyiv", "Taipei", "London", "New York City", "São Paulo", "Nairobi", "Tokyo",
               "Sydney", "Singapore", "Reykjavík")


def sky_section(out_dir: Path) -> Section:
    """Satellites in view over ten cities, one hour at 15 s, starlink-gen1 preset."""
    from leonet import plots

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
    sc = ax.scatter(points.lon_deg, points.lat_deg, c=counts.mean(axis=0), cmap="viridis",
                    s=90, edgecolors="k", zorder=3, vmin=0)
    for c in cities:
        ax.annotate(c.name, (c.lon_deg, c.lat_deg), xytext=(5, 5), textcoords="offset points",
                    fontsize=8)
    fig.colorbar(sc, ax=ax, shrink=0.6, label="mean satellites above 25°")
    sec.figures.append(("Ground tracks (every 11th satellite) and cities",
                        plots.save(fig, out_dir / "sky_map.png")))

    fig, ax = plots.plt.subplots(figsize=(10, 4.5))
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


def latency_section(out_dir: Path) -> Section:
    """RTT from Kyiv and Taipei to their PoPs over an hour: operator, bent pipe, fibre."""
    import numpy as np

    from leonet import plots
    from leonet.physics.network import Network
    from leonet.physics.route_series import REASONS

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
            summ = series[m].summary(i)
            rows.append([c.name, str(net.pops.names[pop[i]]), m,
                         f"{summ['availability']:.1%}",
                         round(summ.get("rtt_ms_median", float("nan")), 1),
                         round(summ.get("rtt_ms_p95", float("nan")), 1),
                         summ["path_changes"],
                         "; ".join(f"{n} × {r}" for r, n in summ.get("no_service", {}).items())
                         or "—"])
    sec.table("RTT to the PoP over the hour (ms)",
              ["city", "PoP", "mode", "availability", "median", "p95", "path changes",
               "no service"], rows)
    fig, axes = plots.plt.subplots(1, 2, figsize=(13, 4.5), sharey=True)
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


SECTIONS: list[tuple[str, Callable[[Path], Section]]] = [
    ("satellites in view", sky_section),
    ("latency to the PoP", latency_section),
]
SECTIONS.append(("policies", policy_section))


def run_demo(out_dir: Path, progress: Callable[[str], None] = print) -> Path:
    """Run every demo section into ``out_dir``; return the report's HTML path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    sections = []
    for name, section in SECTIONS:
        progress(f"demo: {name}")
        sections.append(section(out_dir))
    return write_report(out_dir, "leonet demo report", sections)
