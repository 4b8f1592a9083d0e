"""Walker shells and constellation presets built from public filings.

A shell is ``planes`` orbital planes of ``sats_per_plane`` satellites on circular orbits at
one altitude and inclination. Satellite ``j`` of plane ``p`` has

- right ascension of the ascending node ``raan0 + p * raan_spread / planes``, and
- argument of latitude ``j * 360 / sats_per_plane + p * phasing * 360 / (planes * sats_per_plane)``

(Walker 1984, "Satellite constellations", J. Brit. Interplanetary Soc. 37:559; ``phasing`` is
Walker's F). ``raan_spread`` is 360° for a Walker-delta pattern and 180° for a star pattern.

Altitudes are mean altitudes: SGP4's mean (Brouwer) semi-major axis minus the WGS84
equatorial radius, the convention the operator's own satellites follow (the real Starlink
shells filed at 570 km / 70° and 540 km / 53.2° sit at 570.0 and 540.0 km by it in the
2026-08-22 snapshot; `Constellation.altitude_km` reads TLE sets the same way). Each shell's
Kozai mean motion is solved for so that ``sgp4init``'s semi-major axis is
``6378.137 km + altitude``. The orbit-averaged radius differs from it by J2's short-period
term (-0.4 km at 53°, +4.5 km at 97.6°; `Constellation.mean_radius_km`).

>>> shell = PRESETS["starlink-gen1"].shells[0]
>>> shell.n_sats, shell.altitude_km, shell.inclination_deg
(1584, 550.0, 53.0)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from sgp4.api import WGS72, Satrec

from leonet.errors import InputError
from leonet.physics.earth import WGS84_A_KM

# sgp4init counts epochs in days since 1949 December 31 00:00 UT (Vallado et al. 2006).
JD_SGP4_EPOCH0 = 2433281.5
# WGS72 gravitational parameter, km^3/s^2, the constant set SGP4 uses for TLEs.
MU_WGS72_KM3_S2 = 398600.8


@dataclass(frozen=True)
class Shell:
    """One Walker shell. ``phasing`` is Walker's F (0 <= F < planes)."""

    altitude_km: float
    inclination_deg: float
    planes: int
    sats_per_plane: int
    phasing: int = 1
    raan_spread_deg: float = 360.0
    raan0_deg: float = 0.0
    name: str = ""

    def __post_init__(self) -> None:
        where = f"shell {self.name}" if self.name else "shell"
        if not (150.0 <= self.altitude_km <= 40000.0):
            raise InputError(f"altitude must be within 150–40,000 km, got {self.altitude_km}",
                             where)
        if not (0.0 <= self.inclination_deg <= 180.0):
            raise InputError(
                f"inclination must be within 0–180°, got {self.inclination_deg}", where)
        if self.planes < 1 or self.sats_per_plane < 1:
            raise InputError(f"planes and satellites per plane must be >= 1, got "
                             f"{self.planes} x {self.sats_per_plane}", where)
        if not (0 <= self.phasing < max(self.planes, 1)):
            raise InputError(f"Walker phasing F must satisfy 0 <= F < planes "
                             f"({self.planes}), got {self.phasing}", where)
        if not (0.0 < self.raan_spread_deg <= 360.0):
            raise InputError(f"RAAN spread must be in (0, 360], got {self.raan_spread_deg}",
                             where)

    @property
    def n_sats(self) -> int:
        return self.planes * self.sats_per_plane

    def raan_deg(self) -> np.ndarray:
        """RAAN of every satellite, plane-major order, shape ``(n_sats,)``."""
        plane = np.repeat(np.arange(self.planes), self.sats_per_plane)
        return np.mod(self.raan0_deg + plane * self.raan_spread_deg / self.planes, 360.0)

    def arg_latitude_deg(self) -> np.ndarray:
        """Argument of latitude at epoch of every satellite, plane-major order."""
        plane = np.repeat(np.arange(self.planes), self.sats_per_plane)
        slot = np.tile(np.arange(self.sats_per_plane), self.planes)
        total = self.n_sats
        return np.mod(slot * 360.0 / self.sats_per_plane
                      + plane * self.phasing * 360.0 / total, 360.0)


@dataclass(frozen=True)
class Preset:
    name: str
    shells: tuple[Shell, ...]
    source: str

    @property
    def n_sats(self) -> int:
        return sum(s.n_sats for s in self.shells)


_STARLINK_GEN1 = (
    "SpaceX Gen1 modification granted by the FCC on 2021-04-27 (FCC 21-48, IBFS "
    "SAT-MOD-20200417-00037): 1,584 sats at 550 km/53.0° (72x22), 1,584 at 540 km/53.2° "
    "(72x22), 720 at 570 km/70° (36x20), 348 at 560 km/97.6° (6x58), 172 at 560 km/97.6° "
    "(4x43). The filing does not state Walker phasing; F=1 is assumed (as in StarPerf)."
)
_STARLINK_GEN2A = (
    "SpaceX Gen2 partial grant, FCC 22-91 (2022-12-01, IBFS SAT-LOA-20200526-00055 and "
    "SAT-AMD-20210818-00105, configuration A): shells at 525 km/53°, 530 km/43° and "
    "535 km/33°, each 28 planes x 120 satellites as filed. The grant allows up to 7,500 "
    "satellites across these shells; the preset holds all 10,080 filed slots. F=1 assumed."
)
_KUIPER = (
    "Amazon Kuiper authorisation, FCC 20-102 (2020-07-30, IBFS SAT-LOA-20190704-00057): "
    "1,156 at 630 km/51.9° (34x34), 1,296 at 610 km/42° (36x36), 784 at 590 km/33° (28x28). "
    "F=1 assumed."
)
_ONEWEB = (
    "OneWeb US market access grant, FCC 17-77 (2017-06-22, IBFS SAT-LOI-20160428-00041): "
    "720 satellites at 1,200 km/87.9° in 18 planes of 40, planes spread over 180° of RAAN "
    "(a Walker star, as for near-polar constellations). F=1 assumed."
)

PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset("starlink-gen1", (
            Shell(550.0, 53.0, 72, 22, 1, name="gen1-550km-53.0deg"),
            Shell(540.0, 53.2, 72, 22, 1, name="gen1-540km-53.2deg"),
            Shell(570.0, 70.0, 36, 20, 1, name="gen1-570km-70.0deg"),
            Shell(560.0, 97.6, 6, 58, 1, name="gen1-560km-97.6deg-a"),
            Shell(560.0, 97.6, 4, 43, 1, name="gen1-560km-97.6deg-b"),
        ), _STARLINK_GEN1),
        Preset("starlink-gen2a", (
            Shell(525.0, 53.0, 28, 120, 1, name="gen2-525km-53deg"),
            Shell(530.0, 43.0, 28, 120, 1, name="gen2-530km-43deg"),
            Shell(535.0, 33.0, 28, 120, 1, name="gen2-535km-33deg"),
        ), _STARLINK_GEN2A),
        Preset("kuiper", (
            Shell(630.0, 51.9, 34, 34, 1, name="kuiper-630km-51.9deg"),
            Shell(610.0, 42.0, 36, 36, 1, name="kuiper-610km-42deg"),
            Shell(590.0, 33.0, 28, 28, 1, name="kuiper-590km-33deg"),
        ), _KUIPER),
        Preset("oneweb", (
            Shell(1200.0, 87.9, 18, 40, 1, raan_spread_deg=180.0, name="oneweb-1200km-87.9deg"),
        ), _ONEWEB),
    )
}


def _epoch_days(epoch_jd: float) -> float:
    return epoch_jd - JD_SGP4_EPOCH0


def _satrec(satnum: int, epoch_jd: float, no_kozai: float, incl_rad: float, raan_rad: float,
            mo_rad: float) -> Satrec:
    sat = Satrec()
    # Circular orbit: a tiny eccentricity avoids SGP4's e=0 singular branch; drag-free.
    sat.sgp4init(WGS72, "i", satnum, _epoch_days(epoch_jd), 0.0, 0.0, 0.0, 1e-7, 0.0,
                 incl_rad, mo_rad, no_kozai, raan_rad)
    if sat.error:
        raise InputError(f"sgp4init failed with error {sat.error} for synthetic satellite "
                         f"{satnum}")
    return sat


@cache
def mean_motion_for_altitude(altitude_km: float, inclination_deg: float) -> float:
    """Kozai mean motion (rad/min) whose ``sgp4init`` mean semi-major axis is
    ``6378.137 km + altitude_km`` at this inclination (fixed-point iteration, < 1 mm)."""
    target_km = WGS84_A_KM + altitude_km
    # Start from two-body Kepler, n = sqrt(mu / a^3); sgp4init's un-Kozai step then moves
    # a by a few km, corrected through a ~ n^(-2/3).
    n = float(np.sqrt(MU_WGS72_KM3_S2 / target_km**3) * 60.0)
    incl = np.deg2rad(inclination_deg)
    for _ in range(20):
        sat = _satrec(1, 2451545.0, n, incl, 0.0, 0.0)
        a_km = sat.a * sat.radiusearthkm
        if abs(a_km - target_km) < 1e-6:
            break
        n *= (a_km / target_km) ** 1.5
    return n


def shell_satrecs(shell: Shell, epoch_jd: float, first_satnum: int = 1) -> list[Satrec]:
    """Satellites of one shell as SGP4 records, plane-major, numbered from ``first_satnum``."""
    n = mean_motion_for_altitude(float(shell.altitude_km), float(shell.inclination_deg))
    incl = np.deg2rad(shell.inclination_deg)
    raan = np.deg2rad(shell.raan_deg())
    # Circular orbits: argument of perigee 0, so mean anomaly = argument of latitude.
    mo = np.deg2rad(shell.arg_latitude_deg())
    return [_satrec(first_satnum + k, epoch_jd, n, incl, float(raan[k]), float(mo[k]))
            for k in range(shell.n_sats)]
