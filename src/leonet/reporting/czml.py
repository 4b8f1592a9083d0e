"""CZML for Cesium users: satellites as sampled Earth-fixed positions with their availability,
the +Grid laser links as polylines that reference their two satellites' positions and show only
while the link is up, and ground sites as points. Built with `czml3` (the ``czml`` extra).

Positions are leonet's own propagation (`Constellation.propagate`), written in metres in
Cesium's ``FIXED`` frame (ITRS, the frame of `leonet ephemeris`), every grid step, interpolated
by Cesium with a Lagrange polynomial.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np

from leonet.physics.ground_segment import Sites
from leonet.physics.links import IslTopology
from leonet.physics.orbits.constellation import Constellation
from leonet.physics.timegrid import TimeGrid, iso_utc

M_PER_KM = 1000.0
# Degree 5 over samples a minute apart follows a LEO orbit to well under a metre (Cesium's own
# satellite examples use Lagrange 5).
LAGRANGE_DEGREE = 5
SITE_COLOURS = {"gateway": [0, 200, 255, 255], "pop": [255, 215, 0, 255],
                "terminal": [255, 120, 120, 255]}


def satellite_ids(sats: Constellation) -> list[str]:
    """One packet id per satellite: ``sat-<NORAD id>``, or ``sat-<index>`` when ids repeat."""
    ids = [f"sat-{int(n)}" for n in sats.norad_id]
    return ids if len(set(ids)) == len(ids) else [f"sat-{k}" for k in range(len(sats))]


def czml_text(sats: Constellation, grid: TimeGrid, *, isls: IslTopology | None = None,
              sites: Sequence[Sites] = (), name: str = "leonet") -> str:
    """The CZML document (JSON text) of ``sats`` over ``grid``, with links and sites."""
    # czml3 is the optional `czml` extra: imported only by this export.
    from czml3 import Document, Packet
    from czml3.properties import Clock, Color, Point, Polyline, Position, PositionList
    from czml3.types import IntervalValue, TimeInterval, TimeIntervalCollection

    r = sats.propagate(grid).r_ecef_km
    t_iso = [str(s) for s in iso_utc(grid.utc, "ms")]
    t_s = grid.offsets_s
    start, end = t_iso[0], t_iso[-1]
    packets = [Packet(id="document", name=name, version="1.0",
                      clock=Clock(interval=TimeInterval(start=start, end=end),
                                  currentTime=start, multiplier=60))]
    ids = satellite_ids(sats)
    ok = np.isfinite(r).all(axis=2)  # (n_times, n_sats)
    for k, sid in enumerate(ids):
        rows = np.flatnonzero(ok[:, k])
        if rows.size == 0:
            continue  # SGP4 failed at every instant: nothing to draw
        samples = np.column_stack([t_s[rows], r[rows, k] * M_PER_KM]).ravel().tolist()
        packets.append(Packet(
            id=sid, name=str(sats.names[k]),
            availability=TimeInterval(start=t_iso[rows[0]], end=t_iso[rows[-1]]),
            position=Position(epoch=start, referenceFrame="FIXED", cartesian=samples,
                              interpolationAlgorithm="LAGRANGE",
                              interpolationDegree=LAGRANGE_DEGREE),
            point=Point(pixelSize=3, color=Color(rgba=[255, 255, 255, 255]))))
    if isls is not None:
        up = np.stack([isls.up(r[i]) for i in range(len(grid))])  # (n_times, n_links)
        for j in range(isls.n_links):
            a, b = int(isls.a[j]), int(isls.b[j])
            packets.append(Packet(
                id=f"isl-{ids[a]}-{ids[b]}", name=f"laser {ids[a]} – {ids[b]}",
                polyline=Polyline(
                    positions=PositionList(references=[f"{ids[a]}#position",
                                                       f"{ids[b]}#position"]),
                    show=TimeIntervalCollection(values=[
                        IntervalValue(start=t_iso[i0], end=t_iso[i1], value=bool(v))
                        for i0, i1, v in _runs(up[:, j])]),
                    width=1, material=None)))
    for group in sites:
        p = group.points
        for k in range(len(group)):
            packets.append(Packet(
                id=f"{group.kind}-{k}-{p.names[k]}", name=str(p.names[k]),
                position=Position(cartographicDegrees=[float(p.lon_deg[k]), float(p.lat_deg[k]),
                                                       float(p.alt_km[k]) * M_PER_KM]),
                point=Point(pixelSize=5,
                            color=Color(rgba=SITE_COLOURS.get(group.kind, [200, 200, 200, 255])))))
    return json.dumps(json.loads(Document(packets=packets).dumps()), separators=(",", ":"))


def _runs(flags: np.ndarray) -> list[tuple[int, int, bool]]:
    """``(first, last, value)`` of each run of equal values; a run ends where the next one
    starts, so the intervals tile the grid."""
    change = np.flatnonzero(np.diff(flags.astype(np.int8))) + 1
    starts = np.concatenate([[0], change])
    ends = np.concatenate([change, [len(flags) - 1]])
    return [(int(s), int(e), bool(flags[s])) for s, e in zip(starts, ends, strict=True)]
