"""The API side of the operator's console: `/v1/me` lists the routes the caller's role may
call (checked against the authorization matrix's own table, written independently of the
server's), `/v1/audit/head` returns the log's newest entries within bounds, and `/dashboard/`
serves the page with its Content-Security-Policy, or says how to build it."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from leonet.server import console, problems
from leonet.server.dashboard.assets import STATIC_DIR

from .conftest import ROLES, auth
from .test_authz_matrix import EXPECTED


@pytest.mark.parametrize("role", ROLES)
def test_me_lists_exactly_the_routes_the_matrix_allows(client, world, role):
    listed = client.get("/v1/me", headers=auth(world[role])).json()["routes"]
    assert listed == sorted(f"{m} {p}" for (m, p), roles in EXPECTED.items() if role in roles)


def test_audit_head_is_the_newest_entries_newest_first(client, world):
    token = auth(world["auditor"])
    every = client.get("/v1/audit", params={"limit": 1000}, headers=token).json()
    assert len(every) > 5  # the world's set-up wrote them
    head = client.get("/v1/audit/head", params={"limit": 5}, headers=token).json()
    assert [e["seq"] for e in head] == [e["seq"] for e in reversed(every[-5:])]
    assert head[0]["hash"] == every[-1]["hash"]
    assert len(client.get("/v1/audit/head", headers=token).json()) == min(20, len(every))


@pytest.mark.parametrize("limit", [0, -1, 101, 10**12, "x"])
def test_audit_head_limit_is_bounded(client, world, limit):
    response = client.get("/v1/audit/head", params={"limit": limit}, headers=auth(world["admin"]))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_audit_head_needs_the_audit_right(client, world):
    response = client.get("/v1/audit/head", headers=auth(world["support"]))
    assert response.status_code == 403
    assert client.get("/v1/audit/head").status_code == 401


def _built() -> bool:
    return (STATIC_DIR / console.PAGE).is_file()


@pytest.mark.skipif(not _built(), reason="the front-end is not built (make web)")
def test_console_page_needs_no_token_and_is_locked_down(client):
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert "leonet operator console" in response.text
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "connect-src 'self'" in csp
    assert "unsafe-inline" not in csp and "<script>" not in response.text
    asset = next((STATIC_DIR / "assets").glob("console-*.js"))
    served = client.get(f"/dashboard/assets/{asset.name}")
    assert served.status_code == 200
    assert served.headers["content-security-policy"] == csp
    assert client.get("/dashboard", follow_redirects=False).headers["location"] == "/dashboard/"


def test_unbuilt_console_says_how_to_build_it(tmp_path):
    app = FastAPI()
    problems.install(app)
    console.install(app, static=tmp_path)
    response = TestClient(app).get("/dashboard/")
    assert response.status_code == 503
    assert "make web" in response.json()["detail"]
