"""Write per-cell figures: tables (CSV or Parquet) and cells as GeoJSON polygons.

Missing values (NaN: e.g. the time to first coverage of a cell never covered) are written as
nulls: an empty CSV field, a Parquet null, a JSON ``null``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import shapely

from leonet.errors import InputError
from leonet.regional.cells import CellSet

TABLE_SUFFIXES = (".csv", ".parquet")


def table_format(path: Path) -> str:
    """'csv' or 'parquet' from a file name, or a clear error."""
    suffix = Path(path).suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise InputError(f"table file must end in .csv or .parquet, got {Path(path).name!r}")
    return suffix[1:]


def _arrow(values: np.ndarray) -> pa.Array:
    arr = np.asarray(values)
    if arr.dtype.kind == "f":
        return pa.array(arr, mask=np.isnan(arr))
    if arr.dtype.kind == "O":
        return pa.array([None if v is None else str(v) for v in arr], type=pa.string())
    if arr.dtype.kind == "b":
        return pa.array(arr, type=pa.bool_())
    return pa.array(arr)


def write_table(path: Path, columns: dict[str, np.ndarray]) -> Path:
    """One row per cell; the format follows the suffix (.csv or .parquet)."""
    path = Path(path)
    fmt = table_format(path)
    table = pa.table({name: _arrow(v) for name, v in columns.items()})
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        pacsv.write_csv(table, path)
    else:
        pq.write_table(table, path)
    return path


def _json_value(v):
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def cells_geojson(cells: CellSet, columns: dict[str, np.ndarray] | None = None) -> dict:
    """A GeoJSON FeatureCollection with one Polygon (or MultiPolygon, for cells cut at ±180°)
    per cell; ``properties`` hold ``h3_cell`` and the given columns."""
    columns = columns or {}
    for name, values in columns.items():
        if len(values) != len(cells):
            raise InputError(f"column {name!r} has {len(values)} values for {len(cells)} cells")
    features = []
    for i, geom in enumerate(cells.polygons()):
        geo = shapely.geometry.mapping(shapely.set_precision(geom, 1e-7))
        props = {"h3_cell": str(cells.ids[i])}
        props.update({name: _json_value(values[i]) for name, values in columns.items()})
        features.append({"type": "Feature", "geometry": geo, "properties": props})
    return {"type": "FeatureCollection", "features": features}


def write_cells_geojson(path: Path, cells: CellSet,
                        columns: dict[str, np.ndarray] | None = None) -> Path:
    path = Path(path)
    if path.suffix.lower() not in (".geojson", ".json"):
        raise InputError(f"GeoJSON file must end in .geojson or .json, got {path.name!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(cells_geojson(cells, columns), separators=(",", ":")),
                    encoding="utf-8")
    return path
