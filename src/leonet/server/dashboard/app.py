"""The dashboard's local web application: the built front-end at ``/`` and its data under
``/api/``. Bulk arrays travel as raw little-endian typed arrays (``application/octet-stream``)
with their shape in headers; small answers are JSON; errors are problem documents.

This single-user local mode has no login: `leonet dashboard` binds it to loopback by default.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from leonet import __version__
from leonet.physics.timegrid import iso_utc
from leonet.server import problems
from leonet.server.dashboard.route import MAX_ROUTE_S
from leonet.server.dashboard.scenario_api import coverage_meta, scenario_router
from leonet.server.dashboard.view import MAX_WINDOW_S, SLOT_S, WINDOW_S, ScenarioView
from leonet.server.dashboard.wire import Instant, binary, checked, ns
from leonet.server.problems import Problem

# City names are short; "lat,lon" is shorter.
MAX_PLACE_CHARS = 100


def create_dashboard_app(view: ScenarioView, static: object) -> FastAPI:
    """The application over ``view``, serving the built front-end from folder ``static``."""
    app = FastAPI(title="leonet dashboard", version=__version__, docs_url=None,
                  redoc_url=None, openapi_url="/api/openapi.json")
    problems.install(app)
    app.include_router(_api(view))
    app.include_router(scenario_router(view))

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(f"{static}/index.html", headers={"Cache-Control": "no-cache"})

    app.mount("/", StaticFiles(directory=str(static)), name="static")
    return app


def _api(view: ScenarioView) -> APIRouter:
    router = APIRouter(prefix="/api")
    scn = view.scenario

    @router.get("/meta")
    def meta() -> JSONResponse:
        """The scenario, its policies and events, the satellites and the legend."""
        return JSONResponse({
            "scenario": scn.name, "title": scn.title, "source": view.source,
            "start": iso_utc(scn.start_ns, "s"), "end": iso_utc(scn.end_ns, "s"),
            "span": [iso_utc(t, "s") for t in view.span_ns],
            "initial": iso_utc(view.initial_ns, "s"),
            "slot_s": SLOT_S, "max_window_s": MAX_WINDOW_S, "window_s": WINDOW_S,
            "n_sats": len(view.sats), "constellation": scn.constellation,
            "shells": list(view.shell_sizes), "links_shell": view.default_links_shell,
            "policies": [{"version": s.policy.version, "file": s.path.name,
                          "from": iso_utc(s.from_ns, "s"), "event": s.event}
                         for s in scn.policies],
            "rules": [{"name": n, "colour": view.palette[n],
                       "allowed": view.rule_allowed[n]}
                      for n in view.rule_names],
            "coverage": coverage_meta(view),
        })

    @router.get("/positions")
    def positions(start: Instant, duration_s: Annotated[float, Query(
            ge=0, le=MAX_WINDOW_S)] = 3600.0) -> Response:
        """float32 ``(n_times, n_sats, 3)`` Earth-fixed km every slot from ``start``."""
        t0 = ns(start, "start")
        r = checked(view.positions, t0, duration_s)
        slot = round(SLOT_S * 1e9)
        return binary(r, **{"X-Start": iso_utc(t0 // slot * slot, "s"),
                             "X-Step-S": str(SLOT_S)})

    @router.get("/links")
    def links(shell: Annotated[int | None, Query(ge=0, le=10_000)] = None) -> Response:
        """uint32 ``(n_links, 2)``: the +Grid laser links as satellite index pairs, of one
        shell (index into ``/api/meta``'s ``shells``) or all."""
        return binary(checked(view.links_in, shell))

    @router.get("/ground")
    def ground() -> JSONResponse:
        """Gateways and PoPs: names and positions."""
        out = {}
        for kind, sites in view.ground.items():
            p = sites.points
            out[kind] = [{"name": str(n), "lat_deg": round(float(a), 5),
                          "lon_deg": round(float(o), 5), "country": str(c)}
                         for n, a, o, c in zip(p.names, p.lat_deg, p.lon_deg, sites.country,
                                               strict=True)]
        return JSONResponse(out)

    @router.get("/outlines")
    def outlines() -> Response:
        """float32 ``(n_vertices, 2)`` lon/lat of the country rings; ``X-Starts`` in
        ``/api/outlines/starts``."""
        return binary(view.outlines.lonlat_deg)

    @router.get("/outlines/starts")
    def outline_starts() -> Response:
        return binary(view.outlines.starts)

    @router.get("/policy/cells")
    def policy_cells() -> Response:
        """float32 ``(n_vertices, 2)``: the policy map's H3 cell rings."""
        return binary(checked(lambda: view.policy_cells)[1].lonlat_deg)

    @router.get("/policy/cells/starts")
    def policy_cell_starts() -> Response:
        return binary(checked(lambda: view.policy_cells)[1].starts)

    @router.get("/policy/decisions")
    def policy_decisions(time: Instant, version: Annotated[str | None, Query(
            max_length=200)] = None) -> Response:
        """uint8 per cell: index into ``/api/meta``'s ``rules`` of its deciding rule at
        ``time`` under the policy in force (or the named ``version``)."""
        t = checked(view.check_time, ns(time, "time"))
        k = None
        if version is not None:
            versions = [p.version for p in view.policies]
            if version not in versions:
                raise Problem(404, f"version: no policy version {version!r} in this "
                                   f"scenario; it has {', '.join(versions)}")
            k = versions.index(version)
        return binary(view.decide_cells(t, k), **{"X-Policy": str(
            view.policy_at(t) if k is None else k)})

    @router.get("/explain")
    def explain(time: Instant, lat_deg: Annotated[float, Query(ge=-90, le=90)],
                lon_deg: Annotated[float, Query(ge=-180, le=180)]) -> JSONResponse:
        """The decision at a point and instant, in `leonet policy explain`'s words."""
        e = checked(view.explain, lat_deg, lon_deg, ns(time, "time"))
        return JSONResponse({"text": e.text, "allowed": e.allowed, "rule": e.rule,
                             "policy_version": e.policy_version,
                             "policy_file": e.policy_file, "time": e.time})

    @router.get("/route")
    def route(place: Annotated[str, Query(min_length=1, max_length=MAX_PLACE_CHARS,
                                          description="A city or 'lat,lon'.")],
              start: Instant,
              duration_s: Annotated[float, Query(ge=0, le=MAX_ROUTE_S)] = MAX_ROUTE_S
              ) -> JSONResponse:
        """``place``'s serving satellite and route to its PoP with the RTT, every 15 s:
        leonet's operator routing (what `leonet route` prints); satellites are indices
        into ``/api/positions``."""
        r = checked(view.routes, place, ns(start, "start"), duration_s)
        return JSONResponse(dataclasses.asdict(r))

    return router
