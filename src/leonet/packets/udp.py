"""A constant-rate UDP stream (a drone's control link) over a `PathTimeline` in ns-3:
ns-3's UdpClient stamps each datagram with its sequence number and send time, a sink
compiled at run time (cppyy) reads them at the receiving UdpServer."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from leonet.errors import InputError
from leonet.packets.engine import drain_s, load_ns3, vector_array
from leonet.packets.topology import PathTimeline
from leonet.packets.whole import WholeNetwork
from leonet.packets.whole_engine import ns3_network
from leonet.physics.scheduling import SLOT_OFFSET_S, SLOT_S
from leonet.physics.timegrid import parse_duration_s

MAX_DATAGRAMS = 5_000_000
UDP_PORT = 9


MAX_DEADLINE_S = 60.0


def parse_deadline_s(text: str) -> float:
    """``--deadline`` in seconds, within (0, `MAX_DEADLINE_S`]."""
    deadline_s = parse_duration_s(text, what="--deadline")
    if not 0 < deadline_s <= MAX_DEADLINE_S:
        raise InputError(f"--deadline must be in (0, {MAX_DEADLINE_S:g}] s, got {text!r}")
    return deadline_s


@dataclass(frozen=True, eq=False)
class UdpSlots:
    """A control stream per 15-s scheduling slot, one entry per slot the run touches:
    ``start_s`` (after the grid's start; the first slot is cut at 0), datagrams ``sent``,
    ``lost`` and ``missed`` (lost or past the deadline), the median one-way latency and the
    jitter (mean |difference| of consecutive latencies) of those that arrived (NaN: none)."""

    start_s: np.ndarray
    sent: np.ndarray
    lost: np.ndarray
    missed: np.ndarray
    latency_ms_median: np.ndarray
    jitter_ms: np.ndarray

    def __len__(self) -> int:
        return int(self.start_s.size)


@dataclass(frozen=True, eq=False)
class UdpResult:
    """One row per datagram: ``send_s`` (after the grid's start), ``latency_ms`` (NaN:
    lost), ``path_id`` at sending, and ``missed`` (lost or later than ``deadline_ms``)."""

    timeline: PathTimeline
    send_s: np.ndarray
    latency_ms: np.ndarray
    path_id: np.ndarray
    deadline_ms: float

    @property
    def missed(self) -> np.ndarray:
        return ~(self.latency_ms <= self.deadline_ms)

    def per_slot(self, slot_s: float = SLOT_S, offset_s: float = SLOT_OFFSET_S) -> UdpSlots:
        """Latency median, jitter (mean |difference| of consecutive latencies), loss and
        deadline misses per scheduling slot (boundaries at ``offset_s`` past the minute)."""
        t0 = self.timeline.grid.utc[0].astype("datetime64[ns]").astype(np.int64) / 1e9
        slot = np.floor((t0 + self.send_s - offset_s) / slot_s).astype(np.int64)
        keys = np.unique(slot)
        median, jitter = np.full(keys.size, np.nan), np.full(keys.size, np.nan)
        sent, lost, missed = (np.zeros(keys.size, np.int64) for _ in range(3))
        for i, s in enumerate(keys):
            sel = slot == s
            lat = self.latency_ms[sel]
            ok = lat[np.isfinite(lat)]
            sent[i], lost[i] = sel.sum(), (~np.isfinite(lat)).sum()
            missed[i] = self.missed[sel].sum()
            if ok.size:
                median[i] = np.median(ok)
            if ok.size > 1:
                jitter[i] = np.abs(np.diff(ok)).mean()
        start_s = np.maximum(keys * slot_s + offset_s - t0, 0.0)
        return UdpSlots(start_s, sent, lost, missed, median, jitter)

    def columns(self) -> dict[str, np.ndarray]:
        return {"send_s": self.send_s, "latency_ms": self.latency_ms,
                "path_id": self.path_id, "missed": self.missed}


@cache
def _sinks():
    import cppyy  # comes with the ns3 wheel (optional extra)

    load_ns3()
    cppyy.cppdef("""
    namespace leonet_packets {
    struct Arrivals { std::vector<int64_t> seq, sent_ns, recv_ns; };
    void ArrivalSink(Arrivals* a, ns3::Ptr<const ns3::Packet> p, const ns3::Address&,
                     const ns3::Address&) {
        ns3::SeqTsHeader h;
        p->Copy()->RemoveHeader(h);
        a->seq.push_back(h.GetSeq());
        a->sent_ns.push_back(h.GetTs().GetNanoSeconds());
        a->recv_ns.push_back(ns3::Simulator::Now().GetNanoSeconds());
    }
    bool ConnectArrivals(ns3::Ptr<ns3::Application> app, Arrivals* a) {
        return app->TraceConnectWithoutContext(
            "RxWithAddresses", ns3::MakeBoundCallback(&ArrivalSink, a));
    }
    }
    """)
    return __import__("cppyy").gbl.leonet_packets


def run_udp(timeline: PathTimeline, *, rate_hz: float = 50.0, size_b: int = 200,
            deadline_s: float = 0.1, link_rate_bps: float = 10e9,
            queue_packets: int = 100_000, whole: WholeNetwork | None = None) -> UdpResult:
    """Send ``size_b``-byte datagrams at ``rate_hz`` from the source to the destination (in
    ns-3, the pair's nodes only, or ``whole``'s every node)."""
    if not deadline_s > 0:
        raise InputError(f"--deadline must be > 0, got {deadline_s:g} s")
    n = int(np.floor(timeline.duration_s * rate_hz + 1e-9))
    if not 1 <= n <= MAX_DATAGRAMS:
        raise InputError(f"--rate: {n:,} datagrams in {timeline.duration_s:g} s; expected "
                         f"1 .. {MAX_DATAGRAMS:,}")
    ns = load_ns3()
    sinks = _sinks()
    net = ns3_network(timeline, whole, link_rate_bps=link_rate_bps,
                      queue_packets=queue_packets)
    server = ns.UdpServerHelper(UDP_PORT).Install(net.nodes.Get(net.destination))
    client = ns.UdpClientHelper(ns.Ipv4Address(net.destination_address).ConvertTo(),
                                UDP_PORT)
    client.SetAttribute("MaxPackets", ns.UintegerValue(n))
    client.SetAttribute("Interval", ns.TimeValue(ns.NanoSeconds(round(1e9 / rate_hz))))
    client.SetAttribute("PacketSize", ns.UintegerValue(size_b))
    sender = client.Install(net.nodes.Get(net.source))
    drain = drain_s(timeline, round_trip=False)  # datagrams in flight at the end arrive
    for apps in (server, sender):
        apps.Start(ns.Seconds(0.0))
        apps.Stop(ns.NanoSeconds(round((timeline.duration_s + drain) * 1e9)))
    arrivals = sinks.Arrivals()
    sinks.ConnectArrivals(server.Get(0), arrivals)
    net.run(drain_s=drain)
    send_s = np.arange(n) / rate_hz
    latency_ms = np.full(n, np.nan)
    # UdpClient's sequence numbers are 32 bits: MAX_DATAGRAMS never wraps them.
    seq = vector_array(arrivals.seq, np.int64)
    lat = (vector_array(arrivals.recv_ns, np.int64)
           - vector_array(arrivals.sent_ns, np.int64)) / 1e6
    ok = (seq >= 0) & (seq < n)
    latency_ms[seq[ok]] = lat[ok]
    step = np.minimum((send_s / timeline.step_s).astype(np.int64), timeline.n_times - 1)
    return UdpResult(timeline, send_s, latency_ms, timeline.path_id[step],
                     deadline_s * 1e3)
