"""``impossible_travel`` and ``cloned_identity``: positions no travel can link.

Two reports of one terminal are *linked* when the distance between them, less the error of
both positions, could be covered at ``max_travel_speed_kmh`` in the time between them (or is
shorter than ``min_jump_km``). An unlinked pair of consecutive reports is a jump.

``cloned_identity``: each terminal's reports are assigned, in time order, to *places*: a
report joins the place whose last report it is linked to (the nearest if several), else opens
a new place (up to four; the least recently seen is retired). A report that goes back to a
place seen before, nearer to that place's last report than half the way it jumped, is a
*return*. One terminal in two places at once shows as returns, again
and again: ``clone_min_returns`` returns no more than ``clone_window_s`` apart, between places
with ``clone_min_reports`` reports each, make one incident. A GPS glitch (one far report) or
one flight (no return) does not.

``impossible_travel``: every jump not inside a ``cloned_identity`` incident; consecutive
jumps (a report far from both neighbours) make one incident.
"""

from __future__ import annotations

import numba
import numpy as np

from leonet.control.detect.context import Context
from leonet.control.detect.text import count, duration, iso, km, place
from leonet.physics.earth import EARTH_MEAN_RADIUS_KM, great_circle_km

MAX_PLACES = 4


def _limits(ctx: Context) -> tuple[float, float, float]:
    cfg = ctx.config
    return cfg.max_travel_speed_kmh / 3.6e12, 2.0 * cfg.position_error_km, cfg.min_jump_km


@numba.njit(cache=True, inline="always")
def _gc_km(lat1, lon1, lat2, lon2):  # pragma: no cover - compiled
    p1 = np.deg2rad(lat1)
    p2 = np.deg2rad(lat2)
    dp = p2 - p1
    dl = np.deg2rad(lon2 - lon1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2.0 * EARTH_MEAN_RADIUS_KM * np.arcsin(min(1.0, np.sqrt(h)))


@numba.njit(cache=True)
def _places_kernel(lat, lon, t_ns, starts, km_per_ns, margin_km, min_jump_km,
                   place, is_return):  # pragma: no cover - compiled
    last = np.empty(4, dtype=np.int64)
    label = np.empty(4, dtype=np.int64)
    for k in range(starts.size - 1):
        n_open = 0
        next_label = 0
        for i in range(starts[k], starts[k + 1]):
            best = -1
            best_d = np.inf
            for p in range(n_open):
                j = last[p]
                d = _gc_km(lat[i], lon[i], lat[j], lon[j])
                linked = d < min_jump_km or d - margin_km <= km_per_ns * (t_ns[i] - t_ns[j])
                if linked and d < best_d:
                    best = p
                    best_d = d
            if best < 0:
                if n_open < 4:
                    best = n_open
                    n_open += 1
                else:  # retire the place seen least recently
                    best = 0
                    for p in range(1, 4):
                        if t_ns[last[p]] < t_ns[last[best]]:
                            best = p
                label[best] = next_label
                next_label += 1
            elif i > starts[k] and place[i - 1] != label[best]:
                # Back where that place was, not merely somewhere travel could reach.
                jump = _gc_km(lat[i], lon[i], lat[i - 1], lon[i - 1])
                is_return[i] = best_d < 0.5 * jump
            last[best] = i
            place[i] = label[best]


def _places(ctx: Context) -> tuple[np.ndarray, np.ndarray]:
    tel = ctx.tel
    place_of = np.zeros(len(tel), dtype=np.int64)
    is_return = np.zeros(len(tel), dtype=bool)
    km_per_ns, margin, min_jump = _limits(ctx)
    _places_kernel(tel.lat_deg, tel.lon_deg, tel.time_ns, tel.starts, km_per_ns, margin,
                   min_jump, place_of, is_return)
    return place_of, is_return


def cloned_identity(ctx: Context) -> np.ndarray:
    """Find clones; returns a mask of the rows inside a clone incident."""
    tel, cfg = ctx.tel, ctx.config
    inside = np.zeros(len(tel), dtype=bool)
    place_of, is_return = _places(ctx)
    ret = np.flatnonzero(is_return)
    if ret.size < cfg.clone_min_returns:
        return inside
    codes = tel.codes[ret]
    t = tel.time_ns[ret]
    brk = np.ones(ret.size, dtype=bool)
    brk[1:] = (codes[1:] != codes[:-1]) | (t[1:] - t[:-1] > int(cfg.clone_window_s * 1e9))
    first = np.flatnonzero(brk)
    last = np.concatenate([first[1:], [ret.size]]) - 1
    rows_out = []
    for a_pos, b_pos in zip(first.tolist(), last.tolist(), strict=True):
        if b_pos - a_pos + 1 < cfg.clone_min_returns:
            continue
        a = int(ret[a_pos]) - 1  # the report before the first return
        b = int(ret[b_pos])
        labels, counts = np.unique(place_of[a:b + 1], return_counts=True)
        big = labels[counts >= cfg.clone_min_reports]
        if big.size < 2:
            continue
        top = labels[np.argsort(-counts, kind="stable")[:2]]
        # From the report before the second place was first seen: that jump belongs here.
        seg = int(tel.starts[tel.codes[a]])
        opened = seg + int(np.flatnonzero(place_of[seg:b + 1] == top.max())[0])
        a = max(seg, min(a, opened - 1))
        centres = []
        for lab in top.tolist():
            sel = np.flatnonzero(place_of[a:b + 1] == lab) + a
            centres.append((float(np.median(tel.lat_deg[sel])),
                            float(np.median(tel.lon_deg[sel])), sel.size))
        apart = float(great_circle_km(centres[0][0], centres[0][1], centres[1][0],
                                      centres[1][1]))
        switch = np.flatnonzero(is_return[a + 1:b + 1]) + a + 1
        fastest_s = float(np.min(tel.time_ns[switch] - tel.time_ns[switch - 1])) / 1e9
        need = (apart - 2 * ctx.config.position_error_km) / max(fastest_s, 1e-3) * 3600.0
        text = (f"reports alternate between two places {km(apart)} apart, near "
                f"{place(centres[0][0], centres[0][1])} ({count(centres[0][2], 'report')}) and "
                f"near {place(centres[1][0], centres[1][1])} ({count(centres[1][2], 'report')})"
                f": {count(b_pos - a_pos + 1, 'switch')} back to a place already seen "
                f"between {iso(tel.time_ns[a])} and {iso(tel.time_ns[b])}; the quickest "
                f"took {duration(fastest_s)}, which would need "
                f"{'an instant' if fastest_s <= 0 else f'{need:,.0f} km/h'} "
                f"(nothing travels faster than {ctx.config.max_travel_speed_kmh:,.0f} km/h): "
                "one identity used by two terminals at once")
        inside[a:b + 1] = True
        rows_out.append((a, b, text, b - a + 1))
    if rows_out:
        a_rows = np.array([r[0] for r in rows_out])
        b_rows = np.array([r[1] for r in rows_out])
        ctx.log.add(terminal_id=tel.terminals[tel.codes[a_rows]], kind="cloned_identity",
                    start=tel.time[a_rows], end=tel.time[b_rows],
                    evidence=np.array([r[2] for r in rows_out], dtype=object),
                    n_reports=np.array([r[3] for r in rows_out]),
                    lat_deg=tel.lat_deg[a_rows], lon_deg=tel.lon_deg[a_rows])
    return inside


def impossible_travel(ctx: Context, cloned: np.ndarray | None = None) -> None:
    tel, cfg = ctx.tel, ctx.config
    if len(tel) < 2:
        return
    lat, lon, t = tel.lat_deg, tel.lon_deg, tel.time_ns
    same = tel.codes[1:] == tel.codes[:-1]
    d = great_circle_km(lat[:-1], lon[:-1], lat[1:], lon[1:])
    dt_s = (t[1:] - t[:-1]) / 1e9
    reach_km = cfg.max_travel_speed_kmh * dt_s / 3600.0
    jump = same & (d >= cfg.min_jump_km) & (d - 2 * cfg.position_error_km > reach_km)
    if cloned is not None:
        jump &= ~(cloned[:-1] & cloned[1:])
    j = np.flatnonzero(jump)  # a jump from row j to row j + 1
    if not j.size:
        return
    # Jumps sharing a report (j, j + 1) form one incident.
    brk = np.ones(j.size, dtype=bool)
    brk[1:] = j[1:] != j[:-1] + 1
    first = np.flatnonzero(brk)
    last = np.concatenate([first[1:], [j.size]]) - 1
    evidence = []
    for a_pos, b_pos in zip(first.tolist(), last.tolist(), strict=True):
        jumps = j[a_pos:b_pos + 1]
        worst = int(jumps[np.argmax(d[jumps] / np.maximum(dt_s[jumps], 1e-9))])
        speed = d[worst] / dt_s[worst] * 3600.0 if dt_s[worst] > 0 else np.inf
        text = (f"moved {km(d[worst])} from {place(lat[worst], lon[worst])} at "
                f"{iso(t[worst])} to {place(lat[worst + 1], lon[worst + 1])} at "
                f"{iso(t[worst + 1])}, in {duration(dt_s[worst])}: "
                f"{'at the same instant' if not np.isfinite(speed) else f'{speed:,.0f} km/h'}"
                f", where nothing travels faster than {cfg.max_travel_speed_kmh:,.0f} km/h")
        if jumps.size > 1:
            text = f"{count(int(jumps.size), 'jump')} in a row; the fastest " + text
        evidence.append(text)
    a_rows = j[first]
    b_rows = j[last] + 1
    ctx.log.add(terminal_id=tel.terminals[tel.codes[a_rows]], kind="impossible_travel",
                start=tel.time[a_rows], end=tel.time[b_rows],
                evidence=np.array(evidence, dtype=object), n_reports=b_rows - a_rows + 1,
                lat_deg=lat[a_rows], lon_deg=lon[a_rows])
