"""`Decisions`: allowed/denied and the deciding rule per terminal, with explanations."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from leonet.control.labels import describe_place
from leonet.control.policy.document import iso_z
from leonet.control.policy.inputs import Terminals
from leonet.control.policy.reference import rule_verdict
from leonet.notebook.display import html_summary, to_arrow, to_pandas


@dataclass(frozen=True, eq=False)
class Decisions:
    """``allowed`` (bool) and ``rule`` (rule id or ``"default"``) in the inputs' shape."""

    policy: object
    rule_index: np.ndarray  # int32, -1 = the default decided
    terminals: Terminals

    def __len__(self) -> int:
        return int(self.rule_index.size)

    def columns(self) -> dict[str, np.ndarray]:
        """One row per terminal (flattened): where, when, and the decision with its rule."""
        t, shape = self.terminals, self.rule_index.shape

        def flat(values: np.ndarray) -> np.ndarray:  # inputs broadcast (one time for all)
            return np.broadcast_to(values, shape).ravel()

        return {"lat_deg": flat(t.lat_deg), "lon_deg": flat(t.lon_deg),
                "time": flat(t.time_ns).astype("datetime64[ns]"),
                "allowed": self.allowed.ravel(), "rule": self.rule.ravel()}

    def to_pandas(self):
        """`columns` as a pandas DataFrame."""
        return to_pandas(self.columns())

    def to_arrow(self):
        """`columns` as an Arrow table."""
        return to_arrow(self.columns())

    def _repr_html_(self) -> str:
        n_allowed = int(np.count_nonzero(self.allowed))
        return html_summary(
            f"Decisions of policy {getattr(self.policy, 'version', '')}: {n_allowed:,} of "
            f"{len(self):,} allowed", [(f"decided by {rule}", n)
                                       for rule, n in self.counts().items()])

    @cached_property
    def allowed(self) -> np.ndarray:
        deny = np.array([r.effect == "deny" for r in self.policy.rules] + [
            self.policy.default == "deny"], dtype=np.bool_)
        return ~deny[self.rule_index]

    @cached_property
    def rule(self) -> np.ndarray:
        ids = np.array([r.id for r in self.policy.rules] + ["default"], dtype=object)
        return ids[self.rule_index]

    def counts(self) -> dict[str, int]:
        """How many terminals each rule (or the default) decided, in file order."""
        n = np.bincount(self.rule_index.ravel() + 1, minlength=len(self.policy.rules) + 1)
        out = {r.id: int(n[j + 1]) for j, r in enumerate(self.policy.rules) if n[j + 1]}
        if n[0]:
            out["default"] = int(n[0])
        return out

    def explain(self, i) -> str:
        """How row ``i`` (flat index, or an index tuple for N-d inputs) was decided."""
        flat = int(np.ravel_multi_index(i, self.rule_index.shape) if isinstance(i, tuple)
                   else i)
        if not -len(self) <= flat < len(self):
            raise IndexError(f"row {i} is out of range for {len(self)} decisions")
        flat %= len(self)
        row = self.terminals.row(flat)
        pol = self.policy
        j = int(self.rule_index.ravel()[flat])
        lines = [_describe(flat, row),
                 "Place: " + describe_place(row["lat_deg"], row["lon_deg"], pol.waters_km) + "."]
        verdicts = [rule_verdict(pol, r, row) for r in pol.rules]
        matched = [k for k, (ok, _) in enumerate(verdicts) if ok]
        if j < 0:
            lines.append(f"→ {'ALLOWED' if pol.default == 'allow' else 'DENIED'} by the "
                         f"policy default ({pol.default}): no rule matches.")
        else:
            r = pol.rules[j]
            verb = "ALLOWED" if r.effect == "allow" else "DENIED"
            why = ("the first matching deny rule in file order (any matching deny wins)"
                   if r.effect == "deny" else
                   "the first matching allow rule in file order (no deny rule matches)")
            lines.append(f"→ {verb} by rule {r.id!r} ({r.effect}: {r.conditions_text()}), "
                         f"{why}.")
        for k, rule in enumerate(pol.rules):
            ok, reason = verdicts[k]
            if k == j:
                continue
            if ok:
                note = ("also matches, but a deny wins" if rule.effect == "allow" and j >= 0
                        and pol.rules[j].effect == "deny" else
                        "also matches, but an earlier rule decided")
                lines.append(f"  · {rule.id} ({rule.effect}) {note}.")
            else:
                lines.append(f"  · {rule.id} ({rule.effect}) does not match: {reason}.")
        if (j >= 0) != bool(matched):
            lines.append("  ! the reference evaluator disagrees; please report this as a bug.")
        return "\n".join(lines)


def _describe(i: int, row: dict) -> str:
    lat, lon = row["lat_deg"], row["lon_deg"]
    parts = [f"Row {i}: {abs(lat):.4f}°{'N' if lat >= 0 else 'S'} "
             f"{abs(lon):.4f}°{'E' if lon >= 0 else 'W'}", iso_z(row["time"])]
    if row["alt_m"]:
        parts.append(f"{row['alt_m']:g} m up")
    parts.append(f"{row['speed_kmh']:g} km/h")
    parts.append("whitelisted" if row["whitelisted"] else "not whitelisted")
    if row["plan"]:
        parts.append(f"plan {row['plan']}")
    if row["home_country"]:
        parts.append(f"home {row['home_country']}")
    if row["roaming_days"]:
        parts.append(f"roaming {row['roaming_days']:g} days")
    if not row["funded"]:
        parts.append("unfunded")
    return ", ".join(parts) + "."
