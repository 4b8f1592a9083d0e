"""Stored policy versions, and which one is active.

An uploaded document is validated by the policy engine before it is stored, then never
changes. Activation follows a two-person rule: the approver must not be the author's principal, nor
one created by it or its creator (`principals.check_two_persons`). Rolling
back re-activates a version that was active before (it was approved then).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from leonet.control.policy import Policy
from leonet.control.registry import audit, principals
from leonet.control.registry.audit import Actor
from leonet.control.registry.errors import AlreadyExistsError, NotFoundError, RuleViolationError
from leonet.control.registry.models import PolicyActivation, PolicyVersion
from leonet.errors import InputError

FORMATS = ("toml", "json")
MAX_DOCUMENT_CHARS = 5_000_000


@dataclass(frozen=True)
class Stored:
    """A stored version and the warnings the engine raised while validating it."""

    row: PolicyVersion
    warnings: tuple[str, ...]


def compile_document(text: str, fmt: str, source: str):
    """Validate and compile a document with the policy engine (`InputError` when bad)."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}",
                         "format")
    if len(text) > MAX_DOCUMENT_CHARS:
        raise InputError(f"is longer than {MAX_DOCUMENT_CHARS} characters", "document")

    return Policy.from_text(text, fmt=fmt, source=source, base_dir=None)


def upload(session: Session, actor: Actor, *, document: str, fmt: str, comment: str = "",
           reason: str = "") -> Stored:
    """Validate ``document`` and store it as a new version (not yet active)."""
    policy = compile_document(document, fmt, "<upload>")
    label = str(policy.version)
    digest = hashlib.sha256(document.encode()).hexdigest()
    existing = session.execute(
        select(PolicyVersion).where(PolicyVersion.label == label)
    ).scalar_one_or_none()
    if existing is not None:
        same = "the same document" if existing.sha256 == digest else "a different document"
        raise AlreadyExistsError(
            f"policy version {label!r} is already stored (id {existing.id}, {same}); "
            "give the new document a new `version`"
        )
    row = PolicyVersion(label=label, format=fmt, document=document, sha256=digest,
                        author=actor.subject, author_principal_id=actor.principal_id,
                        comment=comment, uploaded_at=audit.utc_now())
    session.add(row)
    session.flush()
    audit.append(session, actor, "policy.upload", "policy", row.id,
                 {"label": label, "sha256": digest, "format": fmt, "comment": comment},
                 reason, at=row.uploaded_at)
    return Stored(row, tuple(str(w) for w in getattr(policy, "warnings", ())))


def get(session: Session, policy_id: int) -> PolicyVersion:
    row = session.get(PolicyVersion, policy_id)
    if row is None:
        raise NotFoundError(f"policy version {policy_id} does not exist")
    return row


def list_versions(session: Session) -> list[PolicyVersion]:
    return list(session.execute(select(PolicyVersion).order_by(PolicyVersion.id)).scalars())


def history(session: Session) -> list[PolicyActivation]:
    """Every activation and rollback, oldest first."""
    return list(session.execute(select(PolicyActivation).order_by(PolicyActivation.id)).scalars())


def active(session: Session) -> PolicyVersion | None:
    """The version in force, or None when none was ever activated."""
    last = session.execute(
        select(PolicyActivation).order_by(PolicyActivation.id.desc()).limit(1)
    ).scalar_one_or_none()
    return None if last is None else session.get(PolicyVersion, last.policy_id)


def activate(session: Session, actor: Actor, policy_id: int, reason: str) -> PolicyActivation:
    """Put ``policy_id`` in force. Two-person rule: ``actor`` must not be its author."""
    row = get(session, policy_id)
    principals.check_two_persons(session, row.author_principal_id, row.author, actor,
                                 f"wrote policy version {row.label!r}")
    current = active(session)
    if current is not None and current.id == policy_id:
        raise RuleViolationError(f"policy version {row.label!r} is already active")
    return _record(session, actor, row, "activate", reason, current)


def rollback(session: Session, actor: Actor, reason: str,
             to_policy_id: int | None = None) -> PolicyActivation:
    """Re-activate an earlier version: ``to_policy_id``, or by default the version that was
    active before the current one. Only versions that were active before qualify."""
    past = history(session)
    if not past:
        raise RuleViolationError("no policy version was ever activated: nothing to roll back")
    current_id = past[-1].policy_id
    was_active = {a.policy_id for a in past}
    if to_policy_id is None:
        earlier = [a.policy_id for a in past if a.policy_id != current_id]
        if not earlier:
            raise RuleViolationError("no earlier active version to roll back to")
        to_policy_id = earlier[-1]
    target = get(session, to_policy_id)
    if to_policy_id == current_id:
        raise RuleViolationError(f"policy version {target.label!r} is already active")
    if to_policy_id not in was_active:
        raise RuleViolationError(
            f"policy version {target.label!r} was never active: activate it (two-person "
            "rule) instead of rolling back to it"
        )
    return _record(session, actor, target, "rollback", reason, get(session, current_id))


def _record(session: Session, actor: Actor, row: PolicyVersion, action: str, reason: str,
            previous: PolicyVersion | None) -> PolicyActivation:
    if not reason.strip():
        raise InputError("say why (it goes into the audit log)", "reason")
    activation = PolicyActivation(policy_id=row.id, action=action, by=actor.subject,
                                  at=audit.utc_now(), reason=reason)
    session.add(activation)
    session.flush()
    audit.append(
        session, actor, f"policy.{action}", "policy", row.id,
        {"label": row.label, "author": row.author,
         "previous": None if previous is None else previous.id},
        reason, at=activation.at,
    )
    return activation
