"""A synthetic element catalogue for reader tests, made with sgp4 itself (the authority).

Elements are drawn for a spread of orbits (LEO shells, polar, retrograde, GEO, Molniya, GPS),
catalog numbers (leading zeros, alpha-5), epochs (1999, a leap day 366, 2056) and signs of the
drag terms; `sgp4.exporter.export_tle` writes the lines and `export_omm` the OMM records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from math import pi

import numpy as np
from sgp4.api import WGS72, Satrec
from sgp4.exporter import export_omm, export_tle

DEG = pi / 180.0
REV_PER_DAY = 2.0 * pi / 1440.0  # rev/day -> rad/min
EPOCH0 = dt.datetime(1949, 12, 31)

# CelesTrak's FORMAT=CSV column order, as in its GP CSV downloads.
CELESTRAK_CSV_HEADER = (
    "OBJECT_NAME,OBJECT_ID,EPOCH,MEAN_MOTION,ECCENTRICITY,INCLINATION,RA_OF_ASC_NODE,"
    "ARG_OF_PERICENTER,MEAN_ANOMALY,EPHEMERIS_TYPE,CLASSIFICATION_TYPE,NORAD_CAT_ID,"
    "ELEMENT_SET_NO,REV_AT_EPOCH,BSTAR,MEAN_MOTION_DOT,MEAN_MOTION_DDOT"
)

# A real element set, from the sgp4 package's README (ISS, 2019).
ISS_LINE1 = "1 25544U 98067A   19343.69339541  .00001764  00000-0  38792-4 0  9991"
ISS_LINE2 = "2 25544  51.6439 211.2001 0007417  17.6667  85.6398 15.50103472202482"


@dataclass(frozen=True)
class Sat:
    name: str
    satnum: int
    line1: str
    line2: str
    omm: dict


def _make(name, satnum, epoch, inc_deg, n_rev_day, ecc, raan_deg, argp_deg, ma_deg,
          bstar, ndot_rev_day2, nddot_rev_day3, revnum) -> Sat:
    sat = Satrec()
    days = (epoch - EPOCH0).total_seconds() / 86400.0
    sat.sgp4init(WGS72, "i", satnum, days, bstar, ndot_rev_day2 * REV_PER_DAY / 1440.0,
                 nddot_rev_day3 * REV_PER_DAY / 1440.0**2, ecc, argp_deg * DEG, inc_deg * DEG,
                 ma_deg * DEG, n_rev_day * REV_PER_DAY, raan_deg * DEG)
    assert sat.error == 0
    sat.classification = "U"
    sat.intldesg = f"{epoch.year % 100:02d}{satnum % 900 + 1:03d}A"
    sat.elnum = 999
    sat.revnum = revnum
    line1, line2 = export_tle(sat)
    # The OMM comes from the TLE as read back, as CelesTrak derives both from one element set.
    back = Satrec.twoline2rv(line1, line2, WGS72)
    back.classification, back.intldesg = "U", sat.intldesg
    return Sat(name, satnum, line1, line2, export_omm(back, name))


def catalogue(n_leo: int = 40) -> list[Sat]:
    """Satellites with valid, varied elements (deterministic)."""
    rng = np.random.default_rng(20260822)
    sats = []
    base = dt.datetime(2026, 8, 22, 3, 17, 42, 123456)
    for i in range(n_leo):
        sats.append(_make(
            f"SYNTH-{i:04d}", 60000 + 7 * i, base + dt.timedelta(hours=float(rng.uniform(-90, 5))),
            float(rng.choice([53.0, 53.2, 43.0, 33.0, 70.0, 97.6])), float(rng.uniform(15.0, 15.8)),
            float(rng.uniform(1e-4, 2e-3)), *map(float, rng.uniform(0.0, 359.99, 3)),
            float(rng.uniform(-1e-3, 1e-3)), float(rng.uniform(-1e-4, 1e-3)), 0.0, i * 37))
    special = [
        ("ISS (ZARYA)", 5, dt.datetime(1999, 3, 1, 12), 51.6, 15.5, 0.0007, 10, 20, 30,
         3.8e-5, 1.7e-5, 1.2e-10, 5),
        ("LEAP DAY 366", 100001, dt.datetime(2024, 12, 31, 18), 97.6, 15.2, 0.001, 350, 10,
         200, -2.1e-4, -3e-6, 0.0, 99999),
        ("GEO SAT", 339999, dt.datetime(2056, 6, 1, 0, 0, 1), 0.05, 1.0027, 0.0002, 80, 270, 45,
         0.0, 0.0, 0.0, 1234),
        ("MOLNIYA 1-93", 244567, dt.datetime(2026, 1, 1), 63.4, 2.0057, 0.72, 300, 270, 2,
         1e-4, 1e-6, 0.0, 777),
        ("GPS BIIF-1", 36585, dt.datetime(2026, 8, 20, 23, 59, 59), 55.0, 2.0056, 0.01, 40, 60,
         300, 0.0, -5e-7, 0.0, 8000),
        ("ÉTOILE/DÉBRIS", 99999, dt.datetime(2026, 2, 28, 6), 142.0, 14.1, 0.01, 1, 359.5, 0,
         9.9e-3, 9.9e-4, -1.5e-9, 0),
    ]
    sats += [_make(*s) for s in special]
    return sats


def three_line_text(sats: list[Sat], newline: str = "\n") -> str:
    return "".join(f"{s.name}{newline}{s.line1}{newline}{s.line2}{newline}" for s in sats)


def with_checksum(line: str) -> str:
    """A line with its checksum recomputed (sgp4's own checksum routine)."""
    from sgp4.io import compute_checksum

    return line[:68] + str(compute_checksum(line[:68]))
