"""The browser harness itself: a local page loads, a request off the machine is refused and
recorded, and console errors are collected (so browser tests can fail)."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from tests.browser import chromium, is_local

pytestmark = pytest.mark.browser


def _png_1x1() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x00\xff\x00")) + chunk(b"IEND", b""))


def test_url_locality() -> None:
    assert is_local("http://127.0.0.1:8050/x") and is_local("file:///tmp/a.html")
    assert not is_local("https://cdn.example.org/cesium.js")


def test_local_page_loads_and_outside_requests_are_refused(tmp_path: Path) -> None:
    (tmp_path / "dot.png").write_bytes(_png_1x1())
    (tmp_path / "index.html").write_text(
        "<!doctype html><title>t</title><img id=a src='dot.png' alt='a dot'>"
        "<img id=b src='https://tiles.example.org/0/0/0.png' alt='a tile'>"
        "<script>console.error('boom')</script>", encoding="utf-8")
    with chromium() as (page, log):
        page.goto((tmp_path / "index.html").as_uri())
        page.wait_for_load_state("load")
        widths = page.evaluate("[...document.images].map(i => i.naturalWidth)")
    assert widths[0] == 1 and widths[1] == 0
    assert log.off_machine() == ["https://tiles.example.org/0/0/0.png"]
    assert log.refused == ["https://tiles.example.org/0/0/0.png"]
    assert "boom" in log.console_errors
