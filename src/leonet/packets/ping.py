"""Pings over a `PathTimeline` in ns-3: ICMP echo requests one every ``interval_s``, answered
by ns-3's own ICMP responder at the destination.

The sender is a small application compiled at run time (cppyy), not ns-3's `Ping`: `Ping`
keys its requests by the 16-bit ICMP sequence number, so from the 65,537th ping on its RTTs
are measured from the wrong request (a 200 s run at 1 ms sends 200,000). Ours writes a
64-bit ping number and the send instant into the echo's payload, which the responder echoes
back: every reply names its own ping, however many there are."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from leonet.errors import InputError
from leonet.packets.engine import drain_s, load_ns3, vector_array
from leonet.packets.topology import PathTimeline
from leonet.packets.whole import WholeNetwork
from leonet.packets.whole_engine import ns3_network
from leonet.physics.timegrid import parse_duration_s

# ns-3's Ping sends 56 B of payload by default, as ping(8) does.
PING_PAYLOAD_B = 56
MAX_PINGS = 5_000_000  # 200 s at 1 ms is 200,000: bounds memory and run time
# ns-3 counts time in nanoseconds: a 1 µs floor keeps the interval's rounding under 0.05%.
MIN_INTERVAL_S = 1e-6


@dataclass(frozen=True)
class PingSummary:
    """A ping run in figures: ``loss`` is the lost fraction; the RTT figures are over the
    answered pings (NaN when none was)."""

    pings: int
    lost: int
    loss: float
    path_changes: int
    rtt_ms_min: float
    rtt_ms_median: float
    rtt_ms_p99: float
    rtt_ms_max: float


@dataclass(frozen=True, eq=False)
class PingResult:
    """One row per ping: ``send_s`` (offset from the grid's start), ``rtt_ms`` (NaN: lost;
    replies have 1 s past the longest RTT after the window to arrive),
    ``path_id`` at the send instant (-1: no service) and ``expected_rtt_ms``, twice leonet's
    one-way propagation delay then."""

    timeline: PathTimeline
    send_s: np.ndarray
    rtt_ms: np.ndarray
    path_id: np.ndarray
    expected_rtt_ms: np.ndarray

    def summary(self) -> PingSummary:
        ok = np.isfinite(self.rtt_ms)
        r = self.rtt_ms[ok]
        nan = float("nan")
        return PingSummary(
            pings=int(ok.size), lost=int((~ok).sum()),
            loss=float((~ok).mean()) if ok.size else 0.0,
            path_changes=int(self.timeline.path_changes().size),
            rtt_ms_min=float(r.min()) if r.size else nan,
            rtt_ms_median=float(np.median(r)) if r.size else nan,
            rtt_ms_p99=float(np.percentile(r, 99)) if r.size else nan,
            rtt_ms_max=float(r.max()) if r.size else nan)

    def columns(self) -> dict[str, np.ndarray]:
        return {"send_s": self.send_s, "rtt_ms": self.rtt_ms, "path_id": self.path_id,
                "expected_rtt_ms": self.expected_rtt_ms}


# The echo's identifier field: fixed, replies carrying another one are not ours.
_ICMP_IDENT = 0x1E0E
# The payload starts with the ping's 64-bit number and its send instant in nanoseconds.
_STAMP_B = 16


@cache
def _pinger():
    """Compile the echo sender once per process."""
    import cppyy  # comes with the ns3 wheel (optional extra)

    load_ns3()
    cppyy.cppdef(f"""
    namespace leonet_packets {{
    struct Pinger {{
        ns3::Ptr<ns3::Socket> socket;
        ns3::Ipv4Address dst;
        uint64_t count = 0, next = 0;
        int64_t interval_ns = 0;
        uint32_t payload_b = {PING_PAYLOAD_B};
        std::vector<int64_t> seq, sent_ns, recv_ns;
    }};
    void PingSend(Pinger* p) {{
        std::vector<uint8_t> data(p->payload_b, 0);
        int64_t seq = p->next, now = ns3::Simulator::Now().GetNanoSeconds();
        std::memcpy(data.data(), &seq, 8);
        std::memcpy(data.data() + 8, &now, 8);
        ns3::Icmpv4Echo echo;
        echo.SetIdentifier({_ICMP_IDENT});
        echo.SetSequenceNumber(static_cast<uint16_t>(seq));  // wraps, as ping(8)'s does
        echo.SetData(ns3::Create<ns3::Packet>(data.data(), data.size()));
        ns3::Ptr<ns3::Packet> packet = ns3::Create<ns3::Packet>();
        packet->AddHeader(echo);
        ns3::Icmpv4Header header;
        header.SetType(ns3::Icmpv4Header::ICMPV4_ECHO);
        header.SetCode(0);
        if (ns3::Node::ChecksumEnabled()) header.EnableChecksum();
        packet->AddHeader(header);
        p->socket->SendTo(packet, 0, ns3::InetSocketAddress(p->dst, 0));
        if (++p->next < p->count)
            ns3::Simulator::Schedule(ns3::NanoSeconds(p->interval_ns), &PingSend, p);
    }}
    void PingReceive(Pinger* p, ns3::Ptr<ns3::Socket> socket) {{
        ns3::Address from;
        while (ns3::Ptr<ns3::Packet> packet = socket->RecvFrom(from)) {{
            ns3::Ipv4Header ip;
            packet->RemoveHeader(ip);
            ns3::Icmpv4Header icmp;
            packet->RemoveHeader(icmp);
            if (icmp.GetType() != ns3::Icmpv4Header::ICMPV4_ECHO_REPLY) continue;
            ns3::Icmpv4Echo echo;
            packet->RemoveHeader(echo);
            if (echo.GetIdentifier() != {_ICMP_IDENT} || echo.GetDataSize() < {_STAMP_B})
                continue;
            std::vector<uint8_t> data(echo.GetDataSize());
            echo.GetData(data.data());
            int64_t seq, sent;
            std::memcpy(&seq, data.data(), 8);
            std::memcpy(&sent, data.data() + 8, 8);
            p->seq.push_back(seq);
            p->sent_ns.push_back(sent);
            p->recv_ns.push_back(ns3::Simulator::Now().GetNanoSeconds());
        }}
    }}
    void StartPinger(Pinger* p, ns3::Ptr<ns3::Node> node) {{
        p->socket = ns3::Socket::CreateSocket(
            node, ns3::TypeId::LookupByName("ns3::Ipv4RawSocketFactory"));
        p->socket->SetAttribute("Protocol", ns3::UintegerValue(1));  // ICMP
        p->socket->Bind();
        p->socket->SetRecvCallback(ns3::MakeBoundCallback(&PingReceive, p));
        ns3::Simulator::ScheduleWithContext(node->GetId(), ns3::Seconds(0), &PingSend, p);
    }}
    }}
    """)
    return cppyy.gbl.leonet_packets


def parse_interval_s(text: str) -> float:
    """``--interval`` in seconds, at least `MIN_INTERVAL_S`."""
    interval_s = parse_duration_s(text, what="--interval")
    if not interval_s >= MIN_INTERVAL_S:
        raise InputError(f"--interval must be >= {MIN_INTERVAL_S:g} s, got {text!r}")
    return interval_s


def run_ping(timeline: PathTimeline, *, interval_s: float = 0.001,
             link_rate_bps: float = 10e9, queue_packets: int = 100_000,
             whole: WholeNetwork | None = None) -> PingResult:
    """Ping from the source to the destination every ``interval_s`` over the whole grid
    (in ns-3, the pair's nodes only, or ``whole``'s every node).

    Defaults are Hypatia's ping set-up: 10 Gbit/s links and 100,000-packet queues."""
    grid = timeline.grid
    step_s, duration_s = timeline.step_s, timeline.duration_s
    if not interval_s >= MIN_INTERVAL_S:
        raise InputError(f"--interval must be >= {MIN_INTERVAL_S:g} s, got {interval_s:g} s")
    n = int(np.floor(duration_s / interval_s + 1e-9))
    if n < 1 or n > MAX_PINGS:
        raise InputError(f"--interval: {n:,} pings in {duration_s:g} s; expected 1 .. "
                         f"{MAX_PINGS:,}")
    ns = load_ns3()
    lib = _pinger()
    net = ns3_network(timeline, whole, link_rate_bps=link_rate_bps,
                      queue_packets=queue_packets)
    pinger = lib.Pinger()
    pinger.dst = ns.Ipv4Address(net.destination_address)
    pinger.count, pinger.interval_ns = n, round(interval_s * 1e9)
    lib.StartPinger(pinger, net.nodes.Get(net.source))
    net.run(drain_s=drain_s(timeline, round_trip=True))
    seq = vector_array(pinger.seq, np.int64)
    sent_ns = vector_array(pinger.sent_ns, np.int64)
    recv_ns = vector_array(pinger.recv_ns, np.int64)
    send_s = np.arange(n) * (pinger.interval_ns / 1e9)
    rtt_ms = np.full(n, np.nan)
    # A duplicated reply (none on point-to-point links) would keep the first arrival.
    first = np.unique(seq, return_index=True)[1]
    rtt_ms[seq[first]] = (recv_ns[first] - sent_ns[first]) / 1e6
    step = np.minimum((send_s / step_s).astype(np.int64), len(grid) - 1)
    return PingResult(timeline, send_s, rtt_ms, timeline.path_id[step],
                      2.0 * timeline.one_way_ms[step])
