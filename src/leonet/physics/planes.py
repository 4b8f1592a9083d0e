"""Orbital planes of a real constellation, found from its elements.

Satellites are first grouped into shells by inclination and altitude
(`detect_shells`). All are then propagated to one common instant, because element epochs
of a TLE snapshot spread over weeks and J2 turns each plane's node by several degrees a day.
At that instant each satellite's osculating right ascension of the ascending node (RAAN)
and argument of latitude ``u`` come from its TEME state (h = r × v). Within a shell, RAANs
are sorted around the circle and split at gaps wider than ``plane_gap_deg``; groups of at
least ``min_sats_per_plane`` are planes, ordered by RAAN, their satellites ordered by
``u``. Satellites in no shell, or in groups too small to be a plane (drifting between
planes after launch, raising, deorbiting), are reported with the reason.
"""

from __future__ import annotations

import numpy as np
from sgp4.api import SatrecArray

from leonet.errors import InputError
from leonet.physics.links import PlaneAssignment
from leonet.physics.orbits.constellation import Constellation, detect_shells
from leonet.physics.timegrid import TimeGrid, parse_utc


def raan_and_arg_latitude_deg(r_km: np.ndarray, v_km_s: np.ndarray
                              ) -> tuple[np.ndarray, np.ndarray]:
    """Osculating RAAN and argument of latitude (deg, [0, 360)) of inertial states
    ``(n, 3)`` (TEME or any equatorial inertial frame)."""
    h = np.cross(r_km, v_km_s)
    raan = np.mod(np.degrees(np.arctan2(h[:, 0], -h[:, 1])), 360.0)
    node = np.stack([np.cos(np.radians(raan)), np.sin(np.radians(raan)),
                     np.zeros_like(raan)], axis=1)
    h_unit = h / np.linalg.norm(h, axis=1)[:, None]
    across = np.cross(h_unit, node)  # in the orbit plane, 90° ahead of the node
    u = np.degrees(np.arctan2(np.einsum("ij,ij->i", r_km, across),
                              np.einsum("ij,ij->i", r_km, node)))
    return raan, np.mod(u, 360.0)


def detect_planes(constellation: Constellation, *, at=None, plane_gap_deg: float = 0.5,
                  min_sats_per_plane: int = 5, wrap_gap_factor: float = 3.0
                  ) -> PlaneAssignment:
    """Shells, planes and in-plane order of a real constellation's satellites.

    ``at`` is the common instant (default: the median element epoch). A shell wraps (its
    last plane neighbours its first) unless the RAAN gap between them is more than
    ``wrap_gap_factor`` times the median gap between neighbouring planes.
    """
    if not plane_gap_deg > 0:
        raise InputError(f"plane_gap_deg must be > 0, got {plane_gap_deg}")
    if min_sats_per_plane < 2:
        raise InputError(f"min_sats_per_plane must be >= 2, got {min_sats_per_plane}")
    n = len(constellation)
    t = TimeGrid.at(parse_utc(at, what="at") if at is not None
                    else np.sort(constellation.epoch)[n // 2])
    err, r, v = SatrecArray(list(constellation.satrecs)).sgp4(t.jd, t.fr)
    r, v, err = r[:, 0], v[:, 0], err[:, 0]
    raan, u = raan_and_arg_latitude_deg(r, v)
    shells = detect_shells(constellation.inclination_deg, constellation.altitude_km)
    shell_out = np.full(n, -1, np.int64)
    plane_out = np.full(n, -1, np.int64)
    slot_out = np.full(n, -1, np.int64)
    reasons = np.full(n, "", dtype=object)
    reasons[shells < 0] = "fits no shell (inclination/altitude)"
    bad = err != 0
    reasons[bad] = "SGP4 cannot propagate it to the common instant"
    wrap: list[bool] = []
    next_shell = 0
    for s in range(int(shells.max()) + 1 if shells.size else 0):
        members = np.flatnonzero((shells == s) & ~bad)
        if members.size == 0:
            continue
        groups = _circular_groups(raan[members], plane_gap_deg)
        planes = [members[g] for g in groups if g.size >= min_sats_per_plane]
        for g in groups:
            if g.size < min_sats_per_plane:
                reasons[members[g]] = (f"fits no plane: {g.size} satellite(s) within "
                                       f"{plane_gap_deg}° of RAAN")
        if not planes:
            continue
        centres = np.array([_circular_mean_deg(raan[p]) for p in planes])
        order = np.argsort(centres)
        planes = [planes[k] for k in order]
        centres = centres[order]
        for k, p in enumerate(planes):
            p = p[np.argsort(u[p], kind="stable")]
            shell_out[p] = next_shell
            plane_out[p] = k
            slot_out[p] = np.arange(p.size)
        gaps = np.diff(np.r_[centres, centres[0] + 360.0])
        wrap.append(len(planes) >= 3 and gaps[-1] <= wrap_gap_factor * np.median(gaps[:-1]))
        next_shell += 1
    return PlaneAssignment(shell_out, plane_out, slot_out, tuple(wrap), u_deg=u,
                           raan_deg=raan, reasons=tuple(str(x) for x in reasons))


def _circular_groups(angle_deg: np.ndarray, gap_deg: float) -> list[np.ndarray]:
    """Indices grouped by angle, split where neighbours around the circle differ by more
    than ``gap_deg`` (a group may straddle 0°/360°)."""
    order = np.argsort(angle_deg, kind="stable")
    a = angle_deg[order]
    gaps = np.diff(np.r_[a, a[0] + 360.0])
    cuts = np.flatnonzero(gaps > gap_deg)
    if cuts.size == 0:
        return [order]
    # Rotate so that the widest gap's far side starts the sequence: no group straddles.
    start = (cuts[-1] + 1) % a.size
    rolled = np.roll(order, -start)
    gaps = np.roll(gaps, -start)
    splits = np.flatnonzero(gaps[:-1] > gap_deg) + 1
    return np.split(rolled, splits)


def _circular_mean_deg(angle_deg: np.ndarray) -> float:
    rad = np.radians(angle_deg)
    return float(np.mod(np.degrees(np.arctan2(np.sin(rad).mean(), np.cos(rad).mean())), 360.0))
