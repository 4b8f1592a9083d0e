"""Issue 17 F: `audit verify` reconciles the security-relevant tables with the log and names
every row it does not explain (each tampering below passed `verify` before)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from leonet.cli import main
from leonet.control.registry import reconcile

from .conftest import auth
from .test_two_person import _incident


@pytest.fixture
def busy(app, client, world):
    """A registry after every kind of audited change the API offers."""
    admin, support = auth(world["admin"]), auth(world["support"])
    r = client.post("/v1/funding-agreements", headers=auth(world["sponsor"]),
                    json={"terminal_id": "UT-A", "valid_from": "2025-01-01T00:00:00Z"})
    assert r.status_code == 201
    r = client.patch("/v1/funding-agreements/1", headers={**admin, "If-Match": '"1"'},
                     json={"valid_until": "2030-01-01T00:00:00Z"})
    assert r.status_code == 200
    assert client.patch("/v1/terminals/UT-A", headers={**support, "If-Match": '"1"'},
                        json={"sponsor_id": "gov-b"}).status_code == 200
    r = client.post("/v1/policies", headers=auth(world["policy_author"]),
                    json={"document": 'version = "r1"\ndefault = "allow"\n'})
    assert client.post(f"/v1/policies/{r.json()['id']}/activate",
                       headers=auth(world["policy_approver"]),
                       json={"reason": "ok"}).status_code == 200
    r = client.post("/v1/whitelist-verifications", headers=support,
                    json={"terminal_id": "UT-C", "region": "UA", "evidence_ref": "MoD-1"})
    assert client.post(f"/v1/whitelist-verifications/{r.json()['id']}/revoke",
                       headers={**support, "If-Match": r.headers["etag"]},
                       json={"reason": "x"}).status_code == 200
    incident = _incident(app.state.leonet.db)
    r = client.post(f"/v1/incidents/{incident}/suspension-requests", headers=support,
                    json={"reason": "r"})
    assert client.post(f"/v1/suspension-requests/{r.json()['id']}/reject",
                       headers={**auth(world["admin"]), "If-Match": '"1"'},
                       json={"reason": "no"}).status_code == 200
    assert client.post("/v1/principals", headers=admin,
                       json={"name": "svc", "kind": "service"}).status_code == 201
    assert client.delete("/v1/tokens/2", headers=admin).status_code == 200
    assert client.patch("/v1/terminals/UT-C", headers={**support, "If-Match": '"1"'},
                        json={"status": "suspended", "reason": "stolen"}).status_code == 200
    return app.state.leonet.db


def _findings(db) -> list[str]:
    with db.read() as s:
        return [str(f) for f in reconcile.reconcile(s)]


def _raw(db, sql: str) -> None:
    with db.write_engine.begin() as conn:
        conn.execute(text(sql))


def test_an_untouched_registry_is_fully_explained(busy, settings, capsys):
    assert _findings(busy) == []
    assert main(["audit", "verify", "--db", settings.database_url]) == 0
    assert "every security-relevant row is explained" in capsys.readouterr().out


def test_inserted_token_is_named(busy, settings, capsys):
    _raw(busy, "INSERT INTO api_tokens (id, secret_sha256, subject, role, created_at) VALUES "
               f"(999, '{'0' * 64}', 'backdoor', 'admin', '2026-01-01 00:00:00.000000')")
    assert _findings(busy) == ["api_tokens 999: no audit entry created it"]
    assert main(["audit", "verify", "--db", settings.database_url]) == 1
    assert "api_tokens 999: no audit entry created it" in capsys.readouterr().err


def test_changed_sponsor_and_role_are_named(busy):
    _raw(busy, "UPDATE terminals SET sponsor_id = 'gov-a' WHERE id = 'UT-A'")
    _raw(busy, "UPDATE api_tokens SET role = 'admin' WHERE id = 3")
    assert sorted(_findings(busy)) == [
        "api_tokens 3: role is 'admin', the log says 'policy_approver'",
        "terminals UT-A: sponsor_id is 'gov-a', the log says 'gov-b'"]


def test_deleted_activation_and_edited_rows_are_named(busy):
    _raw(busy, "DELETE FROM policy_activations")
    _raw(busy, "UPDATE funding_agreements SET valid_until = NULL")
    _raw(busy, "UPDATE whitelist_verifications SET revoked_at = NULL")
    _raw(busy, "UPDATE suspension_requests SET status = 'approved'")
    _raw(busy, "UPDATE policy_versions SET document = 'default = \"deny\"'")
    _raw(busy, "INSERT INTO principals (id, name, name_key, kind, created_by, created_at) "
               "VALUES (77, 'ghost', 'ghost', 'person', 'migration 0003', "
               "'2026-01-01 00:00:00.000000')")
    found = "\n".join(sorted(_findings(busy)))
    for words in ("policy_activations #1: the log records a activate of policy 1",
                  "funding_agreements 1: valid_until is None",
                  "whitelist_verifications 1: revoked_at is None",
                  "suspension_requests 1: status is 'approved', the log says 'rejected'",
                  "policy_versions 1: document is",
                  "principals 77: no audit entry created it"):
        assert words in found, words


def test_rest_verify_names_unexplained_rows(busy, client, world):
    assert client.get("/v1/audit/verify", headers=auth(world["auditor"])).json()["ok"]
    _raw(busy, "UPDATE terminals SET status = 'active' WHERE id = 'UT-C'")
    body = client.get("/v1/audit/verify", headers=auth(world["auditor"])).json()
    assert body["ok"] is False and body["problem"] is None
    assert body["unexplained"] == ["terminals UT-C: status is 'active', the log says "
                                   "'suspended'"]
