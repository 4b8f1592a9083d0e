"""Unauthorized-use detection over terminal telemetry: `detect` runs the detectors over a
`Telemetry` (sorted by terminal and time) and returns `Incidents`: kind, terminal, start, end
and the evidence in plain words. May import the rest of `leonet.control` (policies, regions,
the registry's terminal facts, telemetry), `leonet.physics` and `leonet.errors`; never
`regional`, `scenario`, `reporting`, `server`, `commands` or the CLI.

Kinds:

* ``denied_region``: used where the policy grants no service (a region denied or never
  activated);
* ``speed_limit``: faster than a policy rule or the plan allows;
* ``altitude_limit``: higher above ground than a policy rule allows (only where a rule limits
  altitude; height above ground from the report or from the terrain, see `heights`);
* ``drone_like``: a flight at drones' speeds and heights, on a plan that is not for aircraft
  (airliners, helicopters and light aircraft fly faster or higher, see `airborne`);
* ``impossible_travel``: two consecutive reports no travel can link;
* ``roaming_limit``: a stay abroad longer than allowed;
* ``not_whitelisted``: an unverified terminal where the policy requires verification;
* ``cloned_identity``: one terminal in two far places at once;
* ``cluster``: many terminals appearing together (along a contact line).

>>> from leonet.control.policy import Policy
>>> from leonet.control.telemetry import telemetry_from_arrays
>>> policy = Policy.from_text('''
... version = "v1"
... default = "deny"
... [[rules]]
... id = "ua-activated"
... effect = "allow"
... regions = ["UA"]
... [[rules]]
... id = "crimea-not-activated"
... effect = "deny"
... regions = ["crimea"]
... ''')
>>> tel, _ = telemetry_from_arrays(
...     ["UT-1"] * 3 + ["UT-2"] * 2,
...     ["2026-02-03T10:00:00Z", "2026-02-03T10:10:00Z", "2026-02-03T10:20:00Z",
...      "2026-02-03T10:00:00Z", "2026-02-03T10:05:00Z"],
...     [44.95, 44.95, 44.95, 50.45, 59.94], [34.10, 34.10, 34.10, 30.52, 30.31],
...     [0] * 5, [0] * 5, now="2026-02-04T00:00:00Z")
>>> found = detect(tel, policy, kinds=["denied_region", "impossible_travel"])
>>> found.terminal_id.tolist(), found.kind.tolist()
(['UT-1', 'UT-2', 'UT-2'], ['denied_region', 'impossible_travel', 'denied_region'])
>>> for i in range(len(found)):
...     print(found.evidence[i])
3 reports where rule 'crimea-not-activated' denies service (in crimea); first at
  44.9500°N 34.1000°E (Ukraine (UA)) on 2026-02-03T10:00:00Z, last on 2026-02-03T10:20:00Z
moved 1,055 km from 50.4500°N 30.5200°E at 2026-02-03T10:00:00Z to 59.9400°N 30.3100°E at
  2026-02-03T10:05:00Z, in 5 min: 12,664 km/h, where nothing travels faster than 1,300 km/h
1 report where no rule of policy 'v1' allows service (default: deny); first at
  59.9400°N 30.3100°E (Russia (RU)) on 2026-02-03T10:05:00Z
"""

from __future__ import annotations

from collections.abc import Iterable

from leonet.control.detect import clusters
from leonet.control.detect.config import KINDS, POLICY_KINDS, DetectConfig
from leonet.control.detect.context import Context
from leonet.control.detect.facts import TerminalFacts, read_terminal_facts
from leonet.control.detect.incidents import IncidentLog, Incidents
from leonet.control.detect.per_terminal import run_detectors
from leonet.control.telemetry import Telemetry
from leonet.errors import InputError, did_you_mean

__all__ = ["KINDS", "DetectConfig", "Incidents", "TerminalFacts", "detect",
           "read_terminal_facts"]


def detect(telemetry: Telemetry, policy=None, *, terminals: TerminalFacts | None = None,
           config: DetectConfig | None = None, kinds: Iterable[str] | None = None,
           client=None, n_shards: int | None = None) -> Incidents:
    """Run the detectors named in ``kinds`` (default: every kind the inputs allow) over
    ``telemetry``; ``policy`` (a `Policy`) is needed for ``denied_region`` and
    ``not_whitelisted`` and adds its limits to the others; ``terminals`` gives plans, home
    countries, whitelist verifications and roaming allowances.

    With ``client`` (a `distributed.Client`), the terminals are split into ``n_shards``
    shards by a CRC-32 of their id (default: 4 per worker) and the run goes to the cluster
    (`leonet.control.detect.sharded`): the same incidents and notes."""
    config = config or DetectConfig()
    chosen = _kinds(kinds, policy)
    log = IncidentLog()
    if policy is None:
        skipped = [k for k in POLICY_KINDS if kinds is None]
        if skipped:
            log.note(f"no policy given: {', '.join(skipped)} not checked")
    if not len(telemetry):
        return log.freeze()
    if client is not None:
        # Dask is an optional extra: its modules are imported only when a client is given.
        from leonet.control.detect.sharded import detect_sharded

        log.absorb(detect_sharded(telemetry, policy, terminals, config, chosen, client,
                                  n_shards))
        return log.freeze()
    ctx = Context(telemetry, policy, terminals, config, log)
    run_detectors(ctx, [k for k in chosen if k != "cluster"])
    if "cluster" in chosen:
        clusters.cluster(ctx)
    return log.freeze()


def _kinds(kinds, policy) -> tuple[str, ...]:
    if kinds is None:
        return tuple(k for k in KINDS if policy is not None or k not in POLICY_KINDS)
    if isinstance(kinds, str):
        kinds = [k.strip() for k in kinds.split(",") if k.strip()]
    out = []
    for k in kinds:
        if k not in KINDS:
            hint = did_you_mean(k, KINDS, prefix_first=True,
                                otherwise=f"; kinds: {', '.join(KINDS)}")
            raise InputError(f"unknown detector {k!r}{hint}", "kinds")
        if k in POLICY_KINDS and policy is None:
            raise InputError(f"{k} needs a policy (--policy FILE)", "kinds")
        out.append(k)
    if not out:
        raise InputError("no detector chosen", "kinds")
    return tuple(dict.fromkeys(out))
