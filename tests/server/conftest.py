"""A real application over a fresh registry (SQLite, or PostgreSQL in CI), tokens for every
role, and a small world of sponsors, accounts and terminals."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from leonet.control.registry import Database, accounts, sponsors, terminals, tokens
from leonet.control.registry.audit import Actor, utc_now
from leonet.server.main import create_app
from leonet.server.settings import Settings
from tests.control.registry.conftest import database_url  # noqa: F401  (fixture)

ROLES = ("admin", "policy_author", "policy_approver", "support", "auditor", "sponsor")
SETUP = Actor(subject="setup", role="admin")


def make_world(db: Database) -> dict[str, str]:
    """Two sponsors with one terminal each, an unsponsored terminal, and a token per role
    (a second sponsor token for gov-b and a second approver). Returns ``{name: token}``."""
    now = utc_now()
    long_ago = now - dt.timedelta(days=400)
    with db.write() as s:
        issued = {"admin": tokens.bootstrap(s, "root").token}
        sponsors.create_sponsor(s, SETUP, id="gov-a", name="Government A")
        sponsors.create_sponsor(s, SETUP, id="gov-b", name="Government B")
        accounts.create(s, SETUP, id="ACC-1", name="Customer 1", home_country="UA",
                        plan="residential")
        accounts.create(s, SETUP, id="ACC-2", name="Customer 2", home_country="PL",
                        plan="roam")
        for tid, sponsor, account in (("UT-A", "gov-a", "ACC-1"), ("UT-B", "gov-b", None),
                                      ("UT-C", None, "ACC-1")):
            terminals.create(s, SETUP, id=tid, kit_serial=f"KIT-{tid}", dish_id=f"DISH-{tid}",
                             kit_type="standard", account_id=account, sponsor_id=sponsor,
                             status="active", purchased_at=long_ago, activated_at=long_ago)
        for role in ROLES[1:]:
            sponsor = "gov-a" if role == "sponsor" else None
            issued[role] = tokens.issue(s, SETUP, role, sponsor_id=sponsor,
                                        subject=f"{role}-1").token
        issued["sponsor_b"] = tokens.issue(s, SETUP, "sponsor", sponsor_id="gov-b",
                                           subject="sponsor-b").token
        issued["approver_2"] = tokens.issue(s, SETUP, "policy_approver",
                                            subject="approver-2").token
        issued["author_2"] = tokens.issue(s, SETUP, "policy_author", subject="author-2").token
    return issued


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def settings(database_url) -> Settings:  # noqa: F811
    return Settings(database_url=database_url)


@pytest.fixture
def app(settings):
    application = create_app(settings)
    yield application
    application.state.leonet.db.dispose()


@pytest.fixture
def client(app) -> TestClient:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def world(app) -> dict[str, str]:
    return make_world(app.state.leonet.db)
