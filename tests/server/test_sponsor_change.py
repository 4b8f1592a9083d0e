"""Issue 17 B: authorization over funding follows the terminal's *current* sponsor.

Sponsor gov-a funds UT-A; support moves UT-A to gov-b. gov-a's open agreement ends at the
change (audited), gov-a can no longer see or extend it, nobody can re-open it, and a decision
for UT-A is no longer "funded" by gov-a's money.
"""

from __future__ import annotations

import datetime as dt

import orjson

from leonet.control.registry import sponsors, terminals
from leonet.control.registry.audit import utc_now
from leonet.control.registry.models import AuditEntry, FundingAgreement

from .conftest import SETUP, auth
from .test_decisions import _activate, _one


def _fund_a(client, world) -> dict:
    r = client.post("/v1/funding-agreements", headers=auth(world["sponsor"]),
                    json={"terminal_id": "UT-A", "valid_from": "2025-01-01T00:00:00Z"})
    assert r.status_code == 201, r.text
    return r.json()


def test_sponsor_change_ends_funding_and_access(app, client, world):
    _activate(client, world)
    a, b = auth(world["sponsor"]), auth(world["sponsor_b"])
    support, admin = auth(world["support"]), auth(world["admin"])
    agreement = _fund_a(client, world)["id"]
    assert _one(client, world["support"], "UT-A").json()["rule"] == "ua-activated"

    before = utc_now()
    r = client.patch("/v1/terminals/UT-A", headers={**support, "If-Match": '"1"'},
                     json={"sponsor_id": "gov-b", "reason": "donation handed over"})
    assert r.status_code == 200, r.text
    after = utc_now()

    # The open agreement ended at the change, with its own audit entry.
    ended = client.get(f"/v1/funding-agreements/{agreement}", headers=admin).json()
    until = dt.datetime.fromisoformat(ended["valid_until"].replace("Z", "+00:00"))
    assert before <= until <= after and ended["version"] == 2
    with app.state.leonet.db.read() as s:
        entry = s.query(AuditEntry).filter_by(action="funding.end").one()
    detail = orjson.loads(entry.detail)
    assert (entry.entity_id, detail["sponsor_id"], detail["new_sponsor_id"]) == (
        str(agreement), "gov-a", "gov-b")
    assert "moved from sponsor 'gov-a' to 'gov-b'" in entry.reason

    # The former sponsor no longer sees or changes it (404: it does not exist for them).
    assert client.get(f"/v1/funding-agreements/{agreement}", headers=a).status_code == 404
    assert client.get("/v1/funding-agreements", headers=a).json() == []
    r = client.patch(f"/v1/funding-agreements/{agreement}", headers={**a, "If-Match": '"2"'},
                     json={"valid_until": None})
    assert r.status_code == 404
    # Nobody re-opens a former sponsor's agreement, not even an admin.
    r = client.patch(f"/v1/funding-agreements/{agreement}",
                     headers={**admin, "If-Match": '"2"'}, json={"valid_until": None})
    assert r.status_code == 409 and "ended when the sponsor changed" in r.json()["detail"]
    # The new sponsor's list is empty, and its terminal is not funded by gov-a's money,
    # neither now nor at a time gov-a's agreement used to cover.
    assert client.get("/v1/funding-agreements", headers=b).json() == []
    for time in ("2026-02-10T12:00:00Z", "2030-01-01T00:00:00Z"):
        assert _one(client, world["sponsor_b"], "UT-A", time=time).json()["rule"] == \
            "unfunded-cutoff"
    # gov-b funds it itself: funded again.
    r = client.post("/v1/funding-agreements", headers=b,
                    json={"terminal_id": "UT-A", "valid_from": "2025-01-01T00:00:00Z"})
    assert r.status_code == 201
    assert _one(client, world["sponsor_b"], "UT-A").json()["rule"] == "ua-activated"
    assert [x["id"] for x in client.get("/v1/funding-agreements", headers=b).json()] == [
        r.json()["id"]]


def test_future_agreement_never_starts_and_orm_path_ends_too(app, world):
    """The registry's own update (used by suspensions) ends agreements too; an agreement
    that had not started ends at its start, so it covers nothing."""
    db = app.state.leonet.db
    future = utc_now() + dt.timedelta(days=30)
    with db.write() as s:
        open_id = sponsors.create_agreement(
            s, SETUP, terminal_id="UT-A", sponsor_id="gov-a",
            valid_from=dt.datetime(2025, 1, 1, tzinfo=dt.UTC)).id
        later_id = sponsors.create_agreement(
            s, SETUP, terminal_id="UT-A", sponsor_id="gov-a", valid_from=future).id
        past_id = sponsors.create_agreement(
            s, SETUP, terminal_id="UT-A", sponsor_id="gov-a",
            valid_from=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
            valid_until=dt.datetime(2024, 6, 1, tzinfo=dt.UTC)).id
    with db.write() as s:
        terminals.update(s, SETUP, "UT-A", 1, sponsor_id=None, reason="donation withdrawn")
    with db.read() as s:
        rows = {r.id: r for r in s.query(FundingAgreement)}
        ended = [int(e.entity_id) for e in s.query(AuditEntry).filter_by(action="funding.end")]
    assert rows[open_id].valid_until is not None and rows[open_id].valid_until <= utc_now()
    assert rows[later_id].valid_until == rows[later_id].valid_from == future
    assert rows[past_id].version == 1  # already over: untouched
    assert sorted(ended) == [open_id, later_id]
