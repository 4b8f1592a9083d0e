"""The operator's console (`leonet serve`, ``/dashboard/``) in Debian's chromium, against the
real server on loopback: a wrong token is refused; a read-only role sees every action disabled
and, when a button is forced on, the server answers 403; an operator suspends a terminal and an
approver activates a version another person wrote, through the REST routes. Nothing leaves the
machine, the token never appears in a URL, and the consoles log no errors but the browser's
own note of an answer the test provoked. Screenshots go to reports/screenshots/."""

from __future__ import annotations

import re
from pathlib import Path

import httpx2 as httpx
import pytest

from leonet.control.registry import Database, migrate, policies
from leonet.control.registry.audit import Actor
from leonet.server import console
from leonet.server.dashboard.assets import STATIC_DIR
from tests.browser import chromium

from .conftest import make_world
from .live import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.skipif(
    not (STATIC_DIR / console.PAGE).is_file(), reason="the front-end is not built (make web)")]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "reports" / "screenshots"
# A loaded 2-core machine: the first answers of a fresh server can take a while.
WAIT_MS = 30_000
POLICY = 'version = "2026-12-console"\ndefault = "deny"\n'


def _provoked(status: int):
    """Chromium's own console note for an HTTP error answer (not the page's error)."""
    return re.compile(
        rf"^Failed to load resource: the server responded with a status of {status}\b")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """``(base URL, {role: token})`` of `leonet serve` over a small world with one policy
    version written by the policy author and not yet active."""
    url = f"sqlite:///{tmp_path_factory.mktemp('console') / 'registry.db'}"
    db = Database(url)
    migrate.upgrade(db)
    tokens = make_world(db)
    with db.write() as s:
        policies.upload(s, Actor(subject="policy_author-1", role="policy_author"),
                        document=POLICY, fmt="toml", comment="console test")
    db.dispose()
    with LiveServer(url) as base:
        yield base, tokens


def _sign_in(page, base: str, token: str) -> None:
    page.goto(f"{base}/dashboard/")
    page.fill("#token", token)
    page.click("#login button[type=submit]")


def _refreshed(page, times: int = 1) -> None:
    """Wait until the views have been read ``times`` times since sign-in. Selectors, not
    script predicates: the console's CSP refuses the eval those need."""
    page.wait_for_selector(f"body[data-refreshes='{times}']", state="attached", timeout=WAIT_MS)


def _clean(log, token: str, provoked: int | None = None) -> None:
    """Nothing left the machine, the token is in no URL, no page errors, and no console
    errors but Chromium's own note of the ``provoked`` status the test asked for."""
    assert not [u for u in log.requests if token in u]
    assert log.off_machine() == [] and log.refused == []
    assert [e for e in log.console_errors
            if provoked is None or not _provoked(provoked).match(e)] == []
    assert log.page_errors == []


def _screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"console-{name}.png"), full_page=True)


def test_wrong_token_is_refused(served):
    base, tokens = served
    wrong = tokens["support"][:-4] + "zzzz"
    with chromium() as (page, log):
        _sign_in(page, base, wrong)
        page.wait_for_selector("#message:not([hidden])", timeout=WAIT_MS)
        message = page.inner_text("#message")
        views_hidden = page.is_hidden("#views")
        kept = page.evaluate("sessionStorage.length")
        _screenshot(page, "login-refused")
    assert message.startswith("Sign-in refused: 401")
    assert views_hidden and kept == 0
    _clean(log, wrong, provoked=401)


def test_read_only_role_cannot_press_an_action_and_the_server_refuses(served):
    base, tokens = served
    with chromium() as (page, log):
        _sign_in(page, base, tokens["auditor"])
        _refreshed(page)
        buttons = page.eval_on_selector_all(
            "#views button[data-action]",
            "bs => bs.map(b => [b.dataset.action, b.disabled, b.title])")
        audit_rows = page.locator("#audit tbody tr").count()
        # Forced: the control turned on by hand, as a user with the browser's tools could.
        page.eval_on_selector("button[data-action='terminal-UT-A']", "b => { b.disabled = false; }")
        page.click("button[data-action='terminal-UT-A']")
        page.wait_for_selector("#message:not([hidden])", timeout=WAIT_MS)
        message = page.inner_text("#message")
        _screenshot(page, "read-only")
    actions = {a for a, _, _ in buttons}
    assert {"terminal-UT-A", "terminal-UT-B", "terminal-UT-C", "policy-1"} <= actions
    assert all(disabled for _, disabled, _ in buttons)
    assert all("role auditor may not call" in why for _, _, why in buttons)
    assert audit_rows > 0  # auditors read the log's head
    assert "403: role 'auditor' may not use this route" in message
    admin = {"Authorization": f"Bearer {tokens['admin']}"}
    assert httpx.get(f"{base}/v1/terminals/UT-A", headers=admin).json()["status"] == "active"
    _clean(log, tokens["auditor"], provoked=403)


def test_operator_suspends_a_terminal_and_an_approver_activates(served):
    base, tokens = served
    with chromium() as (page, log):
        _sign_in(page, base, tokens["support"])
        _refreshed(page)
        activate_disabled = page.is_disabled("button[data-action='policy-1']")
        audit_note = page.inner_text("#audit")
        page.click("button[data-action='terminal-UT-C']")
        _refreshed(page, 2)
        status = page.inner_text(
            "#terminals tr:has(button[data-action='terminal-UT-C']) .status-suspended")
        label = page.inner_text("button[data-action='terminal-UT-C']")
        # The token outlives a reload of the tab (sessionStorage), not the tab.
        page.reload()
        _refreshed(page)
        _screenshot(page, "operator")
        page.click("#logout")
        page.wait_for_selector("#login:not([hidden])", timeout=WAIT_MS)
        kept = page.evaluate("sessionStorage.length")
    assert activate_disabled  # support may not approve policies
    assert "may not read the audit log" in audit_note
    assert status == "suspended" and label == "Reactivate"
    assert kept == 0
    admin = {"Authorization": f"Bearer {tokens['admin']}"}
    assert httpx.get(f"{base}/v1/terminals/UT-C", headers=admin).json()["status"] == "suspended"
    _clean(log, tokens["support"])

    with chromium() as (page, log):
        _sign_in(page, base, tokens["policy_approver"])
        _refreshed(page)
        before = page.inner_text("#policies tbody tr")
        page.click("button[data-action='policy-1']")
        _refreshed(page, 2)
        after = page.inner_text("#policies tbody tr")
        _screenshot(page, "approver")
    assert "needs an approver other than policy_author-1" in before
    assert "active: written by policy_author-1, activate by policy_approver-1" in after
    _clean(log, tokens["policy_approver"])
