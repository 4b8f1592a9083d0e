"""A per-process read cache of the registry, kept exact by following the audit log.

Every change appends an audit entry in the same transaction, so the audit log *is* the
registry's change feed: `RegistryCache.sync` reads the head sequence number (one indexed
query) and, when it moved, the few new entries, and drops exactly the cached terminals,
tokens and active policy they touch. Several server processes can share one database:
each follows the same feed.

Loaded values are kept only if no change arrived while they were being read (otherwise
they serve the current request and are read again next time), so the cache never holds
a value older than the sequence number it has synced to.
"""

from __future__ import annotations

import datetime as dt
import hmac
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import orjson

from leonet.control.registry import audit, facts, policies, tokens
from leonet.control.registry.audit import Actor
from leonet.control.registry.db import Database
from leonet.control.registry.models import ApiToken

# Past this many new entries, dropping everything is cheaper than reading them all.
_REPLAY_LIMIT = 2000
_POLICY_CACHE_SIZE = 8


@dataclass(frozen=True)
class _TokenRecord:
    secret_sha256: str
    actor: Actor
    expires_at: dt.datetime | None
    revoked: bool


@dataclass(frozen=True)
class ActivePolicy:
    """The policy in force: its stored id, label and compiled engine object."""

    id: int
    label: str
    policy: object


class RegistryCache:
    """Terminal facts, tokens and the active policy of ``db``, valid as of sequence number
    ``seq``. Cache hits touch no database; misses open a short read session."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._lock = threading.Lock()
        self.seq = -1
        self._facts: dict[str, facts.TerminalFacts] = {}
        self._tokens: dict[int, _TokenRecord] = {}
        self._active: ActivePolicy | None = None
        self._active_known = False
        self._compiled: dict[int, object] = {}

    def sync(self) -> int:
        """Catch up with the audit log; returns the sequence number synced to."""
        seq = self.db.head_seq()
        if seq == self.seq:
            return seq
        with self._lock:
            if seq <= self.seq:
                return seq  # another thread is ahead: this request's view is older
            if self.seq < 0 or seq - self.seq > _REPLAY_LIMIT:
                self._clear()
            else:
                (entries,) = self.db.quick((
                    "SELECT entity, entity_id, action, detail FROM audit_log "
                    "WHERE seq > ? AND seq <= ? ORDER BY seq", (self.seq, seq)))
                for entity, entity_id, action, detail in entries:
                    self._invalidate(entity, entity_id, action, detail)
            self.seq = seq
            return seq

    def _clear(self) -> None:
        self._facts.clear()
        self._tokens.clear()
        self._active, self._active_known = None, False

    def _invalidate(self, entity: str, entity_id: str, action: str, detail: str) -> None:
        if entity == "terminal":
            self._facts.pop(entity_id, None)
        elif entity in ("funding", "whitelist"):
            self._facts.pop(orjson.loads(detail).get("terminal_id", ""), None)
        elif entity == "account":
            for key in [k for k, f in self._facts.items() if f.account_id == entity_id]:
                del self._facts[key]
        elif entity == "token":
            self._tokens.pop(int(entity_id), None)
        elif entity == "policy" and action != "policy.upload":
            self._active, self._active_known = None, False

    def _keep(self, synced_seq: int) -> bool:
        return self.seq == synced_seq

    # -- tokens ---------------------------------------------------------------------------
    def authenticate(self, token: str, synced_seq: int,
                     now: dt.datetime | None = None) -> Actor | None:
        """As `tokens.authenticate`, from the cache when possible."""
        parsed = tokens.parse_token(token)
        if parsed is None:
            return None
        record = self._tokens.get(parsed[0])
        if record is None:
            with self.db.read() as session:
                row = session.get(ApiToken, parsed[0])
            if row is None:
                return None
            record = _TokenRecord(
                row.secret_sha256,
                Actor(row.subject, row.role, row.sponsor_id, row.id, row.principal_id),
                row.expires_at, row.revoked_at is not None,
            )
            with self._lock:
                if self._keep(synced_seq):
                    self._tokens[parsed[0]] = record
        if not hmac.compare_digest(record.secret_sha256, tokens.secret_digest(parsed[1])):
            return None
        now = now or audit.utc_now()
        if record.revoked or (record.expires_at is not None and record.expires_at <= now):
            return None
        return record.actor

    # -- terminal facts -------------------------------------------------------------------
    def facts(self, terminal_ids: Iterable[str],
              synced_seq: int) -> dict[str, facts.TerminalFacts]:
        """Facts for the known ones among ``terminal_ids``."""
        wanted = list(terminal_ids)
        found = {t: self._facts[t] for t in wanted if t in self._facts}
        missing = [t for t in wanted if t not in found]
        if missing:
            loaded = facts.load(self.db, missing)
            found.update(loaded)
            with self._lock:
                if self._keep(synced_seq):
                    self._facts.update(loaded)
        return found

    def preload(self, max_terminals: int = 500_000) -> int:
        """Load every terminal's facts now (if there are at most ``max_terminals``), so that
        decisions never wait for the database; returns how many were loaded."""
        seq = self.sync()
        (rows,) = self.db.quick(("SELECT id FROM terminals", ()))
        if len(rows) > max_terminals:
            return 0
        self.facts([r[0] for r in rows], seq)
        return len(rows)

    # -- policy ---------------------------------------------------------------------------
    def active_policy(self, synced_seq: int) -> ActivePolicy | None:
        """The policy in force (compiled once per version), or None."""
        if self._active_known:
            return self._active
        with self.db.read() as session:
            row = policies.active(session)
        result = None
        if row is not None:
            compiled = self._compiled.get(row.id)
            if compiled is None:
                compiled = policies.compile_document(row.document, row.format,
                                                     f"policy version {row.label}")
            result = ActivePolicy(row.id, row.label, compiled)
        with self._lock:
            if result is not None:
                if len(self._compiled) >= _POLICY_CACHE_SIZE:
                    self._compiled.pop(next(iter(self._compiled)))
                self._compiled[result.id] = result.policy
            if self._keep(synced_seq):
                self._active, self._active_known = result, True
        return result

    def compiled(self, policy_id: int) -> object:
        """Any stored version, compiled (documents never change once stored)."""
        compiled = self._compiled.get(policy_id)
        if compiled is None:
            with self.db.read() as session:
                row = policies.get(session, policy_id)
            compiled = policies.compile_document(row.document, row.format,
                                                 f"policy version {row.label}")
            with self._lock:
                if len(self._compiled) >= _POLICY_CACHE_SIZE:
                    self._compiled.pop(next(iter(self._compiled)))
                self._compiled[policy_id] = compiled
        return compiled
