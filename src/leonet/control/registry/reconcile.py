"""Reconcile the security-relevant tables against the audit log.

The hash chain proves the log was not edited; it says nothing about the tables next to it.
Someone with write access to the database can insert an admin token, move a terminal to
another sponsor or delete a policy activation without writing a log entry. `reconcile`
replays the log into the state it describes and compares that with every row of

* ``api_tokens`` (role, subject, principal, sponsor, expiry, revocation),
* ``principals`` (each created by an entry, or by migration 0003 from a logged name),
* ``terminals`` (status, sponsor, account),
* ``funding_agreements`` (sponsor, terminal, from, until),
* ``policy_versions`` (label, SHA-256 of the stored document) and ``policy_activations``
  (the sequence of activations and rollbacks),
* ``whitelist_verifications`` (terminal, region, verified, revoked),
* ``suspension_requests`` (terminal, action, status),

naming every row the log does not explain, and every row the log says exists that is gone.
Run it together with a signed checkpoint (`signing`): without one, an attacker who also
rewrites the log consistently can make both agree.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from leonet.control.registry import audit
from leonet.control.registry.models import (
    ApiToken,
    FundingAgreement,
    PolicyActivation,
    PolicyVersion,
    Principal,
    SuspensionRequest,
    Terminal,
    WhitelistVerification,
)
from leonet.control.registry.principals import name_key

MIGRATED = "migration 0003"
# Actions whose actor migration 0003 may have turned into a principal (policy authors,
# suspension requesters and deciders); token subjects come from ``token.issue``.
_MIGRATED_FROM = frozenset({"policy.upload", "suspension.request", "suspension.approve",
                            "suspension.reject"})


@dataclass(frozen=True)
class Unexplained:
    """A row the log does not explain (or a row the log describes that is missing)."""

    table: str
    key: str
    problem: str

    def __str__(self) -> str:
        return f"{self.table} {self.key}: {self.problem}"


def _norm(value: Any) -> Any:
    """A value as the log's canonical JSON writes it (times in UTC with ``Z``)."""
    return orjson.loads(audit.canonical_json({"v": value}))["v"]


@dataclass
class _Replay:
    tokens: dict[str, dict]
    principals: dict[str, dict]
    names: set[str]
    terminals: dict[str, dict]
    funding: dict[str, dict]
    policies: dict[str, dict]
    activations: list[tuple[int, str, int]]
    whitelist: dict[str, dict]
    suspensions: dict[str, dict]


def _replay(session: Session) -> _Replay:
    r = _Replay({}, {}, set(), {}, {}, {}, [], {}, {})
    for e in audit.walk(session):
        d = orjson.loads(e.detail)
        if e.action in _MIGRATED_FROM:  # names migration 0003 made principals of
            r.names.add(name_key(e.actor))
        key, action = e.entity_id, e.action
        if action == "token.issue":
            r.tokens[key] = {"role": d["role"], "subject": d["subject"],
                             "sponsor_id": d["sponsor_id"], "expires_at": d["expires_at"],
                             "principal_id": d.get("principal_id"), "revoked": False}
            r.names.add(name_key(d["subject"]))
            if d.get("principal_created"):
                r.principals[str(d["principal_id"])] = {"name": d["subject"]}
        elif action == "token.revoke" and key in r.tokens:
            r.tokens[key]["revoked"] = True
        elif action == "principal.create":
            r.principals[key] = {"name": d["name"], "kind": d["kind"]}
        elif action == "terminal.create":
            r.terminals[key] = {k: d[k] for k in ("status", "sponsor_id", "account_id")}
        elif action in ("terminal.update", "terminal.emergency_suspend") and key in r.terminals:
            for field, (_, new) in d["changes"].items():
                if field in r.terminals[key]:
                    r.terminals[key][field] = new
        elif action == "terminal.transfer" and key in r.terminals:
            r.terminals[key]["account_id"] = d["to_account_id"]
        elif action == "funding.create":
            r.funding[key] = {k: d[k] for k in ("sponsor_id", "terminal_id", "valid_from",
                                                "valid_until")}
        elif action in ("funding.update", "funding.end") and key in r.funding:
            r.funding[key]["valid_until"] = d["valid_until"][1]
        elif action == "policy.upload":
            r.policies[key] = {"label": d["label"], "sha256": d["sha256"]}
        elif action in ("policy.activate", "policy.rollback"):
            r.activations.append((int(key), action.split(".")[1], e.seq))
        elif action == "whitelist.verify":
            r.whitelist[key] = {k: d[k] for k in ("terminal_id", "region", "verified_at")} | {
                "revoked_at": None}
        elif action == "whitelist.revoke" and key in r.whitelist:
            r.whitelist[key]["revoked_at"] = e.at_utc
        elif action in ("suspension.request", "reinstatement.request"):
            r.suspensions[key] = {"terminal_id": d["terminal_id"], "status": "pending",
                                  "action": "suspend" if action.startswith("susp")
                                  else "reinstate"}
        elif action.split(".")[-1] in ("approve", "reject") and e.entity == "suspension" \
                and key in r.suspensions:
            r.suspensions[key]["status"] = ("approved" if action.endswith("approve")
                                            else "rejected")
    return r


def _compare(table: str, rows: dict[str, dict], logged: dict[str, dict]) -> list[Unexplained]:
    out = []
    for key, row in rows.items():
        expected = logged.get(key)
        if expected is None:
            out.append(Unexplained(table, key, "no audit entry created it"))
            continue
        differ = [f"{f} is {row[f]!r}, the log says {expected[f]!r}" for f in expected
                  if f in row and row[f] != expected[f]]
        if differ:
            out.append(Unexplained(table, key, "; ".join(differ)))
    out += [Unexplained(table, key, "the log records it but the row is missing")
            for key in logged.keys() - rows.keys()]
    return out


def reconcile(session: Session) -> list[Unexplained]:
    """Every security-relevant row the audit log does not explain (empty when all agree)."""
    r = _replay(session)

    def rows(model, fields):
        return {str(x.id): {f: _norm(getattr(x, f)) for f in fields}
                for x in session.execute(select(model)).scalars()}

    found = []
    tokens = {k: {**v, "revoked": v.pop("revoked_at") is not None}
              for k, v in rows(ApiToken, ("role", "subject", "sponsor_id", "expires_at",
                                          "principal_id", "revoked_at")).items()}
    for v in r.tokens.values():
        if v["principal_id"] is None:  # issued before principals existed (migration 0003)
            v.pop("principal_id")
    found += _compare("api_tokens", tokens, r.tokens)

    principals = rows(Principal, ("name", "kind", "created_by"))
    for key, row in principals.items():
        if key not in r.principals and row["created_by"] == MIGRATED \
                and name_key(row["name"]) in r.names:
            r.principals[key] = {"name": row["name"]}  # migrated from a logged name
    found += _compare("principals", principals, r.principals)

    found += _compare("terminals", rows(Terminal, ("status", "sponsor_id", "account_id")),
                      r.terminals)
    found += _compare("funding_agreements",
                      rows(FundingAgreement, ("sponsor_id", "terminal_id", "valid_from",
                                              "valid_until")), r.funding)
    policies = {str(p.id): {"label": p.label, "sha256": p.sha256,
                            "document": hashlib.sha256(p.document.encode()).hexdigest()}
                for p in session.execute(select(PolicyVersion)).scalars()}
    for v in r.policies.values():
        v["document"] = v["sha256"]
    found += _compare("policy_versions", policies, r.policies)

    activations = list(session.execute(select(PolicyActivation).order_by(
        PolicyActivation.id)).scalars())
    for i in range(max(len(activations), len(r.activations))):
        row = activations[i] if i < len(activations) else None
        logged = r.activations[i] if i < len(r.activations) else None
        if row is None:
            found.append(Unexplained(
                "policy_activations", f"#{i + 1}", f"the log records a {logged[1]} of policy "
                f"{logged[0]} (seq {logged[2]}) but the row is missing"))
        elif logged is None:
            found.append(Unexplained("policy_activations", str(row.id),
                                     "no audit entry records this activation"))
        elif (row.policy_id, row.action) != logged[:2]:
            found.append(Unexplained(
                "policy_activations", str(row.id), f"is a {row.action} of policy "
                f"{row.policy_id}; the log's activation #{i + 1} (seq {logged[2]}) is a "
                f"{logged[1]} of policy {logged[0]}"))

    # The log keeps a revocation's time as its entry's time (`audit.format_utc`).
    whitelist = {str(w.id): {"terminal_id": w.terminal_id, "region": w.region,
                             "verified_at": _norm(w.verified_at),
                             "revoked_at": w.revoked_at and audit.format_utc(w.revoked_at)}
                 for w in session.execute(select(WhitelistVerification)).scalars()}
    found += _compare("whitelist_verifications", whitelist, r.whitelist)
    found += _compare("suspension_requests",
                      rows(SuspensionRequest, ("terminal_id", "status", "action")),
                      r.suspensions)
    return found

