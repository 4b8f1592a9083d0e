"""A place's serving satellite per 15-s slot and its route to its PoP, for the globe: leonet's
own operator routing (`leonet.physics.network.Network.routes`, what `leonet route` prints),
over the same satellites, in the same order, as the positions the globe draws."""

from __future__ import annotations

from dataclasses import dataclass

from leonet.physics.ground import GroundPoints, place
from leonet.physics.network import Network
from leonet.physics.route_series import DST, REASONS, SRC
from leonet.physics.timegrid import TimeGrid, iso_utc

# One answer covers the globe's 10-minute window of positions, one entry per 15-s sample.
MAX_ROUTE_S = 600.0


@dataclass(frozen=True)
class Hop:
    """A node of a route: a satellite (``index`` into the positions), a gateway, the PoP or
    the place itself (``index`` -1), with its name and, on the ground, its position."""

    kind: str
    index: int
    name: str
    lat_deg: float | None = None
    lon_deg: float | None = None


@dataclass(frozen=True)
class RouteStep:
    """The route at one instant: RTT (None: no service, ``no_service`` says why)."""

    time: str
    serving: int | None
    rtt_ms: float | None
    path: tuple[Hop, ...]
    no_service: str | None


@dataclass(frozen=True)
class PlaceRoutes:
    place: Hop
    pop: Hop
    steps: tuple[RouteStep, ...]


def place_routes(net: Network, text: str, start_ns: int, duration_s: float, step_s: float,
                 min_elevation_deg: float) -> PlaceRoutes:
    """Routes from the place ``text`` (a city or "lat,lon") to its PoP every ``step_s`` over
    ``duration_s`` from ``start_ns``, in operator mode with the default serving strategy."""
    src = place(text, min_elevation_deg=min_elevation_deg)
    pop_index = net.pop_of(src)
    pops = net.pops.points
    q = int(pop_index[0])
    dst = GroundPoints(pops.lat_deg[q:q + 1], pops.lon_deg[q:q + 1], pops.alt_km[q:q + 1],
                       min_elevation_deg, pops.names[q:q + 1], "pop")
    grid = TimeGrid.range(iso_utc(start_ns, "ns"), f"{round(duration_s)}s", f"{step_s:g}s")
    s = net.routes(src, dst, grid, mode="operator", pop=pop_index)
    n_sats, n_gw = len(s.sat_names), len(s.gateway_names)
    gws = net.gateways.points

    def hop(node: int) -> Hop:
        if node == SRC:
            return Hop("place", -1, str(src.names[0]), float(src.lat_deg[0]),
                       float(src.lon_deg[0]))
        if node == DST or node >= n_sats + n_gw:
            return Hop("pop", -1, str(pops.names[q]), float(pops.lat_deg[q]),
                       float(pops.lon_deg[q]))
        if node < n_sats:
            return Hop("satellite", node, str(s.sat_names[node]))
        g = node - n_sats
        return Hop("gateway", -1, str(gws.names[g]), float(gws.lat_deg[g]),
                   float(gws.lon_deg[g]))

    steps = []
    for k in range(s.n_times):
        ok = bool(s.available[k, 0])
        serving = int(s.serving[k, 0]) if s.serving is not None and ok else None
        steps.append(RouteStep(
            str(s.grid.iso[k]), serving if serving is not None and serving >= 0 else None,
            float(s.rtt_ms[k, 0]) if ok else None,
            _distinct(hop(int(v)) for v in s.path_ids(k, 0)),
            None if ok else REASONS[int(s.reason[k, 0])]))
    return PlaceRoutes(hop(SRC), hop(DST), tuple(steps))


def _distinct(hops) -> tuple[Hop, ...]:
    """The hops without repeats in a row: the route's end is the PoP itself."""
    out: list[Hop] = []
    for h in hops:
        if not out or out[-1] != h:
            out.append(h)
    return tuple(out)
