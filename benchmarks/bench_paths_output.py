"""`leonet paths` on Hypatia's reference workload with its output (issue 16 §3): Starlink-550,
100 ground stations, 9,900 paths per step, 101 steps at 100 ms.

Targets: <= 15 ms per step written to Parquet (>= 1,000x Hypatia's 15.2 s per step with its
own output), <= 25 ms per step to CSV. The baseline run in the same process is the per-row
Python CSV writer leonet used before (74 ms per step on an idle machine), kept here only as
the reference. Times are CPU seconds of this process (``time.process_time``), which other
jobs on a shared machine disturb far less than wall time; wall time is printed beside.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numba
import numpy as np
from _common import SHARED, machine

from leonet.physics.hypatia import read_hypatia_dir
from leonet.reporting.route_tables import paths_table, paths_writer

HYPATIA_S_PER_STEP = 15.2  # satgenpy with its own output, this machine class (issue 16)
FOLDER = SHARED / "hypatia-starlink550"


def per_row_csv(path: Path, inputs, grid, src, dst) -> None:
    """The writer before issue 16: one formatted Python string per path."""
    with path.open("w", encoding="utf-8") as f:
        f.write("t_offset_s,src_gs,dst_gs,length_m,one_way_ms,hops,path\n")
        for k, routes in enumerate(inputs.iter_routes(grid)):
            indptr, nodes = routes.paths
            n = routes.n_sats
            text = nodes.astype(str)
            lines = []
            for s, d in zip(src, dst, strict=True):
                L = routes.length_km[s, d] * 1000.0
                j = s * routes.n_points + d
                path_text = "-".join(text[indptr[j]:indptr[j + 1]])
                lines.append(f"{grid.offsets_s[k]:.9g},{n + s},{n + d},{L:.3f},"
                             f"{routes.one_way_ms[s, d]:.6f},{routes.hops[s, d]},{path_text}\n")
            f.writelines(lines)


def arrow(path: Path, inputs, grid, src, dst) -> None:
    with paths_writer(path) as writer:
        for k, routes in enumerate(inputs.iter_routes(grid)):
            writer.write(paths_table(routes, grid.offsets_s[k], src, dst))


def routing_only(path: Path, inputs, grid, src, dst) -> None:
    for routes in inputs.iter_routes(grid):
        assert routes.paths[0].size > 0


def timed(fn, *args) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one call."""
    c0, w0 = time.process_time(), time.perf_counter()
    fn(*args)
    return time.process_time() - c0, time.perf_counter() - w0


def main() -> None:
    if not FOLDER.exists():
        print(f"skipped: {FOLDER} is absent (see ../shared/data/README.md)")
        return
    numba.set_num_threads(1)
    inputs = read_hypatia_dir(FOLDER)
    grid = inputs.grid(0.0, 10.0, 0.1)  # 101 instants at 100 ms
    n_g = len(inputs.stations)
    src, dst = np.divmod(np.arange(n_g * n_g), n_g)
    src, dst = src[src != dst], dst[src != dst]
    print(f"Hypatia Starlink-550: {len(grid)} steps x {src.size:,} paths; {machine()}")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        routing_only(out, inputs, grid[:2], src, dst)  # compile the kernels first
        arrow(out / "warm.parquet", inputs, grid[:2], src, dst)
        arrow(out / "warm.csv", inputs, grid[:2], src, dst)
        rows = {}
        for name, fn, file in (("routing only", routing_only, None),
                               ("per-row CSV (before)", per_row_csv, "old.csv"),
                               ("Parquet", arrow, "p.parquet"),
                               ("CSV", arrow, "p.csv")):
            target = out / (file or "none")
            cpu, wall = timed(fn, target, inputs, grid, src, dst)
            size = target.stat().st_size / 1e6 if file else 0.0
            rows[name] = cpu / len(grid)
            print(f"{name:22s} {cpu / len(grid) * 1e3:7.2f} ms CPU/step "
                  f"({wall / len(grid) * 1e3:7.2f} ms wall)  {size:6.1f} MB")
    before = rows["per-row CSV (before)"]
    for name, target_ms in (("Parquet", 15.0), ("CSV", 25.0)):
        print(f"{name}: {rows[name] * 1e3:.2f} ms/step (target <= {target_ms:.0f}), "
              f"{before / rows[name]:.1f}x the per-row writer, "
              f"{HYPATIA_S_PER_STEP / rows[name]:,.0f}x Hypatia's 15.2 s/step")


if __name__ == "__main__":
    main()
