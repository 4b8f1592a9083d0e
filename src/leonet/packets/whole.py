"""The whole network of a Hypatia-style set-up over time (``--topology full``): every
satellite and every ground station a node, every laser link and every ground-satellite link
(GSL) that comes within range during the window a link, and the forwarding state of every
node towards every ground station at every instant.

Links are numbered laser links first (in the set-up's order), then GSLs by (station,
satellite). ns-3 numbers a node's interfaces 1, 2, ... in the order its links are added (0
is the loopback), so the interface of node ``u`` on link ``i`` is 1 + the rank of ``i``
among ``u``'s links: forwarding state is stored as those interface numbers, ready for
ns-3, and only where it changes from one instant to the next (a few hundred of the
1,256 x 100 entries of Kuiper-630 per 100 ms step, against all of them).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from leonet.packets.topology import PathTimeline, Stepped, from_hypatia
from leonet.physics.hypatia import HypatiaInputs
from leonet.physics.timegrid import TimeGrid

# Instants whose positions are propagated at once for the link lengths (bounds memory).
_CHUNK = 128


@dataclass(frozen=True, eq=False)
class WholeNetwork(Stepped):
    """Nodes ``0 .. n_sats-1`` are the satellites, ``n_sats + g`` ground station ``g``.

    ``links`` ``(n_links, 2)`` joins nodes (the first ``n_isls`` are laser links, the rest
    GSLs as (satellite, station node)); ``link_km`` ``(n_times, n_links)`` is each link's
    length at each instant (a GSL out of range keeps its length: no route uses it).
    ``iface`` ``(n_links, 2)`` is each end's ns-3 interface number. Forwarding: entry ``u *
    n_stations + g`` is node ``u``'s outgoing interface towards station ``g`` (-1: none or
    ``u`` is ``g``); at instant ``k`` the entries ``fwd_entry[fwd_indptr[k]:fwd_indptr[k+1]]``
    change to ``fwd_iface[...]`` (instant 0 sets every entry). ``pair`` is the timeline of
    the simulated pair ``src_gs`` → ``dst_gs`` (its paths, delays and path ids for the
    results)."""

    grid: TimeGrid
    step_s: float
    n_sats: int
    n_stations: int
    links: np.ndarray
    n_isls: int
    link_km: np.ndarray
    iface: np.ndarray
    fwd_indptr: np.ndarray
    fwd_entry: np.ndarray
    fwd_iface: np.ndarray
    pair: PathTimeline
    src_gs: int
    dst_gs: int

    @property
    def n_nodes(self) -> int:
        return self.n_sats + self.n_stations

    def frozen(self) -> WholeNetwork:
        """The same nodes and links with the delays and forwarding of instant 0 held for
        the whole run (plain ns-3 on a static topology: the benchmarks' baseline)."""
        hi = int(self.fwd_indptr[1])
        return dataclasses.replace(self, grid=self.grid[:1], step_s=self.duration_s,
                                   link_km=self.link_km[:1], fwd_indptr=self.fwd_indptr[:2],
                                   fwd_entry=self.fwd_entry[:hi], fwd_iface=self.fwd_iface[:hi])


def whole_network(inputs: HypatiaInputs, grid: TimeGrid, step_s: float, src_gs: int,
                  dst_gs: int) -> WholeNetwork:
    """The whole network of ``inputs`` at the instants of ``grid`` (each state holding for
    ``step_s``), and the timeline of the pair ``src_gs`` → ``dst_gs``: one routing pass
    serves both."""
    n, n_g = inputs.n_sats, len(inputs.stations)
    in_range = np.zeros((n_g, n), bool)
    next_nodes: list[np.ndarray] = []

    def states():
        # Every node's next node towards every station: satellites from the routes' trees,
        # stations through their first satellite; (n + n_g, n_g), -1 where none.
        for gsl, routes in inputs.iter_states(grid):
            counts = np.diff(gsl.indptr)
            in_range[np.repeat(np.arange(n_g), counts), gsl.sat] = True
            first = routes.first_sat.astype(np.int32)
            np.fill_diagonal(first, -1)
            next_nodes.append(np.concatenate([routes.next_hop.T, first]).ravel())
            yield routes

    pair = from_hypatia(inputs, grid, step_s, src_gs, dst_gs, routes=states())
    gs, sat = np.nonzero(in_range)
    links = np.concatenate([np.stack([inputs.isls.a, inputs.isls.b], axis=1),
                            np.stack([sat, n + gs], axis=1)]).astype(np.int64)
    iface = _interfaces(links, n + n_g)
    lookup_key, lookup_iface = _iface_lookup(links, iface, n + n_g)
    entries, changed, indptr = [], [], [0]
    previous = None
    for nxt in next_nodes:
        at = np.arange(nxt.size) if previous is None else np.flatnonzero(nxt != previous)
        node = at // n_g
        target = nxt[at].astype(np.int64)
        out = np.full(at.size, -1, np.int32)
        ok = target >= 0
        out[ok] = lookup_iface[np.searchsorted(lookup_key, node[ok] * (n + n_g) + target[ok])]
        entries.append(at)
        changed.append(out)
        indptr.append(indptr[-1] + at.size)
        previous = nxt
    return WholeNetwork(grid, float(step_s), n, n_g, links, int(inputs.isls.n_links),
                        _link_km(inputs, grid, links), iface, np.array(indptr, np.int64),
                        np.concatenate(entries).astype(np.int64),
                        np.concatenate(changed).astype(np.int32), pair, int(src_gs),
                        int(dst_gs))


def _interfaces(links: np.ndarray, n_nodes: int) -> np.ndarray:
    """Each link end's ns-3 interface: 1 + the link's rank among its node's links."""
    ends = links.ravel()  # link i's ends at 2i, 2i + 1: in the order ns-3 adds them
    order = np.argsort(ends, kind="stable")
    first = np.searchsorted(ends[order], np.arange(n_nodes))
    rank = np.empty(ends.size, np.int64)
    rank[order] = np.arange(ends.size) - first[ends[order]]
    return (1 + rank).reshape(-1, 2).astype(np.int32)


def _iface_lookup(links: np.ndarray, iface: np.ndarray, n_nodes: int
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Sorted keys ``u * n_nodes + v`` and the interface of ``u`` on its link to ``v``."""
    key = np.concatenate([links[:, 0] * n_nodes + links[:, 1],
                          links[:, 1] * n_nodes + links[:, 0]])
    value = np.concatenate([iface[:, 0], iface[:, 1]])
    order = np.argsort(key)
    return key[order], value[order]


def _link_km(inputs: HypatiaInputs, grid: TimeGrid, links: np.ndarray) -> np.ndarray:
    """Every link's straight-line length at every instant (ground stations at their listed
    Earth-fixed positions, satellites propagated as Hypatia does)."""
    n = inputs.n_sats
    station_xyz = inputs.stations.r_ecef_km
    b_sat = links[:, 1] < n
    out = np.empty((len(grid), len(links)))
    for k0, sub in grid.chunks(_CHUNK):
        r = inputs.constellation.propagate(sub, ut1=False).r_ecef_km  # (t, n, 3)
        xa = r[:, links[:, 0]]
        xb = np.where(b_sat[None, :, None], r[:, np.minimum(links[:, 1], n - 1)],
                      station_xyz[np.maximum(links[:, 1] - n, 0)][None])
        out[k0:k0 + len(sub)] = np.linalg.norm(xa - xb, axis=-1)
    return out
