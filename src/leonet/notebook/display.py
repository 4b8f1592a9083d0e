"""How result objects show themselves in a notebook: a small HTML table for Jupyter's
``_repr_html_`` (every value escaped), and their columns as a pandas DataFrame or an Arrow
table. One copy for every package (see the package's docstring for what it may import).

>>> page = html_summary("Run <1>", [("satellites", 1584), ("source", "a & b")])
>>> page[page.index("<caption>"):page.index("</caption>")]
'<caption>Run &lt;1&gt;'
>>> "<th>satellites</th><td>1,584</td>" in page, "<td>a &amp; b</td>" in page
(True, True)
>>> to_arrow({"x": np.array([1, 2])}).num_rows
2
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pyarrow as pa

# Rows shown in a notebook table: enough to see the shape of a result, small enough that a
# 10,000-satellite constellation does not flood the page (the rest is counted).
MAX_ROWS = 10


def cell_text(value: Any) -> str:
    """A value as a table cell shows it (not yet escaped): integers with thousands
    separators, floats to 6 significant digits, instants in ISO 8601 UTC."""
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        return "NaN" if np.isnan(value) else f"{float(value):.6g}"
    if isinstance(value, np.datetime64):
        return f"{np.datetime_as_string(value.astype('datetime64[ms]'), unit='ms')}Z"
    return str(value)


def _cell(tag: str, value: Any) -> str:
    return f"<{tag}>{html.escape(cell_text(value))}</{tag}>"


def html_summary(title: str, items: Iterable[tuple[str, Any]]) -> str:
    """A two-column table, one row per ``(name, value)``, captioned ``title``."""
    rows = "".join(f"<tr>{_cell('th', k)}{_cell('td', v)}</tr>" for k, v in items)
    return (f'<table class="leonet"><caption>{html.escape(title)}</caption>'
            f"<tbody>{rows}</tbody></table>")


def html_columns(title: str, columns: Mapping[str, np.ndarray], *,
                 max_rows: int = MAX_ROWS) -> str:
    """The first ``max_rows`` rows of ``columns`` (equal-length 1-d arrays) as a table
    captioned ``title``, with a last row counting those left out."""
    names = list(columns)
    n = len(next(iter(columns.values()))) if names else 0
    head = "".join(_cell("th", k) for k in names)
    body = "".join("<tr>" + "".join(_cell("td", columns[k][i]) for k in names) + "</tr>"
                   for i in range(min(n, max_rows)))
    if n > max_rows:
        body += (f'<tr><td colspan="{len(names)}">… {n - max_rows:,} more rows '
                 f"(to_pandas() has them all)</td></tr>")
    return (f'<table class="leonet"><caption>{html.escape(title)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def to_arrow(columns: Mapping[str, np.ndarray]) -> pa.Table:
    """``columns`` (equal-length 1-d arrays) as an Arrow table; instants as UTC timestamps."""
    out = {}
    for name, values in columns.items():
        arr = np.asarray(values)
        if arr.dtype.kind == "M":
            out[name] = pa.array(arr.astype("datetime64[ns]"), type=pa.timestamp("ns", "UTC"))
        elif arr.dtype == object:
            out[name] = pa.array([None if v is None else str(v) for v in arr.tolist()])
        else:
            out[name] = pa.array(arr)
    return pa.table(out)


def to_pandas(columns: Mapping[str, np.ndarray]):
    """``columns`` as a pandas DataFrame (pandas is optional: ``pip install leonet[notebook]``)."""
    try:
        import pandas  # noqa: F401  (optional: only notebooks need it)
    except ImportError:
        raise ImportError("to_pandas() needs pandas: pip install 'leonet[notebook]' (or use "
                          "to_arrow())") from None
    return to_arrow(columns).to_pandas()
