"""Bad input gets a clear problem document, and nothing is stored half-way."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from leonet.server.main import create_app
from leonet.server.settings import Settings

from .conftest import auth, make_world

PROBLEM = "application/problem+json"


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def _audit_seq(client, world) -> int:
    return client.get("/healthz").json()["audit_seq"]


def test_malformed_json(client, world):
    before = _audit_seq(client, world)
    response = client.post("/v1/accounts", content=b'{"id": "A", "name":',
                           headers={**auth(world["admin"]), "Content-Type": "application/json"})
    assert "not valid JSON" in _problem(response, 400)["detail"]
    assert _audit_seq(client, world) == before


def test_wrong_types_name_the_field(client, world):
    body = {"id": "ACC-9", "name": "N", "home_country": "UA", "plan": "p",
            "balance_due_cents": "lots"}
    problem = _problem(client.post("/v1/accounts", json=body, headers=auth(world["admin"])),
                       422)
    assert problem["errors"][0]["path"] == "/balance_due_cents"
    problem = _problem(client.post("/v1/accounts", json={**body, "balance_due_cents": 0,
                                                         "home_country": "Ukraine"},
                                   headers=auth(world["admin"])), 422)
    assert problem["errors"][0]["path"] == "/home_country"


def test_unknown_fields_are_refused(client, world):
    problem = _problem(client.patch("/v1/terminals/UT-A", json={"stauts": "suspended"},
                                    headers={**auth(world["admin"]), "If-Match": '"1"'}), 422)
    assert problem["errors"][0]["path"] == "/stauts"


def test_naive_times_are_refused(client, world):
    body = {"id": "UT-9", "kit_serial": "K9", "dish_id": "D9", "kit_type": "standard",
            "purchased_at": "2025-01-01T00:00:00"}
    problem = _problem(client.post("/v1/terminals", json=body, headers=auth(world["admin"])),
                       422)
    assert problem["errors"][0]["path"] == "/purchased_at"
    assert "timezone" in problem["detail"]


def test_unknown_records_are_404(client, world):
    for path in ("/v1/terminals/UT-404", "/v1/accounts/NOPE", "/v1/sponsors/nope",
                 "/v1/funding-agreements/99", "/v1/policies/99"):
        assert "does not exist" in _problem(client.get(path, headers=auth(world["admin"])),
                                            404)["detail"]
    _problem(client.get("/v1/no-such-route", headers=auth(world["admin"])), 404)


def test_method_not_allowed_is_a_problem(client, world):
    _problem(client.put("/v1/terminals/UT-A", json={}, headers=auth(world["admin"])), 405)


def test_duplicates_are_409(client, world):
    body = {"id": "UT-A", "kit_serial": "K9", "dish_id": "D9", "kit_type": "standard"}
    problem = _problem(client.post("/v1/terminals", json=body, headers=auth(world["admin"])),
                       409)
    assert "already exists" in problem["detail"]


def test_optimistic_concurrency(client, world):
    headers = auth(world["support"])
    first = client.get("/v1/terminals/UT-A", headers=headers)
    assert first.headers["etag"] == '"1"'
    _problem(client.patch("/v1/terminals/UT-A", json={"kit_type": "mini"}, headers=headers),
             428)
    _problem(client.patch("/v1/terminals/UT-A", json={"kit_type": "mini"},
                          headers={**headers, "If-Match": "yesterday"}), 400)
    # Two clients read version 1; the first write wins, the second is refused.
    ok = client.patch("/v1/terminals/UT-A", json={"kit_type": "mini"},
                      headers={**headers, "If-Match": first.headers["etag"]})
    assert ok.status_code == 200 and ok.headers["etag"] == '"2"'
    stale = client.patch("/v1/terminals/UT-A", json={"status": "suspended"},
                         headers={**headers, "If-Match": first.headers["etag"]})
    assert "at version 2, not 1" in _problem(stale, 412)["detail"]
    now = client.get("/v1/terminals/UT-A", headers=headers).json()
    assert (now["kit_type"], now["status"], now["version"]) == ("mini", "active", 2)


def test_state_rules_are_409_with_the_reason(client, world):
    headers = {**auth(world["support"]), "If-Match": '"1"'}
    problem = _problem(client.patch("/v1/terminals/UT-A", json={"status": "ordered"},
                                    headers=headers), 409)
    assert "cannot go from active to ordered" in problem["detail"]


def test_transfer_too_early_says_when(client, world):
    headers = auth(world["support"])
    body = {"id": "UT-N", "kit_serial": "KN", "dish_id": "DN", "kit_type": "standard",
            "account_id": "ACC-1", "status": "active"}
    assert client.post("/v1/terminals", json=body, headers=headers).status_code == 201
    problem = _problem(client.post("/v1/transfers", json={"terminal_id": "UT-N",
                                                          "to_account_id": "ACC-2"},
                                   headers={**headers, "If-Match": "*"}), 409)
    assert "120 days after purchase" in problem["detail"]
    check = client.get("/v1/terminals/UT-N/transfer-eligibility", headers=headers).json()
    assert check["allowed"] is False and len(check["reasons"]) == 2
    done = client.post("/v1/transfers", json={"terminal_id": "UT-C", "to_account_id": "ACC-2"},
                       headers={**headers, "If-Match": '"1"'})
    assert done.status_code == 201 and done.json()["from_account_id"] == "ACC-1"


@pytest.fixture
def small_client(database_url):
    app = create_app(Settings(database_url=database_url, max_body_bytes=4096))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c, make_world(app.state.leonet.db)
    app.state.leonet.db.dispose()


def test_oversized_bodies_are_413(small_client):
    client, world = small_client
    big = b'{"id": "ACC-9", "name": "' + b"x" * 5000 + b'"}'
    problem = _problem(client.post("/v1/accounts", content=big,
                                   headers={**auth(world["admin"]),
                                            "Content-Type": "application/json"}), 413)
    assert "limit is 4096 bytes" in problem["detail"]

    def chunks():  # no Content-Length: counted as it streams in
        yield big[:3000]
        yield big[3000:]

    problem = _problem(client.post("/v1/accounts", content=chunks(),
                                   headers={**auth(world["admin"]),
                                            "Content-Type": "application/json"}), 413)
    assert "over the limit" in problem["detail"]
    assert client.get("/v1/accounts/ACC-9", headers=auth(world["admin"])).status_code == 404


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="unsupported database 'mysql'"):
        Settings(database_url="mysql://x")
    with pytest.raises(ValueError, match="max_body_bytes"):
        Settings(database_url="sqlite:///x.db", max_body_bytes=0)
