"""The end-to-end scenario (`ukraine-2022-2026`) replayed and written, against its 2-minute
budget, with the timeline also decided instant by instant as a baseline in the same run.

Timed cold-ish as a user meets it from the command line (a fresh process; the policy indexes'
disk cache warm, as after `make demo`): loading and checking the scenario, drawing the fleet,
five detection windows (telemetry, checks, detectors, enforcement), 214 weekly instants,
the policy-change snapshots, coverage of Ukraine and latency from four cities, and the report
with its figures and tables.

Baseline: the timeline decided one terminal at one instant per call (state, whitelist,
funding and policy decision of a single row: the shape of a per-row loop), timed on 2,000
sampled rows and scaled; the ratio is its time over the batched timeline's, and every sampled
row must get the same decision.

Run: .venv/bin/python benchmarks/bench_scenario.py [--repeat 3]
Target (issue 7): the end-to-end 2022-2026 scenario runs in <= 2 minutes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine

BUDGET_S = 120.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from leonet.data import scenario_dir
    from leonet.reporting.scenario import write_results
    from leonet.scenario import load_scenario, run
    from leonet.scenario.run import decide

    path = scenario_dir() / "ukraine-2022-2026.scenario.toml"
    print(f"machine: {machine()}")
    times, result = [], None
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result = run(load_scenario(path))
        t_run = time.perf_counter() - t0
        with tempfile.TemporaryDirectory() as out:
            write_results(result, Path(out))
        times.append((time.perf_counter() - t0, t_run))
    best, t_run = min(times)
    print(f"end to end, best of {args.repeat}: {best:.1f} s (replay {t_run:.1f} s, report "
          f"{best - t_run:.1f} s; all runs {', '.join(f'{t:.1f}' for t, _ in times)} s); "
          f"budget {BUDGET_S:.0f} s: {BUDGET_S / best:.1f}x under it")
    fleet, suspended = result.fleet, result.suspended_from_ns
    t0 = time.perf_counter()
    batched = decide(result.scenario, result.policies, fleet, fleet.at(result.timeline_ns),
                     suspended)
    t_batched = time.perf_counter() - t0
    # Baseline: one terminal at one instant per call (a per-row loop), on a sample, scaled.
    rng = np.random.default_rng(0)
    sample = rng.choice(len(batched.state), size=2000, replace=False)
    t0 = time.perf_counter()
    same = 0
    for i in sample.tolist():
        one = fleet.at(np.array([batched.state.time_ns[i]]),
                       terminals=np.array([batched.state.terminal[i]]))
        same += bool(decide(result.scenario, result.policies, fleet, one,
                            suspended).allowed[0]) == bool(batched.allowed[i])
    per_row_s = (time.perf_counter() - t0) / sample.size
    assert same == sample.size, "the per-row baseline disagrees with the batched timeline"
    t_loop = per_row_s * len(batched.state)
    print(f"timeline ({len(result.timeline_ns)} instants, {len(batched.state):,} terminal-"
          f"instants): batched {t_batched:.2f} s; per-row loop {per_row_s * 1e3:.2f} ms/row "
          f"on {sample.size:,} rows -> {t_loop:,.0f} s for the timeline "
          f"(ratio {t_loop / t_batched:,.0f}x)")
    print(f"after: {machine()}")
    return 0 if best <= BUDGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
