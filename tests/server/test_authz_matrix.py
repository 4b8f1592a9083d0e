"""Every route × every role: allowed or 403, and 401 without a valid token.

The expected table is written here from the issue's role descriptions, independently of
`leonet.server.permissions`; a route missing from it fails `test_table_covers_every_route`.
"""

from __future__ import annotations

import datetime as dt

import pytest

from leonet.control.registry import tokens
from leonet.control.registry.audit import utc_now
from leonet.control.registry.models import ApiToken

from .conftest import ROLES, SETUP, auth

ALL = frozenset(ROLES)
ADMIN = frozenset({"admin"})
SUPPORT = frozenset({"admin", "support"})
REGISTRY_READERS = frozenset({"admin", "support", "auditor"})
SPONSOR_READERS = REGISTRY_READERS | {"sponsor"}
POLICY_READERS = frozenset({"admin", "policy_author", "policy_approver", "support", "auditor"})
AUDIT = frozenset({"admin", "auditor"})
DETECTION = frozenset({"admin", "support"})
DETECTION_READERS = frozenset({"admin", "support", "auditor"})

EXPECTED: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/v1/me"): ALL,
    ("POST", "/v1/tokens"): ADMIN,
    ("GET", "/v1/tokens"): ADMIN,
    ("DELETE", "/v1/tokens/{token_id}"): ADMIN,
    ("POST", "/v1/principals"): ADMIN,
    ("GET", "/v1/principals"): frozenset({"admin", "auditor"}),
    ("POST", "/v1/sponsors"): ADMIN,
    ("GET", "/v1/sponsors"): SPONSOR_READERS,
    ("GET", "/v1/sponsors/{sponsor_id}"): SPONSOR_READERS,
    ("POST", "/v1/accounts"): SUPPORT,
    ("GET", "/v1/accounts"): REGISTRY_READERS,
    ("GET", "/v1/accounts/{account_id}"): REGISTRY_READERS,
    ("PATCH", "/v1/accounts/{account_id}"): SUPPORT,
    ("POST", "/v1/terminals"): SUPPORT,
    ("GET", "/v1/terminals"): SPONSOR_READERS,
    ("GET", "/v1/terminals/{terminal_id}"): SPONSOR_READERS,
    ("PATCH", "/v1/terminals/{terminal_id}"): SUPPORT,
    ("GET", "/v1/terminals/{terminal_id}/transfer-eligibility"): SPONSOR_READERS,
    ("POST", "/v1/funding-agreements"): frozenset({"admin", "sponsor"}),
    ("GET", "/v1/funding-agreements"): SPONSOR_READERS,
    ("GET", "/v1/funding-agreements/{agreement_id}"): SPONSOR_READERS,
    ("PATCH", "/v1/funding-agreements/{agreement_id}"): frozenset({"admin", "sponsor"}),
    ("POST", "/v1/whitelist-verifications"): SUPPORT,
    ("GET", "/v1/whitelist-verifications"): REGISTRY_READERS,
    ("GET", "/v1/whitelist-verifications/{verification_id}"): REGISTRY_READERS,
    ("POST", "/v1/whitelist-verifications/{verification_id}/revoke"): SUPPORT,
    ("POST", "/v1/transfers"): SUPPORT,
    ("GET", "/v1/transfers"): REGISTRY_READERS,
    ("GET", "/v1/transfer-rules"): ALL,
    ("PATCH", "/v1/transfer-rules"): ADMIN,
    ("POST", "/v1/policies"): frozenset({"admin", "policy_author"}),
    ("GET", "/v1/policies"): POLICY_READERS,
    ("GET", "/v1/policies/active"): POLICY_READERS,
    ("GET", "/v1/policies/history"): POLICY_READERS,
    ("GET", "/v1/policies/{policy_id}"): POLICY_READERS,
    ("GET", "/v1/policies/{policy_id}/diff/{other_id}"): POLICY_READERS,
    ("POST", "/v1/policies/{policy_id}/activate"): frozenset({"admin", "policy_approver"}),
    ("POST", "/v1/policies/rollback"): frozenset({"admin", "policy_approver"}),
    ("POST", "/v1/decisions"): ALL,
    ("GET", "/v1/audit"): AUDIT,
    ("GET", "/v1/audit/head"): AUDIT,
    ("GET", "/v1/audit/verify"): AUDIT,
    ("GET", "/v1/audit/checkpoint"): AUDIT,
    ("POST", "/v1/telemetry"): DETECTION,
    ("GET", "/v1/telemetry"): DETECTION_READERS,
    ("GET", "/v1/telemetry/batches"): DETECTION_READERS,
    ("POST", "/v1/detections"): DETECTION,
    ("GET", "/v1/incidents"): DETECTION_READERS,
    ("GET", "/v1/incidents/{incident_id}"): DETECTION_READERS,
    ("POST", "/v1/incidents/{incident_id}/dismiss"): DETECTION,
    ("POST", "/v1/incidents/{incident_id}/suspension-requests"): DETECTION,
    ("GET", "/v1/suspension-requests"): DETECTION_READERS,
    ("POST", "/v1/suspension-requests/{request_id}/approve"): DETECTION,
    ("POST", "/v1/suspension-requests/{request_id}/reject"): DETECTION,
    ("POST", "/v1/terminals/{terminal_id}/reinstatement-requests"): DETECTION,
}
PUBLIC = {("GET", "/healthz"), ("GET", "/openapi.json"), ("GET", "/docs")}

PATH_VALUES = {"token_id": "3", "sponsor_id": "gov-a", "account_id": "ACC-1",
               "terminal_id": "UT-A", "agreement_id": "1", "verification_id": "1",
               "policy_id": "1", "other_id": "1", "incident_id": "1", "request_id": "1"}
NOW = utc_now().strftime("%Y-%m-%dT%H:%M:%SZ")
BODIES = {
    ("POST", "/v1/tokens"): {"role": "auditor"},
    ("DELETE", "/v1/tokens/{token_id}"): None,
    ("POST", "/v1/principals"): {"name": "someone-new"},
    ("POST", "/v1/sponsors"): {"id": "gov-x", "name": "X"},
    ("POST", "/v1/accounts"): {"id": "ACC-9", "name": "N", "home_country": "UA",
                               "plan": "residential"},
    ("PATCH", "/v1/accounts/{account_id}"): {"plan": "business"},
    ("POST", "/v1/terminals"): {"id": "UT-9", "kit_serial": "K9", "dish_id": "D9",
                                "kit_type": "standard"},
    ("PATCH", "/v1/terminals/{terminal_id}"): {"status": "suspended"},
    ("POST", "/v1/funding-agreements"): {"terminal_id": "UT-A", "sponsor_id": "gov-a",
                                         "valid_from": "2025-01-01T00:00:00Z"},
    ("PATCH", "/v1/funding-agreements/{agreement_id}"): {"valid_until": NOW},
    ("POST", "/v1/whitelist-verifications"): {"terminal_id": "UT-A", "region": "UA",
                                              "evidence_ref": "case 1"},
    ("POST", "/v1/whitelist-verifications/{verification_id}/revoke"): {"reason": "r"},
    ("POST", "/v1/transfers"): {"terminal_id": "UT-C", "to_account_id": "ACC-2"},
    ("PATCH", "/v1/transfer-rules"): {"min_days_after_purchase": 100},
    ("POST", "/v1/policies"): {"document": 'version = "v1"\ndefault = "allow"\n'},
    ("POST", "/v1/policies/{policy_id}/activate"): {"reason": "approved"},
    ("POST", "/v1/policies/rollback"): {"reason": "back"},
    ("POST", "/v1/decisions"): {"terminal_id": "UT-A", "time": NOW, "lat_deg": 50.45,
                                "lon_deg": 30.52},
    ("POST", "/v1/telemetry"): {"columns": {"terminal_id": ["UT-A"], "time": [NOW],
                                            "lat_deg": [50.45], "lon_deg": [30.52],
                                            "alt_m": [0], "speed_kmh": [0]}},
    ("POST", "/v1/detections"): {},
    ("POST", "/v1/incidents/{incident_id}/dismiss"): {"reason": "r"},
    ("POST", "/v1/incidents/{incident_id}/suspension-requests"): {"reason": "r"},
    ("POST", "/v1/suspension-requests/{request_id}/approve"): {"reason": "r"},
    ("POST", "/v1/suspension-requests/{request_id}/reject"): {"reason": "r"},
    ("POST", "/v1/terminals/{terminal_id}/reinstatement-requests"): {"reason": "r"},
}


def _url(path: str) -> str:
    return path.format(**PATH_VALUES)


def _call(client, method: str, path: str, headers: dict[str, str]):
    body = BODIES.get((method, path))
    headers = {**headers, "If-Match": '"1"'}
    return client.request(method, _url(path), json=body, headers=headers)


def test_table_covers_every_route(app):
    paths = app.openapi()["paths"]
    routes = {(m.upper(), p) for p, ops in paths.items() for m in ops}
    assert routes - PUBLIC == set(EXPECTED)


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(client, world, role):
    wrong = []
    for (method, path), allowed in EXPECTED.items():
        response = _call(client, method, path, auth(world[role]))
        assert response.status_code != 401, (method, path, response.text)
        if role in allowed and response.status_code == 403:
            wrong.append(f"{method} {path}: 403 for allowed role ({response.text})")
        if role not in allowed and response.status_code != 403:
            wrong.append(f"{method} {path}: {response.status_code} for denied role")
        if response.status_code == 403:
            assert response.headers["content-type"] == "application/problem+json"
            assert role in response.json()["detail"]
    assert wrong == []


def test_without_a_valid_token_every_route_is_401(app, client, world):
    db = app.state.leonet.db
    with db.write() as s:
        expiring = tokens.issue(s, SETUP, "admin", expires_at=utc_now() + dt.timedelta(hours=1))
        # Time passes: the token's expiry is now behind us.
        s.get(ApiToken, expiring.id).expires_at = utc_now() - dt.timedelta(seconds=1)
        expired = expiring.token
        revoked = tokens.issue(s, SETUP, "admin")
        tokens.revoke(s, SETUP, revoked.id)
    cases = {
        "none": {},
        "garbage": auth("not-a-token"),
        "wrong secret": auth(world["admin"][:-2] + "zz"),
        "unknown id": auth("lnt_99999_" + "a" * 43),
        "expired": auth(expired),
        "revoked": auth(revoked.token),
        "basic scheme": {"Authorization": "Basic YWRtaW46YWRtaW4="},
    }
    for (method, path) in EXPECTED:
        for name, headers in cases.items():
            response = _call(client, method, path, headers)
            assert response.status_code == 401, (method, path, name, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            assert response.headers["www-authenticate"].startswith("Bearer")


def test_invalid_body_from_anonymous_is_still_401(client, world):
    response = client.post("/v1/terminals", content=b"{not json")
    assert response.status_code == 401
    response = client.delete("/v1/tokens/not-a-number")
    assert response.status_code == 401


def test_public_routes_need_no_token(client):
    assert client.get("/healthz").json()["status"] == "ok"
    assert client.get("/openapi.json").json()["info"]["title"] == "leonet control plane"
    assert client.get("/docs").status_code == 200
