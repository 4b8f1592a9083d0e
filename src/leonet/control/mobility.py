"""Mobility models of synthetic terminals: where each is, how high and how fast, at any instant.

Kinds (`KINDS`):

* ``static``: at its site; only the GNSS noise of the reported position changes.
* ``vehicle``: parked at its home overnight; on some days an out-and-back drive to a place
  within range, at road speeds, with a stay there.
* ``maritime``: a vessel shuttling along a sea lane (`LANES`, or one of the scenario's), with
  port calls at both ends.
* ``aviation``: an aircraft flying a rotation between its home airport and another, with
  turnarounds on the ground.
* ``drone``: sorties from a base: climb, fly out along a bearing, turn, come back, land.

Heights are what real telemetry carries: ``alt_m`` is the GNSS altitude above mean sea level
(the ground under the terminal, from `leonet.physics.terrain`, plus its height above it, plus
GNSS vertical noise), and ``height_agl_m`` the true height above the ground that the model
knows and a real terminal does not: ground terminals stand on the terrain, drones fly at their
heights above it, aircraft at flight levels above sea level.

A model is a pure function of ``(terminal key, instant)``: every random choice is a hash of
the terminal's key, the day (or the rotation) and a draw number (`uniform`, a splitmix64
counter generator). So a terminal's position at an instant does not depend on which other
instants or terminals are asked for: a weekly timeline and a dense telemetry window see the
same terminal in the same place, and the same seed gives the same rows, bit for bit.

>>> import numpy as np
>>> key = terminal_keys(7, "cars", 3)
>>> t = np.datetime64("2026-02-10T00:00:00", "ns") + np.arange(0, 86400, 600) * 10**9
>>> m = locate("vehicle", np.repeat(key, t.size), np.full(3 * t.size, 50.45),
...            np.full(3 * t.size, 30.52), np.tile(t, 3))
>>> bool(m.speed_kmh.max() <= 110.0 and (m.height_agl_m == 0).all())
True
>>> bool(np.abs(m.alt_m - 128.0).max() < 60.0)  # Kyiv's ground on the 5' grid, GNSS noise
True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from enum import StrEnum

import numpy as np

from leonet.control.labels import country_labels
from leonet.errors import InputError, did_you_mean
from leonet.physics.earth import (
    along_great_circle_deg,
    destination_deg,
    great_circle_km,
    initial_bearing_deg,
)
from leonet.physics.terrain import ground_height
from leonet.physics.timegrid import NS_PER_DAY


class MobilityKind(StrEnum):
    """The mobility models (see the module docstring)."""

    STATIC = "static"
    VEHICLE = "vehicle"
    MARITIME = "maritime"
    AVIATION = "aviation"
    DRONE = "drone"

    @classmethod
    def parse(cls, value: str, where: str = "mobility") -> MobilityKind:
        """The kind named ``value``; an unknown name is an `InputError` at ``where``."""
        try:
            return cls(value)
        except ValueError:
            raise InputError(f"unknown mobility {value!r}; expected one of {', '.join(KINDS)}",
                             where) from None


KINDS = tuple(k.value for k in MobilityKind)
HOUR_S = 3600.0

# Sea lanes as [lat, lon] waypoints, digitised by leonet from nautical charts to stay at sea
# (approximate, a few km): ferry and cargo routes where the scenarios need ships.
LANES: dict[str, tuple[tuple[float, float], ...]] = {
    # Odesa to the Bosporus: the Black Sea grain corridor of 2023-2024 (Ukrainian Navy).
    "odesa-bosporus": ((46.50, 30.78), (46.25, 30.95), (45.20, 30.70), (43.80, 29.90),
                       (42.30, 29.30), (41.28, 29.16)),
    # Gdynia-Karlskrona ferry (Stena Line).
    "gdynia-karlskrona": ((54.54, 18.58), (54.52, 18.75), (54.58, 18.90), (54.75, 18.90),
                          (55.40, 17.50), (55.95, 15.80), (56.13, 15.60)),
    # Xiamen-Kinmen ferry across the Taiwan Strait's western edge (Wutong to Shuitou pier).
    "xiamen-kinmen": ((24.51, 118.19), (24.47, 118.24), (24.42, 118.29)),
    # Kaohsiung to Keelung, west and north of Taiwan.
    "kaohsiung-keelung": ((22.58, 120.25), (23.20, 119.95), (24.50, 120.20), (25.35, 121.30),
                          (25.40, 121.55), (25.25, 121.80), (25.17, 121.76)),
    # Dover-Calais ferry.
    "dover-calais": ((51.12, 1.34), (51.03, 1.60), (50.97, 1.86)),
}


@dataclass(frozen=True)
class MobilityParams:
    """Ranges of the models (each a ``(low, high)`` pair drawn uniformly per terminal or
    trip). Defaults are stated assumptions, with the source where there is one."""

    # Road vehicles: 30-110 km/h between towns (Ukraine's limits: 90 km/h outside towns,
    # 110-130 on motorways, Road Traffic Rules §12); drives of 5-120 km, stays of 0.5-4 h.
    vehicle_speed_kmh: tuple[float, float] = (30.0, 110.0)
    vehicle_range_km: tuple[float, float] = (5.0, 120.0)
    vehicle_trip_share: float = 0.6  # share of days with a drive
    # Drives stay in the country of the home, or may cross borders (false): a destination
    # abroad is pulled back towards home (half, a quarter, then no drive that day).
    vehicle_stay_in_country: bool = True
    # Ships: 10-20 knots (cargo and ferries), 6-36 h in port.
    ship_speed_kmh: tuple[float, float] = (18.5, 37.0)
    port_hours: tuple[float, float] = (6.0, 36.0)
    # Airliners: cruise at flight levels of 10-12 km above sea level and 800-900 km/h ground
    # speed; turnarounds of 1-3 h.
    aircraft_speed_kmh: tuple[float, float] = (800.0, 900.0)
    aircraft_alt_m: tuple[float, float] = (10_000.0, 12_000.0)
    turnaround_hours: tuple[float, float] = (1.0, 3.0)
    # Long-range and reconnaissance drones: 90-190 km/h at 100 m-2.5 km above the ground
    # under them (Shahed-136 class
    # cruise ~185 km/h; Ukrainian long-range drones reported at 100-200 km/h), sorties of
    # 0.5-3 h (at most 8 h), in three eight-hour slots a day, about half of them flown.
    drone_speed_kmh: tuple[float, float] = (90.0, 190.0)
    drone_alt_m: tuple[float, float] = (100.0, 2_500.0)
    drone_sortie_hours: tuple[float, float] = (0.5, 3.0)
    drone_sortie_share: float = 0.5
    # Bearings a sortie may take (degrees clockwise from north; e.g. [225, 315] for drones
    # launched westwards). The whole circle by default.
    drone_bearing_deg: tuple[float, float] = (0.0, 360.0)
    # Position noise of a reported fix: GNSS in the open is good to ~5 m (1 sigma; GPS SPS
    # Performance Standard 2020, 95 % <= 7.8 m); heights are worse (GPS SPS Performance
    # Standard 2008: <= 15 m vertical, 95 %: 7.5 m, 1 sigma).
    gnss_sigma_m: float = 5.0
    gnss_vertical_sigma_m: float = 7.5

    def __post_init__(self) -> None:
        for name, value in self.__dict__.items():
            if isinstance(value, tuple):
                lo, hi = value
                if not (np.isfinite(lo) and np.isfinite(hi)) or lo < 0 or hi < lo:
                    raise InputError(f"expected [low, high] with 0 <= low <= high, got "
                                     f"{list(value)}", f"mobility: {name}")
            elif not isinstance(value, bool) and not 0.0 <= value <= (
                    1.0 if name.endswith("share") else 1e4):
                raise InputError(f"out of range: {value!r}", f"mobility: {name}")
        if self.vehicle_speed_kmh[0] <= 0 or self.ship_speed_kmh[0] <= 0 or \
                self.aircraft_speed_kmh[0] <= 0 or self.drone_speed_kmh[0] <= 0:
            raise InputError("speeds must be > 0", "mobility")

    @classmethod
    def from_mapping(cls, doc: Mapping, where: str) -> MobilityParams:
        """Overrides from a scenario table (``vehicle_speed_kmh = [20, 90]``, ...)."""
        known = {f.name for f in fields(cls)}
        values = {}
        for key, value in doc.items():
            if key not in known:
                raise InputError(f"unknown mobility setting {key!r}{did_you_mean(key, known)}",
                                 where)
            default = getattr(cls(), key)
            if isinstance(default, tuple):
                if not (isinstance(value, list) and len(value) == 2 and all(
                        isinstance(v, int | float) and not isinstance(v, bool) for v in value)):
                    raise InputError(f"expected [low, high], got {value!r}", f"{where}.{key}")
                values[key] = (float(value[0]), float(value[1]))
            elif isinstance(default, bool):
                if not isinstance(value, bool):
                    raise InputError(f"expected true or false, got {value!r}", f"{where}.{key}")
                values[key] = value
            else:
                if not isinstance(value, int | float) or isinstance(value, bool):
                    raise InputError(f"expected a number, got {value!r}", f"{where}.{key}")
                values[key] = float(value)
        try:
            return cls(**values)
        except InputError as exc:
            raise InputError(exc.what, f"{where}.{exc.where.split(': ')[-1]}") from None


@dataclass(frozen=True, eq=False)
class Motion:
    """State of terminals at instants (one row per query)."""

    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_m: np.ndarray  # GNSS altitude above mean sea level (NaN from a model: `_over_terrain`)
    speed_kmh: np.ndarray
    heading_deg: np.ndarray  # clockwise from north; NaN when standing
    height_agl_m: np.ndarray  # true height above the ground (NaN from a model: `_over_terrain`)


# -- counter-based random numbers ----------------------------------------------------------

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser (Steele, Lea and Flood, OOPSLA 2014): a bijection of uint64
    whose outputs pass BigCrush as a counter-based generator."""
    x = (x ^ (x >> np.uint64(30))) * _M1
    x = (x ^ (x >> np.uint64(27))) * _M2
    return x ^ (x >> np.uint64(31))


def _text_hash(text: str) -> int:
    # FNV-1a, 64-bit: a stable hash of a group name (Python's hash() is salted per process).
    h = 0xCBF29CE484222325
    for b in text.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def terminal_keys(seed: int, group: str, n: int) -> np.ndarray:
    """``n`` uint64 keys for the terminals of one group (distinct per seed and group)."""
    base = _mix(np.array([(int(seed) * 0x9E3779B97F4A7C15 ^ _text_hash(group))
                          & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64))
    with np.errstate(over="ignore"):
        return _mix(base + np.arange(1, n + 1, dtype=np.uint64) * _GOLDEN)


def uniform(key: np.ndarray, epoch: np.ndarray | int, draw: int) -> np.ndarray:
    """A uniform number in [0, 1) for each ``(key, epoch, draw)``; pure and vectorised."""
    e = np.atleast_1d(np.asarray(epoch, dtype=np.int64)).view(np.uint64)
    with np.errstate(over="ignore"):
        h = _mix(np.asarray(key, dtype=np.uint64) ^ _mix(e * _GOLDEN + np.uint64(draw + 1)))
    return (h >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


def normal(key: np.ndarray, epoch, draw: int) -> np.ndarray:
    """Standard normal numbers (Box-Muller over two `uniform` draws)."""
    u1 = np.maximum(uniform(key, epoch, draw), 1e-300)
    u2 = uniform(key, epoch, draw + 1000)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


def _between(u: np.ndarray, span: tuple[float, float]) -> np.ndarray:
    return span[0] + u * (span[1] - span[0])


# -- the models ------------------------------------------------------------------------------

def locate(kind: str | MobilityKind, key: np.ndarray, home_lat_deg: np.ndarray,
           home_lon_deg: np.ndarray, time_ns: np.ndarray, params: MobilityParams | None = None,
           *, lane: np.ndarray | None = None, lanes: Mapping[str, tuple] | None = None,
           dest_lat_deg: np.ndarray | None = None, dest_lon_deg: np.ndarray | None = None,
           ) -> Motion:
    """State of terminals of one mobility ``kind`` at instants; one row per query.

    ``key`` (uint64, from `terminal_keys`), ``home_*`` (site, base, home airport) and
    ``time_ns`` (datetime64[ns] or int64 ns) broadcast row by row. ``maritime`` needs
    ``lane`` (a lane name per row, from ``lanes``, default `LANES`); ``aviation`` needs the
    other airport (``dest_*``).
    """
    model = _MODELS[MobilityKind.parse(kind)]
    params = params or MobilityParams()
    t = np.asarray(time_ns)
    t = t.astype("datetime64[ns]").view(np.int64) if t.dtype.kind == "M" else t.astype(np.int64)
    key = np.asarray(key, dtype=np.uint64)
    lat = np.asarray(home_lat_deg, dtype=np.float64)
    lon = np.asarray(home_lon_deg, dtype=np.float64)
    ends = _Ends(lane, lanes or LANES, dest_lat_deg, dest_lon_deg)
    return _noisy(_over_terrain(model(key, lat, lon, t, params, ends)), key, t, params)


def above_sea_level_m(lat_deg, lon_deg, height_agl_m) -> np.ndarray:
    """Height above mean sea level of points at ``height_agl_m`` over the ground."""
    return ground_height(lat_deg, lon_deg).height_m + height_agl_m


def _over_terrain(m: Motion) -> Motion:
    """Each row's missing height from the other and the ground under it: models give the
    height above ground (terminals, drones) or above sea level (aircraft at flight levels)."""
    ground = ground_height(m.lat_deg, m.lon_deg).height_m
    alt = np.where(np.isnan(m.alt_m), ground + m.height_agl_m, m.alt_m)
    agl = np.where(np.isnan(m.height_agl_m), alt - ground, m.height_agl_m)
    return Motion(m.lat_deg, m.lon_deg, alt, m.speed_kmh, m.heading_deg, agl)


@dataclass(frozen=True, eq=False)
class _Ends:
    """What some models need besides the home: the sea lane of each row (``maritime``) and
    the other airport of each rotation (``aviation``)."""

    lane: np.ndarray | None
    lanes: Mapping[str, tuple]
    dest_lat_deg: np.ndarray | None
    dest_lon_deg: np.ndarray | None


# Every model takes ``(key, lat, lon, t, params, ends)`` and returns a `Motion`.
Model = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray, MobilityParams, _Ends],
                 Motion]


def _static(key, lat, lon, t, p: MobilityParams, ends: _Ends) -> Motion:
    n = t.size
    return Motion(np.broadcast_to(lat, (n,)).copy(), np.broadcast_to(lon, (n,)).copy(),
                  np.full(n, np.nan), np.zeros(n), np.full(n, np.nan), np.zeros(n))


def _noisy(m: Motion, key, t, params: MobilityParams) -> Motion:
    """GNSS noise on each fix (a function of the instant too, so fixes differ); the true
    height above ground stays as it is."""
    sigma_deg = params.gnss_sigma_m / 1000.0 / 111.195
    north = normal(key, t, 50) * sigma_deg
    east = normal(key, t, 52) * sigma_deg / np.maximum(np.cos(np.deg2rad(m.lat_deg)), 0.01)
    lat = np.clip(m.lat_deg + north, -90.0, 90.0)
    lon = (m.lon_deg + east + 180.0) % 360.0 - 180.0
    alt = m.alt_m + normal(key, t, 54) * params.gnss_vertical_sigma_m
    return Motion(lat, lon, alt, m.speed_kmh, m.heading_deg, m.height_agl_m)


def _local_day(t: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Day number and seconds into the local (mean solar) day at each row's longitude."""
    local = t + (np.asarray(lon) / 15.0 * HOUR_S * 1e9).astype(np.int64)
    day = np.floor_divide(local, NS_PER_DAY)
    return day, (local - day * NS_PER_DAY) / 1e9


def _out_and_back(lat, lon, tod, *, start_h, dur_s, speed, bearing, dist_km, stay_s, alt_m,
                  climb_s):
    """Where an out-and-back trip puts each row: ``(on_trip, lat, lon, alt, speed, heading)``.

    The trip leaves at ``start_h`` (local hours), goes ``dist_km`` along ``bearing`` in
    ``dur_s`` each way, stays ``stay_s`` and comes back. ``alt_m`` > 0 with ``climb_s`` ramps
    altitude up after take-off and down before landing (drones).
    """
    t0 = start_h * HOUR_S
    out_end = t0 + dur_s
    back_start = out_end + stay_s
    back_end = back_start + dur_s
    going = (tod >= t0) & (tod < out_end)
    staying = (tod >= out_end) & (tod < back_start)
    coming = (tod >= back_start) & (tod < back_end)
    frac = np.where(going, (tod - t0) / np.maximum(dur_s, 1.0),
                    np.where(staying, 1.0,
                             np.where(coming, 1.0 - (tod - back_start) / np.maximum(dur_s, 1.0),
                                      0.0)))
    dlat, dlon = destination_deg(lat, lon, bearing, dist_km)
    plat, plon = along_great_circle_deg(lat, lon, dlat, dlon, frac)
    moving = going | coming
    spd = np.where(moving, speed, 0.0)
    head = np.where(going, bearing, np.where(coming, (bearing + 180.0) % 360.0, np.nan))
    alt = np.zeros_like(frac)
    if np.any(alt_m):
        since = np.where(going, tod - t0, np.where(coming, tod - back_start, 0.0))
        until = np.where(going, out_end - tod, np.where(coming, back_end - tod, 0.0))
        ramp = np.clip(np.minimum(since, until) / np.maximum(climb_s, 1.0), 0.0, 1.0)
        alt = np.where(moving | staying, alt_m * np.where(staying, 1.0, ramp), 0.0)
    return going | staying | coming, plat, plon, alt, spd, head


def _vehicle(key, lat, lon, t, p: MobilityParams, ends: _Ends) -> Motion:
    day, tod = _local_day(t, lon)
    trip = uniform(key, day, 1) < p.vehicle_trip_share
    speed = _between(uniform(key, day, 3), p.vehicle_speed_kmh)
    stay = _between(uniform(key, day, 4), (0.5, 4.0)) * HOUR_S
    # A drive fits in the day (out, stay and back between 06:00 and 23:30 local), so the car
    # is home at midnight and days are independent.
    reach = speed * (17.5 * HOUR_S - stay) / 2.0 / HOUR_S
    dist = np.minimum(_between(uniform(key, day, 2), p.vehicle_range_km), reach)
    dur = dist / speed * HOUR_S
    # Leave between 06:00 and the latest hour that still brings the car home by 23:30.
    latest = np.maximum((23.5 * HOUR_S - 2 * dur - stay) / HOUR_S, 6.0)
    start = 6.0 + uniform(key, day, 5) * (latest - 6.0)
    bearing = uniform(key, day, 6) * 360.0
    if p.vehicle_stay_in_country:
        # Only rows out on the drive need the check: a shortened drive leaves at the same
        # time and is back sooner, so its rows are among these.
        out = trip & (tod >= start * HOUR_S) & (tod < start * HOUR_S + 2 * dur + stay)
        dist = _stay_in_country(lat, lon, bearing, dist, out)
        trip &= ~out | (dist > 0)
        dur = dist / speed * HOUR_S
    on, plat, plon, _, spd, head = _out_and_back(
        lat, lon, tod, start_h=start, dur_s=dur, speed=speed, bearing=bearing, dist_km=dist,
        stay_s=stay, alt_m=0.0, climb_s=0.0)
    on &= trip
    return Motion(np.where(on, plat, lat), np.where(on, plon, lon), np.full(t.size, np.nan),
                  np.where(on, spd, 0.0), np.where(on, head, np.nan), np.zeros(t.size))


def _stay_in_country(lat, lon, bearing, dist, trip) -> np.ndarray:
    """Drive distances shortened until the destination is in the home's country (0: none)."""
    dist = np.array(np.broadcast_to(dist, trip.shape), dtype=np.float64)
    rows = np.flatnonzero(trip)
    if not rows.size:
        return dist
    la = np.broadcast_to(lat, trip.shape)[rows]
    lo = np.broadcast_to(lon, trip.shape)[rows]
    b = np.broadcast_to(bearing, trip.shape)[rows]
    home = country_labels(la, lo)
    base = dist.copy()
    for factor in (1.0, 0.5, 0.25, 0.0):
        dist[rows] = base[rows] * factor
        if factor == 0.0:
            break
        # The destination and points along the way (a border may bend round the road).
        abroad = np.zeros(rows.size, dtype=bool)
        for f in (1.0, 0.75, 0.5, 0.25):
            p_lat, p_lon = destination_deg(la, lo, b, dist[rows] * f)
            abroad |= country_labels(p_lat, p_lon) != home
        if not abroad.any():
            break
        rows, la, lo, b, home = rows[abroad], la[abroad], lo[abroad], b[abroad], home[abroad]
    return dist


def _drone(key, lat, lon, t, p: MobilityParams, ends: _Ends) -> Motion:
    day, tod = _local_day(t, lon)
    lat_o = np.broadcast_to(lat, t.shape).astype(np.float64)
    lon_o = np.broadcast_to(lon, t.shape).astype(np.float64)
    out = Motion(lat_o.copy(), lon_o.copy(), np.full(t.size, np.nan), np.zeros(t.size),
                 np.full(t.size, np.nan), np.zeros(t.size))
    # Three slots of eight hours a day (local), each flown or not: drones fly day and night.
    for slot in range(3):
        d = 10 * (slot + 1)
        fly = uniform(key, day, d + 1) < p.drone_sortie_share
        hours = np.minimum(_between(uniform(key, day, d + 2), p.drone_sortie_hours), 8.0)
        speed = _between(uniform(key, day, d + 3), p.drone_speed_kmh)
        alt = _between(uniform(key, day, d + 4), p.drone_alt_m)
        start = 8.0 * slot + uniform(key, day, d + 5) * (8.0 - hours)
        half = hours * HOUR_S / 2.0
        on, plat, plon, palt, spd, head = _out_and_back(
            lat, lon, tod, start_h=start, dur_s=half, speed=speed,
            bearing=_between(uniform(key, day, d + 6), p.drone_bearing_deg) % 360.0,
            dist_km=speed * half / HOUR_S, stay_s=0.0, alt_m=alt,
            climb_s=np.minimum(300.0, half / 2.0))
        on &= fly
        out = Motion(np.where(on, plat, out.lat_deg), np.where(on, plon, out.lon_deg),
                     out.alt_m, np.where(on, spd, out.speed_kmh),
                     np.where(on, head, out.heading_deg),
                     np.where(on, palt, out.height_agl_m))
    return out


def _rotation(key, t, leg_s, ground_s):
    """Phase of a two-leg rotation: ``(leg 0 or 1, seconds into it, airborne/underway)``."""
    period = 2.0 * (leg_s + ground_s)
    phase = (t / 1e9 + uniform(key, 0, 90) * period) % period
    leg = (phase >= leg_s + ground_s).astype(np.int64)
    into = phase - leg * (leg_s + ground_s)
    return leg, into, into < leg_s


def _aviation(key, lat, lon, t, p: MobilityParams, ends: _Ends) -> Motion:
    if ends.dest_lat_deg is None or ends.dest_lon_deg is None:
        raise InputError("aviation needs the other airport of each rotation", "mobility")
    dlat = np.asarray(ends.dest_lat_deg, np.float64)
    dlon = np.asarray(ends.dest_lon_deg, np.float64)
    dist = great_circle_km(lat, lon, dlat, dlon) * np.ones(t.size)
    speed = _between(uniform(key, 0, 91), p.aircraft_speed_kmh)
    leg_s = dist / speed * HOUR_S
    ground_s = _between(uniform(key, 0, 92), p.turnaround_hours) * HOUR_S
    leg, into, flying = _rotation(key, t, leg_s, ground_s)
    frac = np.where(flying, into / np.maximum(leg_s, 1.0), 1.0)
    a_lat, a_lon = np.where(leg == 0, lat, dlat), np.where(leg == 0, lon, dlon)
    b_lat, b_lon = np.where(leg == 0, dlat, lat), np.where(leg == 0, dlon, lon)
    plat, plon = along_great_circle_deg(a_lat, a_lon, b_lat, b_lon, frac)
    cruise = _between(uniform(key, 0, 93), p.aircraft_alt_m)
    # Climb and descent of ~20 minutes each (or a third of a short hop), from the ground to
    # the flight level above sea level.
    ramp_s = np.minimum(1200.0, leg_s / 3.0)
    ramp = np.where(flying, np.clip(np.minimum(into, leg_s - into) / ramp_s, 0, 1), 0.0)
    ground = ground_height(plat, plon).height_m
    alt = ground + ramp * np.maximum(cruise - ground, 0.0)
    head = np.where(flying, initial_bearing_deg(plat, plon, b_lat, b_lon), np.nan)
    return Motion(plat, plon, alt, np.where(flying, speed, 0.0), head, alt - ground)


def _maritime(key, lat, lon, t, p: MobilityParams, ends: _Ends) -> Motion:
    if ends.lane is None:
        raise InputError("maritime needs a sea lane per terminal", "mobility")
    lanes = ends.lanes
    n = t.size
    lane = np.broadcast_to(np.asarray(ends.lane, dtype=object), (n,))
    out = [np.zeros(n) for _ in range(4)] + [np.full(n, np.nan)]
    out[2][:] = np.nan  # above sea level: the ground (the sea) under each row
    for name in dict.fromkeys(lane.tolist()):
        if name not in lanes:
            raise InputError(f"unknown sea lane {name!r}; known: {', '.join(sorted(lanes))}",
                             "mobility")
        rows = np.flatnonzero(lane == name)
        pts = np.asarray(lanes[name], dtype=np.float64)
        seg_km = great_circle_km(pts[:-1, 0], pts[:-1, 1], pts[1:, 0], pts[1:, 1])
        cum = np.concatenate([[0.0], np.cumsum(seg_km)])
        k = key[rows] if key.size > 1 else key
        speed = _between(uniform(k, 0, 95), p.ship_speed_kmh)
        leg_s = cum[-1] / speed * HOUR_S
        port_s = _between(uniform(k, 0, 96), p.port_hours) * HOUR_S
        leg, into, underway = _rotation(k, t[rows], leg_s, port_s)
        frac = np.where(underway, into / np.maximum(leg_s, 1.0), 1.0)
        dist = np.where(leg == 0, frac, 1.0 - frac) * cum[-1]
        seg = np.clip(np.searchsorted(cum, dist, side="right") - 1, 0, len(seg_km) - 1)
        f = (dist - cum[seg]) / np.maximum(seg_km[seg], 1e-9)
        plat, plon = along_great_circle_deg(pts[seg, 0], pts[seg, 1], pts[seg + 1, 0],
                                            pts[seg + 1, 1], f)
        fwd = initial_bearing_deg(pts[seg, 0], pts[seg, 1], pts[seg + 1, 0], pts[seg + 1, 1])
        out[0][rows], out[1][rows] = plat, plon
        out[3][rows] = np.where(underway, speed, 0.0)
        out[4][rows] = np.where(underway, np.where(leg == 0, fwd, (fwd + 180.0) % 360.0),
                                np.nan)
    return Motion(out[0], out[1], out[2], out[3], out[4], np.zeros(n))


_MODELS: dict[MobilityKind, Model] = {
    MobilityKind.STATIC: _static, MobilityKind.VEHICLE: _vehicle,
    MobilityKind.MARITIME: _maritime, MobilityKind.AVIATION: _aviation,
    MobilityKind.DRONE: _drone,
}
