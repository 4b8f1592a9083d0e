"""Issue 15's benchmark: ns-3 runs over the whole Kuiper-630 network (1,156 satellites,
+Grid, Hypatia's 100 most populous cities as ground stations; ``--topology full``) against
the same ns-3 runs with the topology frozen at its first instant, in the same process.

Targets: 200 s of one 10 Mbit/s TCP NewReno flow <= 60 s wall on one core, the topology
updates <= 20% on top of the frozen run; 200 s of 1 ms pings <= 20 s wall; import and
set-up (cppyy start, routing, topology build) reported apart. The pair is Hypatia's
paper's Rio de Janeiro (GS 18) → Saint Petersburg (GS 73). Kuiper-630 is built in memory
from its filed shell (leonet's ``kuiper`` preset, first shell) with Hypatia's link bounds;
the ground stations are those of ../shared/data/hypatia-starlink550 (skipped if absent).

    python benchmarks/bench_packets_kuiper.py [duration, default 200s]
"""

from __future__ import annotations

import sys
import time

from _common import SHARED, machine

from leonet.physics.hypatia import walker_inputs
from leonet.physics.orbits.shells import PRESETS

SRC_GS, DST_GS = 18, 73
EPOCH = "2026-12-05T00:00:00Z"


def clocked(fn):
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w, time.process_time() - c


def main() -> None:
    duration = sys.argv[1] if len(sys.argv) > 1 else "200s"
    stations = SHARED / "hypatia-starlink550" / "ground_stations.txt"
    print(f"machine: {machine()}")
    if not stations.exists():
        print(f"skipped: {stations} is absent")
        return
    from leonet.packets import ping, tcp, whole_engine
    from leonet.packets.simulate import whole_for

    _, w, c = clocked(whole_engine._lib)
    print(f"import ns-3 + compile the table routing (cppyy): {w:.2f} s wall, {c:.2f} s CPU")
    _, w, c = clocked(lambda: (ping._pinger(), tcp._probe()))
    print(f"compile the echo sender and TCP probe (cppyy): {w:.2f} s wall, {c:.2f} s CPU")
    inputs = walker_inputs(PRESETS["kuiper"].shells[0], stations, min_elevation_deg=30.0,
                           epoch=EPOCH)
    whole, w, c = clocked(lambda: whole_for(inputs, str(SRC_GS), str(DST_GS), start="0s",
                                            duration=duration, step="100ms"))
    changes = whole.fwd_indptr[-1] - whole.fwd_indptr[1]
    print(f"Kuiper-630: {whole.n_sats} satellites, {whole.n_stations} stations, "
          f"{whole.n_isls} laser links + {len(whole.links) - whole.n_isls} GSLs, "
          f"{whole.n_times:,} steps, {changes:,} forwarding changes after the first step, "
          f"{whole.pair.path_changes().size} path changes of the pair")
    print(f"routing + whole topology build: {w:.2f} s wall, {c:.2f} s CPU")
    frozen = whole.frozen()
    # Warm-up on a 1-s network: cppyy wraps each C++ function at its first call, which
    # would otherwise land in whichever timed run comes first.
    warm = whole_for(inputs, str(SRC_GS), str(DST_GS), start="0s", duration="1s",
                     step="100ms")
    _, w, c = clocked(lambda: (tcp.run_tcp(warm.pair, whole=warm),
                               ping.run_ping(warm.pair, whole=warm)))
    print(f"warm-up (1 s of TCP and pings, first calls through cppyy): {w:.2f} s wall, "
          f"{c:.2f} s CPU")
    res, w_dyn, c_dyn = clocked(lambda: tcp.run_tcp(whole.pair, cc="newreno",
                                                    link_rate_bps=10e6, queue_packets=100,
                                                    whole=whole))
    base, w_st, c_st = clocked(lambda: tcp.run_tcp(whole.pair, cc="newreno",
                                                   link_rate_bps=10e6, queue_packets=100,
                                                   whole=frozen))
    s = res.summary()
    print(f"TCP NewReno 10 Mbit/s, 100p, moving topology: goodput {s.goodput_mbps:.3f} Mbit/s, "
          f"{s.retransmissions} retransmissions, {s.reordered} reordered: {w_dyn:.2f} s wall, "
          f"{c_dyn:.2f} s CPU")
    print(f"frozen topology (baseline): goodput {base.summary().goodput_mbps:.3f} Mbit/s: "
          f"{w_st:.2f} s wall, {c_st:.2f} s CPU")
    print(f"TCP: topology updates on top of the frozen run: CPU ratio {c_dyn / c_st:.3f} "
          f"(target <= 1.20); moving run {w_dyn:.1f} s wall, {c_dyn:.1f} s CPU (target <= 60 s)")
    res, w_dyn, c_dyn = clocked(lambda: ping.run_ping(whole.pair, interval_s=0.001,
                                                      whole=whole))
    base, w_st, c_st = clocked(lambda: ping.run_ping(whole.pair, interval_s=0.001,
                                                     whole=frozen))
    s = res.summary()
    print(f"pings 1 ms, moving topology: {s.pings:,} pings, {s.lost} lost, median RTT "
          f"{s.rtt_ms_median:.3f} ms: {w_dyn:.2f} s wall, {c_dyn:.2f} s CPU")
    print(f"frozen topology (baseline): {base.summary().lost} lost: {w_st:.2f} s wall, "
          f"{c_st:.2f} s CPU")
    print(f"ping: topology updates on top of the frozen run: CPU ratio {c_dyn / c_st:.3f}; "
          f"moving run {w_dyn:.1f} s wall, {c_dyn:.1f} s CPU (target <= 20 s)")


if __name__ == "__main__":
    main()
