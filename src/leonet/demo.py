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


SECTIONS: list[tuple[str, Callable[[Path], Section]]] = [
    ("satellites in view", sky_section),
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
