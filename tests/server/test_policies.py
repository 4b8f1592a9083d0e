"""Policy versions over the API: validated upload, two-person activation, rollback, diff."""

from __future__ import annotations

from .conftest import auth

V1 = """
version = "2026-02-01"
default = "deny"

[[rules]]
id = "ua-activated"
effect = "allow"
regions = ["UA"]
from = "2022-02-26T00:00:00Z"
"""
V2 = V1.replace('"2026-02-01"', '"2026-02-03"') + """
[[rules]]
id = "ua-speed-cutoff"
effect = "deny"
regions = ["UA"]
speed_kmh_above = 90
unless_whitelisted = true
"""


def _upload(client, token: str, text: str, fmt: str = "toml"):
    return client.post("/v1/policies", headers=auth(token),
                       json={"document": text, "format": fmt, "comment": "test"})


def test_upload_validates_and_names_the_problem(client, world):
    bad = V1.replace('regions = ["UA"]', 'regions = ["Ukrane"]')
    response = _upload(client, world["policy_author"], bad)
    assert response.status_code == 422
    problem = response.json()
    assert "ua-activated" in problem["detail"] and "Ukrane" in problem["detail"]
    assert "did you mean" in problem["detail"]
    response = _upload(client, world["policy_author"], "version = ")
    assert response.status_code == 422
    assert client.get("/v1/policies", headers=auth(world["auditor"])).json() == []


def test_inline_areas_upload_without_server_files(client, world):
    doc = {
        "version": "area-1", "default": "allow",
        "areas": {"front": {"geojson": {"type": "Polygon", "coordinates": [
            [[37.0, 47.0], [39.0, 47.0], [39.0, 49.0], [37.0, 49.0], [37.0, 47.0]]]}}},
        "rules": [{"id": "front-deny", "effect": "deny", "regions": ["area:front"]}],
    }
    import json

    response = _upload(client, world["policy_author"], json.dumps(doc), fmt="json")
    assert response.status_code == 201, response.text
    response = _upload(client, world["policy_author"], json.dumps(
        {**doc, "version": "file-1", "rules": [{"id": "x", "effect": "deny",
                                               "regions": ["file:secret.geojson"]}]}),
        fmt="json")
    assert response.status_code == 422


def test_two_person_rule_activation_and_rollback(client, world):
    v1 = _upload(client, world["policy_author"], V1)
    assert v1.status_code == 201 and v1.json()["label"] == "2026-02-01"
    assert v1.json()["active"] is False
    v1_id = v1.json()["id"]
    dup = _upload(client, world["author_2"], V1)
    assert dup.status_code == 409 and "already stored" in dup.json()["detail"]

    # The author cannot approve: as an author by role (403), and as an admin who wrote the
    # version by the two-person rule (409).
    r = client.post(f"/v1/policies/{v1_id}/activate", headers=auth(world["policy_author"]),
                    json={"reason": "self-approval"})
    assert r.status_code == 403
    v2 = _upload(client, world["admin"], V2).json()
    r = client.post(f"/v1/policies/{v2['id']}/activate", headers=auth(world["admin"]),
                    json={"reason": "self-approval"})
    assert r.status_code == 409 and "two-person rule" in r.json()["detail"]
    r = client.post(f"/v1/policies/{v1_id}/activate", headers=auth(world["policy_approver"]),
                    json={"reason": ""})
    assert r.status_code == 422  # a reason is required

    r = client.post(f"/v1/policies/{v1_id}/activate", headers=auth(world["policy_approver"]),
                    json={"reason": "reviewed, matches the decree"})
    assert r.status_code == 200 and r.json()["by"] == "policy_approver-1"
    r = client.post(f"/v1/policies/{v2['id']}/activate", headers=auth(world["approver_2"]),
                    json={"reason": "speed cut-off from Feb 3"})
    assert r.status_code == 200
    active = client.get("/v1/policies/active", headers=auth(world["support"])).json()
    assert active["label"] == "2026-02-03"

    r = client.post("/v1/policies/rollback", headers=auth(world["policy_approver"]),
                    json={"reason": "cut-off misfired"})
    assert r.status_code == 200 and r.json()["policy_id"] == v1_id
    assert client.get("/v1/policies/active",
                      headers=auth(world["auditor"])).json()["label"] == "2026-02-01"
    history = client.get("/v1/policies/history", headers=auth(world["auditor"])).json()
    assert [(h["action"], h["policy_id"]) for h in history] == [
        ("activate", v1_id), ("activate", v2["id"]), ("rollback", v1_id)]
    audit = client.get("/v1/audit", headers=auth(world["auditor"])).json()
    assert [e["reason"] for e in audit if e["action"] == "policy.rollback"] == [
        "cut-off misfired"]


def test_rollback_only_to_versions_that_were_active(client, world):
    v1 = _upload(client, world["policy_author"], V1).json()
    v2 = _upload(client, world["policy_author"], V2).json()
    client.post(f"/v1/policies/{v1['id']}/activate", headers=auth(world["policy_approver"]),
                json={"reason": "go"})
    r = client.post("/v1/policies/rollback", headers=auth(world["policy_approver"]),
                    json={"reason": "x", "to_policy_id": v2["id"]})
    assert r.status_code == 409 and "was never active" in r.json()["detail"]
    r = client.post("/v1/policies/rollback", headers=auth(world["policy_approver"]),
                    json={"reason": "x"})
    assert r.status_code == 409 and "no earlier active version" in r.json()["detail"]


def test_diff_and_document(client, world):
    v1 = _upload(client, world["policy_author"], V1).json()
    v2 = _upload(client, world["policy_author"], V2).json()
    diff = client.get(f"/v1/policies/{v1['id']}/diff/{v2['id']}",
                      headers=auth(world["auditor"])).json()
    assert diff["default"] is None
    assert [(c["rule"], c["change"]) for c in diff["rules"]] == [("ua-speed-cutoff", "added")]
    assert diff["rules"][0]["after"]["speed_kmh_above"] == 90
    what_if = client.get(f"/v1/policies/{v1['id']}/diff/{v2['id']}?population=2000"
                         "&countries=UA", headers=auth(world["auditor"])).json()["what_if"]
    # Only the speed cut-off was added: nobody gains service, and those who lose it are
    # moving faster than 90 km/h in Ukraine, cut off by the new rule.
    assert what_if["terminals"] == 2000 and what_if["gained"] == 0
    assert what_if["lost"] > 0
    assert {row["rule_after"] for row in what_if["losses"]} == {"ua-speed-cutoff"}
    assert all(row["region"] in ("UA", "crimea") or row["region"].startswith("ua-occupied")
               for row in what_if["losses"])
    back = client.get(f"/v1/policies/{v2['id']}/diff/{v1['id']}",
                      headers=auth(world["auditor"])).json()
    assert [(c["rule"], c["change"]) for c in back["rules"]] == [("ua-speed-cutoff", "removed")]
    doc = client.get(f"/v1/policies/{v2['id']}", headers=auth(world["support"])).json()
    assert doc["document"] == V2
    assert [r["id"] for r in doc["compiled"]["rules"]] == ["ua-activated", "ua-speed-cutoff"]
