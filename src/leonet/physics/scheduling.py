"""Serving satellite of each user terminal, per scheduling slot, and the handovers.

Starlink's global scheduler reassigns terminals to satellites at fixed 15-second
boundaries: Tanveer et al., "Making Sense of Constellations: Methodologies for
Understanding Starlink's Scheduling Algorithms", CoNEXT 2023 companion (arXiv:2307.00402),
and Mohan et al., "A Multifaceted Look at Starlink Performance", WWW 2024, both see latency
step changes every 15 s, at 12, 27, 42 and 57 s past each minute. A terminal keeps its
satellite for the whole slot, so the candidates of a slot are the satellites above the
terminal's mask at both of its ends (else those above it at its start).

Strategies pick one candidate per terminal: `highest_elevation`, `longest_visible`
(the most remaining time above the mask), `lowest_latency` (the shortest route to the
terminal's PoP at the slot start; it needs route costs, which `Network.schedule` supplies),
or any function with the same signature.

>>> import numpy as np
>>> c = Candidates(indptr=np.array([0, 2]), sat=np.array([7, 9]),
...                elevation_deg=np.array([40.0, 70.0]), remaining_s=np.array([200.0, 90.0]),
...                previous=np.array([7]))
>>> int(c.sat[highest_elevation(c)[0]]), int(c.sat[longest_visible(c)[0]])
(9, 7)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from leonet.errors import InputError
from leonet.physics.ground import GroundPoints
from leonet.physics.links import ground_links
from leonet.physics.timegrid import NS_PER_S, TimeGrid

SLOT_S = 15.0
# Slot boundaries at 12, 27, 42 and 57 s past the minute (see the module docstring).
SLOT_OFFSET_S = 12.0
# Look-ahead for remaining visibility: a 550 km satellite stays above 25° for at most
# about four minutes; ten minutes also covers higher shells and lower masks.
HORIZON_S = 600.0


@dataclass(frozen=True, eq=False)
class Candidates:
    """The satellites each terminal may be given in one slot, in compressed sparse rows:
    terminal ``i``'s candidates are ``indptr[i]:indptr[i+1]`` of the pair arrays ``sat``,
    ``elevation_deg`` (at the slot start) and ``remaining_s`` (time left above the mask,
    capped at the look-ahead). ``previous[i]`` is the terminal's satellite in the previous
    slot (-1: none). ``route_km``, when the scheduler was given route costs, is each
    pair's route length to the terminal's PoP (vacuum-equivalent km; inf: no route)."""

    indptr: np.ndarray
    sat: np.ndarray
    elevation_deg: np.ndarray
    remaining_s: np.ndarray
    previous: np.ndarray
    route_km: np.ndarray | None = None

    @property
    def terminal(self) -> np.ndarray:
        """Terminal index of every candidate pair."""
        return np.repeat(np.arange(self.indptr.shape[0] - 1), np.diff(self.indptr))


Strategy = Callable[[Candidates], np.ndarray]
"""Returns, per terminal, the index into the pair arrays of its chosen candidate (-1: none)."""


def _argmax_per_row(indptr: np.ndarray, score: np.ndarray) -> np.ndarray:
    n = indptr.shape[0] - 1
    out = np.full(n, -1, np.int64)
    counts = np.diff(indptr)
    rows = np.flatnonzero(counts)
    if rows.size == 0:
        return out
    term = np.repeat(np.arange(n), counts)
    # Sort by terminal, then by score descending: the first of each run is the best.
    order = np.lexsort((-score, term))
    out[rows] = order[indptr[rows]]
    return out


def highest_elevation(c: Candidates) -> np.ndarray:
    """The candidate highest in the sky at the slot start."""
    return _argmax_per_row(c.indptr, c.elevation_deg)


def longest_visible(c: Candidates) -> np.ndarray:
    """The candidate with the most time left above the mask (ties: the higher one)."""
    return _argmax_per_row(c.indptr, c.remaining_s + 1e-6 * c.elevation_deg)


def lowest_latency(c: Candidates) -> np.ndarray:
    """The candidate with the shortest route to the terminal's PoP at the slot start
    (ties: the higher one); none where no candidate has a route."""
    if c.route_km is None:
        raise InputError("the lowest_latency strategy needs route costs (use "
                         "Network.schedule or Network.routes)")
    pick = _argmax_per_row(c.indptr, -c.route_km + 1e-9 * c.elevation_deg)
    ok = pick >= 0
    ok[ok] = np.isfinite(c.route_km[pick[ok]])
    return np.where(ok, pick, -1)


lowest_latency.needs_routes = True  # type: ignore[attr-defined]

STRATEGIES: dict[str, Strategy] = {
    "highest_elevation": highest_elevation,
    "longest_visible": longest_visible,
    "lowest_latency": lowest_latency,
}


def needs_routes(strategy: str | Strategy) -> bool:
    """Whether a strategy reads `Candidates.route_km`."""
    return bool(getattr(get_strategy(strategy), "needs_routes", False))


def get_strategy(strategy: str | Strategy) -> Strategy:
    if callable(strategy):
        return strategy
    if strategy not in STRATEGIES:
        raise InputError(f"unknown serving-satellite strategy {strategy!r}; known: "
                         f"{', '.join(STRATEGIES)} (or pass a function)")
    return STRATEGIES[strategy]


def slot_grid(start: np.datetime64, end: np.datetime64, *, slot_s: float = SLOT_S,
              slot_offset_s: float = SLOT_OFFSET_S, horizon_s: float = HORIZON_S
              ) -> tuple[TimeGrid, int]:
    """Slot boundaries covering ``[start, end]`` (the first at or before ``start``), then
    boundaries on to ``horizon_s`` past the last slot for the look-ahead. Returns the grid
    and the number of slots."""
    if not slot_s > 0:
        raise InputError(f"slot length must be > 0 s, got {slot_s}")
    step = round(slot_s * NS_PER_S)
    t0 = np.datetime64(start, "ns").astype(np.int64)
    t1 = np.datetime64(end, "ns").astype(np.int64)
    off = round(slot_offset_s * NS_PER_S) % step
    first = (t0 - off) // step * step + off
    n_slots = int((t1 - first) // step) + 1
    n_ahead = int(np.ceil(horizon_s * NS_PER_S / step))
    ns = first + np.arange(n_slots + n_ahead + 1, dtype=np.int64) * step
    return TimeGrid(ns.astype("datetime64[ns]")), n_slots


@dataclass(frozen=True, eq=False)
class Schedule:
    """The serving satellite of every terminal in every slot, ``(n_slots, n_terminals)``
    (-1: no satellite available), with its elevation at the slot start and the time it
    had left above the mask. ``in_view`` says whether any satellite was above the mask
    at all (a terminal may see satellites none of which is eligible)."""

    slot_start: np.ndarray
    slot_s: float
    serving: np.ndarray
    elevation_deg: np.ndarray
    remaining_s: np.ndarray
    strategy: str
    in_view: np.ndarray = None  # type: ignore[assignment]

    @property
    def n_slots(self) -> int:
        return self.serving.shape[0]

    def slot_of(self, utc: np.ndarray) -> np.ndarray:
        """Slot index of each instant (instants before the first slot are refused)."""
        t = np.asarray(utc, dtype="datetime64[ns]")
        k = np.searchsorted(self.slot_start, t, side="right") - 1
        if np.any(k < 0) or np.any(k >= self.n_slots):
            raise InputError("instants outside the schedule's slots")
        return k

    def serving_at(self, utc: np.ndarray) -> np.ndarray:
        """Serving satellite at each instant, ``(n_times, n_terminals)``."""
        return self.serving[self.slot_of(utc)]

    @property
    def handovers(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Handover events ``(slot, terminal, from_sat, to_sat)``: every slot boundary at
        which a terminal's satellite changes (from or to -1 included)."""
        change = self.serving[1:] != self.serving[:-1]
        slot, term = np.nonzero(change)
        return (slot + 1, term, self.serving[slot, term], self.serving[slot + 1, term])

    def handover_counts(self) -> np.ndarray:
        """Handovers per terminal over the schedule."""
        return np.count_nonzero(self.serving[1:] != self.serving[:-1], axis=0)

    def handovers_per_hour(self) -> np.ndarray:
        """Handovers per terminal per hour of schedule."""
        hours = max(self.n_slots - 1, 1) * self.slot_s / 3600.0
        return self.handover_counts() / hours

    def service_share(self) -> np.ndarray:
        """Share of slots in which each terminal has a satellite."""
        return np.mean(self.serving >= 0, axis=0)


def elevation_deg(points: GroundPoints, p: np.ndarray, r_sat_km: np.ndarray) -> np.ndarray:
    """Elevation of satellites at ``r_sat_km`` ``(n, 3)`` from points ``p`` ``(n,)``."""
    d = r_sat_km - points.r_ecef_km[p]
    up = points.enu[2][p]
    rng = np.sqrt(np.einsum("ij,ij->i", d, d))
    return np.degrees(np.arcsin(np.clip(np.einsum("ij,ij->i", d, up) / rng, -1.0, 1.0)))


def schedule(terminals: GroundPoints, r_slots_ecef_km: np.ndarray, slots: TimeGrid,
             n_slots: int, *, strategy: str | Strategy = "highest_elevation",
             eligible: np.ndarray | None = None, previous: np.ndarray | None = None,
             route_cost: Callable[[int, np.ndarray, np.ndarray], np.ndarray] | None = None
             ) -> Schedule:
    """Serving satellites for ``n_slots`` slots.

    ``r_slots_ecef_km`` ``(len(slots), n_sats, 3)`` holds positions at the slot boundaries
    of ``slots`` (from `slot_grid`: the slots, then the look-ahead). ``eligible``
    ``(n_slots, n_sats)`` or ``(n_sats,)`` bool restricts the candidates (e.g. satellites
    that reach a gateway). ``previous`` is each terminal's satellite in the slot before
    (to continue a schedule computed in parts). ``route_cost(k, terminal, sat)`` gives the
    route length (km) of candidate pairs at slot ``k``, for strategies that need it.
    """
    if r_slots_ecef_km.shape[0] != len(slots) or len(slots) < n_slots + 1:
        raise InputError("positions must cover every slot boundary and one more")
    choose = get_strategy(strategy)
    name = strategy if isinstance(strategy, str) else getattr(strategy, "__name__", "custom")
    n_t = len(terminals)
    step_s = float((slots.utc[1] - slots.utc[0]) / np.timedelta64(1, "s"))
    mask = terminals.min_elevation_deg
    serving = np.full((n_slots, n_t), -1, np.int64)
    elev = np.full((n_slots, n_t), np.nan)
    remain = np.full((n_slots, n_t), np.nan)
    in_view = np.zeros((n_slots, n_t), bool)
    previous = (np.full(n_t, -1, np.int64) if previous is None
                else np.asarray(previous, np.int64).copy())
    links = [ground_links(terminals, r_slots_ecef_km[k]) for k in range(min(2, len(slots)))]
    for k in range(n_slots):
        now, nxt = links[0], links[1]
        pairs_now = _pairs(now)
        in_view[k] = now.counts > 0
        keep = np.ones(pairs_now[0].shape[0], bool)
        if eligible is not None:
            ok = eligible[k] if eligible.ndim == 2 else eligible
            keep &= ok[pairs_now[1]]
        # Whole-slot candidates where a terminal has any; else the slot start alone.
        stays = np.isin(pairs_now[0] * (1 << 32) + pairs_now[1],
                        _pairs(nxt)[0] * (1 << 32) + _pairs(nxt)[1])
        has_stay = np.zeros(n_t, bool)
        np.logical_or.at(has_stay, pairs_now[0][keep & stays], True)
        keep &= stays | ~has_stay[pairs_now[0]]
        p, s = pairs_now[0][keep], pairs_now[1][keep]
        el = elevation_deg(terminals, p, r_slots_ecef_km[k, s])
        rem = _remaining_s(terminals, p, s, el, mask[p], r_slots_ecef_km[k + 1:], step_s)
        indptr = np.zeros(n_t + 1, np.int64)
        np.cumsum(np.bincount(p, minlength=n_t), out=indptr[1:])
        route = None if route_cost is None else np.asarray(route_cost(k, p, s), np.float64)
        cand = Candidates(indptr, s, el, rem, previous.copy(), route)
        pick = np.asarray(choose(cand), dtype=np.int64)
        if pick.shape != (n_t,) or np.any(pick >= s.shape[0]):
            raise InputError(f"strategy {name!r} must return one candidate index (or -1) "
                             f"per terminal, shape ({n_t},)")
        got = pick >= 0
        rows = np.flatnonzero(got)
        if np.any(p[pick[rows]] != rows):
            raise InputError(f"strategy {name!r} gave a terminal another one's candidate")
        serving[k, rows] = s[pick[rows]]
        elev[k, rows] = el[pick[rows]]
        remain[k, rows] = rem[pick[rows]]
        previous = serving[k].copy()
        links = [nxt, ground_links(terminals, r_slots_ecef_km[k + 2])
                 if k + 2 < len(slots) else nxt]
    return Schedule(slots.utc[:n_slots], step_s, serving, elev, remain, name, in_view)


def _pairs(links) -> tuple[np.ndarray, np.ndarray]:
    return np.repeat(np.arange(links.n_points), links.counts), links.sat.astype(np.int64)


def _remaining_s(points: GroundPoints, p: np.ndarray, s: np.ndarray, el0: np.ndarray,
                 mask: np.ndarray, r_ahead: np.ndarray, step_s: float) -> np.ndarray:
    """Time until each pair's satellite sinks below the mask, from samples every
    ``step_s`` (linear between samples), capped at the look-ahead."""
    out = np.full(p.shape[0], r_ahead.shape[0] * step_s)
    alive = np.arange(p.shape[0])
    prev = el0.copy()
    for j in range(r_ahead.shape[0]):
        if alive.size == 0:
            break
        el = elevation_deg(points, p[alive], r_ahead[j, s[alive]])
        el = np.where(np.isfinite(el), el, -90.0)
        below = el < mask[alive]
        if below.any():
            i = alive[below]
            frac = (prev[below] - mask[i]) / np.maximum(prev[below] - el[below], 1e-12)
            out[i] = (j + np.clip(frac, 0.0, 1.0)) * step_s
        prev = el[~below]
        alive = alive[~below]
    return out
