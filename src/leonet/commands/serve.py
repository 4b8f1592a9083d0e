"""`leonet serve`: run the REST API (uvicorn)."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from leonet.commands.common import flag
from leonet.control.registry import migrate
from leonet.control.registry.db import ENV_DATABASE_URL, Database, resolve_database_url

app = typer.Typer(help="Run the control-plane REST API.", add_completion=False)


@app.callback(invoke_without_command=True)
def serve(
    db: Annotated[str | None, typer.Option(
        help="Database URL (default $LEONET_DATABASE_URL, else sqlite:///leonet.db).")] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64,
                                         help="Worker processes (share one database).")] = 1,
    access_log: Annotated[bool, flag(help="Log every request.")] = False,
) -> None:
    """Serve the API until interrupted; migrates the database to the newest schema first."""
    import uvicorn  # ~25 ms to import, for this command only: not at CLI start-up

    url = resolve_database_url(db)
    os.environ[ENV_DATABASE_URL] = url  # worker processes read their settings from here
    database = Database(url)
    migrate.upgrade(database)
    database.dispose()
    typer.echo(f"leonet: serving {database!r} on http://{host}:{port} (docs at /docs, "
               "operator console at /dashboard/)", err=True)
    uvicorn.run(
        "leonet.server.main:create_app", factory=True, host=host, port=port, workers=workers,
        loop="uvloop", http="httptools", access_log=access_log, log_level="info",
        timeout_graceful_shutdown=10,
        # No `server: uvicorn` header (it tells an attacker what to aim at); idle keep-alive
        # connections close after 5 s; past 1,000 connections in flight new ones get 503,
        # so slow clients cannot take every socket (body reads time out: server.limits).
        server_header=False, timeout_keep_alive=5, limit_concurrency=1000,
    )
