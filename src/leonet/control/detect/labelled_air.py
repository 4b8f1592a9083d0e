"""Labelled heights and flights for `labelled`: ground terminals at the published heights of
their towns and mountain roads, aircraft at their published speeds and flight levels, drones
at theirs. Every altitude is what a GNSS receiver reports, above sea level; the detectors must
find the height above ground themselves (`heights`).

Published heights (m above sea level): Kyiv 179, Lviv 296 (the towns' official heights); the
Carpathian road over the Yablunytsia Pass (931 m) from Yaremche (about 530 m) to Vorokhta
(about 850 m); the Gotthard Pass road (2,106 m) from Airolo (1,175 m) to Hospental (1,452 m);
Hoverla, Ukraine's highest summit (2,061 m). Aircraft and drone figures: see `DetectConfig`.
"""

from __future__ import annotations

import numpy as np

_H = np.timedelta64(3600 * 10**9, "ns")

KYIV, LVIV = (50.4501, 30.5234), (49.8397, 24.0297)
WARSAW, LODZ, KRAKOW = (52.2297, 21.0122), (51.7592, 19.4560), (50.0647, 19.9450)
CHERNIHIV = (51.4982, 31.2893)
BERLIN, POZNAN = (52.5200, 13.4050), (52.4064, 16.9252)
YAREMCHE, YABLUNYTSIA, VOROKHTA = (48.4583, 24.5553), (48.3003, 24.4697), (48.2833, 24.5667)
AIROLO, GOTTHARD, HOSPENTAL = (46.5286, 8.6103), (46.5583, 8.5611), (46.6186, 8.5686)
HOVERLA = (48.1603, 24.5003)


def planted(b, d0) -> None:
    """Planted misuse and hard negatives about heights, from ``d0`` (one day)."""
    d1 = d0 + 24 * _H
    # Drones: a long-range strike drone over Ukraine (300 m above ground, 180 km/h: the
    # policy's altitude and speed rules, and drone-like), the same kind over Poland (no
    # rule there: drone-like only), an FPV quadcopter over Ukraine (120 km/h at 200 m).
    b.move(b.terminal("ALT-DRONE-UA", kinds=("altitude_limit", "speed_limit", "drone_like")),
           [CHERNIHIV, KYIV], 180, d0 + 10 * _H, step_s=30.0, agl=300.0)
    b.move(b.terminal("ALT-DRONE-PL", home="PL", kinds=("drone_like",)),
           [LODZ, WARSAW], 150, d0 + 11 * _H, step_s=30.0, agl=250.0)
    fpv_end = (KYIV[0] - 0.15, KYIV[1] + 0.05)
    b.move(b.terminal("ALT-FPV-UA", kinds=("altitude_limit", "speed_limit", "drone_like")),
           [KYIV, fpv_end], 120, d0 + 12 * _H, step_s=20.0, agl=200.0)
    # Ground terminals at their towns' heights, cars over mountain passes: never airborne.
    b.static(b.terminal("NEG-GROUND-KYIV"), KYIV, d0, d1, msl=179.0)
    b.static(b.terminal("NEG-GROUND-LVIV"), LVIV, d0, d1, msl=296.0)
    b.move(b.terminal("NEG-CAR-CARPATHIAN-PASS"), [YAREMCHE, YABLUNYTSIA, VOROKHTA], 60,
           d0 + 7 * _H, step_s=60.0, heights=[530.0, 931.0, 850.0])
    b.move(b.terminal("NEG-CAR-ALPINE-PASS", plan="roam", home="PL"),
           [AIROLO, GOTTHARD, HOSPENTAL], 50, d0 + 9 * _H, step_s=60.0,
           heights=[1175.0, 2106.0, 1452.0])
    b.static(b.terminal("NEG-HOVERLA-SUMMIT"), HOVERLA, d0 + 9 * _H, d0 + 11 * _H,
             step_s=300.0, msl=2061.0)
    b.static(b.terminal("NEG-MAST-PL", home="PL"), WARSAW, d0, d1, agl=200.0)
    # Aircraft, on plans that are not for aircraft (so only their figures tell them apart):
    # an airliner over Poland at 10,700 m and 850 km/h, a Mi-8 helicopter at 230 km/h and
    # 500 m above ground, a Cessna 172 at 230 km/h and 1,500 m; and an airliner on an
    # aviation plan.
    b.move(b.terminal("NEG-AIRLINER-ROAM", plan="roam", home="PL"), [WARSAW, POZNAN, BERLIN],
           850, d0 + 5 * _H, step_s=60.0, msl=10_700.0, jitter_m=50.0)
    b.move(b.terminal("NEG-HELICOPTER-PL", plan="roam", home="PL"), [KRAKOW, WARSAW], 230,
           d0 + 13 * _H, step_s=60.0, agl=500.0)
    b.move(b.terminal("NEG-LIGHT-AIRCRAFT-PL", plan="roam", home="PL"), [WARSAW, LODZ], 230,
           d0 + 15 * _H, step_s=60.0, msl=1500.0)
    b.move(b.terminal("NEG-AIRLINER", plan="aviation", home="PL"), [WARSAW, BERLIN], 850,
           d0 + 6 * _H, step_s=60.0, msl=10_500.0, jitter_m=50.0)


def limits(b, d) -> None:
    """Heights and flights past the detectors' reach, labelled with what really happened:

    * a drone at 40 m above ground over Poland: below ``drone_min_height_m`` (missed);
    * a drone at 300 m above ground over the Alps: the ground there is known to within
      kilometres on a 5′ grid, so nothing can be claimed (missed);
    * a strike drone at 185 km/h with a 40 km/h tail wind: 225 km/h over the ground, a
      helicopter's cruise (missed);
    * a helicopter patrolling at 150 km/h: at a drone's speed and height (a false alarm).
    """
    b.move(b.terminal("LIM-LOW-DRONE", home="PL", kinds=("drone_like",)),
           [WARSAW, LODZ], 120, d + 2 * _H, step_s=30.0, agl=40.0)
    b.move(b.terminal("LIM-ALPINE-DRONE", plan="roam", home="PL", kinds=("drone_like",)),
           [AIROLO, GOTTHARD, HOSPENTAL], 150, d + 3 * _H, step_s=30.0, agl=300.0)
    b.move(b.terminal("LIM-TAILWIND-DRONE", home="PL", kinds=("drone_like",)),
           [POZNAN, WARSAW], 225, d + 4 * _H, step_s=30.0, agl=1000.0)
    b.move(b.terminal("LIM-SLOW-HELICOPTER", plan="roam", home="PL"), [LODZ, KRAKOW], 150,
           d + 5 * _H, step_s=60.0, agl=300.0)
