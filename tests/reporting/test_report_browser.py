"""The demo report opened in a real browser (Debian's chromium): written with a relative
``--out`` from another working directory, every figure loads, nothing is logged as an error
and no request leaves the machine (issue 14 §1)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from leonet.cli import main
from tests.browser import chromium, require_browser

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`leonet demo --out report/demo`, run with the working directory a fresh folder."""
    require_browser()  # the demo takes a minute or two: only when the browser is there
    cwd = tmp_path_factory.mktemp("cwd")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(cwd)
        assert main(["demo", "--out", "report/demo"]) == 0
    return cwd / "report" / "demo" / "index.html"


def test_every_demo_figure_loads_offline(demo_report: Path) -> None:
    with chromium() as (page, log):
        page.goto(demo_report.as_uri())
        page.wait_for_load_state("load")
        images = page.evaluate("[...document.images].map(i => ({src: i.getAttribute('src'), "
                               "alt: i.alt, width: i.naturalWidth, done: i.complete}))")
    assert len(images) >= 10
    broken = [i["src"] for i in images if not (i["done"] and i["width"] > 0)]
    assert broken == []
    assert all(len(i["alt"]) > 15 for i in images), [i for i in images if len(i["alt"]) <= 15]
    assert log.console_errors == [] and log.page_errors == []
    assert log.off_machine() == [] and log.refused == []
    # report.md names the same files, relative to itself
    md = demo_report.with_name("report.md").read_text(encoding="utf-8")
    md_images = re.findall(r"!\[[^\]]+\]\(([^)]+)\)", md)
    assert sorted(md_images) == sorted(i["src"] for i in images)
    assert all((demo_report.parent / src).is_file() for src in md_images)
