"""The dashboard's routes for coverage maps, terminals, incidents, suspensions, events and
terminals served per region (`coverage`, `terminals`); bulk arrays as raw typed arrays."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Literal

import numpy as np
from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse, Response

from leonet.physics.capacity import CLASSES
from leonet.physics.timegrid import iso_utc
from leonet.reporting.palette import palette_for
from leonet.server.dashboard.coverage import FIGURES, RESOLUTIONS, Figure
from leonet.server.dashboard.terminals import (
    MAX_INCIDENTS,
    NEVER,
    TERMINAL_COLUMNS,
    UnknownTerminal,
)
from leonet.server.dashboard.view import ScenarioView
from leonet.server.dashboard.wire import Instant, binary, checked, ns
from leonet.server.problems import Problem

# Region names are short ("UA", "crimea", "land"); anything longer is not one.
MAX_REGION_CHARS = 80
Region = Annotated[str, Query(min_length=1, max_length=MAX_REGION_CHARS,
                              description="A country, disputed area or named region, or "
                                          "'land'.")]
Resolution = Annotated[int, Query(ge=min(RESOLUTIONS), le=max(RESOLUTIONS))]
TerminalId = Annotated[str, Path(min_length=1, max_length=100)]


def scenario_router(view: ScenarioView) -> APIRouter:
    router = APIRouter(prefix="/api")
    maps = view.coverage_maps
    replay = view.replay

    @router.get("/coverage/mesh")
    def coverage_mesh(region: Region, res: Resolution,
                      part: Literal["vertices", "triangles", "cells"] = "vertices") -> Response:
        """The region's cells as triangles: float32 ``(n_vertices, 2)`` lon/lat
        (``vertices``), uint32 ``(n_triangles, 3)`` (``triangles``), uint32 cell of each
        vertex (``cells``); ``X-Cells`` counts the cells."""
        cells, mesh, _ = checked(maps.cells, region, res)
        arr = {"vertices": mesh.lonlat_deg, "triangles": mesh.triangles,
               "cells": mesh.cell_of_vertex}[part]
        return binary(arr, **{"X-Cells": str(len(cells))})

    @router.get("/coverage")
    def coverage(region: Region, res: Resolution, figure: Figure, time: Instant) -> Response:
        """uint8 ``(n_samples, n_cells)`` of ``figure`` over the sky's window holding
        ``time``: satellites in view every 15 s (``in_view``), percent of the window covered
        (``percent_covered``), or the index into ``/api/meta``'s ``coverage.classes`` of the
        capacity class (``availability``)."""
        t = checked(view.check_time, ns(time, "time"))
        start = maps.window_start(t)
        arr = checked(maps.figure, region, res, figure, start)
        return binary(arr, **{"X-Start": iso_utc(start, "s"), "X-Step-S": str(
            maps.step_s if figure == "in_view" else maps.window_s)})

    @router.get("/terminals")
    def terminals(time: Instant) -> Response:
        """float32 ``(n, 5)``: lon°, lat°, terminal index, group index, rule (index into
        ``/api/meta``'s ``rules``) of the terminals switched on at the scenario's timeline
        instant in force at ``time`` (``X-Instant``); ids in ``/api/terminals/ids``."""
        t = checked(view.check_time, ns(time, "time"))
        k = replay.instant_at(t)
        rows = replay.terminals_at(t, view.rule_names)
        return binary(rows, **{"X-Columns": ",".join(TERMINAL_COLUMNS), "X-Instant": (
            iso_utc(int(replay.result.timeline_ns[k]), "s") if k >= 0 else "")})

    @router.get("/terminals/ids")
    def terminal_ids() -> JSONResponse:
        """Terminal ids by index, the groups by index, each terminal's suspension (or null)."""
        res = replay.result
        return JSONResponse({
            "ids": res.fleet.terminal_id.tolist(),
            "groups": [g.id for g in res.fleet.groups],
            "suspended_from": [None if t == NEVER else iso_utc(int(t), "s")
                               for t in res.suspended_from_ns.tolist()]})

    @router.get("/terminals/{terminal_id}/explain")
    def explain_terminal(terminal_id: TerminalId, time: Instant) -> JSONResponse:
        """Why ``terminal_id`` is served or not at ``time``: `leonet policy explain`'s text
        for its state then, and that command line."""
        t = checked(view.check_time, ns(time, "time"))
        try:
            e = replay.explain(terminal_id, t)
        except UnknownTerminal as exc:
            raise Problem(404, str(exc)) from None
        return JSONResponse(dataclasses.asdict(e))

    @router.get("/events")
    def events() -> JSONResponse:
        """The scenario's events in time order (policy changes, funding, groups, suspensions)
        with the terminals each gained or lost."""
        return JSONResponse([{"time": iso_utc(e.time_ns, "s"), "kind": e.kind, "name": e.name,
                              "detail": e.detail, "gained": e.gained, "lost": e.lost}
                             for e in replay.result.events])

    @router.get("/incidents")
    def incidents() -> JSONResponse:
        """The detection windows' incidents with their evidence (the first `MAX_INCIDENTS`),
        and how many there are."""
        res = replay.result
        out = []
        for w in res.windows:
            out += [{**r, "window": w.name} for r in w.incidents.to_records()]
            if len(out) >= MAX_INCIDENTS:
                break
        return JSONResponse({"total": len(res.incidents), "incidents": out[:MAX_INCIDENTS]})

    @router.get("/served")
    def served() -> JSONResponse:
        """Terminals switched on and allowed per timeline instant in the regions that matter
        (those of the report's figure)."""
        s = replay.served()
        top = list(s.top)
        return JSONResponse({
            "times": [iso_utc(int(t), "s") for t in replay.result.timeline_ns],
            "regions": s.regions[top].tolist(), "on": s.on[:, top].T.tolist(),
            "allowed": s.allowed[:, top].T.tolist()})

    return router


def coverage_meta(view: ScenarioView) -> dict:
    """What the page needs to offer coverage maps: figures, classes, resolutions and the
    region it opens on (the scenario's first coverage region, else all land)."""
    spec = view.scenario.coverage
    region = spec.regions[0] if spec is not None else "land"
    res = int(np.clip(spec.resolution if spec is not None else 4, min(RESOLUTIONS),
                      max(RESOLUTIONS)))
    colours = palette_for(CLASSES)
    return {"figures": list(FIGURES), "resolutions": list(RESOLUTIONS), "region": region,
            "res": res, "classes": [{"name": c, "colour": colours[c]} for c in CLASSES]}
