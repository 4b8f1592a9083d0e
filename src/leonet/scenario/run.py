"""Replaying a scenario: the fleet decided along the timeline, event by event, with telemetry
simulated in the detection windows, incidents found, terminals suspended, and the coverage
and latency of the affected areas.

Everything is computed in arrays and returned as a `ScenarioResult`; `leonet.reporting.scenario`
turns it into files. Nothing here reads a clock: the same scenario and seed give the same
result, bit for bit.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np

from leonet.control.detect import Incidents, detect
from leonet.control.fleet import NEVER, Fleet, FleetState
from leonet.control.labels import country_labels, region_labels
from leonet.control.policy import Coded, Policy
from leonet.control.policy.diff import PolicyDiff
from leonet.control.regions import resolve_region
from leonet.control.telemetry import telemetry_from_arrays
from leonet.distributed.routes import routes
from leonet.physics.ground import concat_points, place
from leonet.physics.network import Network
from leonet.physics.orbits.constellation import Constellation
from leonet.physics.timegrid import TimeGrid, iso_utc
from leonet.regional.cells import region_cells
from leonet.regional.coverage import region_coverage, summarise
from leonet.scenario.results import (
    CoverageRun,
    Decided,
    Event,
    LatencyRoute,
    LatencyRun,
    PolicyChange,
    ScenarioResult,
    WindowResult,
)
from leonet.scenario.spec import Scenario, Window

NO_POLICY = "no-policy-in-force"
SUSPENDED = "suspended"
# Deciding "rules" that are not rules of a policy document.
NOT_RULES = frozenset({NO_POLICY, SUSPENDED, "default"})


def run(scn: Scenario, progress: Callable[[str], None] = lambda _msg: None, *,
        client=None) -> ScenarioResult:
    """Replay ``scn`` (see the module docstring). With ``client`` (a `distributed.Client`),
    detection, coverage and latency run on its cluster, with the same results."""
    progress(f"scenario {scn.name}: drawing {sum(g.n for g in scn.groups):,} terminals")
    policies = [step.policy for step in scn.policies]
    fleet = Fleet.build(scn.groups, scn.sponsorships, scn.seed)
    suspended = np.full(len(fleet), NEVER, dtype=np.int64)
    windows = []
    if scn.detection is not None:
        for w in scn.detection.windows:
            progress(f"scenario {scn.name}: telemetry and detection, {w.name}")
            windows.append(_window(scn, policies, fleet, w, suspended, client))
    timeline_ns = scn.timeline_ns
    progress(f"scenario {scn.name}: {len(timeline_ns)} timeline instants")
    timeline = decide(scn, policies, fleet, fleet.at(timeline_ns), suspended)
    changes = []
    for k, step in enumerate(scn.policies):
        snap = fleet.at(np.array([step.snapshot_ns]))
        before = decide(scn, policies, fleet, snap, suspended, policy_index=k - 1)
        after = decide(scn, policies, fleet, snap, suspended, policy_index=k)
        diff = PolicyDiff(
            version_a=policies[k - 1].version if k else NO_POLICY, version_b=policies[k].version,
            terminal_id=fleet.terminal_id[snap.terminal], region=after.region,
            allowed_a=before.allowed, allowed_b=after.allowed, rule_a=before.rule,
            rule_b=after.rule)
        changes.append(PolicyChange(k, step, diff, after))
    sats = coverage = latency = None
    if scn.coverage is not None or scn.latency is not None:
        sats = _constellation(scn)
    if scn.coverage is not None:
        progress(f"scenario {scn.name}: coverage of {', '.join(scn.coverage.regions)}")
        coverage = _coverage(scn, sats, client)
    if scn.latency is not None:
        progress(f"scenario {scn.name}: latency from {', '.join(scn.latency.places)}")
        latency = _latency(scn, sats, client)
    return ScenarioResult(
        scenario=scn, policies=tuple(policies), fleet=fleet, timeline_ns=timeline_ns,
        timeline=timeline, suspended_from_ns=suspended,
        events=events(scn, fleet, changes, windows), policy_changes=tuple(changes),
        windows=tuple(windows), coverage=coverage or (), latency=latency, constellation=sats)


# -- decisions --------------------------------------------------------------------------------

def policy_index_at(scn: Scenario, t_ns: np.ndarray) -> np.ndarray:
    """Index of the policy in force at each instant (-1 before the first)."""
    starts = np.array([p.from_ns for p in scn.policies], dtype=np.int64)
    return np.searchsorted(starts, np.asarray(t_ns, dtype=np.int64), side="right") - 1


def decide(scn: Scenario, policies: list[Policy], fleet: Fleet, state: FleetState,
           suspended_from_ns: np.ndarray, policy_index: int | None = None) -> Decided:
    """Decisions for fleet rows under the policy in force at each row's instant (or the
    policy ``policy_index``; -1 = none), suspended terminals denied."""
    n = len(state)
    which = (policy_index_at(scn, state.time_ns) if policy_index is None
             else np.full(n, policy_index, dtype=np.int64))
    allowed = np.zeros(n, dtype=bool)
    rule = np.full(n, NO_POLICY, dtype=object)
    # Plan and home country are per terminal and take few values: they go to the engine as
    # codes into the fleet's distinct (plan, home country) pairs, no text row by row.
    (plans, homes), profile_of = fleet.profiles
    for k in np.unique(which).tolist():
        if k < 0:
            continue
        rows = np.flatnonzero(which == k) if (which != k).any() else slice(None)
        policy = policies[k]
        codes = profile_of[state.terminal[rows]]
        d = policy.decide(
            # Policies limit the height above ground; the model knows it exactly.
            lat_deg=state.lat_deg[rows], lon_deg=state.lon_deg[rows],
            alt_m=state.height_agl_m[rows],
            speed_kmh=state.speed_kmh[rows], time=state.time_ns[rows].view("datetime64[ns]"),
            whitelisted=state.whitelisted[rows], roaming_days=state.roaming_days[rows],
            funded=state.funded[rows], home_country=Coded(codes, tuple(homes.tolist())),
            # Plans the policy does not list count as none: they match no plan list.
            plan=Coded(codes, tuple(p if p in policy.plans else None for p in plans.tolist())))
        allowed[rows] = d.allowed
        rule[rows] = d.rule
    off = state.time_ns >= suspended_from_ns[state.terminal]
    allowed[off] = False
    rule[off] = SUSPENDED
    return Decided(state, allowed, rule, region_labels(state.lat_deg, state.lon_deg,
                                                       roll_up=True))


# -- detection ----------------------------------------------------------------------------

def _window(scn: Scenario, policies: list[Policy], fleet: Fleet, w: Window,
            suspended: np.ndarray, client) -> WindowResult:
    det = scn.detection
    step = round(det.report_every_s * 1e9)
    times = np.arange(w.start_ns, w.end_ns, step, dtype=np.int64)
    state = fleet.at(times)
    state = state.take(np.flatnonzero(state.time_ns < suspended[state.terminal]))
    # What a terminal reports: its GNSS altitude above sea level, no height above ground; the
    # detectors estimate that from the terrain, as they do for real telemetry.
    tel, issues = telemetry_from_arrays(
        fleet.terminal_id[state.terminal], state.time_ns.view("datetime64[ns]"),
        state.lat_deg, state.lon_deg, state.alt_m, state.speed_kmh, state.heading_deg,
        now=np.datetime64(int(w.end_ns), "ns"), source=f"window {w.name}")
    facts = fleet.facts(w.start_ns)
    found = []
    starts = np.array([p.from_ns for p in scn.policies], dtype=np.int64)
    cuts = [w.start_ns, *starts[(starts > w.start_ns) & (starts < w.end_ns)].tolist(), w.end_ns]
    t_ns = tel.time.view(np.int64)
    for a, b in itertools.pairwise(cuts):
        k = int(policy_index_at(scn, np.array([a]))[0])
        rows = np.flatnonzero((t_ns >= a) & (t_ns < b))
        if not rows.size:
            continue
        part = tel.take(rows) if rows.size < len(tel) else tel
        kinds = det.kinds
        if k < 0 and kinds is not None:
            kinds = [x for x in kinds if x not in ("denied_region", "not_whitelisted")]
        found.append(detect(part, policies[k] if k >= 0 else None, terminals=facts,
                            config=det.config, kinds=kinds, client=client))
    incidents = Incidents.concat(found)
    n_suspended = 0
    suspended_for: tuple[tuple[str, int], ...] = ()
    if scn.enforcement is not None and len(incidents):
        index = {t: i for i, t in enumerate(fleet.terminal_id.tolist())}
        after = round(scn.enforcement.after_s * 1e9)
        hits = np.isin(incidents.kind, scn.enforcement.suspend_on)
        if scn.enforcement.regions:
            inside = np.zeros(len(incidents), dtype=bool)
            for ref in scn.enforcement.regions:
                inside |= resolve_region(ref).contains(incidents.lat_deg, incidents.lon_deg)
            hits &= inside
        newly: dict[int, set[str]] = {}  # terminal index -> kinds of its suspending incidents
        for i in np.flatnonzero(hits).tolist():
            k = index[incidents.terminal_id[i]]
            when = int(incidents.end[i].astype("datetime64[ns]").view(np.int64)) + after
            if suspended[k] == NEVER or k in newly:
                newly.setdefault(k, set()).add(str(incidents.kind[i]))
            if when < suspended[k]:
                n_suspended += int(suspended[k] == NEVER)
                suspended[k] = when
        suspended_for = tuple((kind, sum(kind in ks for ks in newly.values()))
                              for kind in scn.enforcement.suspend_on
                              if any(kind in ks for ks in newly.values()))
    return WindowResult(w.name, w.start_ns, w.end_ns, tel, len(issues), incidents, n_suspended,
                        suspended_for)


# -- events -------------------------------------------------------------------------------

def events(scn: Scenario, fleet: Fleet, changes: list[PolicyChange],
           windows: list[WindowResult]) -> tuple[Event, ...]:
    """What happened when, in time order: policy changes with their effect, sponsors'
    funding starting and ending, groups arriving, moving and being verified, suspensions."""
    out = []
    for c in changes:
        out.append(Event(c.step.from_ns, "policy", c.step.event,
                         f"{c.step.path.name} (version {c.step.policy.version}) in force"
                         + _why_changed(c), c.step.source, int(c.diff.gained.sum()),
                         int(c.diff.lost.sum())))
    for j, s in enumerate(scn.sponsorships):
        n = int(fleet.sponsor_of[:, j].sum())
        name = scn.sponsor_names.get(s.sponsor, s.sponsor)
        for t, what in ((s.from_ns, "starts paying"), (s.until_ns, "stops paying")):
            if scn.start_ns <= t <= scn.end_ns:
                out.append(Event(t, "funding", f"{name} {what}",
                                 f"for {n:,} terminals of {', '.join(s.groups)}"))
    for g in scn.groups:
        on = max(g.active_from_ns, g.switch_on_ns)
        for t, what in ((on, f"{g.n:,} terminals switched on"),
                        (g.move_at_ns, "moves in convoy into its zone"),
                        (g.active_until_ns, "terminals retired"),
                        (g.whitelisted_from_ns if g.whitelisted_share > 0 else NEVER,
                         f"{g.whitelisted_share:.0%} of the terminals verified for the "
                         "whitelist")):
            if scn.start_ns < t <= scn.end_ns:
                out.append(Event(t, "group", f"group {g.id}", what))
    for w in windows:
        if w.n_suspended:
            out.append(Event(w.end_ns, "enforcement", f"suspensions: window {w.name}",
                             f"{w.n_suspended:,} terminals suspended for their incidents: "
                             + ", ".join(f"{kind} {n:,}" for kind, n in w.suspended_for)
                             + (" (a terminal may have several kinds)"
                                if len(w.suspended_for) > 1 else ""),
                             lost=w.n_suspended))
    return tuple(sorted(out, key=lambda e: (e.time_ns, e.kind, e.name)))


def _why_changed(change: PolicyChange) -> str:
    """Why terminals gained or lost service at a policy change, by the rule that decided
    them before (gains) or after (losses); a rule the new policy no longer has is said so,
    since its terminals gain service only because the rule is gone."""
    rules = {r.id for r in change.step.policy.rules}
    before: dict[str, int] = {}
    for _, rule, _, n in change.diff.gains:
        before[rule] = before.get(rule, 0) + n
    after: dict[str, int] = {}
    for _, _, rule, n in change.diff.losses:
        after[rule] = after.get(rule, 0) + n
    def was(rule: str) -> str:
        if rule == NO_POLICY:
            return "no policy was in force before"
        if rule in NOT_RULES:  # the policy's default, or a suspension
            return f"denied by the {rule} before" if rule == "default" else f"{rule} before"
        return f"denied by '{rule}' before" + (", a rule this policy no longer has"
                                               if rule not in rules else "")

    parts = [f"{n:,} gain: {was(rule)}"
             for rule, n in sorted(before.items(), key=lambda kv: (-kv[1], kv[0]))[:3]]
    parts += [f"{n:,} lose: now denied by '{rule}'"
              for rule, n in sorted(after.items(), key=lambda kv: (-kv[1], kv[0]))[:3]]
    return "; " + "; ".join(parts) if parts else ""


# -- coverage and latency -----------------------------------------------------------------

def _constellation(scn: Scenario) -> Constellation:
    sats = Constellation.load(scn.constellation)
    if scn.alt_km != (None, None):
        sats = sats.filter(alt_km=scn.alt_km)
    return sats


def _grid(start_ns: int, duration_s: float, step_s: float) -> TimeGrid:
    return TimeGrid.range(iso_utc(start_ns, "s"), f"{duration_s}s", f"{step_s}s")


def _coverage(scn: Scenario, sats: Constellation, client) -> tuple[CoverageRun, ...]:
    spec = scn.coverage
    grid = _grid(spec.start_ns, spec.duration_s, spec.step_s)
    out = []
    for ref in spec.regions:
        cells = region_cells(ref, spec.resolution)
        run_ = region_coverage(cells, sats, grid, min_elevation_deg=spec.min_elevation_deg,
                               client=client)
        out.append(CoverageRun(ref, spec.resolution, run_, summarise(cells, run_.coverage)))
    return tuple(out)


def _latency(scn: Scenario, sats: Constellation, client) -> LatencyRun:
    spec = scn.latency
    net = Network.build(sats)
    grid = _grid(spec.start_ns, spec.duration_s, spec.step_s)
    src = concat_points([place(p, min_elevation_deg=scn.min_elevation_deg)
                         for p in spec.places], kind="city")
    country = country_labels(src.lat_deg, src.lon_deg)
    pop = net.pop_of(src, country=np.where(country == "", None, country))
    if spec.to == "pop":
        dst, to_names = net.pops.points[pop], [f"PoP {net.pops.names[i]}" for i in pop]
    else:
        one = place(spec.to, min_elevation_deg=scn.min_elevation_deg)
        dst, to_names = concat_points([one] * len(src), kind="city"), [spec.to] * len(src)
    series = {m: routes(net, src, dst, grid, mode=m, pop=pop, client=client)
              for m in spec.modes}
    pairs = tuple(LatencyRoute.of(s, i, name, to_names[i]) for s in series.values()
                  for i, name in enumerate(spec.places))
    return LatencyRun(tuple(spec.places), tuple(to_names), grid, series, net, pairs)
