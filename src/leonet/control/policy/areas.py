"""Areas defined inside a policy document (``[areas.<id>]``, used as ``"area:<id>"``).

An area is the union of what it lists — ``geojson`` (inline GeoJSON: a geometry, Feature or
FeatureCollection; a string holding JSON is read too), ``file`` (a GeoJSON file relative to the
policy file), ``h3`` (cells) and ``regions`` (any region names, other areas included) — then
grown by ``buffer_km`` (lines and points need one), then minus the regions in ``minus``. An area
that lists only ``h3`` cells keeps exact H3 membership; any other combination is a polygon.
"""

from __future__ import annotations

import json
from pathlib import Path

import shapely

from leonet.control.geojson import keep_polygonal, parse_geojson
from leonet.control.policy.document import AREA_KEYS, Locator, number, str_list, unknown_key
from leonet.control.regions import (
    Region,
    buffer_km_geometry,
    file_region,
    h3_region,
    resolve_region,
)
from leonet.errors import InputError


def resolve_areas(raw: object, loc: Locator, base_dir: Path | None) -> dict[str, Region]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InputError("areas must be a table of named areas ([areas.<id>])", loc.top("areas"))
    done: dict[str, Region] = {}
    for area_id in raw:
        _resolve(area_id, raw, loc, base_dir, done, ())
    return done


def _resolve(area_id, raw, loc, base_dir, done, stack) -> Region:
    if area_id in done:
        return done[area_id]
    where = loc.top(f"areas.{area_id}")
    if area_id in stack:
        chain = " -> ".join(f"area:{a}" for a in (*stack, area_id))
        raise InputError(f"areas refer to each other in a cycle: {chain}", where)
    spec = raw[area_id]
    if not isinstance(spec, dict):
        raise InputError("an area must be a table/object with geojson, file, h3, regions, "
                         "minus or buffer_km", where)
    for key in spec:
        if key not in AREA_KEYS:
            raise unknown_key(key, AREA_KEYS, f"{where}.{key}", "area")
    if not any(k in spec for k in ("geojson", "file", "h3", "regions")):
        raise InputError("an area needs at least one of geojson, file, h3 or regions", where)
    buffer_km = number(spec["buffer_km"], f"{where}.buffer_km") if "buffer_km" in spec else 0.0
    ref = f"area:{area_id}"
    parts: list[Region] = []
    notes: list[str] = []
    if "geojson" in spec:
        doc = spec["geojson"]
        if isinstance(doc, str):
            try:
                doc = json.loads(doc)
            except json.JSONDecodeError as exc:
                raise InputError(f"geojson string is not valid JSON: {exc.msg}",
                                 f"{where}.geojson") from None
        parsed = parse_geojson(doc, where=f"{where}.geojson", allow_lines=buffer_km > 0)
        parts.append(Region(ref=ref, name=area_id, kind="area", geometry=parsed.geometry,
                            source="inline GeoJSON", notes=parsed.notes))
    if "file" in spec:
        if not isinstance(spec["file"], str):
            raise InputError("file must be a path string", f"{where}.file")
        parts.append(file_region(spec["file"], base_dir=base_dir, where=f"{where}.file"))
    if "h3" in spec:
        cells = str_list(spec["h3"], f"{where}.h3")
        if not cells:
            raise InputError("h3 lists no cells", f"{where}.h3")
        parts.append(h3_region(list(cells), where=f"{where}.h3"))
    for k, name in enumerate(str_list(spec.get("regions", []), f"{where}.regions")):
        parts.append(_ref(name, raw, loc, base_dir, done, (*stack, area_id),
                          f"{where}.regions[{k}]"))
    minus = [_ref(name, raw, loc, base_dir, done, (*stack, area_id), f"{where}.minus[{k}]")
             for k, name in enumerate(str_list(spec.get("minus", []), f"{where}.minus"))]
    for p in parts:
        notes += p.notes
    desc = spec.get("description", "")
    if len(parts) == 1 and parts[0].kind == "h3" and not minus and buffer_km == 0:
        area = Region(ref=ref, name=desc or area_id, kind="h3", geometry=None,
                      source=parts[0].source, h3_cells=parts[0].h3_cells,
                      h3_res=parts[0].h3_res)
    else:
        geoms = [p.as_geometry() for p in parts]
        geom = shapely.union_all(geoms)
        if buffer_km:
            geom = buffer_km_geometry(geom, buffer_km)
        for m in minus:
            geom = shapely.difference(geom, m.as_geometry())
        geom = keep_polygonal(geom)
        if geom.is_empty:
            raise InputError("area is empty (its minus removes everything)", where)
        area = Region(ref=ref, name=desc or area_id, kind="area", geometry=geom,
                      source="defined in the policy document",
                      approximate=any(p.approximate for p in parts + minus),
                      notes=tuple(notes))
    done[area_id] = area
    return area


def _ref(name, raw, loc, base_dir, done, stack, where) -> Region:
    if name.startswith("area:") and name[5:] in raw:
        return _resolve(name[5:], raw, loc, base_dir, done, stack)
    return resolve_region(name, base_dir=base_dir, areas=done, where=where)
