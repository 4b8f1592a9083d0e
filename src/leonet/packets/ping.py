"""Pings over a `PathTimeline` in ns-3: ns-3's ICMP echo application, one ping every
``interval_s``, each reply's RTT recorded by a trace sink compiled at run time (cppyy)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from leonet.errors import InputError
from leonet.packets.engine import Ns3Network, load_ns3
from leonet.packets.topology import PathTimeline

# ns-3's Ping sends 56 B of payload by default, as ping(8) does.
PING_PAYLOAD_B = 56
MAX_PINGS = 5_000_000  # 200 s at 1 ms is 200,000: bounds memory and run time
# Replies to the last pings arrive after the window: longer than any LEO path's RTT.
DRAIN_S = 1.0


@dataclass(frozen=True, eq=False)
class PingResult:
    """One row per ping: ``send_s`` (offset from the grid's start), ``rtt_ms`` (NaN: lost;
    replies have `DRAIN_S` after the window to arrive),
    ``path_id`` at the send instant (-1: no service) and ``expected_rtt_ms``, twice leonet's
    one-way propagation delay then."""

    timeline: PathTimeline
    send_s: np.ndarray
    rtt_ms: np.ndarray
    path_id: np.ndarray
    expected_rtt_ms: np.ndarray

    def summary(self) -> dict[str, float | int]:
        ok = np.isfinite(self.rtt_ms)
        out: dict[str, float | int] = {"pings": int(ok.size), "lost": int((~ok).sum()),
                                       "loss": float((~ok).mean()) if ok.size else 0.0,
                                       "path_changes": int(self.timeline.path_changes().size)}
        if ok.any():
            r = self.rtt_ms[ok]
            out.update(rtt_ms_min=float(r.min()), rtt_ms_median=float(np.median(r)),
                       rtt_ms_p99=float(np.percentile(r, 99)), rtt_ms_max=float(r.max()))
        return out

    def columns(self) -> dict[str, np.ndarray]:
        return {"send_s": self.send_s, "rtt_ms": self.rtt_ms, "path_id": self.path_id,
                "expected_rtt_ms": self.expected_rtt_ms}


@cache
def _sinks():
    """Compile the RTT trace sink once per process."""
    import cppyy  # comes with the ns3 wheel (optional extra)

    load_ns3()
    cppyy.cppdef("""
    namespace leonet_packets {
    struct Rtts { std::vector<double> recv_s, rtt_s; };
    void RttSink(Rtts* r, uint16_t, ns3::Time rtt) {
        r->recv_s.push_back(ns3::Simulator::Now().GetSeconds());
        r->rtt_s.push_back(rtt.GetSeconds());
    }
    bool ConnectRtt(ns3::Ptr<ns3::Application> app, Rtts* r) {
        return app->TraceConnectWithoutContext("Rtt", ns3::MakeBoundCallback(&RttSink, r));
    }
    }
    """)
    return cppyy.gbl.leonet_packets


def run_ping(timeline: PathTimeline, *, interval_s: float = 0.001,
             link_rate_bps: float = 10e9, queue_packets: int = 100_000) -> PingResult:
    """Ping from the source to the destination every ``interval_s`` over the whole grid.

    Defaults are Hypatia's ping set-up: 10 Gbit/s links and 100,000-packet queues."""
    grid = timeline.grid
    step_s, duration_s = timeline.step_s, timeline.duration_s
    if not interval_s > 0:
        raise InputError(f"--interval must be > 0, got {interval_s:g} s")
    n = int(np.floor(duration_s / interval_s + 1e-9))
    if n < 1 or n > MAX_PINGS:
        raise InputError(f"--interval: {n:,} pings in {duration_s:g} s; expected 1 .. "
                         f"{MAX_PINGS:,}")
    ns = load_ns3()
    sinks = _sinks()
    net = Ns3Network(timeline, link_rate_bps=link_rate_bps, queue_packets=queue_packets)
    helper = ns.PingHelper(ns.Ipv4Address(net.destination_address).ConvertTo())
    helper.SetAttribute("Interval", ns.TimeValue(ns.NanoSeconds(round(interval_s * 1e9))))
    helper.SetAttribute("Size", ns.UintegerValue(PING_PAYLOAD_B))
    helper.SetAttribute("Count", ns.UintegerValue(n))
    helper.SetAttribute("VerboseMode", ns.EnumValue["ns3::Ping::VerboseMode"](
        ns.Ping.SILENT))
    apps = helper.Install(net.nodes.Get(0))
    apps.Start(ns.Seconds(0.0))
    # Count stops the sending; the application listens on until the replies have come.
    apps.Stop(ns.NanoSeconds(round((duration_s + DRAIN_S) * 1e9)))
    rtts = sinks.Rtts()
    sinks.ConnectRtt(apps.Get(0), rtts)
    net.run(drain_s=DRAIN_S)
    send_s = np.arange(n) * interval_s
    rtt_ms = np.full(n, np.nan)
    recv = np.frombuffer(_as_array(rtts.recv_s), np.float64)
    rtt = np.frombuffer(_as_array(rtts.rtt_s), np.float64)
    # Sequence numbers are 16 bits and wrap; the send instant identifies the ping instead.
    k = np.rint((recv - rtt) / interval_s).astype(np.int64)
    ok = (k >= 0) & (k < n)
    rtt_ms[k[ok]] = rtt[ok] * 1e3
    step = np.minimum((send_s / step_s).astype(np.int64), len(grid) - 1)
    return PingResult(timeline, send_s, rtt_ms, timeline.path_id[step],
                      2.0 * timeline.one_way_ms[step])


def _as_array(vec) -> bytes:
    """A std::vector<double>'s contents (copied, the vector dies with the run)."""
    return np.array(list(vec), np.float64).tobytes() if vec.size() else b""
