"""Issue 17 F: the server signs the audit head with a key given to it (not in the database);
the signed checkpoint it hands out is checked by `leonet audit verify --checkpoint`."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import text

from leonet.cli import main
from leonet.control.registry import signing
from leonet.server.main import create_app
from leonet.server.settings import Settings

from .conftest import auth, make_world


def test_server_signed_checkpoint_catches_a_rewritten_tail(database_url, tmp_path, capsys):
    key = tmp_path / "audit.key"
    public = signing.generate(key)
    settings = Settings(database_url=database_url, telemetry_dir=str(tmp_path / "t"),
                        audit_signing_key_file=str(key))
    app = create_app(settings)
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            world = make_world(app.state.leonet.db)
            r = client.get("/v1/audit/checkpoint", headers=auth(world["auditor"]))
            assert r.status_code == 200, r.text
            body = r.json()
            assert body["public_key"] == public
            path = tmp_path / "checkpoint.json"
            path.write_text(json.dumps(body))
            args = ["audit", "verify", "--db", database_url, "--checkpoint", str(path),
                    "--public-key", public]
            assert main(args) == 0
            capsys.readouterr()
            # An attacker with the database deletes the newest entry and rewinds the head.
            with app.state.leonet.db.write_engine.begin() as conn:
                if app.state.leonet.db.dialect == "sqlite":
                    conn.execute(text("DROP TRIGGER audit_log_no_delete"))
                else:
                    conn.execute(text(
                        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
                last = body["seq"]
                prev = conn.execute(text("SELECT hash FROM audit_log WHERE seq = :s"),
                                    {"s": last - 1}).scalar_one()
                conn.execute(text("DELETE FROM audit_log WHERE seq = :s"), {"s": last})
                conn.execute(text("UPDATE audit_head SET seq = :s, hash = :h"),
                             {"s": last - 1, "h": prev})
            assert main(args) == 1
            assert "past the log's end" in capsys.readouterr().err
    finally:
        app.state.leonet.db.dispose()


def test_checkpoint_without_a_key_is_409(client, world):
    r = client.get("/v1/audit/checkpoint", headers=auth(world["admin"]))
    assert r.status_code == 409 and "LEONET_AUDIT_SIGNING_KEY_FILE" in r.json()["detail"]
