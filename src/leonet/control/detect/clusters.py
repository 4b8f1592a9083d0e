"""``cluster``: many terminals appearing together, e.g. along a contact line.

A terminal *appears* with its first report (unless within ``cluster_absence_s`` of the start
of the telemetry, when nothing tells a new terminal from one already there), or with a report
after ``cluster_absence_s`` of silence more than ``cluster_radius_km`` from where it was last
seen. Terminals that keep reporting while they drive in do not appear: they were visible all
along. Appearances are grouped like DBSCAN: an appearance with at least
``cluster_min_terminals - 1`` others within ``cluster_radius_km`` and ``cluster_window_s`` is a
core; cores linked through such neighbours, and the appearances next to them, form a group,
and a group of at least ``cluster_min_terminals`` distinct terminals is a cluster. Each of its
terminals gets one incident naming the cluster. With contact regions or a contact line in the
config, only appearances inside that zone count.
"""

from __future__ import annotations

import numpy as np

from leonet.control.detect.context import Context
from leonet.control.detect.text import count, duration, iso, km, place
from leonet.physics.earth import geodetic_to_ecef_km, great_circle_km


def appearances(ctx: Context, first_ns: int | None = None) -> np.ndarray:
    """Rows where a terminal appears (ascending); ``first_ns`` is the start of the whole
    telemetry when ``ctx`` holds only some of its terminals (default: its own first report)."""
    tel, cfg = ctx.tel, ctx.config
    if not len(tel):
        return np.zeros(0, dtype=np.int64)
    t = tel.time_ns
    absence = int(cfg.cluster_absence_s * 1e9)
    firsts = tel.starts[:-1]
    new = firsts[t[firsts] >= (t.min() if first_ns is None else first_ns) + absence]
    same = tel.codes[1:] == tel.codes[:-1]
    quiet = same & (t[1:] - t[:-1] >= absence)
    cand = np.flatnonzero(quiet)
    moved = great_circle_km(tel.lat_deg[cand], tel.lon_deg[cand], tel.lat_deg[cand + 1],
                            tel.lon_deg[cand + 1]) > cfg.cluster_radius_km
    return np.union1d(new, cand[moved] + 1)


def _zone(ctx: Context, rows: np.ndarray) -> tuple[np.ndarray, str]:
    cfg = ctx.config
    tel = ctx.tel
    if not cfg.contact_regions and not cfg.contact_line:
        return np.ones(rows.size, dtype=bool), ""
    inside = np.zeros(rows.size, dtype=bool)
    names = []
    for name in cfg.contact_regions:
        inside |= ctx.regions.inside(name, tel.lat_deg[rows], tel.lon_deg[rows])
        names.append(name)
    if cfg.contact_line:
        spec = {"geojson": {"type": "LineString",
                            "coordinates": [list(p) for p in cfg.contact_line]},
                "buffer_km": cfg.contact_buffer_km}
        inside |= ctx.regions.inside_area(spec, tel.lat_deg[rows], tel.lon_deg[rows],
                                          "contact line")
        names.append(f"within {cfg.contact_buffer_km:g} km of the contact line")
    return inside, " inside the contact zone (" + "; ".join(names) + ")"


def cluster(ctx: Context, rows: np.ndarray | None = None) -> None:
    """Report the clusters among the appearances ``rows`` (default: `appearances`)."""
    # scipy.sparse and scipy.spatial take ~0.3 s to import: only a cluster search pays it,
    # not every CLI start-up (the CLI imports the detectors).
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components
    from scipy.spatial import cKDTree

    tel, cfg = ctx.tel, ctx.config
    rows = appearances(ctx) if rows is None else rows
    inside, zone_words = _zone(ctx, rows)
    rows = rows[inside]
    if rows.size < cfg.cluster_min_terminals:
        return
    lat, lon, t = tel.lat_deg[rows], tel.lon_deg[rows], tel.time_ns[rows]
    who = tel.codes[rows]
    radius = cfg.cluster_radius_km
    # Space in km (ECEF), time scaled so the window spans the radius; the box query is then
    # refined with the great-circle distance and the time difference.
    xyz = geodetic_to_ecef_km(lat, lon, np.zeros(rows.size))
    tau = (t - t.min()) / 1e9 * (radius / cfg.cluster_window_s)
    tree = cKDTree(np.column_stack([xyz, tau]))
    pairs = tree.query_pairs(radius, p=np.inf, output_type="ndarray")
    if pairs.size:
        i, j = pairs[:, 0], pairs[:, 1]
        ok = ((who[i] != who[j])
              & (great_circle_km(lat[i], lon[i], lat[j], lon[j]) <= radius)
              & (np.abs(t[i] - t[j]) <= int(cfg.cluster_window_s * 1e9)))
        i, j = i[ok], j[ok]
    else:
        i = j = np.zeros(0, dtype=np.int64)
    degree = np.bincount(np.concatenate([i, j]), minlength=rows.size)
    core = degree + 1 >= cfg.cluster_min_terminals
    both = core[i] & core[j]
    graph = coo_matrix((np.ones(int(both.sum())), (i[both], j[both])),
                       shape=(rows.size, rows.size))
    _, comp = connected_components(graph, directed=False)
    label = np.where(core, comp, -1)
    # Border appearances join the group of a core neighbour (the lowest-numbered, for
    # determinism).
    for a, b in ((i, j), (j, i)):
        attach = core[a] & ~core[b]
        order = np.lexsort((label[a[attach]], b[attach]))
        bb, la = b[attach][order], label[a[attach]][order]
        first = np.concatenate([[True], bb[1:] != bb[:-1]]) if bb.size else bb.astype(bool)
        take = bb[first]
        label[take] = np.where(label[take] < 0, la[first], np.minimum(label[take], la[first]))
    groups = []
    for g in np.unique(label[label >= 0]).tolist():
        members = np.flatnonzero(label == g)
        if np.unique(who[members]).size >= cfg.cluster_min_terminals:
            groups.append(members)
    groups.sort(key=lambda m: (int(t[m].min()), float(lat[m].mean()), float(lon[m].mean())))
    for number, members in enumerate(groups, start=1):
        _report(ctx, number, members, rows, zone_words)


def _report(ctx: Context, number: int, members: np.ndarray, rows: np.ndarray,
            zone_words: str) -> None:
    tel, cfg = ctx.tel, ctx.config
    r = rows[members]
    who = tel.codes[r]
    t0, t1 = int(tel.time_ns[r].min()), int(tel.time_ns[r].max())
    c_lat, c_lon = float(np.median(tel.lat_deg[r])), float(np.median(tel.lon_deg[r]))
    spread = float(great_circle_km(c_lat, c_lon, tel.lat_deg[r], tel.lon_deg[r]).max())
    country = ctx.regions.country_name(int(ctx.regions.country(np.array([c_lat]),
                                                               np.array([c_lon]))[0]))
    terminals, first = np.unique(who, return_index=True)
    own = r[first]
    m = terminals.size
    evidence = [
        f"one of {count(m, 'terminal')} that appeared together (cluster {number}): switched on, "
        f"or back after more than {duration(cfg.cluster_absence_s)} of silence, within "
        f"{km(spread)} of {place(c_lat, c_lon)} ({country}) between {iso(t0)} and {iso(t1)} "
        f"({duration((t1 - t0) / 1e9)}){zone_words}; this terminal appeared at "
        f"{place(tel.lat_deg[k], tel.lon_deg[k])} on {iso(tel.time_ns[k])}"
        for k in own.tolist()]
    ctx.log.add(terminal_id=tel.terminals[terminals], kind="cluster",
                start=np.full(m, t0).view("datetime64[ns]"),
                end=np.full(m, t1).view("datetime64[ns]"),
                evidence=np.array(evidence, dtype=object), n_reports=np.ones(m, np.int64),
                lat_deg=tel.lat_deg[own], lon_deg=tel.lon_deg[own])
