"""``/v1/policies``: upload (authors), list, diff, activate under the two-person rule and roll
back (approvers)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from sqlalchemy.orm import Session

from leonet.control.policy.diff import diff_policies
from leonet.control.population import synthesize_population
from leonet.control.registry import policies
from leonet.control.registry.models import PolicyVersion
from leonet.server.deps import CanApprovePolicies, CanReadPolicies, CanWritePolicies
from leonet.server.problems import Problem
from leonet.server.schemas.common import Country
from leonet.server.schemas.policies import (
    ActivationOut,
    ActivationRequest,
    PolicyDiff,
    PolicyDocument,
    PolicyOut,
    PolicyUpload,
    PolicyUploaded,
    RollbackRequest,
    RuleChange,
)

router = APIRouter(prefix="/v1/policies", tags=["policies"])
PolicyId = Annotated[int, Path(ge=1, le=2**31 - 1)]
PopulationSize = Annotated[int, Query(ge=0, le=200_000, description=(
    "Also decide this many synthetic terminals (placed at world cities by population) under "
    "both versions: who gains and loses service, by region and reason."))]
Countries = Annotated[list[Country] | None, Query(
    description="Place the synthetic terminals in these countries only.")]
Seed = Annotated[int, Query(ge=0, le=2**31 - 1, description="Seed of the synthetic terminals.")]


def _out(row: PolicyVersion, active_id: int | None, model=PolicyOut, **extra: Any):
    fields = {k: getattr(row, k) for k in
              ("id", "label", "format", "sha256", "author", "comment", "uploaded_at")}
    return model(**fields, active=row.id == active_id, **extra)


def _active_id(session: Session) -> int | None:
    row = policies.active(session)
    return None if row is None else row.id


@router.post("", response_model=PolicyUploaded, status_code=201,
             summary="Upload a policy document (validated; not active until approved)")
def upload(body: PolicyUpload, caller: CanWritePolicies) -> PolicyUploaded:
    with caller.state.db.write() as session:
        stored = policies.upload(session, caller.actor, document=body.document, fmt=body.format,
                                 comment=body.comment, reason=body.reason)
        return _out(stored.row, None, PolicyUploaded, warnings=list(stored.warnings))


@router.get("", response_model=list[PolicyOut], summary="Every stored version")
def list_versions(caller: CanReadPolicies) -> list[PolicyOut]:
    with caller.read() as session:
        active_id = _active_id(session)
        return [_out(r, active_id) for r in policies.list_versions(session)]


@router.get("/active", response_model=PolicyOut, summary="The version in force")
def active(caller: CanReadPolicies) -> PolicyOut:
    with caller.read() as session:
        row = policies.active(session)
        if row is None:
            raise Problem(404, "no policy version has been activated yet")
        return _out(row, row.id)


@router.get("/history", response_model=list[ActivationOut],
            summary="Every activation and rollback, oldest first")
def history(caller: CanReadPolicies) -> list[ActivationOut]:
    with caller.read() as session:
        return [ActivationOut.model_validate(a) for a in policies.history(session)]


@router.get("/{policy_id}", response_model=PolicyDocument, summary="One version and its text")
def get_version(caller: CanReadPolicies, policy_id: PolicyId) -> PolicyDocument:
    with caller.read() as session:
        row = policies.get(session, policy_id)
        compiled = caller.state.cache.compiled(policy_id)
        return _out(row, _active_id(session), PolicyDocument, document=row.document,
                    compiled=compiled.to_dict())


@router.get("/{policy_id}/diff/{other_id}", response_model=PolicyDiff,
            summary="What changes from one version to another, rule by rule")
def diff(caller: CanReadPolicies, policy_id: PolicyId, other_id: PolicyId,
         population: PopulationSize = 0, countries: Countries = None,
         seed: Seed = 0) -> PolicyDiff:
    with caller.read() as session:
        rows = policies.get(session, policy_id), policies.get(session, other_id)
        a, b = (caller.state.cache.compiled(r.id).to_dict() for r in rows)
        rules_a = {r["id"]: r for r in a.get("rules", [])}
        rules_b = {r["id"]: r for r in b.get("rules", [])}
        changes = []
        for rule_id in list(rules_a) + [r for r in rules_b if r not in rules_a]:
            before, after = rules_a.get(rule_id), rules_b.get(rule_id)
            if before == after:
                continue
            kind = "added" if before is None else "removed" if after is None else "changed"
            changes.append(RuleChange(rule=rule_id, change=kind, before=before, after=after))
        default = None if a.get("default") == b.get("default") else [a.get("default"),
                                                                      b.get("default")]
        what_if = None
        if population:
            terminals = synthesize_population(population, seed=seed, countries=countries)
            what_if = diff_policies(caller.state.cache.compiled(rows[0].id),
                                    caller.state.cache.compiled(rows[1].id), terminals).to_dict()
        return PolicyDiff(from_id=rows[0].id, to_id=rows[1].id, from_label=rows[0].label,
                          to_label=rows[1].label, default=default, rules=changes, what_if=what_if)


@router.post("/{policy_id}/activate", response_model=ActivationOut,
             summary="Put a version in force (approver ≠ author)")
def activate(body: ActivationRequest, caller: CanApprovePolicies,
             policy_id: PolicyId) -> ActivationOut:
    with caller.state.db.write() as session:
        row = policies.activate(session, caller.actor, policy_id, body.reason)
        return ActivationOut.model_validate(row)


@router.post("/rollback", response_model=ActivationOut,
             summary="Re-activate the previously active version (or a named earlier one)")
def rollback(body: RollbackRequest, caller: CanApprovePolicies) -> ActivationOut:
    with caller.state.db.write() as session:
        row = policies.rollback(session, caller.actor, body.reason, body.to_policy_id)
        return ActivationOut.model_validate(row)
