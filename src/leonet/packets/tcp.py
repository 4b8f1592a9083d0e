"""One bulk TCP flow over a `PathTimeline` in ns-3: goodput, congestion window, RTT,
retransmissions and reordering over time.

ns-3's BulkSendApplication sends from the source to a PacketSink at the destination with the
chosen congestion control (ns-3's own NewReno, CUBIC, BBR or Vegas). A probe compiled at run
time (cppyy) records the sender's congestion window and RTTs as they change, every data
segment the sender puts on the wire, every data segment reaching the destination's IP layer,
and every byte handed to the sink. Retransmissions and reordering are derived from those
records, so they are counted the same way whatever the congestion control:

- a *retransmission* is a data segment sent again (its sequence number below the highest one
  sent before it);
- a *reordered* arrival (RFC 4737's Type-P-Reordered) is a data segment that reaches the
  destination after one sent later. Each transmission carries its 64-bit send order in an
  ns-3 packet tag (simulation metadata, not bytes on the wire), so a retransmission counts
  as the transmission it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from leonet.errors import InputError
from leonet.packets.engine import load_ns3, vector_array
from leonet.packets.topology import PathTimeline
from leonet.packets.whole import WholeNetwork
from leonet.packets.whole_engine import ns3_network

# --cc names and ns-3's classes (src/internet/model/tcp-*.cc of ns-3 3.44).
CONGESTION_CONTROLS = {"newreno": "ns3::TcpNewReno", "cubic": "ns3::TcpCubic",
                       "bbr": "ns3::TcpBbr", "vegas": "ns3::TcpVegas"}
# Segments fill a 1,500-byte IP packet: 20 B IPv4 + 20 B TCP + 1,460 B of data. The TCP
# timestamp option is off: ns-3 stamps it in whole milliseconds and takes its RTT samples from
# it, which would hide the sub-millisecond RTT changes of a path change; without it ns-3 times
# every segment to the nanosecond.
MSS_B = 1460
IP_PACKET_B = 1500
PPP_HEADER_B = 2  # ns-3's PointToPointNetDevice frames every packet with a 2-byte header
TCP_PORT = 5001
# Bits offered by the links over the run (link rate x duration) are bounded: every segment
# is recorded twice, ~100 B each, so 2e10 bits (10 Mbit/s for 2,000 s, 1 Gbit/s for 20 s)
# is ~1.7 M segments and a few hundred MB.
MAX_LINK_BITS = 2e10
MIN_SAMPLE_S, MAX_SAMPLE_S = 0.001, 60.0
# Send and receive buffers never cap the window below what the path holds: twice the
# bandwidth-delay product plus every queue, within [128 KiB, 1 GiB].
MIN_BUFFER_B, MAX_BUFFER_B = 128 * 1024, 1 << 30


def wire_efficiency() -> float:
    """Share of a link's bits that carry TCP data when every segment is full."""
    return MSS_B / (IP_PACKET_B + PPP_HEADER_B)


def parse_cc(text: str) -> str:
    """``--cc`` checked against the congestion controls ns-3 ships (lower case)."""
    cc = str(text).strip().lower()
    if cc not in CONGESTION_CONTROLS:
        raise InputError(f"--cc must be one of {', '.join(CONGESTION_CONTROLS)}, got {text!r}")
    return cc


def check_tcp_run(duration_s: float, link_rate_bps: float, sample_s: float) -> None:
    """An `InputError` for a run too large to record or a table bin that does not fit."""
    if link_rate_bps * duration_s > MAX_LINK_BITS:
        raise InputError(f"--link-rate x --duration: {link_rate_bps * duration_s:.3g} bit, "
                         f"over the {MAX_LINK_BITS:.0e} bit bound")
    if not MIN_SAMPLE_S <= sample_s <= min(MAX_SAMPLE_S, duration_s):
        raise InputError(f"--sample must be in [{MIN_SAMPLE_S:g}, "
                         f"{min(MAX_SAMPLE_S, duration_s):g}] s, got {sample_s:g} s")
    n_bins = duration_s / sample_s
    if abs(n_bins - round(n_bins)) > 1e-6:
        raise InputError(f"--duration ({duration_s:g} s) must be a whole number of --sample "
                         f"({sample_s:g} s)")


@dataclass(frozen=True)
class TcpSummary:
    """A TCP run in figures: goodput over the whole run, counts of segments, the time
    without service, the median smoothed RTT, the smallest RTT sample and the largest
    congestion window (NaN when the flow never got that far)."""

    goodput_mbps: float
    link_rate_mbps: float
    segments_sent: int
    retransmissions: int
    reordered: int
    path_changes: int
    no_service_s: float
    srtt_ms_median: float
    rtt_ms_min: float
    cwnd_kb_max: float


@dataclass(frozen=True, eq=False)
class TcpResult:
    """A bulk TCP flow from the timeline's source to its destination.

    Event series, times in seconds after the grid's start:
    ``cwnd_t_s``/``cwnd_b``: the sender's congestion window (bytes) at each change;
    ``srtt_t_s``/``srtt_ms``: its smoothed RTT at each change;
    ``rtt_t_s``/``rtt_ms``: its RTT samples (ns-3 reports one when it differs from the last);
    ``tx_t_s``/``tx_seq``/``retransmitted``: every data segment sent (sequence numbers
    unwrapped from 32 bits); ``rx_t_s``/``rx_seq``/``reordered``: every data segment reaching
    the destination; ``app_t_s``/``app_b``: bytes handed to the receiving application.
    ``sample_s`` bins the table of `columns`."""

    timeline: PathTimeline
    cc: str
    link_rate_bps: float
    queue_packets: int
    sample_s: float
    cwnd_t_s: np.ndarray
    cwnd_b: np.ndarray
    srtt_t_s: np.ndarray
    srtt_ms: np.ndarray
    rtt_t_s: np.ndarray
    rtt_ms: np.ndarray
    tx_t_s: np.ndarray
    tx_seq: np.ndarray
    retransmitted: np.ndarray
    rx_t_s: np.ndarray
    rx_seq: np.ndarray
    reordered: np.ndarray
    app_t_s: np.ndarray
    app_b: np.ndarray

    @property
    def bin_start_s(self) -> np.ndarray:
        return np.arange(round(self.timeline.duration_s / self.sample_s)) * self.sample_s

    def goodput_bps(self, t0_s: float = 0.0, t1_s: float | None = None) -> float:
        """Application bytes delivered in [t0_s, t1_s) x 8 / the span."""
        t1_s = self.timeline.duration_s if t1_s is None else t1_s
        if not t1_s > t0_s:
            raise InputError(f"goodput needs t1_s > t0_s, got [{t0_s:g}, {t1_s:g})")
        sel = (self.app_t_s >= t0_s) & (self.app_t_s < t1_s)
        return float(self.app_b[sel].sum() * 8 / (t1_s - t0_s))

    def columns(self) -> dict[str, np.ndarray]:
        """One row per ``sample_s`` bin: goodput, the window and smoothed RTT at the bin's end
        (last value so far), the smallest RTT sample in the bin, retransmissions and
        reordered arrivals in it, the path at its start, whether leonet's path changes in
        it, and twice leonet's one-way propagation delay at its start."""
        t = self.bin_start_s
        edges = np.append(t, t[-1] + self.sample_s)

        def count(ts, weights=None):
            return np.histogram(ts, bins=edges, weights=weights)[0]

        def last(ts, values):  # value at each bin's end, NaN before the first event
            if ts.size == 0:
                return np.full(t.size, np.nan)
            i = np.searchsorted(ts, edges[1:], side="left") - 1
            return np.where(i >= 0, values[np.maximum(i, 0)].astype(float), np.nan)

        rtt_min = np.full(t.size, np.nan)
        b = np.clip((self.rtt_t_s / self.sample_s).astype(np.int64), 0, t.size - 1)
        np.fmin.at(rtt_min, b, self.rtt_ms)
        tl = self.timeline
        step = np.minimum((t / tl.step_s + 1e-9).astype(np.int64), tl.n_times - 1)
        changes = np.zeros(t.size, bool)
        change_bins = (tl.grid.offsets_s[tl.path_changes()] / self.sample_s + 1e-9)
        changes[np.minimum(change_bins.astype(np.int64), t.size - 1)] = True
        return {"t_s": t,
                "goodput_mbps": count(self.app_t_s, self.app_b) * 8 / self.sample_s / 1e6,
                "cwnd_kb": last(self.cwnd_t_s, self.cwnd_b) / 1e3,
                "srtt_ms": last(self.srtt_t_s, self.srtt_ms),
                "rtt_ms_min": rtt_min,
                "retransmissions": count(self.tx_t_s[self.retransmitted]),
                "reordered": count(self.rx_t_s[self.reordered]),
                "path_id": tl.path_id[step],
                "path_change": changes,
                "propagation_rtt_ms": 2.0 * tl.one_way_ms[step]}

    def summary(self) -> TcpSummary:
        nan = float("nan")
        tl = self.timeline
        return TcpSummary(
            goodput_mbps=self.goodput_bps() / 1e6,
            link_rate_mbps=self.link_rate_bps / 1e6,
            segments_sent=int(self.tx_seq.size),
            retransmissions=int(self.retransmitted.sum()),
            reordered=int(self.reordered.sum()),
            path_changes=int(tl.path_changes().size),
            no_service_s=float((tl.path_id < 0).sum() * tl.step_s),
            srtt_ms_median=float(np.median(self.srtt_ms)) if self.srtt_ms.size else nan,
            rtt_ms_min=float(self.rtt_ms.min()) if self.rtt_ms.size else nan,
            cwnd_kb_max=float(self.cwnd_b.max() / 1e3) if self.cwnd_b.size else nan)


@cache
def _probe():
    """Compile the flow's probe once per process."""
    import cppyy  # comes with the ns3 wheel (optional extra)

    load_ns3()
    cppyy.cppdef("""
    namespace leonet_packets {
    class SendOrderTag : public ns3::Tag {
      public:
        int64_t order = -1;
        static ns3::TypeId GetTypeId() {
            static ns3::TypeId tid = ns3::TypeId("leonet::SendOrderTag")
                .SetParent<ns3::Tag>().AddConstructor<SendOrderTag>();
            return tid;
        }
        ns3::TypeId GetInstanceTypeId() const override { return GetTypeId(); }
        uint32_t GetSerializedSize() const override { return 8; }
        void Serialize(ns3::TagBuffer b) const override { b.WriteU64(order); }
        void Deserialize(ns3::TagBuffer b) override { order = b.ReadU64(); }
        void Print(std::ostream& os) const override { os << "order=" << order; }
    };
    struct TcpProbe {
        std::vector<int64_t> cwnd_ns, cwnd_b, srtt_ns, srtt_v, rtt_ns, rtt_v;
        std::vector<int64_t> tx_ns, tx_seq, rx_ns, rx_seq, rx_order, app_ns, app_b;
    };
    int64_t NowNs() { return ns3::Simulator::Now().GetNanoSeconds(); }
    void OnCwnd(TcpProbe* p, uint32_t, uint32_t v) {
        p->cwnd_ns.push_back(NowNs()); p->cwnd_b.push_back(v);
    }
    void OnSrtt(TcpProbe* p, ns3::Time, ns3::Time v) {
        p->srtt_ns.push_back(NowNs()); p->srtt_v.push_back(v.GetNanoSeconds());
    }
    void OnRtt(TcpProbe* p, ns3::Time, ns3::Time v) {
        p->rtt_ns.push_back(NowNs()); p->rtt_v.push_back(v.GetNanoSeconds());
    }
    void OnTx(TcpProbe* p, ns3::Ptr<const ns3::Packet> data, const ns3::TcpHeader& h,
              ns3::Ptr<const ns3::TcpSocketBase>) {
        if (data->GetSize() == 0) return;  // a pure ACK or SYN/FIN
        SendOrderTag tag;
        tag.order = p->tx_seq.size();
        data->AddPacketTag(tag);  // the packet that goes on the wire, tags ride along
        p->tx_ns.push_back(NowNs()); p->tx_seq.push_back(h.GetSequenceNumber().GetValue());
    }
    void OnDeliver(TcpProbe* p, const ns3::Ipv4Header& ip, ns3::Ptr<const ns3::Packet> pkt,
                   uint32_t) {
        if (ip.GetProtocol() != 6) return;  // TCP
        ns3::TcpHeader h;
        uint32_t header_b = pkt->PeekHeader(h);
        if (pkt->GetSize() <= header_b) return;
        SendOrderTag tag;
        p->rx_order.push_back(pkt->PeekPacketTag(tag) ? tag.order : -1);
        p->rx_ns.push_back(NowNs()); p->rx_seq.push_back(h.GetSequenceNumber().GetValue());
    }
    void OnSink(TcpProbe* p, ns3::Ptr<const ns3::Packet> pkt, const ns3::Address&) {
        p->app_ns.push_back(NowNs()); p->app_b.push_back(pkt->GetSize());
    }
    void ConnectSender(TcpProbe* p, ns3::Ptr<ns3::Application> app) {
        ns3::Ptr<ns3::Socket> s = ns3::DynamicCast<ns3::BulkSendApplication>(app)->GetSocket();
        s->TraceConnectWithoutContext("CongestionWindow", ns3::MakeBoundCallback(&OnCwnd, p));
        s->TraceConnectWithoutContext("RTT", ns3::MakeBoundCallback(&OnSrtt, p));
        s->TraceConnectWithoutContext("LastRTT", ns3::MakeBoundCallback(&OnRtt, p));
        s->TraceConnectWithoutContext("Tx", ns3::MakeBoundCallback(&OnTx, p));
    }
    void UseCongestionControl(ns3::Ptr<ns3::Node> node, const std::string& tid) {
        node->GetObject<ns3::TcpL4Protocol>()->SetAttribute(
            "SocketType", ns3::TypeIdValue(ns3::TypeId::LookupByName(tid)));
    }
    void StartProbe(TcpProbe* p, ns3::Ptr<ns3::Application> sender,
                    ns3::Ptr<ns3::Application> sink, ns3::Ptr<ns3::Node> dst) {
        // BulkSend opens its socket when it starts (t = 0): hook it just after.
        ns3::Simulator::Schedule(ns3::NanoSeconds(1), &ConnectSender, p, sender);
        sink->TraceConnectWithoutContext("Rx", ns3::MakeBoundCallback(&OnSink, p));
        dst->GetObject<ns3::Ipv4L3Protocol>()->TraceConnectWithoutContext(
            "LocalDeliver", ns3::MakeBoundCallback(&OnDeliver, p));
    }
    }
    """)
    return cppyy.gbl.leonet_packets


def _unwrap32(seq: np.ndarray) -> np.ndarray:
    """32-bit TCP sequence numbers as a growing count (consecutive records differ by far less
    than 2^31: TCP's own window limit is 2^30)."""
    if seq.size == 0:
        return seq.astype(np.int64)
    d = np.diff(seq.astype(np.int64))
    d = (d + 2**31) % 2**32 - 2**31
    return np.concatenate([[seq[0]], seq[0] + np.cumsum(d)]).astype(np.int64)


def _reordered(rx_order: np.ndarray) -> np.ndarray:
    """Arrivals that come after one sent later (orders are the sender's, from 0)."""
    if (rx_order < 0).any():
        raise RuntimeError("a data segment reached the destination without its send-order "
                           "tag")  # ns-3 keeps packet tags end to end: never expected
    before = np.maximum.accumulate(np.concatenate([[-1], rx_order[:-1]]))
    return rx_order < before


def run_tcp(timeline: PathTimeline, *, cc: str = "newreno", link_rate_bps: float = 10e6,
            queue_packets: int = 100, sample_s: float = 0.1,
            whole: WholeNetwork | None = None) -> TcpResult:
    """One bulk TCP flow from the source to the destination for the whole grid (in ns-3,
    the pair's nodes only, or ``whole``'s every node).

    Defaults are the issue's TCP set-up: NewReno, 10 Mbit/s links, 100-packet queues."""
    cc = parse_cc(cc)
    duration_s = timeline.duration_s
    check_tcp_run(duration_s, link_rate_bps, sample_s)
    ns = load_ns3()
    lib = _probe()
    max_rtt_s = 2 * np.nanmax(timeline.one_way_ms) / 1e3
    path_b = link_rate_bps / 8 * max_rtt_s + queue_packets * IP_PACKET_B * len(timeline.links)
    buffer_b = int(np.clip(2 * path_b, MIN_BUFFER_B, MAX_BUFFER_B))
    # Defaults read when the sockets are made, so set for every run (one run at a time).
    for name, value in (("SegmentSize", MSS_B), ("SndBufSize", buffer_b),
                        ("RcvBufSize", buffer_b)):
        ns.Config.SetDefault(f"ns3::TcpSocket::{name}", ns.UintegerValue(value))
    ns.Config.SetDefault("ns3::TcpSocketBase::Timestamp", ns.BooleanValue(False))
    net = ns3_network(timeline, whole, link_rate_bps=link_rate_bps,
                      queue_packets=queue_packets)
    for end in (net.source, net.destination):
        lib.UseCongestionControl(net.nodes.Get(end), CONGESTION_CONTROLS[cc])
    any_addr = ns.InetSocketAddress(ns.Ipv4Address.GetAny(), TCP_PORT).ConvertTo()
    sink = ns.PacketSinkHelper("ns3::TcpSocketFactory", any_addr).Install(
        net.nodes.Get(net.destination))
    dst = ns.InetSocketAddress(ns.Ipv4Address(net.destination_address), TCP_PORT).ConvertTo()
    bulk = ns.BulkSendHelper("ns3::TcpSocketFactory", dst)
    bulk.SetAttribute("SendSize", ns.UintegerValue(MSS_B))
    sender = bulk.Install(net.nodes.Get(net.source))
    for apps in (sink, sender):
        apps.Start(ns.Seconds(0.0))
        apps.Stop(ns.NanoSeconds(round(duration_s * 1e9)))
    probe = lib.TcpProbe()
    lib.StartProbe(probe, sender.Get(0), sink.Get(0), net.nodes.Get(net.destination))
    net.run()

    def times(vec) -> np.ndarray:
        return vector_array(vec, np.int64) / 1e9

    tx_seq = _unwrap32(vector_array(probe.tx_seq, np.int64))
    rx_seq = _unwrap32(vector_array(probe.rx_seq, np.int64))
    high = np.maximum.accumulate(np.concatenate([[np.iinfo(np.int64).min], tx_seq[:-1]]))
    retransmitted = tx_seq <= high
    return TcpResult(
        timeline, cc, float(link_rate_bps), int(queue_packets), float(sample_s),
        times(probe.cwnd_ns), vector_array(probe.cwnd_b, np.int64),
        times(probe.srtt_ns), vector_array(probe.srtt_v, np.int64) / 1e6,
        times(probe.rtt_ns), vector_array(probe.rtt_v, np.int64) / 1e6,
        times(probe.tx_ns), tx_seq, retransmitted,
        times(probe.rx_ns), rx_seq, _reordered(vector_array(probe.rx_order, np.int64)),
        times(probe.app_ns), vector_array(probe.app_b, np.int64))
