"""The FastAPI application: this module only wires settings, middleware, error handlers and
one router per resource (see `leonet.server.routes`)."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from leonet import __version__
from leonet.control.policy import Policy
from leonet.control.registry import migrate, signing
from leonet.control.registry.db import Database
from leonet.control.registry.facts import RegionLookup
from leonet.server import console, problems
from leonet.server.batcher import Batcher
from leonet.server.deciding import compute
from leonet.server.fastpath import FastDecisions
from leonet.server.limits import BodyLimitMiddleware
from leonet.server.rights import route_permissions
from leonet.server.routes import (
    accounts,
    audit,
    decisions,
    detection,
    funding,
    health,
    me,
    policies,
    principals,
    sponsors,
    terminals,
    tokens,
    transfers,
    whitelist,
)
from leonet.server.settings import Settings
from leonet.server.state import ServiceState

# Decisions first: routes are matched in order, and it is by far the busiest.
ROUTERS = (decisions, health, me, tokens, principals, sponsors, accounts, terminals, funding,
           whitelist, transfers, policies, audit, detection)
DOCS_ASSETS = "/docs-assets"
DESCRIPTION = """The leonet control plane: terminal registry, policies, decisions and a
tamper-evident audit trail. Every route but `/healthz`, `/openapi.json` and `/docs` needs a
bearer token (`leonet admin bootstrap`, then `leonet admin create-token`); the last two can be
closed with `LEONET_DOCS=false`. Errors are `application/problem+json`; changes to a record
(PATCH, revoke, approve, a transfer) need `If-Match` with the ETag last read (`*`: any)."""


def create_app(settings: Settings | None = None, *, migrate_schema: bool = True) -> FastAPI:
    """The application over ``settings.database_url`` (migrated to the newest schema)."""
    settings = settings or Settings()
    # Checkpoints off the commit path: see `Database` (they stalled writes under load).
    db = Database(settings.database_url, settings.sqlite_synchronous,
                  background_checkpoints=True)
    if migrate_schema:
        migrate.upgrade(db)
    regions = RegionLookup()
    state = ServiceState(settings=settings, db=db, regions=regions,
                         batcher=Batcher(partial(compute, regions=regions)),
                         signing_key=signing.load_private(settings.audit_signing_key_file))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        warm_up(state)
        yield
        db.dispose()

    about = {"lifespan": lifespan, "title": "leonet control plane", "version": __version__,
             "description": DESCRIPTION}
    if settings.docs:
        # /docs with Swagger UI's script and style from the installed fastapi-offline
        # package, served under DOCS_ASSETS: FastAPI's own page loads them from a CDN.
        app = FastAPIOffline(docs_url="/docs", redoc_url=None, static_url=DOCS_ASSETS,
                             favicon_url=f"{DOCS_ASSETS}/favicon.png", **about)
    else:
        app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None, **about)
    app.state.leonet = state
    problems.install(app)
    app.add_middleware(BodyLimitMiddleware, state=state, max_body_bytes=settings.max_body_bytes)
    # Added last, so it runs first: small single decisions skip the routing stack.
    app.add_middleware(FastDecisions, state=state, max_body_bytes=settings.max_body_bytes)
    for module in ROUTERS:
        app.include_router(module.router)
    # Read by `/v1/me`: which routes the caller's role may call (the console's buttons).
    app.state.route_permissions = route_permissions(module.router for module in ROUTERS)
    console.install(app)
    return app


def warm_up(state: ServiceState) -> None:
    """Before taking traffic: load the policy engine's compiled kernels, the registry's
    terminal facts and the active policy, so the first decisions wait for none of them, and
    start the writer thread with its connection."""
    Policy.from_text('version = "warm-up"\ndefault = "deny"').decide(lat_deg=0.0, lon_deg=0.0)
    state.cache.preload()
    state.start_writer()
    state.db.start_checkpoints()
    active = state.cache.active_policy(state.cache.sync())
    if active is not None:
        active.policy.decide(lat_deg=0.0, lon_deg=0.0)
    # What is loaded by now (modules, geometry, compiled kernels, the facts: about 230,000
    # objects) lives as long as the process. Frozen, the cyclic collector stops walking it
    # on every full collection: those took 20-150 ms under load (measured with a gc
    # callback), each one a stall of every request in flight.
    gc.collect()
    gc.freeze()
