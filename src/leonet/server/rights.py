"""Which routes a role may call, read from the routes themselves: each route names its
`Permission` through its ``require(...)`` dependency, and `permissions.GRANTS` grants it. The
console (``/dashboard/``) disables a control whose route is not in the caller's list; the
route's own dependency still refuses it (403), so the list is a courtesy, never the check."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from leonet.server.permissions import Permission, allowed

RouteTable = dict[str, frozenset[Permission]]


def _permissions(dependant: Dependant) -> Iterable[Permission]:
    for dep in dependant.dependencies:
        permission = getattr(dep.call, "permission", None)
        if isinstance(permission, Permission):
            yield permission
        yield from _permissions(dep)


def route_permissions(routers: Iterable[APIRouter]) -> RouteTable:
    """``{"METHOD /path/{param}": permissions needed}`` for every route of ``routers`` behind
    a token (the route templates of ``/openapi.json``: the routers carry their prefixes)."""
    out: dict[str, frozenset[Permission]] = {}
    for router in routers:
        for route in router.routes:
            if not isinstance(route, APIRoute):
                continue
            needed = frozenset(_permissions(route.dependant))
            if needed:
                for method in sorted(route.methods):
                    out[f"{method} {route.path}"] = needed
    return out


def routes_for(table: RouteTable, role: str) -> list[str]:
    """The routes of ``table`` that ``role`` may call, as ``"METHOD /path/{param}"``, sorted.

    >>> table = {"GET /v1/audit": frozenset({Permission.AUDIT_READ}),
    ...          "GET /v1/me": frozenset({Permission.WHOAMI})}
    >>> routes_for(table, "auditor"), routes_for(table, "support"), routes_for(table, "nobody")
    (['GET /v1/audit', 'GET /v1/me'], ['GET /v1/me'], [])
    """
    return sorted(key for key, needed in table.items()
                  if all(allowed(role, p) for p in needed))
