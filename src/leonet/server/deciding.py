"""Deciding parsed requests: the active policy, the registry's facts, the engine.

`prepare` checks a request against the registry (policy in force, terminals known to the
caller); `compute` decides several prepared requests in one engine call per policy version
(see `leonet.server.batcher`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from leonet.control.policy import Decisions
from leonet.control.registry import decide as registry_decide
from leonet.control.registry.cache import ActivePolicy
from leonet.control.registry.facts import FactTable, RegionLookup, TerminalFacts
from leonet.control.registry.models import Role
from leonet.server import decision_codec as codec
from leonet.server.deps import Caller
from leonet.server.problems import Problem

_MAX_UNKNOWN_SHOWN = 5


@dataclass(frozen=True)
class Prepared:
    """A parsed request with its policy and the facts of its distinct terminals."""

    active: ActivePolicy
    facts: list[TerminalFacts]
    batch: codec.Batch


@dataclass(frozen=True)
class Decided:
    """One request's answer: per row allowed and rule index into ``labels``."""

    active: ActivePolicy
    allowed: np.ndarray
    rule_index: np.ndarray
    labels: tuple[str, ...]
    decision: Decisions | None  # the engine's, when this request was decided alone


def prepare(caller: Caller, batch: codec.Batch) -> Prepared:
    cache = caller.state.cache
    active = cache.active_policy(caller.seq)
    if active is None:
        raise Problem(409, "no policy version is active: upload one and have an approver "
                           "activate it (POST /v1/policies, then /v1/policies/{id}/activate)")
    known = cache.facts(batch.terminal_ids, caller.seq)
    if caller.actor.role == Role.SPONSOR:
        known = {k: f for k, f in known.items() if f.sponsor_id == caller.actor.sponsor_id}
    unknown = [k for k, t in enumerate(batch.terminal_ids) if t not in known]
    if unknown:
        shown = []
        for k in unknown[:_MAX_UNKNOWN_SHOWN]:
            row = int(np.argmax(batch.codes == k))
            shown.append(f"{batch.terminal_ids[k]!r} (row {row})")
        more = f" and {len(unknown) - len(shown)} more" if len(unknown) > len(shown) else ""
        raise Problem(422, f"unknown terminals: {', '.join(shown)}{more}",
                      unknown_terminals=[batch.terminal_ids[k] for k in unknown[:100]])
    return Prepared(active, [known[t] for t in batch.terminal_ids], batch)


def compute(items: list[Prepared], regions: RegionLookup) -> list[Decided]:
    """Decide several prepared requests in one engine call per policy version."""
    out: list[Decided | None] = [None] * len(items)
    by_policy: dict[int, list[int]] = {}
    for i, item in enumerate(items):
        by_policy.setdefault(item.active.id, []).append(i)
    for indices in by_policy.values():
        group = [items[i] for i in indices]
        offsets = np.cumsum([0] + [len(g.facts) for g in group])
        columns = {name: np.concatenate([g.batch.columns[name] for g in group])
                   for name in ("lat_deg", "lon_deg", "alt_m", "speed_kmh", "roaming_days")}
        outcome = registry_decide.decide(
            group[0].active.policy,
            FactTable.build([f for g in group for f in g.facts]),
            registry_decide.Rows(
                np.concatenate([g.batch.codes + offsets[k] for k, g in enumerate(group)]),
                np.concatenate([g.batch.time_ns for g in group]),
                columns["lat_deg"], columns["lon_deg"], columns["alt_m"],
                columns["speed_kmh"], columns["roaming_days"]),
            regions,
        )
        start = 0
        for i, g in zip(indices, group, strict=True):
            rows = slice(start, start + g.batch.n_rows)
            start += g.batch.n_rows
            out[i] = Decided(g.active, outcome.allowed[rows], outcome.rule_index[rows],
                             outcome.labels, outcome.decision if len(group) == 1 else None)
    return out
