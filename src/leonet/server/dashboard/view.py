"""What the dashboard shows of a scenario, as arrays ready to stream: satellite positions from
leonet's own propagation (the same SGP4 and frames as `leonet ephemeris`), the +Grid laser
links, gateways and PoPs, country outlines, and a grid of H3 cells decided under the policy in
force at an instant, with the same explanation `leonet policy explain` prints.

Positions go to the browser as float32 Earth-fixed kilometres (about 0.5 m of rounding at
7,000 km, far inside the 1 km the issue allows); the browser interpolates between the 15-s
samples and never propagates on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from pathlib import Path

import h3
import numpy as np
import shapely

from leonet.control.boundaries import countries
from leonet.control.fleet import Fleet
from leonet.control.policy import Policy
from leonet.errors import InputError
from leonet.physics.ground_segment import Sites, starlink_gateways, starlink_pops
from leonet.physics.links import IslTopology, PlaneAssignment, plus_grid
from leonet.physics.network import Network
from leonet.physics.orbits.constellation import Constellation
from leonet.physics.planes import detect_planes
from leonet.physics.timegrid import NS_PER_S, TimeGrid, iso_utc
from leonet.reporting.palette import palette_for
from leonet.scenario.run import NO_POLICY, SUSPENDED, policy_index_at
from leonet.scenario.spec import Scenario
from leonet.server.dashboard.coverage import CoverageMaps
from leonet.server.dashboard.route import MAX_ROUTE_S, PlaceRoutes, place_routes
from leonet.server.dashboard.terminals import ScenarioReplay

# Starlink reassigns a terminal's satellite every 15 s (its scheduler's slot), so the globe
# samples positions on that step and a serving satellite holds for one sample.
SLOT_S = 15.0
# The longest stretch of positions one request may ask for: one hour at 15 s for the 10,744
# satellites of the real snapshot is 241 x 10,744 x 3 x 4 B = 31 MB; three hours would be 93.
MAX_WINDOW_S = 3600.0
# The globe asks for positions in windows this long, aligned on multiples of it, one ahead of
# its clock: the first frame waits for 10 minutes of sky (41 samples; 5 MB for the snapshot),
# not an hour.
WINDOW_S = 600.0
# Links drawn at first, beyond which the globe opens on the largest shell's alone: every link
# is a line for a software rasteriser to draw each frame (the real snapshot has 17k).
MAX_DEFAULT_LINKS = 10_000
# How far outside the scenario's own span the globe may be moved (the sky before the first
# event and after the last is still of interest; decades away is a typo).
TIME_MARGIN_NS = 7 * 86_400 * NS_PER_S
# Outlines are drawn at globe scale, where software WebGL pays for every vertex each frame:
# 0.2° (about 20 km) simplification and no islands under 0.5 deg² keep every country
# recognisable in 12k vertices (the 1:10m table has 0.5 million; at 0.05° it keeps 43k and
# the globe draws ten times slower, benchmarks/bench_dashboard.py).
OUTLINE_TOLERANCE_DEG = 0.2
OUTLINE_MIN_AREA_DEG2 = 0.5
# The policy map's cells: H3 resolution 4 (about 1,770 km² each) over the scenario's
# terminals, padded by this much so the borders around them show.
POLICY_RES = 4
POLICY_PAD_DEG = 2.0
MAX_POLICY_CELLS = 20_000


@dataclass(frozen=True, eq=False)
class Paths:
    """Polylines or polygon rings as one flat array: ``lonlat_deg`` ``(n_vertices, 2)``
    float32 and ``starts`` ``(n_paths,)`` uint32, the first vertex of each."""

    lonlat_deg: np.ndarray
    starts: np.ndarray


@dataclass(frozen=True)
class Explanation:
    """The decision at a point under the policy in force at an instant, in plain words."""

    text: str
    allowed: bool | None  # None: no policy in force yet
    rule: str
    policy_version: str
    policy_file: str
    time: str


class ScenarioView:
    """The scenario ``scn`` seen on a globe, with the satellites ``sats``."""

    def __init__(self, scn: Scenario, sats: Constellation, *, source: str) -> None:
        self.scenario = scn
        self.sats = sats
        self.source = source
        self.policies: tuple[Policy, ...] = tuple(step.policy for step in scn.policies)

    # -- time ------------------------------------------------------------------------------
    @property
    def span_ns(self) -> tuple[int, int]:
        """The instants the dashboard accepts: the scenario's span with a week's margin."""
        return (self.scenario.start_ns - TIME_MARGIN_NS, self.scenario.end_ns + TIME_MARGIN_NS)

    def check_time(self, t_ns: int, where: str = "time") -> int:
        lo, hi = self.span_ns
        if not lo <= t_ns <= hi:
            raise InputError(f"{iso_utc(t_ns, 's')} is outside the scenario's span "
                             f"{iso_utc(lo, 's')} … {iso_utc(hi, 's')}", where)
        return t_ns

    @cached_property
    def initial_ns(self) -> int:
        """The instant the page opens on: a whole number of days after the scenario's start
        (the slider's steps), the first such day after the first policy takes effect, so the
        first map shows a policy; the start itself when none starts later."""
        day_ns = 86_400 * NS_PER_S
        start = self.scenario.start_ns
        first = self.scenario.policies[0].from_ns if self.scenario.policies else start
        days = -(-(first - start) // day_ns) + 1 if first > start else 0
        return min(start + days * day_ns, self.scenario.end_ns)

    def prepare(self) -> None:
        """Compute what every page asks for first (the map's cells and outlines, the links,
        the opening window of positions), so the first page is answered from memory."""
        _ = self.outlines, self.links, self.ground, self.policy_cells
        self.decide_cells(self.initial_ns)
        window_ns = round(WINDOW_S * NS_PER_S)
        self.positions(self.initial_ns // window_ns * window_ns, WINDOW_S)

    # -- the sky ---------------------------------------------------------------------------
    def positions(self, start_ns: int, duration_s: float) -> np.ndarray:
        """Earth-fixed positions, km, float32 ``(n_times, n_sats, 3)`` every `SLOT_S` from
        ``start_ns`` (rounded down to a slot) for ``duration_s``; NaN where SGP4 failed."""
        if not 0 <= duration_s <= MAX_WINDOW_S:
            raise InputError(f"duration must be within 0 … {MAX_WINDOW_S:.0f} s, got "
                             f"{duration_s}", "duration_s")
        self.check_time(start_ns, "start")
        slot_ns = round(SLOT_S * NS_PER_S)
        return self._positions(start_ns // slot_ns * slot_ns, int(duration_s // SLOT_S))

    @lru_cache(maxsize=8)  # noqa: B019  (one view per process; a few windows in memory)
    def _positions(self, start_ns: int, n_steps: int) -> np.ndarray:
        grid = TimeGrid.range(iso_utc(start_ns, "ns"), n_steps * SLOT_S, SLOT_S)
        r = self.sats.propagate(grid, dtype=np.float32).r_ecef_km
        return np.ascontiguousarray(r, dtype=np.float32)

    @cached_property
    def planes(self) -> PlaneAssignment:
        """The filed planes (presets) or the planes detected from the elements."""
        return (PlaneAssignment.from_walker(self.sats) if np.any(self.sats.shell_index >= 0)
                else detect_planes(self.sats))

    @cached_property
    def links(self) -> IslTopology:
        """+Grid lasers within each shell of `planes`."""
        return plus_grid(self.planes)

    @cached_property
    def shell_sizes(self) -> tuple[int, ...]:
        """Satellites in each shell of `planes`, by shell index."""
        shell = self.planes.shell
        return tuple(int(c) for c in np.bincount(shell[shell >= 0])) if np.any(shell >= 0) \
            else ()

    @cached_property
    def default_links_shell(self) -> int | None:
        """The shell whose links the globe shows first: all of them (None) up to
        `MAX_DEFAULT_LINKS`, else the largest shell's."""
        if len(self.links.a) <= MAX_DEFAULT_LINKS or not self.shell_sizes:
            return None
        return int(np.argmax(self.shell_sizes))

    def links_in(self, shell: int | None) -> np.ndarray:
        """uint32 ``(n_links, 2)`` satellite index pairs of the links within ``shell`` (None:
        every shell)."""
        isl = self.links
        if shell is None:
            keep = slice(None)
        elif 0 <= shell < len(self.shell_sizes):
            keep = self.planes.shell[isl.a] == shell
        else:
            raise InputError(f"no shell {shell}: the constellation has "
                             f"{len(self.shell_sizes)} (0 … {len(self.shell_sizes) - 1})",
                             "shell")
        return np.stack([isl.a[keep], isl.b[keep]], axis=1).astype(np.uint32)

    @cached_property
    def network(self) -> Network:
        """The satellites with `links`, the shipped gateways and PoPs: what routes run on."""
        return Network(self.sats, self.links, self.ground["gateway"], self.ground["pop"],
                       planes=self.planes)

    def routes(self, place: str, start_ns: int, duration_s: float) -> PlaceRoutes:
        """``place``'s serving satellite and route to its PoP every `SLOT_S` from
        ``start_ns`` (rounded down to a sample) for ``duration_s`` (at most `MAX_ROUTE_S`)."""
        if not 0 <= duration_s <= MAX_ROUTE_S:
            raise InputError(f"duration must be within 0 … {MAX_ROUTE_S:.0f} s, got "
                             f"{duration_s}", "duration_s")
        self.check_time(start_ns, "start")
        slot_ns = round(SLOT_S * NS_PER_S)
        return place_routes(self.network, place, start_ns // slot_ns * slot_ns,
                            duration_s // SLOT_S * SLOT_S, SLOT_S,
                            self.scenario.min_elevation_deg)

    @cached_property
    def ground(self) -> dict[str, Sites]:
        return {"gateway": starlink_gateways(), "pop": starlink_pops()}

    # -- coverage and terminals ---------------------------------------------------------------
    @cached_property
    def coverage_maps(self) -> CoverageMaps:
        """Coverage figures on H3 cells from the sky's own windows of positions."""
        def policy_file_at(t_ns: int) -> Path | None:
            k = self.policy_at(t_ns)
            return self.scenario.policies[k].path if k >= 0 else None

        return CoverageMaps(self.sats, self.positions, SLOT_S, WINDOW_S,
                            self.scenario.min_elevation_deg, policy_file_at)

    @cached_property
    def replay(self) -> ScenarioReplay:
        """The scenario's fleet, decisions, detection and events, replayed on first use; its
        coverage and latency runs are the report's, not the map's, so they are left out."""
        return ScenarioReplay(replace(self.scenario, coverage=None, latency=None))

    # -- the map ---------------------------------------------------------------------------
    @cached_property
    def outlines(self) -> Paths:
        """Every country's rings from the shipped Natural Earth table, simplified."""
        parts = shapely.get_parts(shapely.simplify(countries().geometry, OUTLINE_TOLERANCE_DEG))
        rings = shapely.get_rings(parts[shapely.area(parts) >= OUTLINE_MIN_AREA_DEG2])
        coords = [shapely.get_coordinates(r) for r in rings if not shapely.is_empty(r)]
        return _paths(coords)

    @cached_property
    def fleet(self) -> Fleet:
        return Fleet.build(self.scenario.groups, self.scenario.sponsorships, self.scenario.seed)

    @cached_property
    def policy_cells(self) -> tuple[np.ndarray, Paths]:
        """``(centres_deg (n, 2) lat/lon, boundaries)``: H3 cells over the scenario's
        terminals (all instants of the timeline), padded by `POLICY_PAD_DEG`."""
        state = self.fleet.at(self.scenario.timeline_ns[:: max(1, len(
            self.scenario.timeline_ns) // 8)])
        if len(state) == 0:
            raise InputError("the scenario has no terminals to frame the policy map")
        lat0, lat1 = (float(np.nanmin(state.lat_deg)) - POLICY_PAD_DEG,
                      float(np.nanmax(state.lat_deg)) + POLICY_PAD_DEG)
        lon0, lon1 = (float(np.nanmin(state.lon_deg)) - POLICY_PAD_DEG,
                      float(np.nanmax(state.lon_deg)) + POLICY_PAD_DEG)
        box = h3.LatLngPoly([(lat0, lon0), (lat0, lon1), (lat1, lon1), (lat1, lon0)])
        cells = sorted(h3.polygon_to_cells(box, POLICY_RES))
        if len(cells) > MAX_POLICY_CELLS:
            raise InputError(f"the scenario's terminals span {len(cells):,} H3 cells at res "
                             f"{POLICY_RES}; the policy map draws at most {MAX_POLICY_CELLS:,}")
        centres = np.array([h3.cell_to_latlng(c) for c in cells], dtype=np.float64)
        rings = [np.array([(lon, lat) for lat, lon in h3.cell_to_boundary(c)]) for c in cells]
        return centres, _paths(rings)

    @cached_property
    def rule_names(self) -> tuple[str, ...]:
        """Every rule a cell or terminal can get, in a fixed order: the colours' keys."""
        names = {NO_POLICY, "default", SUSPENDED}
        for p in self.policies:
            names.update(r.id for r in p.rules)
        return tuple(sorted(names))

    @cached_property
    def rule_allowed(self) -> dict[str, bool | None]:
        defaults = {p.default for p in self.policies}
        # The default's answer is the policy's own; one answer for all of them, or unknown.
        answer = {frozenset({"allow"}): True, frozenset({"deny"}): False}
        out: dict[str, bool | None] = {NO_POLICY: None, SUSPENDED: False,
                                       "default": answer.get(frozenset(defaults))}
        for p in self.policies:
            out.update({r.id: r.effect != "deny" for r in p.rules})
        return out

    @cached_property
    def palette(self) -> dict[str, str]:
        return palette_for(self.rule_names)

    def policy_at(self, t_ns: int) -> int:
        """Index of the policy in force at ``t_ns`` (-1 before the first)."""
        return int(policy_index_at(self.scenario, np.array([t_ns]))[0])

    def decide_cells(self, t_ns: int, policy_index: int | None = None) -> np.ndarray:
        """Index into `rule_names` of each policy cell's deciding rule at ``t_ns`` for a
        terminal standing still on the ground, not whitelisted, funded (the defaults of
        `leonet policy explain`), under the policy in force or ``policy_index``."""
        k = self.policy_at(t_ns) if policy_index is None else policy_index
        centres, _ = self.policy_cells
        if k < 0:
            rules = np.full(len(centres), NO_POLICY, dtype=object)
        else:
            rules = self.policies[k].decide(
                lat_deg=centres[:, 0], lon_deg=centres[:, 1],
                time=np.full(len(centres), t_ns, dtype=np.int64).view("datetime64[ns]")).rule
        index = {name: i for i, name in enumerate(self.rule_names)}
        return np.array([index[str(r)] for r in rules], dtype=np.uint8)

    def explain(self, lat_deg: float, lon_deg: float, t_ns: int) -> Explanation:
        """What `leonet policy explain --policy <in force> --lat … --lon … --time …` says."""
        if not (-90 <= lat_deg <= 90 and -180 <= lon_deg <= 180):
            raise InputError(f"({lat_deg}, {lon_deg}) is not a latitude/longitude in degrees",
                             "lat_deg/lon_deg")
        self.check_time(t_ns)
        k = self.policy_at(t_ns)
        when = iso_utc(t_ns, "s")
        if k < 0:
            return Explanation(f"No policy is in force at {when}: the scenario's first one "
                               f"starts {iso_utc(self.scenario.policies[0].from_ns, 's')}.",
                               None, NO_POLICY, "", "", when)
        step = self.scenario.policies[k]
        d = step.policy.decide(lat_deg=lat_deg, lon_deg=lon_deg,
                               time=np.datetime64(t_ns, "ns"))
        return Explanation(d.explain(0), bool(np.ravel(d.allowed)[0]), str(np.ravel(d.rule)[0]),
                           step.policy.version, step.path.name, when)


def _paths(coords: list[np.ndarray]) -> Paths:
    lengths = np.array([len(c) for c in coords], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.uint32)
    flat = (np.concatenate(coords).astype(np.float32) if coords
            else np.zeros((0, 2), np.float32))
    return Paths(flat[:, :2].copy(), starts)
