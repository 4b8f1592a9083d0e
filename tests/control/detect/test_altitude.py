"""Height above ground and ``drone_like`` against published figures: ground terminals at the
published heights of their towns and passes are not airborne, airliners, helicopters and light
aircraft at their published cruise speeds and heights are not drones, strike and
reconnaissance drones at theirs are; ``altitude_limit`` only where a rule limits altitude."""

from __future__ import annotations

import numpy as np
import pytest

from leonet.control.detect import DetectConfig, TerminalFacts, detect
from leonet.control.policy import Policy
from leonet.control.telemetry import telemetry_from_arrays
from leonet.physics.earth import destination_deg
from leonet.physics.terrain import ground_height

T0 = np.datetime64("2026-03-10T00:00:00", "ns")
NOW = "2027-01-01T00:00:00Z"
LODZ = (51.7592, 19.4560)  # central Poland: flat
POLTAVA = (49.5883, 34.5514)  # central Ukraine: flat

# (name, where, speed km/h, height: ("msl" | "agl", m)). Published figures:
AIRCRAFT = [
    # The issue's case: an airliner over Poland at 10,700 m and 850 km/h.
    ("airliner-poland", LODZ, 850.0, ("msl", 10_700.0)),
    # Airbus A320: cruise Mach 0.78, about 828 km/h at FL370 (Airbus, A320 Aircraft
    # Characteristics); Boeing 737-800: Mach 0.785, 842 km/h, ceiling 12,500 m (Boeing).
    ("a320", POLTAVA, 828.0, ("msl", 11_280.0)),
    ("b737-800", LODZ, 842.0, ("msl", 12_500.0)),
    # Helicopters: Mil Mi-8MTV cruise 230 km/h; Airbus H125 fast cruise 245 km/h; Robinson
    # R44 Raven II cruise 109 kt = 202 km/h (manufacturers' data); flown a few hundred metres
    # above ground.
    ("mi-8", POLTAVA, 230.0, ("agl", 500.0)),
    ("h125", LODZ, 245.0, ("agl", 300.0)),
    ("r44", LODZ, 202.0, ("agl", 300.0)),
    # Light aircraft: Cessna 172S 124 kt = 230 km/h at 75 % power; Piper PA-28-181 Archer
    # 128 kt = 237 km/h (Pilot's Operating Handbooks), at 5,000-7,000 ft.
    ("c172", LODZ, 230.0, ("msl", 1_500.0)),
    ("pa-28", POLTAVA, 237.0, ("msl", 2_100.0)),
]
DRONES = [
    # Shahed-136 / Geran-2: up to 185 km/h (UK MoD: 180 km/h), low or up to a few km.
    ("shahed-high", POLTAVA, 185.0, ("agl", 2_000.0)),
    ("shahed-low", POLTAVA, 160.0, ("agl", 300.0)),
    ("shahed-poland", LODZ, 180.0, ("agl", 1_000.0)),
    # FPV strike quadcopters: 80-150 km/h, a few hundred metres up at most.
    ("fpv", POLTAVA, 120.0, ("agl", 200.0)),
    # Orlan-10: 90-150 km/h, up to 5 km; Bayraktar TB2: cruise 130 km/h at up to 7,620 m.
    ("orlan-10", POLTAVA, 120.0, ("agl", 1_500.0)),
    ("tb2", POLTAVA, 130.0, ("msl", 6_000.0)),
]


def _flight(name, where, speed_kmh, height, n=10, step_s=60.0):
    """``n`` reports ``step_s`` apart flying east at ``speed_kmh``; GNSS altitude above sea
    level (an AGL height is put over the ground under each report)."""
    t = np.arange(n) * step_s
    lat, lon = destination_deg(np.full(n, where[0]), np.full(n, where[1]), 90.0,
                               speed_kmh * t / 3600.0)
    kind, h = height
    alt = np.full(n, h) if kind == "msl" else ground_height(lat, lon).height_m + h
    return [(name, t[k], lat[k], lon[k], alt[k], speed_kmh) for k in range(n)]


def _tel(rows, agl=None):
    names, t, lat, lon, alt, speed = zip(*rows, strict=True)
    times = T0 + (np.array(t) * 1e9).astype("timedelta64[ns]")
    tel, issues = telemetry_from_arrays(list(names), times, lat, lon, alt, speed,
                                        height_agl_m=agl, now=NOW)
    assert not len(issues), issues.summary()
    return tel


def _facts(names, plan="roam"):
    return TerminalFacts.from_arrays(sorted(set(names)), plan=[plan] * len(set(names)))


@pytest.mark.parametrize("plan", ["roam", "residential"])
def test_aircraft_at_published_figures_are_not_drones_and_drones_are(plan):
    rows = [r for spec in AIRCRAFT + DRONES for r in _flight(*spec)]
    names = [r[0] for r in rows]
    found = detect(_tel(rows), terminals=_facts(names, plan), kinds=["drone_like"])
    assert sorted(found.terminal_id.tolist()) == sorted(d[0] for d in DRONES)


def test_on_an_aviation_plan_nothing_is_drone_like():
    rows = [r for spec in AIRCRAFT + DRONES for r in _flight(*spec)]
    found = detect(_tel(rows), terminals=_facts([r[0] for r in rows], "aviation"),
                   kinds=["drone_like"])
    assert len(found) == 0


# Ground terminals reporting the published heights of their towns and passes (m above sea
# level, as their GNSS receivers would, ±15 m of vertical noise).
GROUND = [("lviv", 49.8397, 24.0297, 296, 0.0), ("kyiv", 50.4501, 30.5234, 179, 0.0),
          ("kharkiv", 49.9935, 36.2304, 152, 0.0),
          ("car-yablunytsia-pass", 48.3003, 24.4697, 931, 60.0),
          ("car-veretskyi-pass", 48.8952, 23.0442, 841, 70.0),
          ("car-gotthard-pass", 46.5583, 8.5611, 2106, 50.0),
          ("car-simplon-pass", 46.2508, 8.0331, 2005, 60.0),
          ("car-brenner-pass", 47.0025, 11.5069, 1370, 90.0),
          ("innsbruck", 47.2692, 11.4041, 574, 0.0), ("bern", 46.9480, 7.4474, 540, 0.0)]
ALTITUDE_POLICY = """
version = "alt"
default = "allow"
[[rules]]
id = "no-flying"
effect = "deny"
altitude_m_above = 30
"""


def test_ground_terminals_in_towns_and_on_passes_are_not_airborne():
    rng = np.random.default_rng(3)
    rows = [(name, 60.0 * k, lat, lon, h + rng.normal(0.0, 7.5), v)
            for name, lat, lon, h, v in GROUND for k in range(30)]
    policy = Policy.from_text(ALTITUDE_POLICY)
    found = detect(_tel(rows), policy, terminals=_facts([g[0] for g in GROUND]),
                   kinds=["altitude_limit", "drone_like"])
    assert len(found) == 0, [found.describe(i) for i in range(len(found))]


def test_altitude_limit_only_where_a_rule_limits_altitude():
    rows = [r for spec in DRONES for r in _flight(*spec)]
    facts = _facts([r[0] for r in rows])
    without = Policy.from_text('version = "v"\ndefault = "allow"\n')
    found = detect(_tel(rows), without, terminals=facts)
    assert "altitude_limit" not in found.kind.tolist()
    assert set(found.kind.tolist()) == {"drone_like"}
    found = detect(_tel(rows), Policy.from_text(ALTITUDE_POLICY), terminals=facts,
                   kinds=["altitude_limit"])
    assert sorted(set(found.terminal_id.tolist())) == sorted(d[0] for d in DRONES)
    assert (found.rule == "no-flying").all()
    assert "m above ground at the highest (GNSS altitude" in found.evidence[0]


def test_without_terrain_only_reported_heights_count():
    rows = [r for spec in DRONES[:2] for r in _flight(*spec)]
    facts = _facts([r[0] for r in rows])
    config = DetectConfig(terrain=False)
    found = detect(_tel(rows), terminals=facts, config=config, kinds=["drone_like"])
    assert len(found) == 0
    assert any("no height above ground" in n for n in found.notes)
    # The same flights reporting their height above ground (an autopilot's, say).
    agl = np.array([2000.0] * 10 + [300.0] * 10)
    found = detect(_tel(rows, agl), terminals=facts, config=config, kinds=["drone_like"])
    assert sorted(found.terminal_id.tolist()) == ["shahed-high", "shahed-low"]
    assert "2,000 m above ground at the highest (as reported)" in found.evidence[0]
