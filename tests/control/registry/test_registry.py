"""Repositories: lifecycle, transfer rules, tokens, tenancy, funding and the cache."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from leonet.control.registry import (
    accounts,
    facts,
    policies,
    sponsors,
    terminals,
    tokens,
    transfers,
    whitelist,
)
from leonet.control.registry.audit import Actor, utc_now
from leonet.control.registry.cache import RegistryCache
from leonet.control.registry.errors import (
    AlreadyBootstrappedError,
    AlreadyExistsError,
    NotFoundError,
    RuleViolationError,
    VersionConflictError,
)
from leonet.errors import InputError

from .conftest import ADMIN

DAY = dt.timedelta(days=1)
UTC = dt.UTC


def _world(db, *, purchased_days_ago=200, activated_days_ago=150, balance=0):
    now = utc_now()
    with db.write() as s:
        accounts.create(s, ADMIN, id="ACC-A", name="A", home_country="UA", plan="residential",
                        balance_due_cents=balance)
        accounts.create(s, ADMIN, id="ACC-B", name="B", home_country="UA", plan="roam")
        sponsors.create_sponsor(s, ADMIN, id="gov-1", name="Gov 1")
        sponsors.create_sponsor(s, ADMIN, id="gov-2", name="Gov 2")
        terminals.create(
            s, ADMIN, id="UT-1", kit_serial="K1", dish_id="D1", kit_type="standard",
            account_id="ACC-A", status="active", sponsor_id="gov-1",
            purchased_at=now - purchased_days_ago * DAY,
            activated_at=now - activated_days_ago * DAY,
        )
        terminals.create(s, ADMIN, id="UT-2", kit_serial="K2", dish_id="D2",
                         kit_type="mini", sponsor_id="gov-2")
    return now


# Lifecycle from the issue: ordered -> active <-> suspended -> deactivated (final).
EXPECTED_TRANSITIONS = {
    ("ordered", "active"), ("ordered", "deactivated"), ("active", "suspended"),
    ("active", "deactivated"), ("suspended", "active"), ("suspended", "deactivated"),
}
STATUSES = ("ordered", "active", "suspended", "deactivated")


@pytest.mark.parametrize("old", STATUSES)
@pytest.mark.parametrize("new", STATUSES)
def test_status_transitions(db, old, new):
    with db.write() as s:
        row = terminals.create(s, ADMIN, id="UT-9", kit_serial="K9", dish_id="D9",
                               kit_type="standard", status=old)
        version = row.version
    if old == new:
        return
    if (old, new) in EXPECTED_TRANSITIONS:
        with db.write() as s:
            row = terminals.update(s, ADMIN, "UT-9", version, status=new, reason="test")
            assert (row.status, row.version) == (new, version + 1)
            if new == "active":
                assert row.activated_at is not None
    else:
        with pytest.raises(RuleViolationError, match=f"cannot go from {old} to {new}"), \
                db.write() as s:
            terminals.update(s, ADMIN, "UT-9", version, status=new)


def test_stale_version_is_refused_and_nothing_changes(db):
    _world(db)
    with db.write() as s:
        terminals.update(s, ADMIN, "UT-1", 1, kit_type="mini")
    with pytest.raises(VersionConflictError, match="at version 2, not 1"), db.write() as s:
        terminals.update(s, ADMIN, "UT-1", 1, status="suspended", reason="emergency")
    with db.read() as s:
        row = terminals.get(s, ADMIN, "UT-1")
        assert (row.status, row.kit_type, row.version) == ("active", "mini", 2)


def test_duplicates_and_bad_input(db):
    _world(db)
    with pytest.raises(AlreadyExistsError, match="kit_serial 'K1' is already used by"), \
            db.write() as s:
        terminals.create(s, ADMIN, id="UT-3", kit_serial="K1", dish_id="D3", kit_type="x")
    with pytest.raises(InputError, match="home_country"), db.write() as s:
        accounts.create(s, ADMIN, id="ACC-C", name="C", home_country="Ukraine", plan="p")
    with pytest.raises(InputError, match="activated_at"), db.write() as s:
        terminals.create(s, ADMIN, id="UT-3", kit_serial="K3", dish_id="D3", kit_type="x",
                         purchased_at=utc_now() - DAY, activated_at=utc_now() - 2 * DAY)
    with pytest.raises(InputError, match="no timezone"), db.write() as s:
        terminals.create(s, ADMIN, id="UT-3", kit_serial="K3", dish_id="D3", kit_type="x",
                         purchased_at=dt.datetime(2025, 1, 1))
    with pytest.raises(NotFoundError, match="account 'NOPE'"), db.write() as s:
        terminals.create(s, ADMIN, id="UT-3", kit_serial="K3", dish_id="D3", kit_type="x",
                         account_id="NOPE")


@pytest.mark.parametrize(
    ("purchased", "activated", "balance", "allowed", "why"),
    [
        (200, 150, 0, True, None),
        (119, 100, 0, False, "120 days after purchase"),
        (200, 89, 0, False, "90 days after activation"),
        (121, 91, 0, True, None),
        (200, 150, 1999, False, "owes 19.99"),
    ],
)
def test_transfer_rules(db, purchased, activated, balance, allowed, why):
    _world(db, purchased_days_ago=purchased, activated_days_ago=activated, balance=balance)
    if allowed:
        with db.write() as s:
            row = transfers.transfer(s, ADMIN, terminal_id="UT-1", to_account_id="ACC-B")
            assert (row.from_account_id, row.to_account_id) == ("ACC-A", "ACC-B")
        with db.read() as s:
            assert terminals.get(s, ADMIN, "UT-1").account_id == "ACC-B"
    else:
        with pytest.raises(RuleViolationError, match=why), db.write() as s:
            transfers.transfer(s, ADMIN, terminal_id="UT-1", to_account_id="ACC-B")
        with db.read() as s:
            assert terminals.get(s, ADMIN, "UT-1").account_id == "ACC-A"
            assert transfers.list_transfers(s) == []


def test_transfer_rules_are_configurable(db):
    _world(db, purchased_days_ago=60, activated_days_ago=50)
    with pytest.raises(RuleViolationError), db.write() as s:
        transfers.transfer(s, ADMIN, terminal_id="UT-1", to_account_id="ACC-B")
    with db.write() as s:
        rules = transfers.update_rules(s, ADMIN, 1, min_days_after_purchase=30,
                                       min_days_after_activation=30)
        assert rules.version == 2
    with db.write() as s:
        transfers.transfer(s, ADMIN, terminal_id="UT-1", to_account_id="ACC-B")


def test_moving_accounts_outside_a_transfer_is_refused(db):
    _world(db)
    with pytest.raises(RuleViolationError, match="is a transfer"), db.write() as s:
        terminals.update(s, ADMIN, "UT-1", 1, account_id="ACC-B")
    with db.write() as s:  # giving an account to a terminal without one is fine
        assert terminals.update(s, ADMIN, "UT-2", 1, account_id="ACC-B").account_id == "ACC-B"


def test_tokens(db):
    with db.write() as s:
        admin = tokens.bootstrap(s)
    with pytest.raises(AlreadyBootstrappedError), db.write() as s:
        tokens.bootstrap(s)
    _world(db)
    with db.write() as s:
        sponsor = tokens.issue(s, ADMIN, "sponsor", sponsor_id="gov-1")
        short = tokens.issue(s, ADMIN, "support", expires_at=utc_now() + dt.timedelta(hours=1))
    with db.read() as s:
        assert tokens.authenticate(s, admin.token).role == "admin"
        assert tokens.authenticate(s, sponsor.token).sponsor_id == "gov-1"
        assert tokens.authenticate(s, admin.token[:-1] + "x") is None
        assert tokens.authenticate(s, "lnt_999_abc") is None
        assert tokens.authenticate(s, "garbage") is None
        later = utc_now() + dt.timedelta(hours=2)
        assert tokens.authenticate(s, short.token, now=later) is None
        assert tokens.authenticate(s, short.token).role == "support"
        stored = {t.secret_sha256 for t in tokens.list_tokens(s)}
    assert not any(t.token.split("_", 2)[2] in stored for t in (admin, sponsor, short))
    with db.write() as s:
        tokens.revoke(s, ADMIN, sponsor.id)
    with db.read() as s:
        assert tokens.authenticate(s, sponsor.token) is None
    with pytest.raises(InputError, match="needs --sponsor"), db.write() as s:
        tokens.issue(s, ADMIN, "sponsor")
    with pytest.raises(InputError, match="unknown role"), db.write() as s:
        tokens.issue(s, ADMIN, "root")


def test_sponsor_tenancy(db):
    _world(db)
    gov1 = Actor("gov1-bot", "sponsor", sponsor_id="gov-1")
    start = dt.datetime(2025, 1, 1, tzinfo=UTC)
    with db.write() as s:
        own = sponsors.create_agreement(s, gov1, terminal_id="UT-1", valid_from=start)
        assert own.sponsor_id == "gov-1"
    with db.read() as s:
        assert [t.id for t in terminals.list_terminals(s, gov1)] == ["UT-1"]
        with pytest.raises(NotFoundError):
            terminals.get(s, gov1, "UT-2")
        assert [a.id for a in sponsors.list_agreements(s, gov1)] == [own.id]
        assert [x.id for x in sponsors.list_sponsors(s, gov1)] == ["gov-1"]
    for terminal, sponsor in (("UT-2", None), ("UT-2", "gov-2"), ("UT-1", "gov-2")):
        with pytest.raises(NotFoundError), db.write() as s:
            sponsors.create_agreement(s, gov1, terminal_id=terminal, sponsor_id=sponsor,
                                      valid_from=start)
    with pytest.raises(RuleViolationError, match="not donated by sponsor 'gov-1'"), \
            db.write() as s:
        sponsors.create_agreement(s, ADMIN, terminal_id="UT-2", sponsor_id="gov-1",
                                  valid_from=start)


def _ns(text: str) -> int:
    return int(np.datetime64(text.removesuffix("Z"), "ns").astype(np.int64))


def test_funded_and_whitelisted_follow_their_intervals(db):
    _world(db)
    t0 = dt.datetime(2025, 1, 1, tzinfo=UTC)
    t1 = dt.datetime(2025, 6, 1, tzinfo=UTC)
    with db.write() as s:
        agreement = sponsors.create_agreement(s, ADMIN, terminal_id="UT-1", sponsor_id="gov-1",
                                              valid_from=t0, valid_until=t1)
        sponsors.set_end(s, ADMIN, agreement.id, 1, valid_until=t1)  # unchanged: no new version
        whitelist.create(s, ADMIN, terminal_id="UT-1", region="UA", evidence_ref="case 7",
                         verified_at=dt.datetime(2025, 3, 1, tzinfo=UTC))
        terminals.update(s, ADMIN, "UT-2", 1, account_id="ACC-B")
    loaded = facts.load(db, ["UT-1", "UT-2", "UT-404"])
    assert set(loaded) == {"UT-1", "UT-2"}
    table = facts.FactTable.build([loaded["UT-1"], loaded["UT-2"]])
    times = ["2024-12-31T23:59:59Z", "2025-01-01T00:00:00Z", "2025-05-31T23:59:59Z",
             "2025-06-01T00:00:00Z"]
    codes = np.array([0, 0, 0, 0, 1])
    time_ns = np.array([_ns(t) for t in times] + [_ns(times[0])])
    # A sponsored terminal is funded inside [valid_from, valid_until); UT-2 is sponsored by
    # gov-2 but has no agreement: unfunded.
    assert table.funded(codes, time_ns).tolist() == [False, True, True, False, False]
    everywhere = lambda name, lat, lon: np.ones(lat.shape, bool)  # noqa: E731
    white = table.whitelisted(codes, time_ns, np.zeros(5), np.zeros(5), everywhere)
    assert white.tolist() == [False, False, True, True, False]
    assert table.plan[codes].tolist() == ["residential"] * 4 + ["roam"]


def test_self_paying_terminal_is_funded_unless_balance_due(db):
    _world(db)
    with db.write() as s:
        terminals.create(s, ADMIN, id="UT-3", kit_serial="K3", dish_id="D3", kit_type="x",
                         account_id="ACC-A")
    table = facts.FactTable.build([facts.load(db, ["UT-3"])["UT-3"]])
    assert table.funded(np.array([0]), np.array([0])).tolist() == [True]
    with db.write() as s:
        accounts.update(s, ADMIN, "ACC-A", 1, balance_due_cents=500)
    table = facts.FactTable.build([facts.load(db, ["UT-3"])["UT-3"]])
    assert table.funded(np.array([0]), np.array([0])).tolist() == [False]


def test_cache_follows_changes_made_by_another_process(db):
    _world(db)
    cache = RegistryCache(db)
    seq = cache.sync()
    assert cache.facts(["UT-1"], seq)["UT-1"].plan == "residential"
    other = type(db)(db.url)  # a second connection pool, as another server process has
    with other.write() as s:
        accounts.update(s, ADMIN, "ACC-A", 1, plan="business")
    with other.write() as s:
        terminals.update(s, ADMIN, "UT-1", 1, status="suspended", reason="emergency")
    other.dispose()
    seq2 = cache.sync()
    got = cache.facts(["UT-1"], seq2)["UT-1"]
    assert seq2 == seq + 2
    assert (got.plan, got.status) == ("business", "suspended")


def test_policy_store_refuses_bad_and_duplicate_input(db):
    with pytest.raises(InputError, match="format"), db.write() as s:
        policies.upload(s, ADMIN, document="x", fmt="yaml")
    with pytest.raises(RuleViolationError, match="nothing to roll back"), db.write() as s:
        policies.rollback(s, ADMIN, "oops")


@pytest.mark.parametrize("engine_from_rows", [1, 10**9])
def test_region_lookup_is_exact_both_ways(engine_from_rows):
    # Kyiv and Lviv are in Ukraine, Warsaw and Kraków in Poland, far from any border.
    lat = np.array([50.45, 49.84, 52.23, 50.06])
    lon = np.array([30.52, 24.03, 21.01, 19.94])
    lookup = facts.RegionLookup(engine_from_rows=engine_from_rows)
    assert lookup("UA", lat, lon).tolist() == [True, True, False, False]
    assert lookup("PL", lat, lon).tolist() == [False, False, True, True]
    with pytest.raises(InputError, match="did you mean"):
        lookup.check("Ukrane")
