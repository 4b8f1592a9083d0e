"""`leonet dashboard`: the scenario on a globe in the browser, served on loopback."""

from __future__ import annotations

import errno
import json
import socket
from pathlib import Path
from typing import Annotated

import typer

from leonet.commands.common import load_source
from leonet.commands.scenario import resolve_scenario
from leonet.errors import InputError
from leonet.scenario import load_scenario
from leonet.server.dashboard.assets import static_dir
from leonet.server.dashboard.view import ScenarioView

# The shipped end-to-end scenario: every kind of event of the public record.
DEFAULT_SCENARIO = "ukraine-2022-2026"


def dashboard(
    source: Annotated[str, typer.Argument(
        help="A shipped scenario's name, a .scenario.toml, or a folder `leonet scenario run` "
             "wrote.")] = DEFAULT_SCENARIO,
    host: Annotated[str, typer.Option(help="Address to listen on (loopback: only you).")] =
        "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535,
                                      help="Port to listen on (0: any free one).")] = 8050,
    constellation: Annotated[str | None, typer.Option(
        help="Draw these satellites instead of the scenario's (TLE/OMM file or preset).")] =
        None,
) -> None:
    """Serve the dashboard until interrupted; prints its address as the last line."""
    import uvicorn  # for this command only: not at CLI start-up

    from leonet.server.dashboard.app import create_dashboard_app

    scn = load_scenario(scenario_path(source))
    sats_source = constellation or scn.constellation
    sats = load_source(sats_source)
    if constellation is None and scn.alt_km != (None, None):
        sats = sats.filter(alt_km=scn.alt_km)
    view = ScenarioView(scn, sats, source=str(sats_source))
    sock = bind(host, port)
    try:
        static = static_dir()  # after the user's arguments, whose mistakes come first
    except InputError:
        sock.close()
        raise
    view.prepare()
    app = create_dashboard_app(view, static)
    config = uvicorn.Config(app, log_level="warning", access_log=False,
                            timeout_graceful_shutdown=5)
    bound_port = sock.getsockname()[1]
    shown_host = f"[{host}]" if ":" in host else host
    print(f"Dashboard: http://{shown_host}:{bound_port}/", flush=True)
    uvicorn.Server(config).run(sockets=[sock])


def scenario_path(source: str) -> Path:
    """The scenario file behind ``source``: a scenario file or shipped name, or the folder a
    `leonet scenario run` wrote (its ``results.json`` names the scenario)."""
    path = Path(source)
    if path.is_dir():
        doc_path = path / "results.json"
        try:
            doc = json.loads(doc_path.read_text(encoding="utf-8"))
            name, digest = doc["scenario"], doc["sha256"]
        except (OSError, ValueError, KeyError, TypeError):
            raise InputError("is not a folder `leonet scenario run` wrote (no readable "
                             "results.json naming its scenario)", str(path)) from None
        candidates = [path / str(doc.get("file", "")), Path(str(name))]
        for candidate in candidates:
            try:
                scenario_file = resolve_scenario(str(candidate))
            except InputError:
                continue
            if scenario_file.is_file() and load_scenario(scenario_file).digest() == digest:
                return scenario_file
        raise InputError(f"was written from scenario {name!r}, which is neither shipped nor "
                         "beside it unchanged; pass its .scenario.toml instead", str(path))
    return resolve_scenario(source)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``, or a one-line error naming the port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        reason = ("is in use" if exc.errno == errno.EADDRINUSE
                  else f"cannot be bound ({exc.strerror})")
        raise InputError(f"port {port} on {host} {reason}", "--port") from None
    sock.listen(128)
    return sock
