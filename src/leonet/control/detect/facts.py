"""What the operator knows about each terminal, as arrays: `TerminalFacts`.

From a CSV or Parquet file (`read_terminal_facts`) or the registry (issue 6). Columns:
``terminal_id`` (required), ``plan``, ``home_country`` (ISO code or name), ``funded``
(true/false), ``whitelisted`` (true/false, or the regions where the terminal is verified,
separated by ``;``, e.g. ``UA;ua-occupied``), ``roaming_days_allowed`` (days abroad this
terminal may spend in one stay). Bad values raise `InputError` naming the file, line and
column: facts are registry data, and a detector run on wrong facts would mislead.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from leonet.control.regions import resolve_region
from leonet.control.registry import facts as registry_facts
from leonet.errors import InputError

NO_START = np.iinfo(np.int64).min
NO_END = np.iinfo(np.int64).max
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}


@dataclass(frozen=True, eq=False)
class TerminalFacts:
    """One row per terminal (sorted by id), plus whitelist verifications in long form.

    ``whitelisted`` is True for a terminal verified everywhere; verifications for single
    regions are rows of ``wl_terminal`` (index into ``terminal_id``), ``wl_region`` (a region
    name) and the validity window ``wl_from_ns``/``wl_until_ns`` (int64 ns; open ends are the
    int64 extremes).
    """

    terminal_id: np.ndarray  # object, sorted, unique
    plan: np.ndarray  # object, "" = unknown
    home_country: np.ndarray  # object, canonical alpha-2, "" = unknown
    funded: np.ndarray  # bool
    whitelisted: np.ndarray  # bool
    roaming_days_allowed: np.ndarray  # float64, NaN = the detector default
    wl_terminal: np.ndarray  # int64
    wl_region: np.ndarray  # object
    wl_from_ns: np.ndarray  # int64
    wl_until_ns: np.ndarray  # int64
    source: str = "terminal facts"

    def __len__(self) -> int:
        return int(self.terminal_id.size)

    @classmethod
    def from_arrays(cls, terminal_id, *, plan=None, home_country=None, funded=None,
                    whitelisted=None, roaming_days_allowed=None, whitelist=(),
                    source: str = "terminal facts") -> TerminalFacts:
        """Facts from per-terminal arrays; ``whitelisted`` holds booleans or region lists
        (``"UA;ua-occupied"``); ``whitelist`` adds ``(terminal_id, region, from, until)``
        verifications with validity windows (datetime64 or None)."""
        ids = np.asarray(terminal_id, dtype=object)
        n = ids.size
        if any(not isinstance(v, str) or not v for v in ids.tolist()):
            k = next(i for i, v in enumerate(ids.tolist()) if not isinstance(v, str) or not v)
            raise InputError("terminal_id is empty or not text", f"{source}: row {k}")
        uniq, counts = np.unique(ids.astype(str), return_counts=True)
        if (counts > 1).any():
            dup = uniq[np.argmax(counts > 1)]
            raise InputError(f"terminal {dup!r} is listed twice", source)
        order = np.argsort(ids.astype(str), kind="stable")

        def col(values, default, dtype):
            if values is None:
                return np.full(n, default, dtype=dtype)
            arr = np.asarray(values, dtype=dtype)
            if arr.shape != (n,):
                raise InputError(f"has {arr.size} values for {n} terminals", source)
            return arr

        plans = col(plan, "", object)
        plans = np.array(["" if _missing(p) else str(p).strip() for p in plans.tolist()],
                         dtype=object)
        homes = _canonical_homes(col(home_country, "", object), source)
        fund = col(funded, True, bool)
        allowed = col(roaming_days_allowed, np.nan, np.float64)
        if (allowed < 0).any():
            k = int(np.flatnonzero(allowed < 0)[0])
            raise InputError(f"roaming_days_allowed {allowed[k]} is negative",
                             f"{source}: row {k}")
        flag = np.zeros(n, dtype=bool)
        wl_t, wl_r, wl_a, wl_b = [], [], [], []
        if whitelisted is not None:
            for k, v in enumerate(np.asarray(whitelisted, dtype=object).tolist()):
                value = _whitelist_value(v, f"{source}: row {k}, column whitelisted")
                if value is True:
                    flag[k] = True
                elif value:
                    for region in value:
                        wl_t.append(k)
                        wl_r.append(region)
                        wl_a.append(NO_START)
                        wl_b.append(NO_END)
        index = {t: k for k, t in enumerate(ids.tolist())}
        for j, (tid, region, start, end) in enumerate(whitelist):
            if tid not in index:
                raise InputError(f"whitelist entry for unknown terminal {tid!r}",
                                 f"{source}: whitelist[{j}]")
            wl_t.append(index[tid])
            wl_r.append(_check_region(region, f"{source}: whitelist[{j}]"))
            wl_a.append(NO_START if start is None else int(np.datetime64(start, "ns").view(
                np.int64)))
            wl_b.append(NO_END if end is None else int(np.datetime64(end, "ns").view(np.int64)))
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(n)
        wl_t_arr = rank[np.array(wl_t, dtype=np.int64)] if wl_t else np.zeros(0, np.int64)
        return cls(terminal_id=ids[order], plan=plans[order], home_country=homes[order],
                   funded=fund[order], whitelisted=flag[order],
                   roaming_days_allowed=allowed[order], wl_terminal=wl_t_arr,
                   wl_region=np.array(wl_r, dtype=object),
                   wl_from_ns=np.array(wl_a, dtype=np.int64),
                   wl_until_ns=np.array(wl_b, dtype=np.int64), source=source)

    @classmethod
    def from_registry(cls, db, terminal_ids, at_ns: int | None = None) -> TerminalFacts:
        """Facts of the registry's terminals among ``terminal_ids`` (others are left out):
        the account's plan and home country, whitelist verifications with their validity
        windows, and funding at ``at_ns`` (default: now)."""
        loaded = registry_facts.load(db, [str(t) for t in terminal_ids])
        ids = sorted(loaded)
        now = time.time_ns() if at_ns is None else int(at_ns)

        def funded(f) -> bool:
            if f.sponsor_id is not None:
                return any(lo <= now < hi for lo, hi in f.funding)
            return not f.balance_due

        whitelist = []
        for t in ids:
            for region, lo, hi in loaded[t].whitelist:
                whitelist.append((t, region, np.datetime64(lo, "ns"),
                                  None if hi == NO_END else np.datetime64(hi, "ns")))
        return cls.from_arrays(
            np.array(ids, dtype=object), plan=[loaded[t].plan for t in ids],
            home_country=[loaded[t].home_country for t in ids],
            funded=[funded(loaded[t]) for t in ids], whitelist=whitelist,
            source="the registry")

    def lookup(self, terminal_ids: np.ndarray) -> np.ndarray:
        """Index of each id in these facts, -1 for an unknown terminal."""
        ids = np.asarray(terminal_ids, dtype=object)
        if not len(self) or not ids.size:
            return np.full(ids.size, -1, dtype=np.int64)
        pos = np.searchsorted(self.terminal_id, ids)
        pos = np.minimum(pos, len(self) - 1)
        return np.where(self.terminal_id[pos] == ids, pos, -1).astype(np.int64)


def read_terminal_facts(path: str | Path) -> TerminalFacts:
    """Read facts from CSV or Parquet (errors name the file, line and column)."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"terminal facts file {path} does not exist", str(path))
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            table = pq.read_table(path)
            first = 0
        elif suffix in (".csv", ".txt"):
            table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in ("terminal_id", "plan", "home_country",
                                                        "whitelisted", "funded")}))
            first = 2
        else:
            raise InputError("terminal facts must be a .csv or .parquet file", str(path))
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"cannot read terminal facts: {str(exc).splitlines()[0]}",
                         str(path)) from None
    known = ("terminal_id", "plan", "home_country", "funded", "whitelisted",
             "roaming_days_allowed")
    if "terminal_id" not in table.column_names:
        raise InputError(f"missing column terminal_id; terminal facts have {','.join(known)}",
                         str(path))
    cols = {name: table.column(name).to_pylist() for name in known if name in table.column_names}
    where = (lambda k, c: f"{path}:{k + first}, column {c}") if first else (
        lambda k, c: f"{path} row {k}, column {c}")
    funded = None
    if "funded" in cols:
        funded = [_bool(v, where(k, "funded"), default=True) for k, v in
                  enumerate(cols["funded"])]
    whitelisted = None
    if "whitelisted" in cols:
        whitelisted = [_whitelist_value(v, where(k, "whitelisted")) for k, v in
                       enumerate(cols["whitelisted"])]
    allowed = None
    if "roaming_days_allowed" in cols:
        allowed = []
        for k, v in enumerate(cols["roaming_days_allowed"]):
            try:
                allowed.append(np.nan if v is None or v == "" else float(v))
            except (TypeError, ValueError):
                raise InputError(f"cannot read {v!r} as a number of days",
                                 where(k, "roaming_days_allowed")) from None
    ids = cols["terminal_id"]
    for k, v in enumerate(ids):
        if v is None or not str(v).strip():
            raise InputError("terminal_id is empty", where(k, "terminal_id"))
    homes = cols.get("home_country")
    if homes is not None:
        for k, v in enumerate(homes):
            if not _missing(v):
                _canonical_homes(np.array([v], dtype=object), where(k, "home_country"))
    return TerminalFacts.from_arrays(
        np.array([str(v).strip() for v in ids], dtype=object), plan=cols.get("plan"),
        home_country=homes, funded=funded,
        whitelisted=None if whitelisted is None else np.array([*whitelisted, None],
                                                               dtype=object)[:-1],
        roaming_days_allowed=allowed, source=str(path))


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or (isinstance(v, str)
                                                                   and not v.strip())


def _bool(v, where: str, default: bool) -> bool:
    if _missing(v):
        return default
    if isinstance(v, bool | np.bool_):
        return bool(v)
    text = str(v).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InputError(f"expected true or false, got {v!r}", where)


def _whitelist_value(v, where: str):
    """True (verified everywhere), False, or a tuple of region names."""
    if _missing(v):
        return False
    if isinstance(v, bool | np.bool_):
        return bool(v)
    if isinstance(v, tuple | list):
        return tuple(_check_region(r, where) for r in v)
    text = str(v).strip()
    if text.lower() in _TRUE:
        return True
    if text.lower() in _FALSE:
        return False
    names = [p.strip() for p in text.replace("|", ";").split(";") if p.strip()]
    return tuple(_check_region(r, where) for r in names)


def _check_region(name: str, where: str) -> str:
    resolve_region(name, where=where)  # raises with suggestions
    return name


def _canonical_homes(values: np.ndarray, where: str) -> np.ndarray:
    out = []
    cache: dict[str, str] = {}
    for v in values.tolist():
        if _missing(v):
            out.append("")
            continue
        key = str(v).strip()
        if key not in cache:
            try:
                reg = resolve_region(key, where=where)
            except InputError:
                reg = None
            if reg is None or reg.kind != "country":
                raise InputError(f"unknown home country {key!r}; expected an ISO 3166 code "
                                 "such as UA or UKR", where)
            cache[key] = reg.ref
        out.append(cache[key])
    return np.array(out, dtype=object)
