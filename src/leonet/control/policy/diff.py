"""What-if: which terminals gain or lose service between two policies, by region and reason."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from leonet.control.labels import region_labels
from leonet.control.policy.core import Policy
from leonet.control.population import Population, read_points
from leonet.errors import InputError


@dataclass(frozen=True, eq=False)
class PolicyDiff:
    """Per-terminal before/after and the summary tables of a what-if.

    ``region`` labels each terminal by the disputed area it is in, else its country code,
    else ``"(sea)"``. ``gains``/``losses`` rows: ``(region, rule before, rule after, count)``.
    """

    version_a: str
    version_b: str
    terminal_id: np.ndarray
    region: np.ndarray
    allowed_a: np.ndarray
    allowed_b: np.ndarray
    rule_a: np.ndarray
    rule_b: np.ndarray

    @property
    def gained(self) -> np.ndarray:
        return ~self.allowed_a & self.allowed_b

    @property
    def lost(self) -> np.ndarray:
        return self.allowed_a & ~self.allowed_b

    @property
    def reason_changed(self) -> np.ndarray:
        return (self.allowed_a == self.allowed_b) & (self.rule_a != self.rule_b)

    def _table(self, mask: np.ndarray) -> list[tuple[str, str, str, int]]:
        keys = list(zip(self.region[mask].tolist(), self.rule_a[mask].tolist(),
                        self.rule_b[mask].tolist(), strict=True))
        counts: dict[tuple[str, str, str], int] = {}
        for k in keys:
            counts[k] = counts.get(k, 0) + 1
        return sorted(((*k, v) for k, v in counts.items()), key=lambda r: (-r[3], r[:3]))

    @property
    def gains(self) -> list[tuple[str, str, str, int]]:
        return self._table(self.gained)

    @property
    def losses(self) -> list[tuple[str, str, str, int]]:
        return self._table(self.lost)

    def by_region(self) -> list[tuple[str, int, int, int, int]]:
        """``(region, terminals, allowed before, allowed after, net change)``, largest change
        first, only regions where something changed."""
        out = []
        for reg in np.unique(self.region):
            sel = self.region == reg
            a, b = int(self.allowed_a[sel].sum()), int(self.allowed_b[sel].sum())
            if (self.gained[sel] | self.lost[sel]).any():
                out.append((str(reg), int(sel.sum()), a, b, b - a))
        return sorted(out, key=lambda r: (-abs(r[4]), r[0]))

    def to_dict(self) -> dict:
        """JSON-able summary (for reports and the REST API)."""
        def rows(table):
            return [{"region": r, "rule_before": a, "rule_after": b, "terminals": n}
                    for r, a, b, n in table]
        return {
            "version_a": self.version_a, "version_b": self.version_b,
            "terminals": int(self.region.size),
            "allowed_a": int(self.allowed_a.sum()), "allowed_b": int(self.allowed_b.sum()),
            "gained": int(self.gained.sum()), "lost": int(self.lost.sum()),
            "reason_changed": int(self.reason_changed.sum()),
            "by_region": [{"region": r, "terminals": n, "allowed_a": a, "allowed_b": b,
                           "net": net} for r, n, a, b, net in self.by_region()],
            "gains": rows(self.gains), "losses": rows(self.losses),
        }

    def rule_changes(self) -> list[tuple[str, str, int]]:
        """``(rule before, rule after, terminals)`` for the terminals that keep their decision
        under another deciding rule, all regions together, the most first."""
        counts: dict[tuple[str, str], int] = {}
        for _, a, b, n in self._table(self.reason_changed):
            counts[(a, b)] = counts.get((a, b), 0) + n
        return sorted(((*k, v) for k, v in counts.items()), key=lambda r: (-r[2], r[:2]))

    def summary(self) -> str:
        n = self.region.size
        text = (f"{n:,} terminals: {int(self.allowed_a.sum()):,} allowed under "
                f"{self.version_a}, {int(self.allowed_b.sum()):,} under {self.version_b}; "
                f"{int(self.gained.sum()):,} gain service, {int(self.lost.sum()):,} lose it, "
                f"{int(self.reason_changed.sum()):,} keep their decision under another rule")
        changes = self.rule_changes()
        if changes:
            text += " (" + "; ".join(f"{a} → {b}: {k:,}" for a, b, k in changes[:3]) + \
                ("; and others" if len(changes) > 3 else "") + ")"
        return text + "."


def diff_policies(policy_a: Policy, policy_b: Policy,
                  population: Population | str | Path) -> PolicyDiff:
    """Decide ``population`` (a `Population`, or a CSV/Parquet path) under both policies and
    compare."""
    if isinstance(population, str | Path):
        population = read_points(population)
    if not isinstance(population, Population):
        raise InputError("population must be a leonet.control.population.Population "
                         "(synthesize_population or read_points)")
    da = population.decide(policy_a)
    db = population.decide(policy_b)
    return PolicyDiff(
        version_a=policy_a.version, version_b=policy_b.version,
        terminal_id=population.terminal_id, region=region_labels(population.lat_deg,
                                                                 population.lon_deg),
        allowed_a=da.allowed, allowed_b=db.allowed, rule_a=da.rule, rule_b=db.rule)
