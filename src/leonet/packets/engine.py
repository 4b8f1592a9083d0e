"""The ns-3 network of a `PathTimeline`, stepped through time.

Every timeline node is an ns-3 node with an IPv4 stack; every link a point-to-point link
(``link_rate_bps`` both ways, a drop-tail queue of ``queue_packets``, no queue disc: the
set-up of Hypatia's ping runs). Interfaces carry /32 addresses, the source's from
10.1.0.0/16 and the destination's from 10.2.0.0/16, so forwarding is exactly two static
routes per node (towards each end) that leonet sets: at every instant the links' delays
become their current lengths / c, and where the path changed the nodes on the new path get
routes along it. Nodes off the path keep their last routes, so packets in flight finish on
the path they were on, over links whose delays still follow the satellites.
"""

from __future__ import annotations

import itertools
from abc import ABC, abstractmethod
from collections.abc import Callable
from functools import cache

import numpy as np

from leonet.errors import InputError
from leonet.packets.topology import PathTimeline
from leonet.physics.earth import C_KM_S

INSTALL_HINT = "packet runs need ns-3: pip install -e '.[packets]'"
SRC_NET, DST_NET, MASK16 = "10.1.0.0", "10.2.0.0", "255.255.0.0"


@cache
def load_ns3():
    """The ``ns`` namespace of the ns-3 wheel, or an `InputError` saying how to install it.

    Imported here, not at module top: the extra is optional and its import starts cppyy
    (seconds)."""
    try:
        from ns import ns
    except ImportError:
        raise InputError(INSTALL_HINT) from None
    return ns


def vector_array(vec, dtype) -> np.ndarray:
    """A copy of a C++ ``std::vector``'s contents (the vector dies with its run)."""
    return np.frombuffer(vec.data(), dtype=dtype, count=vec.size()).copy()


class SteppedNetwork(ABC):
    """An ns-3 network whose state changes at the instants of a grid: subclasses set
    ``ns``, ``nodes``, the ``source``/``destination`` node numbers and ``destination_address``
    and apply instant ``k``'s state in `apply`."""

    ns: object
    nodes: object
    source: int
    destination: int

    @property
    @abstractmethod
    def destination_address(self) -> str: ...

    @abstractmethod
    def apply(self, k: int) -> None: ...

    @abstractmethod
    def _offsets_s(self) -> tuple[np.ndarray, float]:
        """The instants' offsets and the run's end, in seconds from the grid's start."""

    def run(self, on_step: Callable[[int], None] | None = None, *, drain_s: float = 0.0
            ) -> None:
        """Simulate the whole grid, the state of instant k from its offset to the next, then
        ``drain_s`` more with the last state (packets in flight arrive)."""
        ns = self.ns
        t, end_s = self._offsets_s()
        try:
            for k in range(len(t)):
                self.apply(k)
                stop = float(t[k + 1]) if k + 1 < len(t) else end_s
                ns.Simulator.Stop(ns.NanoSeconds(round(stop * 1e9))
                                  - ns.Simulator.Now())
                ns.Simulator.Run()
                if on_step is not None:
                    on_step(k)
            if drain_s > 0:
                ns.Simulator.Stop(ns.NanoSeconds(round(drain_s * 1e9)))
                ns.Simulator.Run()
        finally:
            ns.Simulator.Destroy()


class Ns3Network(SteppedNetwork):
    """The ns-3 nodes and links of ``timeline`` (one simulation per process at a time)."""

    source, destination = 0, 1

    def __init__(self, timeline: PathTimeline, *, link_rate_bps: float,
                 queue_packets: int) -> None:
        ns = load_ns3()
        self.ns, self.timeline = ns, timeline
        n_nodes = len(timeline.labels)
        self.nodes = ns.NodeContainer()
        self.nodes.Create(n_nodes)
        ns.InternetStackHelper().Install(self.nodes)
        p2p = ns.PointToPointHelper()
        p2p.SetDeviceAttribute("DataRate", ns.DataRateValue(ns.DataRate(int(link_rate_bps))))
        p2p.SetQueue("ns3::DropTailQueue<Packet>", "MaxSize",
                     ns.QueueSizeValue(ns.QueueSize(f"{queue_packets}p")))
        self.ipv4 = [self.nodes.Get(i).GetObject[ns.Ipv4]() for i in range(n_nodes)]
        static = ns.Ipv4StaticRoutingHelper()
        self.routing = [static.GetStaticRouting(ip) for ip in self.ipv4]
        self.channels = []
        # link index -> (interface at its lower node, interface at its higher node)
        self.ifaces: list[tuple[int, int]] = []
        self.addresses: list[list[str]] = [[] for _ in range(n_nodes)]
        counters = {0: 0, 1: 0, None: 0}
        for a, b in timeline.links:
            devs = p2p.Install(self.nodes.Get(int(a)), self.nodes.Get(int(b)))
            self.channels.append(devs.Get(0).GetChannel())
            pair = []
            for j, v in enumerate((int(a), int(b))):
                end = v if v in (0, 1) else None
                n = counters[end]
                counters[end] += 1
                # The ends' addresses fall in their /16 (one route covers all of them).
                m = n + 1 if end is not None else n
                first = 1 + v if end is not None else 16 + (m >> 16)
                addr = f"10.{first}.{(m >> 8) & 255}.{m & 255}"
                ip = self.ipv4[v]
                idx = ip.AddInterface(devs.Get(j))
                ip.AddAddress(idx, ns.Ipv4InterfaceAddress(ns.Ipv4Address(addr),
                                                           ns.Ipv4Mask("255.255.255.255")))
                ip.SetUp(idx)
                self.addresses[v].append(addr)
                pair.append(idx)
            self.ifaces.append((pair[0], pair[1]))
        self._link_of = {(int(a), int(b)): i for i, (a, b) in enumerate(timeline.links)}
        self._route_if: list[list[int | None]] = [[None, None] for _ in range(n_nodes)]
        self._live_links = np.zeros(0, np.int64)
        self._applied_path = -2

    def _offsets_s(self) -> tuple[np.ndarray, float]:
        return self.timeline.grid.offsets_s, self.timeline.duration_s

    @property
    def destination_address(self) -> str:
        return self.addresses[1][0]

    def _iface(self, u: int, v: int) -> int:
        """The interface of node ``u`` on its link to ``v``."""
        i = self._link_of[(u, v) if u < v else (v, u)]
        return self.ifaces[i][0 if u < v else 1]

    def _set_route(self, node: int, towards: int, iface: int | None) -> None:
        """Point node's route towards end ``towards`` (0: source, 1: destination)."""
        if self._route_if[node][towards] == iface:
            return
        rt = self.routing[node]
        net = self.ns.Ipv4Address(SRC_NET if towards == 0 else DST_NET)
        for r in range(rt.GetNRoutes() - 1, -1, -1):
            if rt.GetRoute(r).GetDestNetwork() == net:
                rt.RemoveRoute(r)
        if iface is not None:
            rt.AddNetworkRouteTo(net, self.ns.Ipv4Mask(MASK16), iface)
        self._route_if[node][towards] = iface

    def apply(self, k: int) -> None:
        """Delays and forwarding of instant ``k``."""
        tl = self.timeline
        pid = int(tl.path_id[k])
        if pid != self._applied_path:
            path = tl.path(k)
            if path.size == 0:  # no service: the ends lose their routes, packets drop
                self._set_route(0, 1, None)
                self._set_route(1, 0, None)
                new_links = np.zeros(0, np.int64)
            else:
                for u, v in itertools.pairwise(path):
                    self._set_route(int(u), 1, self._iface(int(u), int(v)))
                    self._set_route(int(v), 0, self._iface(int(v), int(u)))
                new_links = tl.path_links(k)
            # Links of the previous path still carry packets in flight: keep them current.
            self._live_links = np.union1d(new_links, self._live_links[-64:])
            self._applied_path = pid
        delay_ns = np.rint(tl.link_km[k, self._live_links] / C_KM_S * 1e9).astype(np.int64)
        for i, d in zip(self._live_links, delay_ns, strict=True):
            self.channels[int(i)].SetAttribute("Delay",
                                               self.ns.TimeValue(self.ns.NanoSeconds(int(d))))

def drain_s(timeline: PathTimeline, *, round_trip: bool) -> float:
    """Time after the window for the last packets to arrive: 1 s past the longest one-way
    (or round-trip) delay of the window's paths."""
    one_way_s = float(np.nanmax(timeline.one_way_ms)) / 1e3 if np.isfinite(
        timeline.one_way_ms).any() else 0.0
    return 1.0 + (2.0 if round_trip else 1.0) * one_way_s


def check_window(timeline: PathTimeline) -> None:
    """An `InputError` when the endpoints have no service at the first instant."""
    if timeline.path_id[0] < 0:
        raise InputError(f"the endpoints have no service at the start "
                         f"{timeline.grid.iso[0]}; choose another --start")
