"""``/v1/audit``: read and verify the hash-chained audit log (auditors and admins)."""

from __future__ import annotations

from fastapi import APIRouter, Query
from pydantic import BaseModel

from leonet.control.registry import audit, reconcile, signing
from leonet.server.deps import CanReadAudit
from leonet.server.problems import Problem

router = APIRouter(prefix="/v1/audit", tags=["audit"])


class AuditEntryOut(BaseModel):
    seq: int
    at_utc: str
    actor: str
    role: str
    action: str
    entity: str
    entity_id: str
    detail: str
    reason: str
    prev_hash: str
    hash: str

    model_config = {"from_attributes": True}


class VerificationOut(BaseModel):
    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None
    problem: str | None
    unexplained: list[str] = []


@router.get("", response_model=list[AuditEntryOut], summary="Entries after a sequence number")
def list_entries(caller: CanReadAudit, after: int = Query(0, ge=0, le=2**31 - 1),
                 limit: int = Query(100, ge=1, le=1000)) -> list[AuditEntryOut]:
    with caller.read() as session:
        rows = audit.entries_after(session, after, limit=limit)
        return [AuditEntryOut.model_validate(r) for r in rows]


# The console shows the log's newest entries; a page of them, not the log.
MAX_HEAD_ENTRIES = 100


@router.get("/head", response_model=list[AuditEntryOut],
            summary="The newest entries, newest first (the console's view of the log)")
def head_entries(caller: CanReadAudit, limit: int = Query(20, ge=1, le=MAX_HEAD_ENTRIES)
                 ) -> list[AuditEntryOut]:
    with caller.read() as session:
        seq = audit.head_seq(session)
        rows = audit.entries_after(session, max(0, seq - limit), limit=limit)
        return [AuditEntryOut.model_validate(r) for r in reversed(rows)]


@router.get("/verify", response_model=VerificationOut,
            summary="Walk the chain; name every security-relevant row the log does not explain")
def verify(caller: CanReadAudit) -> VerificationOut:
    with caller.read() as session:
        result = audit.verify(session)
        unexplained = [str(f) for f in reconcile.reconcile(session)]
        return VerificationOut(ok=result.ok and not unexplained, unexplained=unexplained,
                               entries=result.entries, head_seq=result.head_seq,
                               head_hash=result.head_hash, first_bad_seq=result.first_bad_seq,
                               problem=result.problem)


class CheckpointOut(BaseModel):
    seq: int
    hash: str
    signed_at_utc: str
    public_key: str
    signature: str


@router.get("/checkpoint", response_model=CheckpointOut,
            summary="The chain's head, signed with the server's key (keep it elsewhere)")
def checkpoint(caller: CanReadAudit) -> CheckpointOut:
    key = caller.state.signing_key
    if key is None:
        raise Problem(409, "this server has no audit signing key (set "
                           "LEONET_AUDIT_SIGNING_KEY_FILE; make one with `leonet audit keygen`)")
    with caller.read() as session:
        seq, digest = audit.head(session)
    if seq < 1:
        raise Problem(409, "the audit log is empty: nothing to sign yet")
    signed = signing.sign(key, seq, digest, audit.format_utc(audit.utc_now()))
    return CheckpointOut(**signed.__dict__)
