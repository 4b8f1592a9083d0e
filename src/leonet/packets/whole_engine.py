"""The ns-3 network of a `WholeNetwork` (``--topology full``), stepped through time.

Every satellite and ground station is an ns-3 node, every laser link and GSL a
point-to-point link (``link_rate_bps`` both ways, a drop-tail queue of ``queue_packets``
per device, as for the pair topology). Forwarding is a routing protocol compiled at run
time (cppyy) that reads node ``u``'s outgoing interface towards station ``g`` from one table
shared by all nodes: a step's changes are written there, and the step's link delays set, by
one C++ call (``ApplyStep``) instead of thousands of Python → C++ calls. Every node has one
address, ``10.0.0.0 + 1 + node``, on all its interfaces, so a station's index is its
address minus a constant: no lookup table.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from leonet.packets.engine import Ns3Network, SteppedNetwork, load_ns3
from leonet.packets.topology import PathTimeline
from leonet.packets.whole import WholeNetwork
from leonet.physics.earth import C_KM_S

_BASE = 0x0A000001  # 10.0.0.1: node 0's address


@cache
def _lib():
    """Compile the table routing and the step applier once per process."""
    import cppyy  # comes with the ns3 wheel (optional extra)

    load_ns3()
    cppyy.cppdef("""
    namespace leonet_whole {
    using namespace ns3;
    struct Table {
        uint32_t base = 0, first_station = 0, n_stations = 0;
        std::vector<int32_t> iface;  // [node * n_stations + station]
    };
    class TableRouting : public Ipv4RoutingProtocol {
      public:
        Table* table = nullptr;
        uint32_t node = 0;
        Ptr<Ipv4> ipv4;
        int32_t Iface(Ipv4Address dst) const {
            int64_t g = int64_t(dst.Get()) - table->base - table->first_station;
            if (g < 0 || g >= int64_t(table->n_stations)) return -1;
            return table->iface[size_t(node) * table->n_stations + size_t(g)];
        }
        Ptr<Ipv4Route> Route(Ipv4Address dst, int32_t iface) const {
            Ptr<Ipv4Route> r = Create<Ipv4Route>();
            r->SetDestination(dst);
            r->SetSource(ipv4->GetAddress(iface, 0).GetLocal());
            r->SetGateway(Ipv4Address::GetZero());
            r->SetOutputDevice(ipv4->GetNetDevice(iface));
            return r;
        }
        Ptr<Ipv4Route> RouteOutput(Ptr<Packet>, const Ipv4Header& header, Ptr<NetDevice>,
                                   Socket::SocketErrno& err) override {
            int32_t iface = Iface(header.GetDestination());
            if (iface < 0) { err = Socket::ERROR_NOROUTETOHOST; return nullptr; }
            err = Socket::ERROR_NOTERROR;
            return Route(header.GetDestination(), iface);
        }
        bool RouteInput(Ptr<const Packet> p, const Ipv4Header& header,
                        Ptr<const NetDevice> idev, const UnicastForwardCallback& ucb,
                        const MulticastForwardCallback&, const LocalDeliverCallback& lcb,
                        const ErrorCallback&) override {
            uint32_t iif = ipv4->GetInterfaceForDevice(idev);
            if (ipv4->IsDestinationAddress(header.GetDestination(), iif)) {
                if (lcb.IsNull()) return false;
                lcb(p, header, iif);
                return true;
            }
            int32_t iface = Iface(header.GetDestination());
            if (iface < 0) return false;  // no route now: ns-3 drops it (DROP_NO_ROUTE)
            ucb(Route(header.GetDestination(), iface), p, header);
            return true;
        }
        void NotifyInterfaceUp(uint32_t) override {}
        void NotifyInterfaceDown(uint32_t) override {}
        void NotifyAddAddress(uint32_t, Ipv4InterfaceAddress) override {}
        void NotifyRemoveAddress(uint32_t, Ipv4InterfaceAddress) override {}
        void SetIpv4(Ptr<Ipv4> ip) override { ipv4 = ip; }
        void PrintRoutingTable(Ptr<OutputStreamWrapper>, Time::Unit) const override {}
    };
    struct Whole {
        NodeContainer nodes;
        Table table;
        std::vector<Ptr<Channel>> channels;
        Ptr<const AttributeAccessor> delay;
    };
    Whole* Build(uint32_t n_nodes, uint32_t first_station, uint32_t base,
                 const int64_t* ends, uint32_t n_links, uint64_t rate_bps, uint32_t queue) {
        Whole* w = new Whole();
        w->nodes.Create(n_nodes);
        InternetStackHelper stack;
        stack.SetRoutingHelper(Ipv4StaticRoutingHelper());
        stack.Install(w->nodes);
        PointToPointHelper p2p;
        p2p.SetDeviceAttribute("DataRate", DataRateValue(DataRate(rate_bps)));
        p2p.SetQueue("ns3::DropTailQueue<Packet>", "MaxSize",
                     QueueSizeValue(QueueSize(QueueSizeUnit::PACKETS, queue)));
        std::vector<Ptr<Ipv4>> ip(n_nodes);
        for (uint32_t u = 0; u < n_nodes; ++u) ip[u] = w->nodes.Get(u)->GetObject<Ipv4>();
        for (uint32_t i = 0; i < n_links; ++i) {
            uint32_t a = uint32_t(ends[2 * i]), b = uint32_t(ends[2 * i + 1]);
            NetDeviceContainer devs = p2p.Install(w->nodes.Get(a), w->nodes.Get(b));
            w->channels.push_back(devs.Get(0)->GetChannel());
            uint32_t end[2] = {a, b};
            for (int j = 0; j < 2; ++j) {
                uint32_t k = ip[end[j]]->AddInterface(devs.Get(j));
                ip[end[j]]->AddAddress(k, Ipv4InterfaceAddress(Ipv4Address(base + end[j]),
                                                               Ipv4Mask("/32")));
                ip[end[j]]->SetUp(k);
            }
        }
        w->table.base = base;
        w->table.first_station = first_station;
        w->table.n_stations = n_nodes - first_station;
        w->table.iface.assign(size_t(n_nodes) * w->table.n_stations, -1);
        for (uint32_t u = 0; u < n_nodes; ++u) {
            Ptr<TableRouting> r = CreateObject<TableRouting>();
            r->table = &w->table;
            r->node = u;
            ip[u]->SetRoutingProtocol(r);
        }
        TypeId::AttributeInformation info;
        PointToPointChannel::GetTypeId().LookupAttributeByName("Delay", &info);
        w->delay = info.accessor;
        return w;
    }
    void ApplyStep(Whole* w, const double* link_km, double c_km_s, const int64_t* entry,
                   const int32_t* iface, uint64_t lo, uint64_t hi) {
        for (size_t i = 0; i < w->channels.size(); ++i)
            w->delay->Set(PeekPointer(w->channels[i]),
                          TimeValue(NanoSeconds(std::llround(link_km[i] / c_km_s * 1e9))));
        for (uint64_t i = lo; i < hi; ++i) w->table.iface[entry[i]] = iface[i];
    }
    }
    """)
    return cppyy.gbl.leonet_whole


class WholeNs3Network(SteppedNetwork):
    """The ns-3 network of ``whole``; its pair's ends are ``source`` and ``destination``."""

    def __init__(self, whole: WholeNetwork, *, link_rate_bps: float,
                 queue_packets: int) -> None:
        self.ns, self.whole = load_ns3(), whole
        lib = _lib()
        self._ends = np.ascontiguousarray(whole.links, np.int64)
        self._w = lib.Build(whole.n_nodes, whole.n_sats, _BASE, self._ends, len(whole.links),
                            int(link_rate_bps), int(queue_packets))
        self._apply = lib.ApplyStep
        self.nodes = self._w.nodes
        self.source = whole.n_sats + whole.src_gs
        self.destination = whole.n_sats + whole.dst_gs

    @property
    def destination_address(self) -> str:
        a = _BASE + self.destination
        return f"{a >> 24}.{(a >> 16) & 255}.{(a >> 8) & 255}.{a & 255}"

    def _offsets_s(self) -> tuple[np.ndarray, float]:
        return self.whole.grid.offsets_s, self.whole.duration_s

    def apply(self, k: int) -> None:
        w = self.whole
        # The whole change arrays and a range: a step without changes is no empty buffer.
        self._apply(self._w, np.ascontiguousarray(w.link_km[k]), C_KM_S, w.fwd_entry,
                    w.fwd_iface, int(w.fwd_indptr[k]), int(w.fwd_indptr[k + 1]))


def ns3_network(timeline: PathTimeline, whole: WholeNetwork | None, *, link_rate_bps: float,
                queue_packets: int) -> SteppedNetwork:
    """The ns-3 network of the pair's own nodes (``whole`` None) or of the whole network."""
    if whole is None:
        return Ns3Network(timeline, link_rate_bps=link_rate_bps, queue_packets=queue_packets)
    return WholeNs3Network(whole, link_rate_bps=link_rate_bps, queue_packets=queue_packets)
