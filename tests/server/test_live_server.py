"""The real thing: `leonet admin` commands and `leonet serve` (uvicorn on loopback), driven
over HTTP the way an operator's scripts would."""

from __future__ import annotations

import httpx2 as httpx

from .live import LiveServer, run_cli


def _token(result) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_operator_session_over_real_http(database_url):
    admin = _token(run_cli("admin", "bootstrap", "--db", database_url))
    again = run_cli("admin", "bootstrap", "--db", database_url)
    assert again.returncode != 0 and "already bootstrapped" in again.stderr
    support = _token(run_cli("admin", "create-token", "--role", "support", "--db",
                             database_url))
    assert support.startswith("lnt_") and admin != support

    with LiveServer(database_url) as base, httpx.Client(base_url=base, timeout=30) as http:
        health = http.get("/healthz")
        assert health.json()["status"] == "ok"
        assert "server" not in health.headers  # issue 17 G: no `server: uvicorn`
        assert http.get("/v1/me").status_code == 401
        me = http.get("/v1/me", headers={"Authorization": f"Bearer {support}"}).json()
        assert me["role"] == "support"
        h = {"Authorization": f"Bearer {support}"}
        r = http.post("/v1/accounts", headers=h, json={
            "id": "ACC-1", "name": "Field team", "home_country": "UA", "plan": "roam"})
        assert r.status_code == 201, r.text
        r = http.post("/v1/terminals", headers=h, json={
            "id": "UT-1", "kit_serial": "KIT-1", "dish_id": "DISH-1", "kit_type": "mini",
            "account_id": "ACC-1"})
        assert r.status_code == 201 and r.headers["etag"] == '"1"'
        r = http.patch("/v1/terminals/UT-1", headers={**h, "If-Match": r.headers["etag"]},
                       json={"status": "active", "reason": "delivered"})
        assert r.json()["status"] == "active"
        r = http.post("/v1/sponsors", headers=h, json={"id": "gov", "name": "Gov"})
        assert r.status_code == 403
        assert r.headers["content-type"] == "application/problem+json"
        audit = http.get("/v1/audit", headers={"Authorization": f"Bearer {admin}"}).json()
        assert [e["action"] for e in audit][-3:] == ["account.create", "terminal.create",
                                                    "terminal.update"]
        assert audit[-1]["actor"] == "support-2" and audit[-1]["reason"] == "delivered"

    verified = run_cli("audit", "verify", "--db", database_url)
    assert verified.returncode == 0 and "intact: 5 entries" in verified.stdout
