"""The scenario's terminals, incidents, suspensions and events for the dashboard, read from
the scenario's own replay (`leonet.scenario.run`, what `leonet scenario run` writes its tables
from; the per-terminal decisions it does not write are the same replay's): nothing is decided
a second way.

The replay takes seconds, so it runs on the first request that needs it, not before the
dashboard's first page.
"""

from __future__ import annotations

import shlex
import threading
from dataclasses import dataclass

import numpy as np

from leonet.errors import InputError
from leonet.physics.timegrid import iso_utc
from leonet.reporting.scenario_data import ServedByRegion, served_by_region
from leonet.scenario.results import ScenarioResult
from leonet.scenario.run import SUSPENDED, policy_index_at, run
from leonet.scenario.spec import Scenario

NEVER = np.iinfo(np.int64).max
# Columns of `terminals_at`'s float32 rows; terminal and group indices and rule codes stay
# exact in float32 up to 2^24.
TERMINAL_COLUMNS = ("lon_deg", "lat_deg", "terminal", "group", "rule")
MAX_INCIDENTS = 10_000


class UnknownTerminal(InputError):
    """A terminal id the scenario does not have, or one not switched on at the instant."""


@dataclass(frozen=True)
class TerminalExplanation:
    """Why a terminal is served or not at an instant: ``text`` is what ``command`` prints
    (`leonet policy explain` with the terminal's state), after a line on its suspension."""

    terminal_id: str
    group: str
    time: str
    allowed: bool
    rule: str
    text: str
    command: str
    suspended_from: str


class ScenarioReplay:
    """``scn`` replayed once, on first use, whichever thread asks first."""

    def __init__(self, scn: Scenario) -> None:
        self.scenario = scn
        self._lock = threading.Lock()
        self._result: ScenarioResult | None = None

    @property
    def result(self) -> ScenarioResult:
        with self._lock:
            if self._result is None:
                self._result = run(self.scenario)
            return self._result

    @property
    def ready(self) -> bool:
        return self._result is not None

    def instant_at(self, t_ns: int) -> int:
        """Index of the last timeline instant at or before ``t_ns`` (-1: before the first)."""
        return int(np.searchsorted(self.result.timeline_ns, t_ns, side="right")) - 1

    def terminals_at(self, t_ns: int, rule_names: tuple[str, ...]) -> np.ndarray:
        """float32 ``(n, 5)`` rows `TERMINAL_COLUMNS` of the terminals switched on at the
        timeline instant in force at ``t_ns``; ``rule`` indexes ``rule_names``."""
        d = self.result.timeline
        rows = np.flatnonzero(d.state.instant == self.instant_at(t_ns))
        index = {name: i for i, name in enumerate(rule_names)}
        rule = np.array([index[str(r)] for r in d.rule[rows]], dtype=np.float32)
        term = d.state.terminal[rows]
        return np.column_stack([d.state.lon_deg[rows], d.state.lat_deg[rows], term,
                                self.result.fleet.group[term], rule]).astype(np.float32)

    def explain(self, terminal_id: str, t_ns: int) -> TerminalExplanation:
        """`leonet policy explain` for ``terminal_id`` as it stands at the timeline instant
        in force at ``t_ns`` (its place, height, speed, plan, whitelisting, funding)."""
        res = self.result
        ids = res.fleet.terminal_id
        hit = np.flatnonzero(ids == terminal_id)
        if hit.size == 0:
            raise UnknownTerminal(f"no terminal {terminal_id!r} in scenario "
                                  f"{res.scenario.name} (ids like {ids[0]!r})", "terminal")
        term = int(hit[0])
        k = self.instant_at(t_ns)
        d = res.timeline
        row = np.flatnonzero((d.state.instant == k) & (d.state.terminal == term))
        if row.size == 0:
            raise UnknownTerminal(f"terminal {terminal_id!r} is not switched on at "
                                  f"{iso_utc(t_ns, 's')}", "terminal")
        i = int(row[0])
        s = d.state
        when = iso_utc(int(s.time_ns[i]), "s")
        suspended = int(res.suspended_from_ns[term])
        rule = str(d.rule[i])
        policy_k = int(policy_index_at(res.scenario, s.time_ns[i:i + 1])[0])
        lines = []
        if rule == SUSPENDED:
            lines.append(f"Suspended since {iso_utc(suspended, 's')} for its incidents; "
                         "without the suspension:")
        if policy_k < 0:
            lines.append(f"No policy is in force at {when}.")
            command = ""
        else:
            step = res.scenario.policies[policy_k]
            plan = str(res.fleet.plan[term])
            home = str(res.fleet.home_country[term])
            # Plans the policy does not list count as none, as in the replay's decisions.
            a = ExplainArgs(float(s.lat_deg[i]), float(s.lon_deg[i]), when,
                            float(s.height_agl_m[i]), float(s.speed_kmh[i]),
                            bool(s.whitelisted[i]), plan if plan in step.policy.plans else None,
                            home or None, float(s.roaming_days[i]), bool(s.funded[i]))
            dec = step.policy.decide(lat_deg=a.lat_deg, lon_deg=a.lon_deg, alt_m=a.alt_m,
                                     speed_kmh=a.speed_kmh, time=a.time,
                                     whitelisted=a.whitelisted, plan=a.plan,
                                     home_country=a.home_country,
                                     roaming_days=a.roaming_days, funded=a.funded)
            lines.append(dec.explain(0))
            command = a.command(str(step.path))
        return TerminalExplanation(
            terminal_id, str(res.fleet.group_of(np.array([term]))[0]), when,
            bool(d.allowed[i]), rule, "\n".join(lines), command,
            "" if suspended == NEVER else iso_utc(suspended, "s"))

    def served(self) -> ServedByRegion:
        """Terminals switched on and allowed per timeline instant and region (the report's)."""
        return served_by_region(self.result)


@dataclass(frozen=True)
class ExplainArgs:
    """A terminal's state as `leonet policy explain` takes it (``alt_m``: height above the
    ground, what policies limit)."""

    lat_deg: float
    lon_deg: float
    time: str
    alt_m: float
    speed_kmh: float
    whitelisted: bool
    plan: str | None
    home_country: str | None
    roaming_days: float
    funded: bool

    def command(self, policy_file: str) -> str:
        """The `leonet policy explain` command line that prints the same text (floats by
        their repr, so the command decides on the very same numbers)."""
        words = ["leonet", "policy", "explain", "--policy", policy_file,
                 "--lat", repr(self.lat_deg), "--lon", repr(self.lon_deg), "--time", self.time,
                 "--alt-m", repr(self.alt_m), "--speed-kmh", repr(self.speed_kmh),
                 "--roaming-days", repr(self.roaming_days)]
        if self.whitelisted:
            words.append("--whitelisted")
        if self.plan is not None:
            words += ["--plan", self.plan]
        if self.home_country is not None:
            words += ["--home-country", self.home_country]
        if not self.funded:
            words.append("--unfunded")
        return shlex.join(words)
