"""Report folders link their figures and files relative to the written file, whatever the
working directory and however ``out_dir`` was given (issue 14 §1)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from leonet.reporting.html import Section, write_report


@pytest.mark.parametrize("out", ["reports/x", "./reports/../reports/x"])
def test_relative_out_dir_links_relative_to_the_report(tmp_path: Path, monkeypatch, out) -> None:
    monkeypatch.chdir(tmp_path)
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "a.png").write_bytes(b"png")
    (out_dir / "t.csv").write_text("x\n", encoding="utf-8")
    sec = Section("S", "text", figures=[("Served terminals [top]", out_dir / "a.png")],
                  files=[out_dir / "t.csv"])
    page = write_report(out_dir, "T", [sec]).read_text(encoding="utf-8")
    assert "<img src='a.png' alt='Served terminals [top]'>" in page
    assert "href='t.csv'" in page
    md = (tmp_path / "reports/x/report.md").read_text(encoding="utf-8")
    assert re.search(r"!\[Served terminals \\\[top\\\]\]\(a\.png\)", md)


def test_absolute_figure_paths_and_subfolders(tmp_path: Path) -> None:
    (tmp_path / "figs").mkdir()
    sec = Section("S", figures=[("A map of the cells", tmp_path / "figs" / "m.png")])
    page = write_report(tmp_path, "T", [sec]).read_text(encoding="utf-8")
    assert "src='figs/m.png'" in page
