"""Issue 17 C: two-person rules compare principals, not token subjects.

Each case below passed on the code before principals existed: an admin minting a second
identity for itself, a differently-cased subject, and one person lifting a suspension two
people approved.
"""

from __future__ import annotations

import datetime as dt

from leonet.control.registry import tokens
from leonet.control.registry.audit import utc_now
from leonet.control.registry.models import AuditEntry, DetectionRun, Incident

from .conftest import SETUP, auth

DOC = 'version = "v-{n}"\ndefault = "allow"\n'


def _upload(client, token, n) -> int:
    r = client.post("/v1/policies", headers=auth(token), json={"document": DOC.format(n=n)})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _activate(client, token, policy_id):
    return client.post(f"/v1/policies/{policy_id}/activate", headers=auth(token),
                       json={"reason": "approved"})


def _token(client, admin, **body) -> str:
    r = client.post("/v1/tokens", headers=auth(admin), json=body)
    assert r.status_code == 201, r.text
    return r.json()["token"]


def test_admin_cannot_approve_its_own_policy_with_a_second_identity(client, world):
    admin = world["admin"]
    own = _upload(client, admin, 1)
    alt = _token(client, admin, role="admin", subject="admin-alt")
    r = _activate(client, alt, own)
    assert r.status_code == 409 and "was created by 'root'" in r.json()["detail"]
    # The same person under another token (its name in another case) is the same principal.
    again = _token(client, admin, role="policy_approver", subject="ROOT")
    r = _activate(client, again, own)
    assert r.status_code == 409 and "same principal" in r.json()["detail"]
    # A principal the admin creates authors a policy: the admin cannot approve it.
    r = client.post("/v1/principals", headers=auth(admin), json={"name": "puppet"})
    assert r.status_code == 201
    created = r.json()
    assert created["created_by_principal_id"] is not None and created["created_by"] == "root"
    puppet = _token(client, admin, role="policy_author", principal_id=created["id"])
    theirs = _upload(client, puppet, 2)
    r = _activate(client, admin, theirs)
    assert r.status_code == 409 and "created" in r.json()["detail"]
    # A real second person can.
    assert _activate(client, world["policy_approver"], theirs).status_code == 200


def test_names_compare_case_and_width_insensitively(client, world):
    admin = world["admin"]
    policy = _upload(client, world["policy_author"], 3)  # principal "policy_author-1"
    for name in ("Policy_Author-1", "POLICY_AUTHOR-1"):
        approver = _token(client, admin, role="policy_approver", subject=name)
        r = _activate(client, approver, policy)
        assert r.status_code == 409 and "same principal" in r.json()["detail"], name
    names = [p["name"] for p in client.get("/v1/principals", headers=auth(admin)).json()]
    assert names.count("policy_author-1") == 1 and "Policy_Author-1" not in names
    # Creating a principal whose name differs only in case or width is refused.
    r = client.post("/v1/principals", headers=auth(admin), json={"name": "Root"})
    assert r.status_code == 409 and "already exists" in r.json()["detail"]
    assert _activate(client, world["approver_2"], policy).status_code == 200


def _incident(db, terminal_id="UT-B") -> int:
    now = utc_now()
    with db.write() as s:
        run = DetectionRun(started_at=now, by="setup", policy_id=None, window_start=None,
                           window_end=None, kinds="[]", rows=1, incidents=1, notes="")
        s.add(run)
        s.flush()
        inc = Incident(run_id=run.id, terminal_id=terminal_id, kind="speed",
                       start_at=now - dt.timedelta(hours=1), end_at=now, evidence="e",
                       rule="r", n_reports=1, lat_deg=50.0, lon_deg=30.0, status="open",
                       version=1)
        s.add(inc)
        s.flush()
        return inc.id


def test_suspensions_need_two_people_both_ways(app, client, world):
    db = app.state.leonet.db
    with db.write() as s:
        support_2 = tokens.issue(s, SETUP, "support", subject="support-2").token
        support_1_again = tokens.issue(s, SETUP, "support", subject="SUPPORT-1").token
    s1, s1b, s2 = auth(world["support"]), auth(support_1_again), auth(support_2)
    incident = _incident(db)
    r = client.post(f"/v1/incidents/{incident}/suspension-requests", headers=s1,
                    json={"reason": "driving at 300 km/h"})
    assert r.status_code == 201 and r.json()["action"] == "suspend"
    request = r.json()["id"]
    # support-1's other token is the same person.
    r = client.post(f"/v1/suspension-requests/{request}/approve",
                    headers={**s1b, "If-Match": '"1"'}, json={"reason": "ok"})
    assert r.status_code == 409 and "same principal" in r.json()["detail"]
    r = client.post(f"/v1/suspension-requests/{request}/approve",
                    headers={**s2, "If-Match": '"1"'}, json={"reason": "agreed"})
    assert r.status_code == 200, r.text
    terminal = client.get("/v1/terminals/UT-B", headers=s1)
    assert terminal.json()["status"] == "suspended"
    # One person cannot lift it.
    r = client.patch("/v1/terminals/UT-B", headers={**s1, "If-Match": terminal.headers["etag"]},
                     json={"status": "active"})
    assert r.status_code == 409 and "needs two people too" in r.json()["detail"]
    r = client.post("/v1/terminals/UT-B/reinstatement-requests", headers=s1,
                    json={"reason": "false alarm"})
    assert r.status_code == 201 and r.json()["action"] == "reinstate"
    lift = r.json()["id"]
    r = client.post(f"/v1/suspension-requests/{lift}/approve",
                    headers={**s1b, "If-Match": '"1"'}, json={"reason": "me again"})
    assert r.status_code == 409
    r = client.post(f"/v1/suspension-requests/{lift}/approve",
                    headers={**s2, "If-Match": '"1"'}, json={"reason": "agreed"})
    assert r.status_code == 200, r.text
    assert client.get("/v1/terminals/UT-B", headers=s1).json()["status"] == "active"


def test_direct_suspension_is_a_logged_emergency_action(app, client, world):
    support = auth(world["support"])
    r = client.patch("/v1/terminals/UT-C", headers={**support, "If-Match": '"1"'},
                     json={"status": "suspended"})
    assert r.status_code == 422 and "emergency action" in r.json()["detail"]
    r = client.patch("/v1/terminals/UT-C", headers={**support, "If-Match": '"1"'},
                     json={"status": "suspended", "reason": "kit reported stolen"})
    assert r.status_code == 200
    with app.state.leonet.db.read() as s:
        last = s.query(AuditEntry).order_by(AuditEntry.seq.desc()).first()
    assert (last.action, last.entity_id, last.reason) == (
        "terminal.emergency_suspend", "UT-C", "kit reported stolen")
    # A reinstatement request is for two-person suspensions only; this one lifts directly.
    r = client.post("/v1/terminals/UT-C/reinstatement-requests", headers=support,
                    json={"reason": "found"})
    assert r.status_code == 409 and "emergency action" in r.json()["detail"]
    r = client.patch("/v1/terminals/UT-C", headers={**support, "If-Match": '"2"'},
                     json={"status": "active", "reason": "found"})
    assert r.status_code == 200
