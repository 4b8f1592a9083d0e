"""Synthetic terminal fleets for scenarios: groups of terminals placed, moved and paid for.

A `GroupSpec` says how many terminals, where they are placed (`Placement`: at cities by
population, uniformly in a region, around a point, on sea lanes, at airports), how they
move (`leonet.control.mobility` kinds and their shares), their plan and home country, when
they exist and are switched on, who verifies them for a whitelist and when, and, for
adversary groups, when they move from their origin into a zone. `Sponsorship` says which
share of which groups a sponsor pays for, from when until when.

`Fleet.build(groups, sponsorships, seed)` draws every terminal once; `Fleet.at(times)` gives
the state of every terminal switched on at each instant (positions, speed, funding,
whitelisting, roaming days), and `Fleet.facts(at)` what an operator knows about each (for
the detectors). Same seed, same fleet, bit for bit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from leonet.control import mobility
from leonet.control.detect.facts import TerminalFacts
from leonet.control.detect.geo import Regions
from leonet.control.labels import country_labels
from leonet.control.mobility import (
    MobilityKind,
    MobilityParams,
    above_sea_level_m,
    locate,
    terminal_keys,
    uniform,
)
from leonet.control.population import place_at_cities
from leonet.control.regions import resolve_region
from leonet.errors import InputError
from leonet.physics.earth import (
    along_great_circle_deg,
    destination_deg,
    great_circle_km,
    initial_bearing_deg,
)
from leonet.physics.ground import world_cities
from leonet.physics.timegrid import NS_PER_DAY

NEVER = np.iinfo(np.int64).max
ALWAYS = np.iinfo(np.int64).min
# The mobility models in the order of their codes (`Fleet._mode`).
_KINDS = tuple(MobilityKind)


@dataclass(frozen=True)
class Placement:
    """Where a group's terminals are placed.

    ``kind``: ``cities`` (GeoNames towns of ``countries`` weighted by population, scattered
    by ``spread_km``), ``region`` (uniform over the area of a region name), ``near``
    (uniform in a disc of ``radius_km`` around ``lat_deg, lon_deg``), ``lanes`` (vessels on
    the named sea lanes) or ``airports`` (the largest towns of ``countries``).
    """

    kind: str
    countries: tuple[str, ...] = ()
    region: str = ""
    lat_deg: float = 0.0
    lon_deg: float = 0.0
    radius_km: float = 0.0
    spread_km: float = 8.0
    lanes: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroupSpec:
    """One group of synthetic terminals (see the module docstring)."""

    id: str
    n: int
    place: Placement
    mobility: tuple[tuple[str, float], ...] = (("static", 1.0),)
    plan: str = ""
    home_country: str = ""  # "" = the country each terminal is placed in
    active_from_ns: int = ALWAYS
    active_until_ns: int = NEVER
    switch_on_ns: int = ALWAYS  # reports (and service) only from this instant
    # Terminals switch on one by one over this long after ``switch_on_ns`` (or the group's
    # start): a shipment is activated over days, a unit all at once (0).
    switch_on_spread_s: float = 0.0
    whitelisted_share: float = 0.0
    whitelisted_from_ns: int = ALWAYS
    whitelist_regions: tuple[str, ...] = ()  # empty = verified everywhere
    params: MobilityParams = field(default_factory=MobilityParams)
    # Adversary groups: from their placement (the origin) into ``move_to`` at ``move_at_ns``,
    # in convoy at ``convoy_speed_kmh``; afterwards they move as ``mobility`` around there.
    move_to: Placement | None = None
    move_at_ns: int = NEVER
    convoy_speed_kmh: float = 50.0
    lanes: dict[str, tuple[tuple[float, float], ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Sponsorship:
    """A sponsor pays for ``share`` of the terminals of ``groups`` in ``[from, until)``."""

    sponsor: str
    groups: tuple[str, ...]
    share: float = 1.0
    from_ns: int = ALWAYS
    until_ns: int = NEVER


@dataclass(frozen=True, eq=False)
class FleetState:
    """Terminals switched on at given instants: one row per (instant, terminal)."""

    instant: np.ndarray  # index into the asked instants
    terminal: np.ndarray  # index into Fleet rows
    time_ns: np.ndarray
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_m: np.ndarray  # GNSS altitude above mean sea level, as telemetry carries it
    speed_kmh: np.ndarray
    heading_deg: np.ndarray
    height_agl_m: np.ndarray  # true height above the ground, what policies limit
    funded: np.ndarray
    whitelisted: np.ndarray
    roaming_days: np.ndarray

    def __len__(self) -> int:
        return int(self.terminal.size)

    def take(self, rows: np.ndarray) -> FleetState:
        return FleetState(**{k: getattr(self, k)[rows] for k in self.__dataclass_fields__})


@dataclass(frozen=True, eq=False)
class Fleet:
    """Every terminal of every group, one row each."""

    groups: tuple[GroupSpec, ...]
    sponsorships: tuple[Sponsorship, ...]
    terminal_id: np.ndarray  # object
    group: np.ndarray  # int64 index into groups
    kind: np.ndarray  # object: mobility kind
    key: np.ndarray  # uint64
    home_lat_deg: np.ndarray
    home_lon_deg: np.ndarray
    home_country: np.ndarray  # object, canonical alpha-2 or ""
    placed_country: np.ndarray  # object: the country of the placement ("" at sea)
    zone_lat_deg: np.ndarray  # after an adversary move; = home otherwise
    zone_lon_deg: np.ndarray
    dest_lat_deg: np.ndarray  # aviation: the other airport
    dest_lon_deg: np.ndarray
    lane: np.ndarray  # object: maritime lane name
    plan: np.ndarray  # object
    whitelisted_from_ns: np.ndarray  # NEVER when never verified
    on_from_ns: np.ndarray  # when each terminal is switched on (ALWAYS: from the start)
    sponsor_of: np.ndarray  # int64 (n, n_sponsorships): 1 where that agreement covers it

    def __len__(self) -> int:
        return int(self.terminal_id.size)

    @classmethod
    def build(cls, groups: Sequence[GroupSpec], sponsorships: Sequence[Sponsorship] = (),
              seed: int = 0) -> Fleet:
        ids = [g.id for g in groups]
        if len(set(ids)) != len(ids):
            dup = next(i for i in ids if ids.count(i) > 1)
            raise InputError(f"group {dup!r} is defined twice", "groups")
        for s in sponsorships:
            for g in s.groups:
                if g not in ids:
                    raise InputError(f"sponsor {s.sponsor!r} pays for unknown group {g!r}; "
                                     f"groups: {', '.join(ids)}", "sponsors")
        parts = [_draw_group(k, g, seed) for k, g in enumerate(groups)]
        cols = {name: np.concatenate([p[name] for p in parts]) if parts else np.zeros(0)
                for name in (parts[0] if parts else {})}
        n = len(cols.get("key", ()))
        cover = np.zeros((n, len(sponsorships)), dtype=bool)
        for j, s in enumerate(sponsorships):
            members = np.isin(cols["group"], [ids.index(g) for g in s.groups])
            cover[:, j] = members & (uniform(cols["key"], 0, 300 + j) < s.share)
        return cls(groups=tuple(groups), sponsorships=tuple(sponsorships),
                   sponsor_of=cover, **cols)

    # -- state at instants ------------------------------------------------------------------

    def on_mask(self, time_ns: np.ndarray, terminal: np.ndarray) -> np.ndarray:
        """Whether each ``(instant, terminal)`` row is switched on."""
        end = np.array([x.active_until_ns for x in self.groups], dtype=np.int64)
        return (time_ns >= self.on_from_ns[terminal]) & (time_ns < end[self.group[terminal]])

    def at(self, times_ns: np.ndarray, terminals: np.ndarray | None = None) -> FleetState:
        """State of the terminals switched on at each of ``times_ns`` (int64 ns)."""
        times_ns = np.asarray(times_ns, dtype=np.int64).ravel()
        pool = np.arange(len(self)) if terminals is None else np.asarray(terminals, np.int64)
        inst = np.repeat(np.arange(times_ns.size), pool.size)
        term = np.tile(pool, times_ns.size)
        t = times_ns[inst]
        on = self.on_mask(t, term)
        inst, term, t = inst[on], term[on], t[on]
        m = self._motion(term, t)
        return FleetState(instant=inst, terminal=term, time_ns=t, lat_deg=m.lat_deg,
                          lon_deg=m.lon_deg, alt_m=m.alt_m, speed_kmh=m.speed_kmh,
                          heading_deg=m.heading_deg, height_agl_m=m.height_agl_m,
                          funded=self.funded(term, t),
                          whitelisted=self.whitelisted_at(term, t, m.lat_deg, m.lon_deg),
                          roaming_days=self.roaming_days(term, t))

    def _motion(self, term: np.ndarray, t: np.ndarray) -> mobility.Motion:
        n = term.size
        lat, lon = np.empty(n), np.empty(n)
        alt, spd, head, agl = np.zeros(n), np.zeros(n), np.full(n, np.nan), np.zeros(n)
        move_at = np.array([g.move_at_ns for g in self.groups], dtype=np.int64)[self.group[term]]
        convoy = np.array([g.convoy_speed_kmh for g in self.groups])[self.group[term]]
        o_lat, o_lon = self.home_lat_deg[term], self.home_lon_deg[term]
        z_lat, z_lon = self.zone_lat_deg[term], self.zone_lon_deg[term]
        trip_s = great_circle_km(o_lat, o_lon, z_lat, z_lon) / convoy * 3600.0
        since_s = (t - move_at) / 1e9  # move_at is NEVER for groups that stay
        moving = (t >= move_at) & (since_s < trip_s)
        arrived = (t >= move_at) & ~moving
        base_lat, base_lon = np.where(arrived, z_lat, o_lat), np.where(arrived, z_lon, o_lon)
        # One model call per (group, kind): rows sorted by that code, taken slice by slice.
        codes = self._mode[term]
        still = np.flatnonzero(~moving)
        order = still[np.argsort(codes[still], kind="stable")]
        for rows in np.split(order, np.flatnonzero(np.diff(codes[order])) + 1):
            if not rows.size:
                continue
            g_index, k = divmod(int(codes[rows[0]]), len(_KINDS))
            group, tr = self.groups[g_index], term[rows]
            m = locate(_KINDS[k], self.key[tr], base_lat[rows], base_lon[rows],
                       t[rows], group.params, lane=self.lane[tr], lanes=group.lanes or None,
                       dest_lat_deg=self.dest_lat_deg[tr], dest_lon_deg=self.dest_lon_deg[tr])
            lat[rows], lon[rows], alt[rows] = m.lat_deg, m.lon_deg, m.alt_m
            spd[rows], head[rows], agl[rows] = m.speed_kmh, m.heading_deg, m.height_agl_m
        rows = np.flatnonzero(moving)
        if rows.size:
            f = since_s[rows] / np.maximum(trip_s[rows], 1.0)
            lat[rows], lon[rows] = along_great_circle_deg(o_lat[rows], o_lon[rows], z_lat[rows],
                                                          z_lon[rows], f)
            spd[rows] = convoy[rows]
            head[rows] = initial_bearing_deg(lat[rows], lon[rows], z_lat[rows], z_lon[rows])
            alt[rows] = above_sea_level_m(lat[rows], lon[rows], 0.0)  # on the road
        return mobility.Motion(lat, lon, alt, spd, head, agl)

    @cached_property
    def _mode(self) -> np.ndarray:
        """``group * len(KINDS) + kind`` per terminal: which model moves it."""
        kind = np.array([_KINDS.index(k) for k in self.kind.tolist()], dtype=np.int64)
        return self.group * len(_KINDS) + kind

    @cached_property
    def profiles(self) -> tuple[np.ndarray, np.ndarray]:
        """``(plan and home country of each distinct pair (2, P), pair index per terminal)``:
        what a policy needs to know of a terminal besides its state."""
        pairs, of = np.unique(np.stack([self.plan.astype(str), self.home_country.astype(str)]),
                              axis=1, return_inverse=True)
        return pairs, of.ravel()

    @cached_property
    def _regions(self) -> Regions:
        return Regions()

    def funded(self, term: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Terminals under no sponsorship pay for themselves (funded); the others are funded
        while one of their agreements covers the instant."""
        if not self.sponsorships:
            return np.ones(term.size, dtype=bool)
        cover = self.sponsor_of[term]
        start = np.array([s.from_ns for s in self.sponsorships], dtype=np.int64)
        end = np.array([s.until_ns for s in self.sponsorships], dtype=np.int64)
        live = (t[:, None] >= start[None, :]) & (t[:, None] < end[None, :])
        return ~cover.any(axis=1) | (cover & live).any(axis=1)

    def whitelisted_at(self, term, t, lat_deg, lon_deg) -> np.ndarray:
        """Verified by the instant, and inside one of the group's whitelist regions."""
        ok = t >= self.whitelisted_from_ns[term]
        for g_index, group in enumerate(self.groups):
            if not group.whitelist_regions:
                continue
            rows = np.flatnonzero(ok & (self.group[term] == g_index))
            inside = np.zeros(rows.size, dtype=bool)
            for ref in group.whitelist_regions:
                inside |= self._regions.inside(ref, lat_deg[rows], lon_deg[rows])
            ok[rows] = inside
        return ok

    def roaming_days(self, term: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Days since the group became active, for terminals placed outside their home
        country (0 for the others)."""
        start = np.array([g.active_from_ns for g in self.groups], dtype=np.int64)[self.group[term]]
        abroad = (self.home_country[term] != "") & (self.home_country[term]
                                                     != self.placed_country[term])
        days = np.where(start == ALWAYS, 0.0, (t - start) / NS_PER_DAY)
        return np.where(abroad, np.maximum(days, 0.0), 0.0)

    def facts(self, at_ns: int) -> TerminalFacts:
        """`TerminalFacts` as the operator's registry holds them at ``at_ns``: plan, home
        country, funding and the whitelist verifications made by then."""
        term = np.arange(len(self))
        funded = self.funded(term, np.full(term.size, at_ns, dtype=np.int64))
        verified = self.whitelisted_from_ns <= at_ns
        regional = np.array([bool(self.groups[g].whitelist_regions) for g in
                             self.group.tolist()], dtype=bool)
        whitelist = [(self.terminal_id[k], r, None, None)
                     for k in np.flatnonzero(verified & regional).tolist()
                     for r in self.groups[self.group[k]].whitelist_regions]
        return TerminalFacts.from_arrays(
            self.terminal_id, plan=self.plan, home_country=self.home_country, funded=funded,
            whitelisted=verified & ~regional, whitelist=whitelist, source="scenario fleet")

    def facts_table(self, at_ns: int) -> dict[str, np.ndarray]:
        """The same facts as columns of a terminal facts file (`read_terminal_facts`)."""
        verified = self.whitelisted_from_ns <= at_ns
        whitelisted = np.array([
            (";".join(self.groups[g].whitelist_regions) or "true") if ok else "false"
            for g, ok in zip(self.group.tolist(), verified.tolist(), strict=True)],
            dtype=object)
        term = np.arange(len(self))
        return {"terminal_id": self.terminal_id, "plan": self.plan,
                "home_country": self.home_country,
                "funded": self.funded(term, np.full(term.size, at_ns, dtype=np.int64)),
                "whitelisted": whitelisted}

    def group_of(self, term: np.ndarray) -> np.ndarray:
        """Group id of each terminal row (object array)."""
        return np.array([g.id for g in self.groups], dtype=object)[self.group[term]]


# -- drawing a group ------------------------------------------------------------------------

def _draw_group(g_index: int, g: GroupSpec, seed: int) -> dict[str, np.ndarray]:
    where = f"groups.{g.id}"
    if g.n < 0:
        raise InputError(f"n must be >= 0, got {g.n}", f"{where}.n")
    keys = terminal_keys(seed, g.id, g.n)
    rng = np.random.default_rng(np.array([seed & 0xFFFFFFFF, g_index, len(g.id)],
                                         dtype=np.uint64))
    kinds = _kinds(g, where)
    lanes = {**mobility.LANES, **g.lanes}
    lat, lon, country, lane = _place(g.place, g.n, rng, keys, lanes, f"{where}.place")
    dest_lat, dest_lon = lat.copy(), lon.copy()
    if MobilityKind.AVIATION in kinds.tolist():
        dest_lat, dest_lon = _destinations(lat, lon, keys)
    z_lat, z_lon = lat.copy(), lon.copy()
    if g.move_to is not None:
        z_lat, z_lon, _, _ = _place(g.move_to, g.n, rng, keys, lanes, f"{where}.move_to")
    verified = uniform(keys, 0, 200) < g.whitelisted_share
    on_from = np.full(g.n, max(g.active_from_ns, g.switch_on_ns), dtype=np.int64)
    if g.switch_on_spread_s > 0:
        if g.n and on_from[0] == ALWAYS:
            raise InputError("a switch-on spread needs a start (from or switch_on)",
                             f"{where}.switch_on_spread")
        on_from += (uniform(keys, 0, 201) * g.switch_on_spread_s * 1e9).astype(np.int64)
    home = np.full(g.n, _canonical(g.home_country, f"{where}.home_country"), dtype=object) \
        if g.home_country else country.copy()
    return {
        "terminal_id": np.array([f"{g.id}-{i:05d}" for i in range(g.n)], dtype=object),
        "group": np.full(g.n, g_index, dtype=np.int64),
        "kind": kinds, "key": keys, "home_lat_deg": lat, "home_lon_deg": lon,
        "home_country": home, "placed_country": country, "zone_lat_deg": z_lat,
        "zone_lon_deg": z_lon, "dest_lat_deg": dest_lat, "dest_lon_deg": dest_lon,
        "lane": lane, "plan": np.full(g.n, g.plan, dtype=object),
        "whitelisted_from_ns": np.where(verified, g.whitelisted_from_ns, NEVER).astype(np.int64),
        "on_from_ns": on_from,
    }


def _kinds(g: GroupSpec, where: str) -> np.ndarray:
    """Mobility kind per terminal, by share (largest remainder), in a fixed order."""
    names = [MobilityKind.parse(k, f"{where}.mobility").value for k, _ in g.mobility]
    shares = np.array([s for _, s in g.mobility], dtype=np.float64)
    if (shares < 0).any() or not np.isclose(shares.sum(), 1.0, atol=1e-6):
        raise InputError(f"shares must be >= 0 and add up to 1, got {shares.sum():g}",
                         f"{where}.mobility")
    raw = shares * g.n
    counts = np.floor(raw).astype(np.int64)
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[: g.n - counts.sum()]] += 1
    return np.repeat(np.array(names, dtype=object), counts)


def _place(p: Placement, n: int, rng, keys, lanes, where: str):
    """``(lat, lon, country, lane)`` of ``n`` terminals."""
    lane = np.full(n, "", dtype=object)
    if p.kind == "cities":
        try:
            lat, lon, _ = place_at_cities(n, rng, list(p.countries) or None, p.spread_km)
            # Terminals of coastal towns scattered into the sea are drawn again (a few
            # times; the rest are put back on land at a smaller spread).
            for spread in (p.spread_km, p.spread_km, p.spread_km / 4, 0.0):
                wet = np.flatnonzero(country_labels(lat, lon, waters_km=0) == "")
                if not wet.size:
                    break
                lat[wet], lon[wet], _ = place_at_cities(wet.size, rng, list(p.countries)
                                                        or None, spread)
        except InputError as exc:
            raise InputError(exc.what, where) from None
    elif p.kind == "near":
        lat, lon = _uniform_in_disc(p, n, rng)
        for _ in range(50):  # terminals on land only: draw the ones at sea again
            wet = np.flatnonzero(country_labels(lat, lon, waters_km=0) == "")
            if not wet.size:
                break
            lat[wet], lon[wet] = _uniform_in_disc(p, wet.size, rng)
        else:
            raise InputError(f"too little land within {p.radius_km:g} km of {p.lat_deg}, "
                             f"{p.lon_deg} to place terminals on", where)
    elif p.kind == "region":
        lat, lon = _uniform_in_region(p.region, n, rng, where)
    elif p.kind == "lanes":
        unknown = [name for name in p.lanes if name not in lanes]
        if unknown or not p.lanes:
            raise InputError(f"unknown sea lane(s) {unknown or '(none given)'}; known: "
                             f"{', '.join(sorted(lanes))}", where)
        lane = np.array(p.lanes, dtype=object)[np.arange(n) % len(p.lanes)]
        lat = np.array([lanes[name][0][0] for name in lane.tolist()], dtype=np.float64)
        lon = np.array([lanes[name][0][1] for name in lane.tolist()], dtype=np.float64)
    elif p.kind == "airports":
        ports = _airports(p.countries, where)
        pick = rng.choice(len(ports), size=n, p=ports[:, 2] / ports[:, 2].sum())
        lat, lon = ports[pick, 0].copy(), ports[pick, 1].copy()
    else:
        raise InputError(f"unknown placement {p.kind!r}; expected cities, region, near, lanes "
                         "or airports", where)
    return lat, lon, country_labels(lat, lon), lane


def _uniform_in_disc(p: Placement, n: int, rng) -> tuple[np.ndarray, np.ndarray]:
    r = p.radius_km * np.sqrt(rng.random(n))  # uniform in area
    return destination_deg(np.full(n, p.lat_deg), np.full(n, p.lon_deg),
                           rng.random(n) * 360.0, r)


def _uniform_in_region(ref: str, n: int, rng, where: str):
    region = resolve_region(ref, where=where)
    west, south, east, north = region.as_geometry().bounds
    if east - west > 180.0:
        raise InputError(f"region {ref!r} spans more than 180° of longitude: place terminals "
                         "at its cities or around points instead", where)
    lat, lon = np.empty(0), np.empty(0)
    s0, s1 = np.sin(np.deg2rad(south)), np.sin(np.deg2rad(north))
    for _ in range(200):  # rejection sampling, uniform in area (uniform in sin(latitude))
        if lat.size >= n:
            break
        m = max(64, 2 * (n - lat.size))
        la = np.rad2deg(np.arcsin(s0 + rng.random(m) * (s1 - s0)))
        lo = west + rng.random(m) * (east - west)
        keep = region.contains(la, lo)
        lat, lon = np.concatenate([lat, la[keep]]), np.concatenate([lon, lo[keep]])
    if lat.size < n:
        raise InputError(f"region {ref!r} is too small to place terminals in", where)
    return lat[:n], lon[:n]


def _airports(countries: tuple[str, ...], where: str) -> np.ndarray:
    """``(lat, lon, weight)`` of the 30 largest towns of the countries, as airports."""
    cities = world_cities()
    mask = np.isin(cities.country.astype(str), [c.upper() for c in countries]) if countries \
        else np.ones(len(cities), dtype=bool)
    idx = np.flatnonzero(mask)
    if not idx.size:
        raise InputError(f"no towns in countries {list(countries)}", where)
    idx = idx[np.argsort(-cities.population[idx], kind="stable")[:30]]
    return np.stack([cities.lat_deg[idx], cities.lon_deg[idx],
                     cities.population[idx].astype(np.float64)], axis=1)


def _destinations(lat, lon, keys) -> tuple[np.ndarray, np.ndarray]:
    """The other airport of each aircraft: one of the 100 largest towns of the world between
    300 and 4,000 km away (else the one nearest to 1,000 km), picked by the terminal's key."""
    cities = world_cities()
    idx = np.argsort(-cities.population, kind="stable")[:100]
    c_lat, c_lon = cities.lat_deg[idx], cities.lon_deg[idx]
    d_lat, d_lon = np.full(lat.size, np.nan), np.full(lat.size, np.nan)
    for k in range(lat.size):
        d = great_circle_km(lat[k], lon[k], c_lat, c_lon)
        ok = np.flatnonzero((d >= 300.0) & (d <= 4000.0))
        if not ok.size:
            ok = np.array([int(np.argmin(np.abs(d - 1000.0)))])
        j = ok[int(uniform(keys[k:k + 1], 0, 400)[0] * ok.size)]
        d_lat[k], d_lon[k] = c_lat[j], c_lon[j]
    return d_lat, d_lon


def _canonical(code: str, where: str) -> str:
    region = resolve_region(code, where=where)
    if region.kind != "country":
        raise InputError(f"{code!r} is not a country", where)
    return region.ref
