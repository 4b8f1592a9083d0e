"""Read GeoJSON (RFC 7946) into valid shapely geometries in lon/lat degrees, loudly.

Every problem names where it is (file and JSON path such as ``features[2].geometry.coordinates
[0][5]``) and what was expected: unclosed rings, rings with too few positions, latitudes outside
±90° (with a hint when the pair looks like [lat, lon] instead of GeoJSON's [lon, lat]),
self-intersections (with the location), holes outside their shell.

Two things RFC 7946 allows are accepted and reported as notes (``ParsedGeometry.notes``):
clockwise exterior rings (§3.1.6: "parsers SHOULD NOT reject Polygons that do not follow the
right-hand rule") and antimeridian crossings written as a jump of more than 180° between
consecutive longitudes or as longitudes beyond ±180°; those are cut at ±180° into parts
(§3.1.9) so that every part is a plain lon/lat polygon.

>>> g = parse_geojson({"type": "Polygon", "coordinates": [[[179, -17], [-179, -17],
...     [-179, -16], [179, -16], [179, -17]]]}, where="fiji-box")
>>> g.geometry.geom_type, round(g.geometry.area, 3)
('MultiPolygon', 2.0)
>>> g.notes[0]
'fiji-box at coordinates: crosses the antimeridian; cut at ±180° into parts'
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from shapely import affinity

from leonet.errors import InputError

POLYGONAL = ("Polygon", "MultiPolygon")
LINEAR = ("LineString", "MultiLineString", "Point", "MultiPoint")


@dataclass(frozen=True)
class ParsedGeometry:
    """A valid geometry in lon/lat degrees and the notes the reader made about the input."""

    geometry: shapely.Geometry
    notes: tuple[str, ...] = ()


def read_geojson_file(path: Path, *, where: str | None = None) -> ParsedGeometry:
    """Read a GeoJSON file (Geometry, Feature or FeatureCollection) as one geometry."""
    label = where or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"GeoJSON file {path} does not exist", label) from None
    except OSError as exc:
        raise InputError(f"cannot read GeoJSON file {path}: {exc.strerror}", label) from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", f"{path}:{exc.lineno}:{exc.colno}") from None
    return parse_geojson(doc, where=str(path))


def parse_geojson(doc: object, *, where: str, allow_lines: bool = False) -> ParsedGeometry:
    """One valid geometry from a GeoJSON Geometry, Feature or FeatureCollection object.

    ``allow_lines`` admits LineString/Point geometries (meaningful only with a buffer).
    """
    notes: list[str] = []
    geoms = _collect(doc, where, "", notes, allow_lines)
    if not geoms:
        raise InputError("GeoJSON holds no geometry", where)
    geom = geoms[0] if len(geoms) == 1 else shapely.union_all(geoms)
    return ParsedGeometry(geom, tuple(notes))


def _at(where: str, path: str) -> str:
    return f"{where} at {path}" if path else where


def _collect(doc, where, path, notes, allow_lines) -> list[shapely.Geometry]:
    if not isinstance(doc, dict):
        raise InputError(f"expected a GeoJSON object, got {type(doc).__name__}", _at(where, path))
    kind = doc.get("type")
    if kind == "FeatureCollection":
        feats = doc.get("features")
        if not isinstance(feats, list):
            raise InputError("FeatureCollection needs a 'features' list", _at(where, path))
        out = []
        for i, feat in enumerate(feats):
            out += _collect(feat, where, f"{path}features[{i}]".lstrip("."), notes, allow_lines)
        return out
    if kind == "Feature":
        geom = doc.get("geometry")
        if geom is None:
            return []
        return _collect(geom, where, f"{path}.geometry".lstrip("."), notes, allow_lines)
    if kind == "GeometryCollection":
        out = []
        for i, g in enumerate(doc.get("geometries") or []):
            out += _collect(g, where, f"{path}.geometries[{i}]".lstrip("."), notes, allow_lines)
        return out
    if kind in POLYGONAL or kind in LINEAR:
        if kind in LINEAR and not allow_lines:
            raise InputError(
                f"a {kind} has no area: give a Polygon or MultiPolygon, or add buffer_km to "
                "turn it into an area", _at(where, path))
        coords = doc.get("coordinates")
        cpath = f"{path}.coordinates".lstrip(".")
        return [_geometry(kind, coords, where, cpath, notes)]
    raise InputError(
        f"unknown GeoJSON type {kind!r}; expected Polygon, MultiPolygon, Feature, "
        "FeatureCollection" + (", LineString or Point" if allow_lines else ""),
        _at(where, path))


def _positions(coords, where, path, min_len) -> np.ndarray:
    try:
        arr = np.asarray(coords, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError("positions must be [lon, lat] number pairs", _at(where, path)) from None
    if arr.ndim != 2 or arr.shape[1] < 2 or arr.shape[0] < min_len:
        raise InputError(
            f"expected at least {min_len} [lon, lat] positions, got shape {arr.shape}",
            _at(where, path))
    arr = arr[:, :2]
    if not np.isfinite(arr).all():
        bad = int(np.flatnonzero(~np.isfinite(arr).all(axis=1))[0])
        raise InputError("position is not a finite number", _at(where, f"{path}[{bad}]"))
    lat_bad = np.abs(arr[:, 1]) > 90
    if lat_bad.any():
        i = int(np.flatnonzero(lat_bad)[0])
        hint = ""
        if (np.abs(arr[:, 0]) <= 90).all():
            hint = (" — these look like [lat, lon] pairs; GeoJSON order is [lon, lat] "
                    "(longitude first)")
        raise InputError(f"latitude {arr[i, 1]} is outside -90..90{hint}",
                         _at(where, f"{path}[{i}]"))
    if (np.abs(arr[:, 0]) > 540).any():
        i = int(np.flatnonzero(np.abs(arr[:, 0]) > 540)[0])
        raise InputError(f"longitude {arr[i, 0]} is outside -540..540", _at(where, f"{path}[{i}]"))
    return arr


def _ring(coords, where, path) -> np.ndarray:
    arr = _positions(coords, where, path, 4)
    if not np.array_equal(arr[0], arr[-1]):
        raise InputError(
            f"ring is not closed: first position {arr[0].tolist()} differs from last "
            f"{arr[-1].tolist()} (RFC 7946 §3.1.6: repeat the first position at the end)",
            _at(where, path))
    return _unwrap(arr)


def _unwrap(arr: np.ndarray) -> np.ndarray:
    """Make longitudes continuous: a step of more than 180° is read as crossing ±180°."""
    step = np.diff(arr[:, 0])
    if not (np.abs(step) > 180).any():
        return arr
    out = arr.copy()
    out[1:, 0] = arr[0, 0] + np.cumsum(step - 360.0 * np.round(step / 360.0))
    return out


def _geometry(kind, coords, where, path, notes) -> shapely.Geometry:
    if kind == "Point":
        return shapely.Point(_positions([coords], where, path, 1)[0])
    if kind == "MultiPoint":
        return shapely.MultiPoint(_positions(coords, where, path, 1))
    if kind == "LineString":
        return split_antimeridian(shapely.LineString(_unwrap(_positions(coords, where, path, 2))))
    if kind == "MultiLineString":
        if not isinstance(coords, list):
            raise InputError("expected a list of LineStrings", _at(where, path))
        return shapely.union_all([_geometry("LineString", c, where, f"{path}[{i}]", notes)
                                  for i, c in enumerate(coords)])
    if kind == "MultiPolygon":
        if not isinstance(coords, list) or not coords:
            raise InputError("expected a non-empty list of Polygons", _at(where, path))
        parts = [_geometry("Polygon", c, where, f"{path}[{i}]", notes)
                 for i, c in enumerate(coords)]
        overlap = _first_overlap(parts)
        if overlap is not None:
            i, j = overlap
            raise InputError(f"polygons [{i}] and [{j}] of a MultiPolygon overlap (RFC 7946 "
                             "wants disjoint parts); merge them or list them as features",
                             _at(where, path))
        return shapely.union_all(parts)
    # Polygon
    if not isinstance(coords, list) or not coords:
        raise InputError("a Polygon needs at least one ring", _at(where, path))
    rings = [_ring(r, where, f"{path}[{i}]") for i, r in enumerate(coords)]
    # Holes share the shell's longitude frame when the shell was unwrapped past ±180°.
    x0 = rings[0][:, 0].mean()
    shifts = [np.array([360.0 * np.round((x0 - r[:, 0].mean()) / 360.0), 0.0])
              for r in rings[1:]]
    rings = [rings[0]] + [r + s for r, s in zip(rings[1:], shifts, strict=True)]
    shell = shapely.Polygon(rings[0])
    if _signed_area(rings[0]) < 0:
        notes.append(f"{_at(where, path)}[0]: exterior ring is clockwise; RFC 7946 asks for "
                     "counter-clockwise exteriors (right-hand rule) — read as the exterior anyway")
    poly = shapely.Polygon(rings[0], rings[1:])
    reason = shapely.is_valid_reason(poly)
    if reason != "Valid Geometry":
        raise InputError(_explain_invalid(reason, shell, rings), _at(where, path))
    if poly.area == 0:
        raise InputError("polygon has zero area", _at(where, path))
    if (np.abs(rings[0][:, 0]) > 180).any():
        notes.append(f"{_at(where, path)}: crosses the antimeridian; cut at ±180° into parts")
    return split_antimeridian(poly)


def _explain_invalid(reason: str, shell, rings) -> str:
    if reason.startswith("Self-intersection") or reason.startswith("Ring Self-intersection"):
        loc = reason[reason.find("[") + 1:reason.find("]")] if "[" in reason else "?"
        return (f"polygon ring intersects itself at lon/lat {loc}; a ring must not cross "
                "itself (draw a bow-tie as two polygons)")
    if reason.startswith("Hole lies outside shell"):
        return "a hole (inner ring) lies outside its exterior ring"
    if reason.startswith("Nested holes") or reason.startswith("Interior is disconnected"):
        return f"holes are invalid: {reason}"
    if reason.startswith("Too few points"):
        return "ring has fewer than 3 distinct positions"
    return f"invalid polygon: {reason}"


def _signed_area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return 0.5 * float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))


def _first_overlap(parts: list[shapely.Geometry]) -> tuple[int, int] | None:
    tree = shapely.STRtree(parts)
    left, right = tree.query(parts, predicate="overlaps")
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i < j:
            return i, j
    return None


def split_antimeridian(geom: shapely.Geometry) -> shapely.Geometry:
    """Cut a geometry whose longitudes run past ±180° into parts inside -180..180."""
    minx, _, maxx, _ = geom.bounds
    if minx >= -180 and maxx <= 180:
        return geom
    parts = []
    for k in range(-1, 2):
        box = shapely.box(-180 + 360 * k, -90, 180 + 360 * k, 90)
        piece = shapely.intersection(geom, box)
        if not piece.is_empty:
            parts.append(affinity.translate(piece, xoff=-360.0 * k))
    out = shapely.union_all(parts)
    if geom.geom_type in POLYGONAL:
        out = keep_polygonal(out)
    return out


def keep_polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """The polygonal parts of ``geom`` (overlays can leave slivers of lines or points)."""
    if geom.geom_type in POLYGONAL:
        return geom
    polys = [g for g in shapely.get_parts(geom) if g.geom_type in POLYGONAL]
    return shapely.union_all(polys) if polys else shapely.Polygon()
