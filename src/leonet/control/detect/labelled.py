"""Labelled synthetic telemetry: planted misuse and hard negatives, to check the detectors.

`labelled_traces(seed)` returns telemetry, terminal facts, a policy and a detector config,
with ``labels``: the ``(terminal_id, kind)`` pairs that are truly misuse. Terminals whose id
starts with ``NEG-`` are hard negatives: traces built to look like misuse to a careless
detector (a car at 80 km/h outside the speed-limited country, a ferry with a gap in its
reports, a flight, GNSS jitter, a single far glitch, a tall mast, terminals in Kyiv and Lviv
and cars over Carpathian and Alpine passes at their published heights, airliners, a
helicopter and a light aircraft, terminals switched on together far from the front, ...).
``BG-`` terminals are ordinary background use: static terminals and local trips in Ukrainian
and Polish towns. Altitudes are what GNSS receivers report, above sea level, with vertical
noise (`labelled_air`).

Everything is drawn from ``numpy.random.default_rng(seed)``: the same seed gives the same
rows, bit for bit.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from leonet.control.detect import labelled_air
from leonet.control.detect.config import KINDS, DetectConfig
from leonet.control.detect.facts import TerminalFacts
from leonet.control.policy import Policy
from leonet.control.telemetry import telemetry_from_arrays
from leonet.physics.earth import along_great_circle_deg, great_circle_km
from leonet.physics.terrain import ground_height

START = np.datetime64("2026-03-10T00:00:00", "ns")
# GNSS vertical noise, 1 sigma (GPS SPS Performance Standard 2008: <= 15 m vertical, 95 %).
GNSS_VERTICAL_SIGMA_M = 7.5
S = np.timedelta64(1_000_000_000, "ns")
H = 3600 * S
DAY = 24 * H

# Places (WGS84 degrees): town centres from GeoNames.
KYIV, LVIV, ODESA = (50.4501, 30.5234), (49.8397, 24.0297), (46.4825, 30.7233)
DNIPRO, KHARKIV, POLTAVA = (48.4647, 35.0462), (49.9935, 36.2304), (49.5883, 34.5514)
VINNYTSIA, CHERNIHIV, ZHYTOMYR = (49.2331, 28.4682), (51.4982, 31.2893), (50.2547, 28.6587)
SIMFEROPOL, SEVASTOPOL = (44.9521, 34.1024), (44.6166, 33.5254)
MELITOPOL, DONETSK, TOKMAK = (46.8489, 35.3676), (48.0159, 37.8028), (47.2550, 35.7050)
BELGOROD, KURSK = (50.5997, 36.5983), (51.7304, 36.1926)
WARSAW, KRAKOW, LODZ = (52.2297, 21.0122), (50.0647, 19.9450), (51.7592, 19.4560)
SWINOUJSCIE, YSTAD, BERLIN = (53.9105, 14.2471), (55.4295, 13.8200), (52.5200, 13.4050)
HAMBURG, LISBON = (53.5511, 9.9937), (38.7223, -9.1393)

POLICY = """
version = "labelled-2026-03"
default = "deny"
description = "Detector check: UA, PL, DE, PT, SE, CH activated; Crimea, occupied areas denied."
plans = ["residential", "roam", "maritime", "aviation"]

[areas.whitelist-zone]
geojson = { type = "Polygon", coordinates = [[[35.6, 49.6], [36.8, 49.6], [36.8, 50.2],
            [35.6, 50.2], [35.6, 49.6]]] }

[[rules]]
id = "ua-activated"
effect = "allow"
regions = ["UA"]

[[rules]]
id = "eu-activated"
effect = "allow"
regions = ["PL", "DE", "PT", "SE", "CH"]

[[rules]]
id = "maritime-everywhere"
effect = "allow"
plans = ["maritime"]

[[rules]]
id = "aviation-everywhere"
effect = "allow"
plans = ["aviation"]

[[rules]]
id = "crimea-not-activated"
effect = "deny"
regions = ["crimea"]

[[rules]]
id = "occupied-denied"
effect = "deny"
regions = ["ua-occupied"]
unless_whitelisted = true

[[rules]]
id = "ua-speed-cutoff"
effect = "deny"
regions = ["UA"]
speed_kmh_above = 90
unless_whitelisted = true

[[rules]]
id = "ua-airborne"
effect = "deny"
regions = ["UA"]
altitude_m_above = 30
unless_whitelisted = true

[[rules]]
id = "whitelist-zone"
effect = "deny"
regions = ["area:whitelist-zone"]
whitelisted = false
"""

# A stretch of the line of contact south of Zaporizhzhia and west of Donetsk (approximate).
CONTACT_LINE = ((35.0, 47.45), (35.9, 47.42), (36.6, 47.65), (37.4, 47.85), (37.6, 48.3),
                (38.0, 48.6))


@dataclass(frozen=True, eq=False)
class LabelledTraces:
    telemetry: object  # Telemetry
    facts: TerminalFacts
    policy: object  # Policy
    config: DetectConfig
    labels: frozenset[tuple[str, str]]
    now: np.datetime64


class _Builder:
    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.parts: list[tuple] = []
        self.facts: dict[str, dict] = {}
        self.labels: set[tuple[str, str]] = set()

    def terminal(self, tid: str, *, plan="residential", home="UA", whitelisted=False,
                 allowed=np.nan, kinds=()) -> str:
        self.facts[tid] = {"plan": plan, "home": home, "whitelisted": whitelisted,
                           "allowed": allowed, "whitelist": []}
        self.labels |= {(tid, k) for k in kinds}
        return tid

    def rows(self, tid, t, lat, lon, agl, speed, msl=None) -> None:
        """Reports as a GNSS receiver makes them: the altitude above sea level is ``msl``
        when given (flight levels, published heights of roads), else the ground under the
        report (ITU-R P.1511) plus ``agl``; GNSS vertical noise on top."""
        n = len(t)
        lat, lon = np.asarray(lat, float), np.asarray(lon, float)
        alt = (ground_height(lat, lon).height_m + agl if msl is None
               else np.broadcast_to(np.asarray(msl, float), (n,)))
        alt = alt + self.rng.normal(0.0, GNSS_VERTICAL_SIGMA_M, n)
        self.parts.append((np.full(n, tid, dtype=object), np.asarray(t, "datetime64[ns]"),
                           lat, lon, alt, np.broadcast_to(np.asarray(speed, float), (n,)).copy()))

    def times(self, t0, t1, step_s: float) -> np.ndarray:
        """Report times from t0 to t1, about every step_s (±20 %)."""
        n = max(1, int((t1 - t0) / S / step_s))
        gaps = step_s * self.rng.uniform(0.8, 1.2, n)
        t = t0 + (np.concatenate([[0.0], np.cumsum(gaps[:-1])]) * 1e9).astype(
            "timedelta64[ns]")
        return t[t < t1]

    def jitter(self, lat, lon, metres: float):
        n = np.size(lat)
        north = self.rng.normal(0.0, metres / 1000.0, n)
        east = self.rng.normal(0.0, metres / 1000.0, n)
        lat = np.asarray(lat) + north / 111.195
        lon = np.asarray(lon) + east / (111.195 * np.cos(np.deg2rad(lat)))
        return lat, lon

    def static(self, tid, where, t0, t1, step_s=600.0, agl=0.0, jitter_m=20.0,
               msl=None) -> None:
        t = self.times(t0, t1, step_s)
        lat, lon = self.jitter(np.full(t.size, where[0]), np.full(t.size, where[1]), jitter_m)
        self.rows(tid, t, lat, lon, agl, self.rng.uniform(0.0, 0.5, t.size), msl)

    def move(self, tid, points, speed_kmh, t0, step_s=120.0, agl=0.0, jitter_m=10.0,
             speeds=None, msl=None, heights=None):
        """Along great circles through ``points`` at ``speed_kmh``, ``agl`` above the ground,
        or at ``msl`` above sea level, or at ``heights`` above sea level at the points
        (interpolated along the way: a road over a pass); returns the end time."""
        legs = [_gc(a, b) for a, b in itertools.pairwise(points)]
        total_km = sum(legs)
        t1 = t0 + np.timedelta64(int(total_km / speed_kmh * 3600e9), "ns")
        t = self.times(t0, t1, step_s)
        along = (t - t0) / H * speed_kmh
        lat, lon = _along(points, legs, along)
        lat, lon = self.jitter(lat, lon, jitter_m)
        v = (np.full(t.size, float(speed_kmh)) + self.rng.normal(0.0, 1.5, t.size)
             if speeds is None else speeds(t.size))
        if heights is not None:
            msl = np.interp(along, np.concatenate([[0.0], np.cumsum(legs)]), heights)
        self.rows(tid, t, lat, lon, agl, np.maximum(v, 0.0), msl)
        return t1


def _gc(a, b) -> float:
    return float(great_circle_km(a[0], a[1], b[0], b[1]))


def _along(points, legs, along_km):
    """Positions ``along_km`` from the start of a polyline (spherical interpolation)."""
    lat = np.empty(along_km.size)
    lon = np.empty(along_km.size)
    start = 0.0
    for k, length in enumerate(legs):
        sel = (along_km >= start) & ((along_km < start + length) | (k == len(legs) - 1))
        f = np.clip((along_km[sel] - start) / max(length, 1e-9), 0.0, 1.0)
        (a_lat, a_lon), (b_lat, b_lon) = points[k], points[k + 1]
        lat[sel], lon[sel] = along_great_circle_deg(a_lat, a_lon, b_lat, b_lon, f)
        start += length
    return lat, lon


def _background(b: _Builder, n: int) -> None:
    """Static terminals and local round trips (under 70 km/h) in towns far from any limit,
    vectorised: ``n`` terminals reporting about every 10 min for two days."""
    if n <= 0:
        return
    rng = b.rng
    towns = np.array([KYIV, LVIV, VINNYTSIA, POLTAVA, ZHYTOMYR, WARSAW, KRAKOW, LODZ])
    home = np.array(["UA"] * 5 + ["PL"] * 3, dtype=object)
    pick = rng.integers(0, len(towns), n)
    steps = 288
    t = (START + (rng.uniform(0, 600, n)[:, None] + np.arange(steps)[None, :] * 600.0
                  + rng.uniform(-60, 60, (n, steps))) * 1e9 * np.timedelta64(1, "ns")
         ).astype("datetime64[ns]")
    t_h = (t - START) / H
    # A quarter drive to and fro along a random bearing: 20 km amplitude, 2-4 h period.
    mobile = rng.random(n) < 0.25
    amp_km = np.where(mobile, rng.uniform(5.0, 20.0, n), 0.0)
    period_h = rng.uniform(2.0, 4.0, n)
    bearing = rng.uniform(0, 2 * np.pi, n)
    phase = 2 * np.pi * t_h / period_h[:, None]
    d_km = amp_km[:, None] * np.sin(phase)
    speed = np.abs(amp_km[:, None] * np.cos(phase) * 2 * np.pi / period_h[:, None])
    base_lat = towns[pick, 0][:, None] + rng.normal(0, 0.05, n)[:, None]
    base_lon = towns[pick, 1][:, None] + rng.normal(0, 0.08, n)[:, None]
    lat = base_lat + d_km * np.cos(bearing)[:, None] / 111.195
    lon = base_lon + d_km * np.sin(bearing)[:, None] / (111.195 * np.cos(np.deg2rad(base_lat)))
    lat, lon = b.jitter(lat.ravel(), lon.ravel(), 15.0)
    ids = np.array([f"BG-{k:06d}" for k in range(n)], dtype=object)
    alt = ground_height(lat, lon).height_m + rng.normal(0.0, GNSS_VERTICAL_SIGMA_M, n * steps)
    b.parts.append((np.repeat(ids, steps), t.ravel(), lat, lon, alt,
                    speed.ravel() + rng.uniform(0, 0.5, n * steps)))
    for k in range(n):
        b.terminal(ids[k], home=home[pick[k]], whitelisted=bool(rng.random() < 0.3))


def labelled_traces(seed: int = 0, n_background: int = 200, limits: bool = False
                    ) -> LabelledTraces:
    """The planted cases (see the module docstring) plus ``n_background`` ordinary terminals;
    ``limits`` adds cases at and past the detectors' documented limits (see `_limits`),
    labelled with the truth, so precision and recall there say what is missed."""
    b = _Builder(np.random.default_rng(seed))
    _background(b, n_background)
    d0, d1, d2 = START, START + DAY, START + 2 * DAY

    # denied_region: Crimea (no exception), occupied areas (not whitelisted), Russia (never
    # activated); a whitelisted terminal in an occupied town is allowed.
    for k, where in enumerate((SIMFEROPOL, SEVASTOPOL)):
        b.static(b.terminal(f"DR-CRIMEA-{k}", kinds=("denied_region",)), where, d0, d1)
    for k, where in enumerate((MELITOPOL, DONETSK)):
        b.static(b.terminal(f"DR-OCCUPIED-{k}", kinds=("denied_region",)), where, d0, d1)
    for k, where in enumerate((BELGOROD, KURSK)):
        b.static(b.terminal(f"DR-RUSSIA-{k}", home="RU", kinds=("denied_region",)), where,
                 d0, d1)
    b.static(b.terminal("NEG-OCCUPIED-WHITELISTED", whitelisted=True), MELITOPOL, d0, d1)

    # speed_limit: a car at 120 km/h in Ukraine (cut-off 90); negatives: the same car at 80,
    # cars outside Ukraine at 80 and 130 km/h, a whitelisted car at 120, one spike at 95.
    b.move(b.terminal("SP-CAR-UA", kinds=("speed_limit",)), [KYIV, ZHYTOMYR], 120, d0 + 2 * H)
    b.move(b.terminal("NEG-CAR-80-UA"), [KYIV, POLTAVA], 80, d0 + 2 * H)
    b.move(b.terminal("NEG-CAR-80-PL", home="PL"), [WARSAW, LODZ], 80, d0 + 2 * H)
    b.move(b.terminal("NEG-CAR-130-DE", plan="roam", home="PL"), [BERLIN, HAMBURG], 130,
           d0 + 3 * H)
    b.move(b.terminal("NEG-CAR-120-WHITELISTED", whitelisted=True), [KYIV, ZHYTOMYR], 120,
           d0 + 4 * H)
    b.move(b.terminal("NEG-CAR-SPIKE"), [VINNYTSIA, KYIV], 80, d0 + 5 * H,
           speeds=lambda n: np.where(np.arange(n) == n // 2, 95.0, 80.0))

    # altitude_limit and drone_like: drones, ground terminals in towns and on mountain roads,
    # a mast, airliners, a helicopter and a light aircraft (`labelled_air`).
    labelled_air.planted(b, d0)

    # impossible_travel: Lviv, then Poltava ten minutes later; a single glitch far away and
    # back. Negatives: a ferry with a five-hour gap, a flight with the terminal off, jitter.
    t = b.times(d0, d0 + 2 * H, 600.0)
    jump = b.terminal("IT-JUMP", kinds=("impossible_travel",))
    b.rows(jump, t, *b.jitter(np.full(t.size, LVIV[0]), np.full(t.size, LVIV[1]), 20.0), 0.0,
           0.0)
    b.static(jump, POLTAVA, d0 + 2 * H + 10 * 60 * S, d0 + 4 * H)
    glitch = b.terminal("IT-GLITCH", kinds=("impossible_travel",))
    t = b.times(d0, d0 + 3 * H, 300.0)
    lat, lon = b.jitter(np.full(t.size, VINNYTSIA[0]), np.full(t.size, VINNYTSIA[1]), 20.0)
    lat[t.size // 2], lon[t.size // 2] = WARSAW  # 700 km away, 5 min later
    b.rows(glitch, t, lat, lon, 0.0, 0.0)
    ferry = b.terminal("NEG-FERRY", plan="maritime", home="PL")
    mid = (54.67, 14.03)
    t_mid = b.move(ferry, [SWINOUJSCIE, mid], 35, d0 + 8 * H, step_s=600.0)
    b.move(ferry, [(54.90, 13.96), YSTAD], 35, t_mid + 5 * H, step_s=600.0)
    flight = b.terminal("NEG-FLIGHT", plan="roam", home="PL")
    b.static(flight, WARSAW, d0, d0 + 2 * H)
    b.static(flight, LISBON, d0 + 6 * H, d0 + 8 * H)
    b.static(b.terminal("NEG-JITTER"), KYIV, d0, d0 + H, step_s=5.0, jitter_m=50.0)

    # cloned_identity: one id at Kyiv and Dnipro, alternately every ~3 min for 3 h; one at
    # Lviv and on the road near Odesa.
    clone = b.terminal("CL-TWIN", kinds=("cloned_identity",))
    t = b.times(d1, d1 + 3 * H, 180.0)
    where = np.where((np.arange(t.size) % 2 == 0)[:, None], KYIV, DNIPRO)
    b.rows(clone, t, *b.jitter(where[:, 0], where[:, 1], 20.0), 0.0, 0.0)
    clone2 = b.terminal("CL-TWIN-MOVING", kinds=("cloned_identity",))
    t = b.times(d1, d1 + 2 * H, 240.0)
    car_lat, car_lon = _along([ODESA, (47.5, 31.5)], [_gc(ODESA, (47.5, 31.5))],
                              (t - d1) / H * 60.0)
    even = np.arange(t.size) % 2 == 0
    lat = np.where(even, LVIV[0], car_lat)
    lon = np.where(even, LVIV[1], car_lon)
    b.rows(clone2, t, *b.jitter(lat, lon, 20.0), 0.0, np.where(even, 0.0, 60.0))

    # roaming_limit: 75 days in Kraków (60 allowed); negatives: 40 days in Warsaw then home,
    # 90 days in Berlin with 120 allowed, a Polish terminal at home in Poland.
    b.static(b.terminal("RO-KRAKOW-75", plan="roam", kinds=("roaming_limit",)), KRAKOW, d0,
             d0 + 75 * DAY, step_s=6 * 3600.0)
    b.static(b.terminal("NEG-ROAM-40", plan="roam"), WARSAW, d0, d0 + 40 * DAY,
             step_s=6 * 3600.0)
    # Home again half a day later (a 340 km drive), not minutes after the last report.
    b.static("NEG-ROAM-40", LVIV, d0 + 40 * DAY + 12 * H, d0 + 60 * DAY, step_s=6 * 3600.0)
    b.static(b.terminal("NEG-ROAM-ALLOWANCE", plan="roam", allowed=120.0), BERLIN, d0,
             d0 + 90 * DAY, step_s=6 * 3600.0)
    b.static(b.terminal("NEG-HOME-PL", home="PL"), KRAKOW, d0, d0 + 90 * DAY,
             step_s=6 * 3600.0)

    # not_whitelisted: in the whitelist zone around Kharkiv without a verification, with
    # one for Poland only, with one that expired; negatives: verified everywhere, verified
    # for Ukraine.
    b.static(b.terminal("NW-NONE", kinds=("not_whitelisted",)), KHARKIV, d0, d1)
    b.static(b.terminal("NW-POLAND-ONLY", kinds=("not_whitelisted",)), KHARKIV, d0, d1)
    b.facts["NW-POLAND-ONLY"]["whitelist"].append(("PL", None, None))
    b.static(b.terminal("NW-EXPIRED", kinds=("not_whitelisted",)), KHARKIV, d0, d1)
    b.facts["NW-EXPIRED"]["whitelist"].append(("UA", START - 30 * DAY, START - DAY))
    b.static(b.terminal("NEG-NW-FLAG", whitelisted=True), KHARKIV, d0, d1)
    b.static(b.terminal("NEG-NW-UKRAINE"), KHARKIV, d0, d1)
    b.facts["NEG-NW-UKRAINE"]["whitelist"].append(("UA", START - DAY, None))

    # cluster: 12 terminals switched on within 90 min near Tokmak, by the contact line (they
    # are in an occupied area, so also denied_region). Negatives: 15 there from the start,
    # 8 switched on together near Donetsk, 12 switched on one every 3 h, 15 together in Lviv.
    for k in range(12):
        tid = b.terminal(f"CU-{k:02d}", kinds=("cluster", "denied_region"))
        b.static(tid, _near(b, TOKMAK, 5.0), d0 + 8 * H + k * 450 * S, d0 + 14 * H)
    for k in range(15):
        tid = b.terminal(f"NEG-CU-ALREADY-{k:02d}", kinds=("denied_region",))
        b.static(tid, _near(b, TOKMAK, 5.0), d0 + k * 60 * S, d1)
    for k in range(8):
        tid = b.terminal(f"NEG-CU-FEW-{k}", kinds=("denied_region",))
        b.static(tid, _near(b, DONETSK, 5.0), d1 + 8 * H + k * 300 * S, d1 + 14 * H)
    for k in range(12):
        tid = b.terminal(f"NEG-CU-SPREAD-{k:02d}", kinds=("denied_region",))
        b.static(tid, _near(b, TOKMAK, 5.0), d0 + 15 * H + k * 3 * H, d2 + 6 * H)
    for k in range(15):
        b.static(b.terminal(f"NEG-CU-LVIV-{k:02d}"), _near(b, LVIV, 3.0),
                 d0 + 12 * H + k * 120 * S, d0 + 20 * H)

    if limits:
        _limits(b)
    cols = [np.concatenate([p[j] for p in b.parts]) for j in range(6)]
    now = START + 120 * DAY
    tel, issues = telemetry_from_arrays(*cols, now=now, source=f"labelled traces seed {seed}")
    if len(issues):
        raise AssertionError(issues.summary())
    ids = sorted(b.facts)
    f = b.facts
    facts = TerminalFacts.from_arrays(
        np.array(ids, dtype=object), plan=[f[t]["plan"] for t in ids],
        home_country=[f[t]["home"] for t in ids], whitelisted=[f[t]["whitelisted"] for t in ids],
        roaming_days_allowed=[f[t]["allowed"] for t in ids],
        whitelist=[(t, r, a, z) for t in ids for (r, a, z) in f[t]["whitelist"]],
        source="labelled facts")
    policy = Policy.from_text(POLICY, source="labelled policy")
    config = DetectConfig(contact_line=CONTACT_LINE, contact_buffer_km=25.0)
    return LabelledTraces(telemetry=tel, facts=facts, policy=policy, config=config,
                          labels=frozenset(b.labels), now=now)


def _limits(b: _Builder) -> None:
    """Cases past the detectors' reach, labelled with what really happened (``LIM-``):

    * a clone pair only 60 km apart reporting every 20 min: travel could link them (missed);
    * a receiver spoofed again and again to one airport: looks like a clone (false alarm);
    * heights and flights past reach (`labelled_air.limits`): a drone at 40 m, a drone over
      the Alps, a drone with a tail wind (missed), a slow helicopter (a false alarm);
    * ten terminals switched on over 2.5 h: wider than the window, but each has nine others
      within it, so the group is found (the window bounds neighbours, not the group);
    * a car at 120 km/h in Ukraine seen by one report only (missed: two are needed);
    * a stay of 65 days in Poland broken by one report from home (missed: stays reset);
    * a whitelisted terminal whose verification the registry lacks (false alarm).
    """
    d = START + 3 * DAY
    t = b.times(d, d + 4 * H, 600.0)
    near_dnipro = (DNIPRO[0] + 60 / 111.195, DNIPRO[1])
    where = np.where((np.arange(t.size) % 2 == 0)[:, None], DNIPRO, near_dnipro)
    b.rows(b.terminal("LIM-CLONE-60KM", kinds=("cloned_identity",)), t,
           *b.jitter(where[:, 0], where[:, 1], 20.0), 0.0, 0.0)
    spoof = b.terminal("LIM-SPOOFED")
    t = b.times(d, d + 3 * H, 120.0)
    lat, lon = b.jitter(np.full(t.size, VINNYTSIA[0]), np.full(t.size, VINNYTSIA[1]), 20.0)
    every = np.arange(t.size) % 6 == 3
    lat[every], lon[every] = 55.9726, 37.4146  # Sheremetyevo airport, to the metre
    b.rows(spoof, t, lat, lon, 0.0, 0.0)
    b.labels |= {(spoof, "impossible_travel"), (spoof, "denied_region")}
    labelled_air.limits(b, d)
    for k in range(10):
        tid = b.terminal(f"LIM-CU-SLOW-{k}", kinds=("cluster", "denied_region"))
        b.static(tid, _near(b, TOKMAK, 5.0), d + 8 * H + k * 1000 * S, d + 16 * H)
    t = b.times(d, d + H, 120.0)
    car = b.terminal("LIM-ONE-FAST-REPORT", kinds=("speed_limit",))
    lat, lon = _along([KYIV, ZHYTOMYR], [_gc(KYIV, ZHYTOMYR)], (t - d) / H * 80.0)
    b.rows(car, t, lat, lon, 0.0, np.where(np.arange(t.size) == 10, 120.0, 80.0))
    b.static(b.terminal("LIM-ROAM-BROKEN", plan="roam", kinds=("roaming_limit",)), KRAKOW,
             d, d + 30 * DAY, step_s=6 * 3600.0)
    b.static("LIM-ROAM-BROKEN", LVIV, d + 30 * DAY + 12 * H, d + 30 * DAY + 13 * H,
             step_s=3600.0)
    b.static("LIM-ROAM-BROKEN", KRAKOW, d + 31 * DAY, d + 65 * DAY, step_s=6 * 3600.0)
    b.static(b.terminal("LIM-WHITELIST-UNRECORDED"), KHARKIV, d, d + DAY)


def _near(b: _Builder, where, km_: float):
    r = km_ * np.sqrt(b.rng.random())
    a = b.rng.uniform(0, 2 * np.pi)
    return (where[0] + r * np.cos(a) / 111.195,
            where[1] + r * np.sin(a) / (111.195 * np.cos(np.deg2rad(where[0]))))


def score(incidents, labels: frozenset[tuple[str, str]]) -> dict[str, dict[str, float]]:
    """Per kind: true and false positives, misses, precision and recall over
    ``(terminal_id, kind)`` pairs."""
    found = set(zip(incidents.terminal_id.tolist(), incidents.kind.tolist(), strict=True))
    out = {}
    for kind in KINDS:
        f = {p for p in found if p[1] == kind}
        truth = {p for p in labels if p[1] == kind}
        tp, fp, fn = len(f & truth), len(f - truth), len(truth - f)
        out[kind] = {"tp": tp, "fp": fp, "fn": fn,
                     "precision": tp / (tp + fp) if tp + fp else 1.0,
                     "recall": tp / (tp + fn) if tp + fn else 1.0,
                     "false": sorted(t for t, _ in f - truth),
                     "missed": sorted(t for t, _ in truth - f)}
    return out


__all__ = ["LabelledTraces", "labelled_traces", "score"]
