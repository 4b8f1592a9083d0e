"""Two sponsors over the API: each sees and funds only its own terminals; to each, the
other's records do not exist (404, never 403, so ids cannot be probed)."""

from __future__ import annotations

from .conftest import auth


def test_sponsors_are_isolated(client, world):
    a, b = auth(world["sponsor"]), auth(world["sponsor_b"])
    assert [t["id"] for t in client.get("/v1/terminals", headers=a).json()] == ["UT-A"]
    assert [t["id"] for t in client.get("/v1/terminals", headers=b).json()] == ["UT-B"]
    assert [s["id"] for s in client.get("/v1/sponsors", headers=a).json()] == ["gov-a"]
    assert client.get("/v1/terminals/UT-B", headers=a).status_code == 404
    assert client.get("/v1/terminals/UT-C", headers=a).status_code == 404  # nobody's
    assert client.get("/v1/sponsors/gov-b", headers=a).status_code == 404
    assert client.get("/v1/terminals/UT-B/transfer-eligibility", headers=a).status_code == 404

    fund_b = client.post("/v1/funding-agreements", headers=b, json={
        "terminal_id": "UT-B", "valid_from": "2025-01-01T00:00:00Z"})
    assert fund_b.status_code == 201 and fund_b.json()["sponsor_id"] == "gov-b"
    agreement = fund_b.json()["id"]
    # A cannot fund B's terminal, nor fund its own as B, nor see or end B's agreement.
    for body in ({"terminal_id": "UT-B", "valid_from": "2025-01-01T00:00:00Z"},
                 {"terminal_id": "UT-A", "sponsor_id": "gov-b",
                  "valid_from": "2025-01-01T00:00:00Z"}):
        assert client.post("/v1/funding-agreements", headers=a, json=body).status_code == 404
    assert client.get(f"/v1/funding-agreements/{agreement}", headers=a).status_code == 404
    r = client.patch(f"/v1/funding-agreements/{agreement}", headers={**a, "If-Match": '"1"'},
                     json={"valid_until": "2026-01-01T00:00:00Z"})
    assert r.status_code == 404
    assert client.get("/v1/funding-agreements", headers=a).json() == []
    assert [x["id"] for x in client.get("/v1/funding-agreements", headers=b).json()] == [
        agreement]
    # B ends its own funding; the support desk sees both sponsors' records.
    r = client.patch(f"/v1/funding-agreements/{agreement}", headers={**b, "If-Match": '"1"'},
                     json={"valid_until": "2026-01-01T00:00:00Z", "reason": "budget ended"})
    assert r.status_code == 200 and r.json()["version"] == 2
    support = client.get("/v1/terminals", headers=auth(world["support"])).json()
    assert [t["id"] for t in support] == ["UT-A", "UT-B", "UT-C"]
