"""What the registry knows about a terminal that a decision needs, as arrays.

`load` reads `TerminalFacts` for a set of terminal ids in three queries; `FactTable` turns the
facts of the distinct terminals of a batch into arrays, so a decision over a million rows
indexes arrays instead of touching one Python object per row.

Derived inputs of the policy engine, per row (terminal ``k``, instant ``t``):

* ``funded``: a terminal donated by a sponsor is funded when one of its current sponsor's
  agreements covers
  ``t`` (``valid_from <= t < valid_until``); any other terminal is paid by its account and is
  funded while the account owes nothing.
* ``whitelisted``: one of the terminal's verifications covers the row's place (its region)
  and ``t`` (``verified_at <= t < revoked_at``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely

from leonet.control.policy import Policy
from leonet.control.regions import resolve_region
from leonet.control.registry.db import Database
from leonet.control.registry.db import parse_db_time as _utc

# Open-ended intervals end at the largest datetime64[ns].
NEVER_NS = np.iinfo(np.int64).max
_CHUNK = 2000  # ids per IN (...) list: well under SQLite's and PostgreSQL's parameter limits


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def _ns(instant: dt.datetime | None) -> int:
    return NEVER_NS if instant is None else (instant - _EPOCH) // _MICROSECOND * 1000


@dataclass(frozen=True)
class TerminalFacts:
    """One terminal's decision inputs (times as int64 ns since the Unix epoch)."""

    terminal_id: str
    status: str
    sponsor_id: str | None
    account_id: str | None
    plan: str
    home_country: str
    balance_due: bool
    funding: tuple[tuple[int, int], ...]
    whitelist: tuple[tuple[str, int, int], ...]


def load(db: Database, terminal_ids: Iterable[str]) -> dict[str, TerminalFacts]:
    """Facts for those of ``terminal_ids`` that exist (unknown ids are left out), read in one
    snapshot with three plain queries per chunk of ids."""
    ids = list(dict.fromkeys(terminal_ids))
    out: dict[str, TerminalFacts] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        marks = ", ".join("?" * len(chunk))
        terminals, funding_rows, whitelist_rows = db.quick(
            ("SELECT t.id, t.status, t.sponsor_id, t.account_id, a.plan, a.home_country, "
             "a.balance_due_cents FROM terminals t LEFT JOIN accounts a ON a.id = t.account_id "
             f"WHERE t.id IN ({marks})", chunk),
            # Only the current sponsor's agreements fund a terminal (issue 17 B).
            ("SELECT f.terminal_id, f.valid_from, f.valid_until FROM funding_agreements f "
             "JOIN terminals t ON t.id = f.terminal_id AND t.sponsor_id = f.sponsor_id "
             f"WHERE f.terminal_id IN ({marks})", chunk),
            ("SELECT terminal_id, region, verified_at, revoked_at FROM whitelist_verifications "
             f"WHERE terminal_id IN ({marks})", chunk),
        )
        funding: dict[str, list[tuple[int, int]]] = {}
        for tid, lo, hi in funding_rows:
            funding.setdefault(tid, []).append((_ns(_utc(lo)), _ns(_utc(hi))))
        whitelist: dict[str, list[tuple[str, int, int]]] = {}
        for tid, region, lo, hi in whitelist_rows:
            whitelist.setdefault(tid, []).append((region, _ns(_utc(lo)), _ns(_utc(hi))))
        for tid, status, sponsor, account, plan, home, balance in terminals:
            out[tid] = TerminalFacts(
                terminal_id=tid, status=status, sponsor_id=sponsor, account_id=account,
                plan=plan or "", home_country=home or "", balance_due=bool(balance),
                funding=tuple(funding.get(tid, ())), whitelist=tuple(whitelist.get(tid, ())),
            )
    return out


RegionTest = Callable[[str, np.ndarray, np.ndarray], np.ndarray]
"""``contains(region, lat_deg, lon_deg) -> bool array``: is each point inside ``region``."""


@dataclass(frozen=True)
class FactTable:
    """The facts of ``n`` distinct terminals as arrays of shape ``(n,)`` or ``(n, slots)``."""

    active: np.ndarray
    status: np.ndarray
    plan: np.ndarray
    home_country: np.ndarray
    sponsored: np.ndarray
    balance_due: np.ndarray
    funding_from_ns: np.ndarray
    funding_until_ns: np.ndarray
    whitelist_region: np.ndarray  # int32 index into region_names, -1 for an unused slot
    region_names: tuple[str, ...]
    whitelist_from_ns: np.ndarray
    whitelist_until_ns: np.ndarray

    @classmethod
    def build(cls, facts: Sequence[TerminalFacts]) -> FactTable:
        n = len(facts)
        n_fund = max((len(f.funding) for f in facts), default=0)
        n_white = max((len(f.whitelist) for f in facts), default=0)
        # Unused slots hold empty intervals [MAX, MAX) that no instant falls in.
        fund = np.full((n, n_fund, 2), NEVER_NS, dtype=np.int64)
        white = np.full((n, n_white, 2), NEVER_NS, dtype=np.int64)
        region = np.full((n, n_white), -1, dtype=np.int32)
        names: dict[str, int] = {}
        for k, f in enumerate(facts):
            for j, (lo, hi) in enumerate(f.funding):
                fund[k, j] = lo, hi
            for j, (name, lo, hi) in enumerate(f.whitelist):
                region[k, j] = names.setdefault(name, len(names))
                white[k, j] = lo, hi
        status = np.array([f.status for f in facts], dtype=object)
        return cls(
            active=status == "active",
            status=status,
            plan=np.array([f.plan for f in facts], dtype=object),
            home_country=np.array([f.home_country for f in facts], dtype=object),
            sponsored=np.array([f.sponsor_id is not None for f in facts], dtype=bool),
            balance_due=np.array([f.balance_due for f in facts], dtype=bool),
            funding_from_ns=fund[..., 0], funding_until_ns=fund[..., 1],
            whitelist_region=region, region_names=tuple(names),
            whitelist_from_ns=white[..., 0], whitelist_until_ns=white[..., 1],
        )

    def funded(self, codes: np.ndarray, time_ns: np.ndarray) -> np.ndarray:
        """Per row: is terminal ``codes[i]`` funded at ``time_ns[i]``."""
        covered = np.zeros(codes.shape, dtype=bool)
        for j in range(self.funding_from_ns.shape[1]):
            lo = self.funding_from_ns[codes, j]
            hi = self.funding_until_ns[codes, j]
            covered |= (lo <= time_ns) & (time_ns < hi)
        return np.where(self.sponsored[codes], covered, ~self.balance_due[codes])

    def whitelisted(self, codes: np.ndarray, time_ns: np.ndarray, lat_deg: np.ndarray,
                    lon_deg: np.ndarray, contains: RegionTest) -> np.ndarray:
        """Per row: does a verification of terminal ``codes[i]`` cover its place and time."""
        out = np.zeros(codes.shape, dtype=bool)
        for j in range(self.whitelist_from_ns.shape[1]):
            lo = self.whitelist_from_ns[codes, j]
            hi = self.whitelist_until_ns[codes, j]
            in_time = (lo <= time_ns) & (time_ns < hi) & ~out
            if not in_time.any():
                continue
            regions = self.whitelist_region[codes, j]
            present = np.bincount(regions[in_time], minlength=len(self.region_names))
            for r in np.flatnonzero(present):
                rows = np.flatnonzero(in_time & (regions == r))
                out[rows] = contains(self.region_names[r], lat_deg[rows], lon_deg[rows])
        return out


class RegionLookup:
    """A `RegionTest` over the policy engine's regions (countries by ISO code, disputed
    areas, ``h3:`` cells). Both ways below are exact:

    * few points: the region's own geometry test (prepared once), microseconds per call;
    * many points: a one-rule policy ("allow in REGION, else deny") compiled once, whose
      decision is the engine's point-in-region kernel, far faster per point.
    """

    def __init__(self, engine_from_rows: int = 1000) -> None:
        self.engine_from_rows = engine_from_rows
        self._regions: dict[str, object] = {}
        self._policies: dict[str, object] = {}

    def check(self, name: str, where: str = "region") -> None:
        """Raise `InputError` (with suggestions) unless ``name`` is a region the engine knows."""
        self._region(name, where)

    def _region(self, name: str, where: str = "region"):
        region = self._regions.get(name)
        if region is None:
            region = resolve_region(name, where=where)
            if region.geometry is not None:
                shapely.prepare(region.geometry)
            self._regions[name] = region
        return region

    def _policy(self, name: str):
        policy = self._policies.get(name)
        if policy is None:
            self._region(name)
            policy = Policy.from_dict({
                "version": f"inside {name}", "default": "deny",
                "rules": [{"id": "inside", "effect": "allow", "regions": [name]}],
            }, source=f"whitelist region {name}")
            self._policies[name] = policy
        return policy

    def __call__(self, name: str, lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
        if lat_deg.size < self.engine_from_rows:
            return np.asarray(self._region(name).contains(lat_deg, lon_deg), dtype=bool)
        return np.asarray(self._policy(name).decide(lat_deg=lat_deg, lon_deg=lon_deg).allowed,
                          dtype=bool)
