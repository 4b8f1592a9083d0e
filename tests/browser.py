"""A real browser for tests: Debian's chromium driven by Playwright (never a downloaded browser
build), with every request and console message recorded and nothing allowed off the machine.

Tests that use it are marked ``browser``; they skip with the reason when the `playwright`
package or the chromium binary is absent (`make test` on a machine without chromium), and
`.ci/run` installs chromium and runs them in a step of their own.

>>> sorted(LOOPBACK_HOSTS)
['127.0.0.1', '::1', 'localhost']
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Debian's package puts its launcher here; LEONET_CHROMIUM points elsewhere if needed.
CHROMIUM = Path(os.environ.get("LEONET_CHROMIUM", "/usr/bin/chromium"))
# Headless in a sandboxed container as root: no setuid sandbox, no GPU (WebGL falls back to
# software rendering), and none of Chromium's own background connections (component updates,
# sync, QUIC probes), which this machine's closed network would refuse anyway.
CHROMIUM_ARGS = (
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--enable-unsafe-swiftshader", "--use-angle=swiftshader",
)
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
LOCAL_SCHEMES = frozenset({"file", "data", "blob", "about"})


@dataclass
class PageLog:
    """What a page did: every request URL, console errors, uncaught exceptions, and the
    requests that were refused because they would have left the machine."""

    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def off_machine(self) -> list[str]:
        """Requests to any host but the loopback one (refused ones included)."""
        return [u for u in self.requests if not is_local(u)]


def is_local(url: str) -> bool:
    """Whether ``url`` stays on this machine (loopback host, a file, inline data)."""
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or (parts.hostname or "") in LOOPBACK_HOSTS


def require_browser() -> None:
    """Skip the calling test, naming what is missing, unless Playwright and chromium are
    installed."""
    try:
        import playwright.sync_api  # noqa: F401  (only whether it imports)
    except ImportError:
        pytest.skip("the playwright package is not installed (pip install -e '.[test]')")
    if not (CHROMIUM.exists() or shutil.which(str(CHROMIUM))):
        pytest.skip(f"{CHROMIUM} is absent (Debian: apt-get install chromium; .ci/run does)")


@contextmanager
def chromium(viewport: tuple[int, int] = (1280, 800)) -> Iterator[tuple[object, PageLog]]:
    """``(page, log)``: a fresh headless chromium page whose requests off the machine are
    refused and recorded, with console errors and page exceptions collected in ``log``."""
    require_browser()
    from playwright.sync_api import sync_playwright

    log = PageLog()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS))
        try:
            context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})

            def guard(route) -> None:
                url = route.request.url
                if is_local(url):
                    route.continue_()
                else:
                    log.refused.append(url)
                    route.abort()

            context.route("**/*", guard)
            page = context.new_page()
            page.on("request", lambda r: log.requests.append(r.url))
            page.on("console", lambda m: log.console_errors.append(m.text)
                    if m.type == "error" else None)
            page.on("pageerror", lambda e: log.page_errors.append(str(e)))
            yield page, log
        finally:
            browser.close()
