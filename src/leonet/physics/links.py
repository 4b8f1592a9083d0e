"""Inter-satellite laser links: +Grid topologies, links from a file, and which links are up.

A topology is a fixed set of undirected satellite pairs. At each instant a link is up when
both satellites have a position, the pair is within the laser range, and (for cross-plane
links, when a cut-off is set) both satellites are below the cut-off latitude.

+Grid (four lasers per satellite): fore and aft in the same plane, left and right to the
satellites of the neighbouring planes. With ``isl_shift = k`` the right-hand partner of slot
``j`` in plane ``p`` is slot ``j + k`` of plane ``p + 1``, as in Hypatia's
``generate_plus_grid_isls`` (Kassing et al., "Exploring the 'Internet from space' with
Hypatia", IMC 2020).

>>> from leonet.physics.orbits.constellation import Constellation
>>> sats = Constellation.load("starlink-gen1").filter(alt_km=(549, 551))
>>> isl = plus_grid(PlaneAssignment.from_walker(sats))
>>> isl.n_links, int(isl.cross_plane.sum())
(3168, 1584)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from leonet.errors import InputError
from leonet.physics.ground import GroundPoints
from leonet.physics.visibility import visible

# SpaceX's optical inter-satellite links close at up to 5,400 km: T. Brashears (SpaceX),
# SPIE Photonics West, 2024-01-30, as reported by PCMag ("SpaceX's Starlink lasers deliver
# 42 petabytes of data per day", 2024-02-02).
MAX_LASER_RANGE_KM = 5400.0


@dataclass(frozen=True, eq=False)
class PlaneAssignment:
    """Orbital plane and in-plane order of every satellite, arrays of shape ``(n_sats,)``.

    ``shell`` and ``plane`` are -1 for satellites that fit no plane. Planes are numbered
    per shell in order of right ascension of the ascending node; ``slot`` is the rank by
    argument of latitude within the plane. ``wrap[s]`` says whether shell ``s``'s last plane
    neighbours its first (true for Walker-delta shells spanning 360° of RAAN).
    ``u_deg`` (argument of latitude, or NaN) lets detected planes be matched by phase.
    """

    shell: np.ndarray
    plane: np.ndarray
    slot: np.ndarray
    wrap: tuple[bool, ...]
    u_deg: np.ndarray = field(default=None)  # type: ignore[assignment]
    raan_deg: np.ndarray = field(default=None)  # type: ignore[assignment]
    reasons: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        n = np.asarray(self.shell).shape[0]
        for name in ("shell", "plane", "slot"):
            object.__setattr__(self, name, np.asarray(getattr(self, name), dtype=np.int64))
        for name in ("u_deg", "raan_deg"):
            value = getattr(self, name)
            object.__setattr__(self, name, np.full(n, np.nan) if value is None
                               else np.asarray(value, dtype=np.float64))
        if not self.reasons:
            object.__setattr__(self, "reasons", ("",) * n)

    @property
    def n_sats(self) -> int:
        return self.shell.shape[0]

    @property
    def unassigned(self) -> np.ndarray:
        """Indices of satellites that fit no plane (see ``reasons``)."""
        return np.flatnonzero(self.plane < 0)

    @property
    def n_planes(self) -> np.ndarray:
        """Planes per shell."""
        ok = self.plane >= 0
        n_shells = len(self.wrap)
        out = np.zeros(n_shells, np.int64)
        np.maximum.at(out, self.shell[ok], self.plane[ok] + 1)
        return out

    @classmethod
    def from_walker(cls, constellation) -> PlaneAssignment:
        """The filed planes of a preset or Walker constellation (``shell_index``, ``plane``,
        ``slot``); satellites without them are unassigned."""
        shell = np.asarray(constellation.shell_index)
        if np.all(shell < 0):
            raise InputError(
                "this constellation has no filed planes (it was not built from a preset or "
                "Walker shells); detect them with leonet.physics.planes.detect_planes")
        shells = constellation.shells
        wrap = tuple(s.raan_spread_deg >= 360.0 for s in shells)
        ok = shell >= 0
        reasons = tuple("" if k else "no filed shell" for k in ok)
        return cls(np.where(ok, shell, -1), np.where(ok, constellation.plane, -1),
                   np.where(ok, constellation.slot, -1), wrap, reasons=reasons)


@dataclass(frozen=True, eq=False)
class IslTopology:
    """Undirected laser links ``a[k] <-> b[k]`` (satellite indices, ``(n_links,)``).

    ``cross_plane`` marks links between planes (affected by ``cutoff_lat_deg``).
    ``max_range_km`` is the laser range (None: unlimited).
    """

    a: np.ndarray
    b: np.ndarray
    n_sats: int
    cross_plane: np.ndarray = field(default=None)  # type: ignore[assignment]
    max_range_km: float | None = MAX_LASER_RANGE_KM
    cutoff_lat_deg: float | None = None
    source: str = ""

    def __post_init__(self) -> None:
        a = np.asarray(self.a, dtype=np.int32).reshape(-1)
        b = np.asarray(self.b, dtype=np.int32).reshape(-1)
        if a.shape != b.shape:
            raise InputError(f"{a.shape[0]} link starts but {b.shape[0]} ends")
        cross = (np.zeros(a.shape, bool) if self.cross_plane is None
                 else np.asarray(self.cross_plane, dtype=bool).reshape(-1))
        if cross.shape != a.shape:
            raise InputError("cross_plane must have one flag per link")
        if a.size and (min(a.min(), b.min()) < 0 or max(a.max(), b.max()) >= self.n_sats):
            raise InputError(f"link endpoints must be satellite indices in [0, {self.n_sats})")
        if np.any(a == b):
            k = int(np.argmax(a == b))
            raise InputError(f"link {k} joins satellite {a[k]} to itself")
        if self.max_range_km is not None and not self.max_range_km > 0:
            raise InputError(f"laser range must be > 0 km, got {self.max_range_km}")
        if self.cutoff_lat_deg is not None and not 0 <= self.cutoff_lat_deg <= 90:
            raise InputError(f"cut-off latitude must be in [0, 90]°, got {self.cutoff_lat_deg}")
        for name, value in (("a", a), ("b", b), ("cross_plane", cross)):
            value.flags.writeable = False
            object.__setattr__(self, name, value)

    @property
    def n_links(self) -> int:
        return self.a.shape[0]

    def lengths_km(self, r_ecef_km: np.ndarray) -> np.ndarray:
        """Length of every link at one instant (positions ``(n_sats, 3)``); NaN if a
        satellite has no position."""
        d = r_ecef_km[self.a] - r_ecef_km[self.b]
        return np.sqrt(np.einsum("ij,ij->i", d, d))

    def up(self, r_ecef_km: np.ndarray, lengths_km: np.ndarray | None = None) -> np.ndarray:
        """Which links are up at one instant, ``(n_links,)`` bool."""
        length = self.lengths_km(r_ecef_km) if lengths_km is None else lengths_km
        ok = np.isfinite(length)
        if self.max_range_km is not None:
            ok &= length <= self.max_range_km
        if self.cutoff_lat_deg is not None and self.cross_plane.any():
            # Geocentric latitude: the pointing geometry of the lasers follows the orbit,
            # not the ellipsoid.
            r = r_ecef_km
            lat = np.degrees(np.arcsin(np.clip(r[:, 2] / np.linalg.norm(r, axis=1), -1, 1)))
            high = np.abs(lat) > self.cutoff_lat_deg
            ok &= ~(self.cross_plane & (high[self.a] | high[self.b]))
        return ok

    def degree(self) -> np.ndarray:
        """Lasers in use per satellite, ``(n_sats,)``."""
        return np.bincount(np.concatenate([self.a, self.b]), minlength=self.n_sats)


def plus_grid(planes: PlaneAssignment, *, isl_shift: int = 0,
              max_range_km: float | None = MAX_LASER_RANGE_KM,
              cutoff_lat_deg: float | None = None) -> IslTopology:
    """+Grid links within each shell of ``planes``.

    In-plane: each satellite to the next by slot (the last to the first when the plane has
    three or more). Cross-plane: plane ``p`` to ``p + 1`` (and the last to the first of a
    wrapping shell). Planes with equal sizes and filed slots link slot ``j`` to slot
    ``j + isl_shift``; detected planes of unequal sizes link each satellite to the one of
    the next plane closest in argument of latitude, shifted by ``isl_shift`` places, one
    partner per side.
    """
    if int(isl_shift) != isl_shift:
        raise InputError(f"isl_shift must be an integer, got {isl_shift}")
    a_parts, b_parts, cross_parts = [], [], []
    ok = planes.plane >= 0
    idx_all = np.flatnonzero(ok)
    order = idx_all[np.lexsort((planes.slot[idx_all], planes.plane[idx_all],
                                planes.shell[idx_all]))]
    key = planes.shell[order] * (1 << 32) + planes.plane[order]
    cuts = np.flatnonzero(np.diff(key)) + 1
    groups = np.split(order, cuts) if order.size else []
    by_shell: dict[int, list[np.ndarray]] = {}
    for g in groups:
        by_shell.setdefault(int(planes.shell[g[0]]), []).append(g)
    for s, members in by_shell.items():
        for g in members:  # in-plane ring
            if g.size >= 2:
                nxt = np.roll(g, -1) if g.size >= 3 else g[1:]
                a_parts.append(g[: nxt.size])
                b_parts.append(nxt)
                cross_parts.append(np.zeros(nxt.size, bool))
        n_p = len(members)
        pairs = [(k, k + 1) for k in range(n_p - 1)]
        if planes.wrap[s] and n_p >= 3:
            pairs.append((n_p - 1, 0))
        for i, j in pairs:
            left, right = _cross_links(members[i], members[j], planes, int(isl_shift))
            a_parts.append(left)
            b_parts.append(right)
            cross_parts.append(np.ones(left.size, bool))
    def cat(parts, dt):
        return (np.concatenate(parts).astype(dt) if parts
               else np.zeros(0, dt))
    return IslTopology(cat(a_parts, np.int32), cat(b_parts, np.int32), planes.n_sats,
                       cat(cross_parts, bool), max_range_km, cutoff_lat_deg,
                       f"+Grid, isl_shift={int(isl_shift)}")


def _cross_links(p: np.ndarray, q: np.ndarray, planes: PlaneAssignment,
                 shift: int) -> tuple[np.ndarray, np.ndarray]:
    """Links from plane ``p`` to its right-hand neighbour ``q`` (both sorted by slot)."""
    filed = (p.size == q.size and np.array_equal(planes.slot[p], np.arange(p.size))
             and np.array_equal(planes.slot[q], np.arange(q.size))
             and np.all(np.isnan(planes.u_deg[p])))
    if filed:
        return p, q[(np.arange(p.size) + shift) % q.size]
    # Phase matching: nearest argument of latitude in q, then ``shift`` places on.
    uq = planes.u_deg[q]
    up = planes.u_deg[p]
    diff = np.abs((uq[None, :] - up[:, None] + 180.0) % 360.0 - 180.0)
    nearest = np.argmin(diff, axis=1)
    partner = (nearest + shift) % q.size
    err = diff[np.arange(p.size), nearest]
    # One partner per side: where two satellites of p pick the same one, the closer wins.
    order = np.argsort(err, kind="stable")
    taken = np.zeros(q.size, bool)
    keep = np.zeros(p.size, bool)
    for i in order:
        if not taken[partner[i]]:
            taken[partner[i]] = True
            keep[i] = True
    return p[keep], q[partner[keep]]


def parse_isls(text: str, n_sats: int, *, where: str = "isls.txt",
               max_range_km: float | None = None) -> IslTopology:
    """Links from the ``isls.txt`` format (one ``a b`` pair of satellite ids per line; blank
    lines and ``#`` comments ignored). Every id must name one of the ``n_sats``
    satellites; the error lists the missing ones with their lines. The file's links carry no
    plane information, so a cut-off latitude cannot apply to them. ``max_range_km`` defaults
    to None (the file decides which links exist)."""
    a, b, missing = [], [], []
    seen: dict[tuple[int, int], int] = {}
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.replace(",", " ").split()
        if len(parts) != 2:
            raise InputError(f"expected two satellite ids 'a b', got {raw.strip()!r}",
                             f"{where}:{lineno}")
        try:
            i, j = int(parts[0]), int(parts[1])
        except ValueError:
            raise InputError(f"satellite ids must be integers, got {raw.strip()!r}",
                             f"{where}:{lineno}") from None
        for v in (i, j):
            if not 0 <= v < n_sats:
                missing.append((v, lineno))
        if i == j:
            raise InputError(f"link joins satellite {i} to itself", f"{where}:{lineno}")
        pair = (min(i, j), max(i, j))
        if pair in seen:
            raise InputError(f"duplicate link {pair[0]}-{pair[1]} (first on line "
                             f"{seen[pair]})", f"{where}:{lineno}")
        seen[pair] = lineno
        a.append(i)
        b.append(j)
    if missing:
        shown = ", ".join(f"{v} (line {ln})" for v, ln in missing[:10])
        more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
        raise InputError(f"links name satellites that do not exist (the constellation has "
                         f"{n_sats}, ids 0..{n_sats - 1}): {shown}{more}", where)
    return IslTopology(np.array(a, np.int32), np.array(b, np.int32), n_sats, None,
                       max_range_km, None, f"links from {where}")


# -- ground-satellite links ---------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class GroundLinks:
    """Satellites each ground point may use at one instant, in compressed sparse rows:
    point ``i`` links to ``sat[indptr[i]:indptr[i+1]]`` at ``length_km`` (slant range)."""

    indptr: np.ndarray
    sat: np.ndarray
    length_km: np.ndarray
    n_sats: int

    @property
    def n_points(self) -> int:
        return self.indptr.shape[0] - 1

    @property
    def counts(self) -> np.ndarray:
        return np.diff(self.indptr)

    def of(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self.indptr[i], self.indptr[i + 1]
        return self.sat[lo:hi], self.length_km[lo:hi]


def ground_links(points: GroundPoints, r_sat_ecef_km: np.ndarray, *, min_elevation_deg=None,
                 max_range_km: float | None = None) -> GroundLinks:
    """The satellites each point may use: above its elevation mask (``min_elevation_deg``
    overrides the points' own) and, if given, within ``max_range_km``; with the slant
    ranges. Satellites with NaN positions are never linked. Each point's satellites are
    listed in ascending order of their index, so routes never depend on bucket order."""
    r = np.ascontiguousarray(r_sat_ecef_km, dtype=np.float64)
    vis = visible(points, r, min_elevation_deg=min_elevation_deg, max_range_km=max_range_km,
                  ascending=True)
    return GroundLinks(vis.indptr, vis.sat, _ranges(points, r, vis.indptr, vis.sat),
                       r.shape[0])


def _ranges(points: GroundPoints, r: np.ndarray, indptr: np.ndarray, sat: np.ndarray
            ) -> np.ndarray:
    p = np.repeat(np.arange(len(points)), np.diff(indptr))
    d = r[sat] - points.r_ecef_km[p]
    return np.sqrt(np.einsum("ij,ij->i", d, d))
