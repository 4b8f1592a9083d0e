"""Pings and a TCP flow in ns-3 over leonet's moving topology vs the same ns-3 runs on a
frozen topology.

Issue 15's targets: 200 s of 1 ms pings between two stations in <= 20 s wall; 200 s of one
10 Mbit/s TCP flow in <= 60 s wall; the topology updates <= 20% on top of the frozen run;
import/cppyy start and topology build reported apart. Hypatia's Starlink-550 folder
(../shared/data) when present, GS 0 (Tokyo) → GS 1 (Delhi); else leonet's starlink-gen1
preset, Paris → Berlin in space mode.

    python benchmarks/bench_packets.py [duration, default 200s]
"""

from __future__ import annotations

import sys
import time

from _common import SHARED, machine

from leonet.packets.topology import PathTimeline


def clocked(fn):
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w, time.process_time() - c


def frozen(tl: PathTimeline) -> PathTimeline:
    """The same nodes and links, the path and delays of instant 0 held for the whole run."""
    return PathTimeline(tl.grid[:1], tl.duration_s, tl.labels, tl.links, tl.link_km[:1],
                        tl.path_indptr[:2], tl.path(0), tl.path_id[:1], tl.one_way_ms[:1])


def main() -> None:
    duration = sys.argv[1] if len(sys.argv) > 1 else "200s"
    print(f"machine: {machine()}")
    from leonet.packets import ping, simulate, tcp

    _, w, c = clocked(ping._pinger)
    print(f"import ns-3 + compile the echo sender (cppyy): {w:.2f} s wall, {c:.2f} s CPU")
    _, w, c = clocked(tcp._probe)
    print(f"compile the TCP probe (cppyy): {w:.2f} s wall, {c:.2f} s CPU")
    folder = SHARED / "hypatia-starlink550"
    if (folder / "tles.txt").exists():
        args = dict(from_="0", to="1", hypatia_dir=folder, start=None)
        what = "Hypatia Starlink-550, GS 0 Tokyo → GS 1 Delhi"
    else:
        args = dict(from_="Paris", to="Berlin", hypatia_dir=None,
                    start="2026-12-05T00:00:00Z")
        what = "starlink-gen1 preset, Paris → Berlin, space mode"
    tl, w, c = clocked(lambda: simulate.timeline_for(
        args["from_"], args["to"], start=args["start"], duration=duration, step="100ms",
        mode="space", source="starlink-gen1", hypatia_dir=args["hypatia_dir"]))
    print(f"{what}: {tl.n_times:,} steps, {len(tl.labels)} nodes, {len(tl.links)} links, "
          f"{tl.path_changes().size} path changes")
    print(f"topology (leonet routes + link lengths): {w:.2f} s wall, {c:.2f} s CPU")
    res, w_dyn, c_dyn = clocked(lambda: ping.run_ping(tl, interval_s=0.001))
    base, w_st, c_st = clocked(lambda: ping.run_ping(frozen(tl), interval_s=0.001))
    s = res.summary()
    print(f"moving topology: {s.pings:,} pings, {s.lost} lost, median RTT "
          f"{s.rtt_ms_median:.3f} ms: {w_dyn:.2f} s wall, {c_dyn:.2f} s CPU")
    print(f"frozen topology (baseline, same ns-3 network and pings): {w_st:.2f} s wall, "
          f"{c_st:.2f} s CPU, {base.summary().lost} lost")
    print(f"ping: topology updates on top of the frozen run: CPU ratio {c_dyn / c_st:.3f} "
          f"(target <= 1.20); moving run {w_dyn:.1f} s wall (target <= 20 s)")
    res, w_dyn, c_dyn = clocked(lambda: tcp.run_tcp(tl, cc="newreno", link_rate_bps=10e6,
                                                    queue_packets=100))
    base, w_st, c_st = clocked(lambda: tcp.run_tcp(frozen(tl), cc="newreno",
                                                   link_rate_bps=10e6, queue_packets=100))
    s = res.summary()
    print(f"TCP NewReno 10 Mbit/s, 100p, moving topology: goodput {s.goodput_mbps:.3f} "
          f"Mbit/s, {s.retransmissions} retransmissions, {s.reordered} reordered: "
          f"{w_dyn:.2f} s wall, {c_dyn:.2f} s CPU")
    print(f"frozen topology (baseline): goodput {base.summary().goodput_mbps:.3f} Mbit/s: "
          f"{w_st:.2f} s wall, {c_st:.2f} s CPU")
    print(f"TCP: topology updates on top of the frozen run: CPU ratio {c_dyn / c_st:.3f} "
          f"(target <= 1.20); moving run {w_dyn:.1f} s wall (target <= 60 s)")


if __name__ == "__main__":
    main()
