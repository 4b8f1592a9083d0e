"""What a replayed scenario holds: typed, frozen results with units in their names.

`leonet.scenario.run` builds a `ScenarioResult` once, at the end of a replay; the report
(`leonet.reporting.scenario`) and every other consumer read these types, never dicts by key.
Times are integer nanoseconds since the Unix epoch, UTC (``*_ns``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from leonet.control.detect import Incidents
from leonet.control.fleet import Fleet, FleetState
from leonet.control.policy import Policy
from leonet.control.policy.diff import PolicyDiff
from leonet.control.telemetry import Telemetry
from leonet.notebook.display import html_summary
from leonet.physics.network import Network
from leonet.physics.orbits.constellation import Constellation
from leonet.physics.route_series import RouteSeries
from leonet.physics.timegrid import TimeGrid, iso_utc
from leonet.regional.cells import CellSet
from leonet.regional.coverage import CoverageSummary, RegionCoverage
from leonet.scenario.spec import PolicyStep, Scenario


@dataclass(frozen=True, eq=False)
class Decided:
    """Fleet rows with their decisions (``rule`` is a rule id, ``default``, ``suspended`` or
    ``no-policy-in-force``) and the region each row is in."""

    state: FleetState
    allowed: np.ndarray
    rule: np.ndarray  # object
    region: np.ndarray  # object: disputed area (rolled up) or country code, "(sea)"

    @cached_property
    def region_codes(self) -> tuple[np.ndarray, np.ndarray]:
        """``(names, index)``: the distinct regions (sorted) and each row's index."""
        names, index = np.unique(self.region.astype(str), return_inverse=True)
        return names, index

    @cached_property
    def rule_codes(self) -> tuple[np.ndarray, np.ndarray]:
        """``(names, index)``: the distinct deciding rules (sorted) and each row's index."""
        names, index = np.unique(self.rule.astype(str), return_inverse=True)
        return names, index


@dataclass(frozen=True, eq=False)
class PolicyChange:
    """A policy coming into force: ``diff`` compares the fleet switched on at its snapshot
    under the policy before (or none) and this one; ``decided`` holds the rows under this
    one. ``index`` is the step's place in the scenario's policies."""

    index: int
    step: PolicyStep
    diff: PolicyDiff
    decided: Decided


@dataclass(frozen=True)
class Event:
    """Something that happened on the timeline. For a policy change, ``gained``/``lost``
    count the terminals switched on at that instant whose decision changed; for
    suspensions, ``lost`` counts the terminals suspended."""

    time_ns: int
    kind: str  # policy, funding, group or enforcement
    name: str
    detail: str
    source: str = ""
    gained: int = 0  # terminals
    lost: int = 0  # terminals


@dataclass(frozen=True, eq=False)
class WindowResult:
    """A detection window: the telemetry the fleet reported, the rows refused when it was
    checked, the incidents found and the terminals suspended for them."""

    name: str
    start_ns: int
    end_ns: int
    telemetry: Telemetry
    n_issues: int  # rows refused by the telemetry checks
    incidents: Incidents
    n_suspended: int  # terminals newly suspended after this window
    # (incident kind, terminals) for the newly suspended terminals: the kinds of the incidents
    # that suspended them, in the enforcement's order (a terminal counts under each of its kinds)
    suspended_for: tuple[tuple[str, int], ...] = ()

    @property
    def n_reports(self) -> int:
        return len(self.telemetry)

    @property
    def n_terminals(self) -> int:
        return len(self.telemetry.terminals)


@dataclass(frozen=True, eq=False)
class CoverageRun:
    """Coverage of one region of the scenario (``region`` as the scenario names it)."""

    region: str
    resolution: int  # H3
    coverage: RegionCoverage
    summary: CoverageSummary

    @property
    def cells(self) -> CellSet:
        return self.coverage.cells


@dataclass(frozen=True)
class LatencyRoute:
    """Figures of one route (from a place to its destination in one mode) over the grid;
    the RTT statistics are over the instants with service, None when there were none, and
    ``no_service`` counts the other instants by reason (`leonet.physics.route_series.REASONS`).
    """

    place: str
    to: str
    mode: str
    availability: float  # share of instants with service, 0..1
    rtt_ms_median: float | None
    rtt_ms_p95: float | None
    path_changes: int
    no_service: tuple[tuple[str, int], ...] = ()  # (reason, instants)

    @classmethod
    def of(cls, series: RouteSeries, pair: int, place: str, to: str) -> LatencyRoute:
        """The figures of pair ``pair`` of ``series`` (`RouteSeries.summary`)."""
        summ = series.summary(pair)
        return cls(place, to, series.mode, float(summ["availability"]),
                   summ.get("rtt_ms_median"), summ.get("rtt_ms_p95"),
                   int(summ["path_changes"]), tuple(summ.get("no_service", {}).items()))


@dataclass(frozen=True, eq=False)
class LatencyRun:
    """RTT from the scenario's places to their destinations (``to[i]`` for ``places[i]``),
    one `RouteSeries` per mode (``series[mode].rtt_ms`` is ``(n_times, n_places)``) on
    ``grid``, over ``network``; ``routes`` in (mode, place) order."""

    places: tuple[str, ...]
    to: tuple[str, ...]
    grid: TimeGrid
    series: dict[str, RouteSeries]
    network: Network
    routes: tuple[LatencyRoute, ...]


@dataclass(frozen=True, eq=False)
class ScenarioResult:
    """A replayed scenario. ``timeline`` decides every terminal switched on at each instant
    of ``timeline_ns``; ``suspended_from_ns[i]`` is when terminal ``i`` was suspended
    (int64 max: never). ``constellation`` is None when the scenario asks for neither
    coverage nor latency."""

    scenario: Scenario
    policies: tuple[Policy, ...]
    fleet: Fleet
    timeline_ns: np.ndarray
    timeline: Decided
    suspended_from_ns: np.ndarray
    events: tuple[Event, ...]
    policy_changes: tuple[PolicyChange, ...]
    windows: tuple[WindowResult, ...]
    coverage: tuple[CoverageRun, ...]
    latency: LatencyRun | None
    constellation: Constellation | None

    @cached_property
    def incidents(self) -> Incidents:
        """The incidents of every window, in window order."""
        return Incidents.concat([w.incidents for w in self.windows])

    def _repr_html_(self) -> str:
        sc = self.scenario
        never = np.iinfo(np.int64).max
        return html_summary(f"Scenario {sc.name}: {sc.title}", [
            ("from", iso_utc(sc.start_ns)), ("to", iso_utc(sc.end_ns)),
            ("policies", ", ".join(p.version for p in self.policies)),
            ("terminals", len(self.fleet)), ("events", len(self.events)),
            ("policy changes", len(self.policy_changes)),
            ("detection windows", len(self.windows)), ("incidents", len(self.incidents)),
            ("terminals suspended", int(np.count_nonzero(self.suspended_from_ns != never))),
            ("coverage runs", len(self.coverage)),
            ("latency run", "yes" if self.latency is not None else "no")])
