"""``drone_like``: flights that drones make and aircraft do not, on plans not sold for aircraft.

A *flight* is a run of a terminal's reports at least ``drone_min_height_m`` above ground (by
the lower bound of `heights`: the terrain's error and the GNSS error taken off), no more than
``merge_gap_s`` apart. Its *cruise* is the 90th percentile of its speeds (take-off, climb and
approach are slower; one fast sample does not make it), its *top* the highest estimate of its
height above ground. A flight is:

* standing, below ``drone_min_speed_kmh``: a mast, a tower, a hovering machine: nothing;
* an aircraft, cruising above ``drone_max_speed_kmh`` or topping above ``drone_max_height_m``:
  airliners, helicopters and light aircraft (published figures in `DetectConfig`): nothing;
* else drone-like: one incident, on any plan not in ``airborne_plans``.

No policy is needed; a policy's altitude rules are ``altitude_limit``'s.
"""

from __future__ import annotations

import numpy as np

from leonet.control.detect.context import Context
from leonet.control.detect.heights import height_words
from leonet.control.detect.runs import runs
from leonet.control.detect.text import count, duration, iso, place


def drone_like(ctx: Context) -> None:
    tel, cfg, h = ctx.tel, ctx.config, ctx.heights
    aircraft_plan = np.isin(ctx.plan, np.array(cfg.airborne_plans, dtype=object))
    up = np.flatnonzero((h.low_m > cfg.drone_min_height_m) & ~aircraft_plan[tel.codes])
    flights = runs(up, tel.codes, tel.time_ns, np.zeros(up.size, dtype=np.int64),
                   cfg.merge_gap_s, cfg.motion_min_reports)
    found = []
    for k in range(len(flights)):
        rows = up[flights.lo[k]:flights.hi[k]]
        cruise = float(np.percentile(tel.speed_kmh[rows], 90))
        top = float(np.nanmax(h.estimate_m[rows]))
        if cruise <= cfg.drone_min_speed_kmh or cruise > cfg.drone_max_speed_kmh \
                or top > cfg.drone_max_height_m:
            continue
        a, b = int(rows[0]), int(rows[-1])
        plan = ctx.plan[tel.codes[a]]
        text = (f"drone-like flight: {count(rows.size, 'report')} over "
                f"{duration((tel.time_ns[b] - tel.time_ns[a]) / 1e9)}, "
                f"{height_words(h, tel, rows)}, cruising at {cruise:,.0f} km/h, on "
                f"{'plan ' + repr(plan) if plan else 'no plan'} (not an aircraft plan); drones "
                f"fly below {cfg.drone_max_speed_kmh:g} km/h and {cfg.drone_max_height_m:,.0f} m "
                f"above ground, aircraft cruise faster or higher; first at "
                f"{place(tel.lat_deg[a], tel.lon_deg[a])} on {iso(tel.time_ns[a])}, last on "
                f"{iso(tel.time_ns[b])}")
        found.append((a, b, rows.size, text))
    if not found:
        return
    first = np.array([f[0] for f in found])
    ctx.log.add(terminal_id=tel.terminals[tel.codes[first]], kind="drone_like",
                start=tel.time[first], end=tel.time[np.array([f[1] for f in found])],
                evidence=np.array([f[3] for f in found], dtype=object),
                n_reports=np.array([f[2] for f in found]), lat_deg=tel.lat_deg[first],
                lon_deg=tel.lon_deg[first])
