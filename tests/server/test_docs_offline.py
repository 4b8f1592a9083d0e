"""/docs works offline (issue 14 §4): its page names no other host, and the Swagger UI
script, style and icon it loads are served by the service itself, without a token."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from leonet.server.main import DOCS_ASSETS


def test_docs_page_loads_nothing_from_elsewhere(client):
    page = client.get("/docs")
    assert page.status_code == 200
    html = page.text
    refs = re.findall(r"""(?:src|href|url)\s*[=:]\s*['"]([^'"]+)['"]""", html)
    assert refs, html
    assert not [r for r in refs if urlsplit(r).netloc or r.startswith("//")], refs
    assert f"{DOCS_ASSETS}/swagger-ui-bundle.js" in refs
    assert f"{DOCS_ASSETS}/swagger-ui.css" in refs
    for ref in refs:
        asset = client.get(ref)
        assert asset.status_code == 200, ref
        assert len(asset.content) > 0
    script = client.get(f"{DOCS_ASSETS}/swagger-ui-bundle.js")
    assert "javascript" in script.headers["content-type"]
    assert b"SwaggerUIBundle" in script.content
    assert "css" in client.get(f"{DOCS_ASSETS}/swagger-ui.css").headers["content-type"]
