"""A dashboard over the shipped end-to-end scenario, run as a user runs it (`leonet dashboard`
on a free loopback port), and the same view in process for API tests."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from leonet.commands.dashboard import DEFAULT_SCENARIO, scenario_path
from leonet.physics.orbits.constellation import Constellation
from leonet.scenario import load_scenario
from leonet.server.dashboard.assets import STATIC_DIR
from leonet.server.dashboard.view import ScenarioView

LEONET = str(Path(sys.executable).with_name("leonet"))
BUILT = (STATIC_DIR / "index.html").is_file()
needs_build = pytest.mark.skipif(not BUILT, reason="the front-end is not built: run `make web`")


@pytest.fixture(scope="session")
def view() -> ScenarioView:
    scn = load_scenario(scenario_path(DEFAULT_SCENARIO))
    return ScenarioView(scn, Constellation.load(scn.constellation), source=scn.constellation)


@pytest.fixture(scope="session")
def api(view, tmp_path_factory) -> Iterator[TestClient]:
    from leonet.server.dashboard.app import create_dashboard_app

    static = tmp_path_factory.mktemp("static")
    (static / "index.html").write_text("<!doctype html><title>t</title>", encoding="utf-8")
    with TestClient(create_dashboard_app(view, static), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def dashboard_url() -> Iterator[str]:
    """The base URL of a real `leonet dashboard --port 0` (stopped after the module)."""
    if not BUILT:
        pytest.skip("the front-end is not built: run `make web`")
    proc = subprocess.Popen([LEONET, "dashboard", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        # The address is printed once the socket listens: requests queue until it serves.
        line = proc.stdout.readline().strip()
        if not line.startswith("Dashboard: "):
            proc.kill()
            pytest.fail(f"leonet dashboard printed {line!r}; stderr: {proc.stderr.read()}")
        yield line.removeprefix("Dashboard: ")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
