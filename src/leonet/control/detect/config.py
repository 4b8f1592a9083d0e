"""Detector thresholds: one frozen dataclass, every default with its reason or source.

Load overrides from a TOML file (``leonet detect --config FILE``) with `DetectConfig.load`;
unknown keys and values of the wrong kind are refused with the key named.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from leonet.errors import InputError, did_you_mean

KINDS = ("denied_region", "speed_limit", "altitude_limit", "drone_like", "impossible_travel",
         "roaming_limit", "not_whitelisted", "cloned_identity", "cluster")
# Kinds that read the policy's rules; the others work from the telemetry (and facts) alone.
POLICY_KINDS = ("denied_region", "not_whitelisted")


@dataclass(frozen=True)
class DetectConfig:
    """Thresholds of the detectors (see docs/telemetry.md for how each is used)."""

    # -- motion ----------------------------------------------------------------------------
    # Fastest plausible travel between two reports. Airliners cruise at 850-950 km/h; in
    # strong jet streams their ground speed has reached about 1,300 km/h (transatlantic
    # flights, February 2020, as reported by the press and flight trackers). Anything faster
    # is not travel.
    max_travel_speed_kmh: float = 1300.0
    # Error of one reported position. GNSS is good to ~5 m in the open (GPS SPS Performance
    # Standard, 2020: ≤ 7.8 m 95 %), but multipath in towns reaches tens to hundreds of metres
    # and jamming near front lines worse; 1 km keeps short report intervals from turning
    # jitter into "impossible" speeds.
    position_error_km: float = 1.0
    # Jumps shorter than this are never impossible travel (they are jitter or a glitch).
    min_jump_km: float = 10.0
    # A terminal is "in two places at once" when its reports alternate between places that no
    # travel links; this many returns to a place already seen, each place seen this often,
    # within ``clone_window_s`` of each other. A single glitch (A, B, A) returns only once.
    clone_min_returns: int = 3
    clone_min_reports: int = 3
    clone_window_s: float = 6 * 3600.0

    # -- height above ground ------------------------------------------------------------------
    # A report's height above ground is its own ``height_agl_m`` when it has one, else its GNSS
    # altitude less the ground under it (leonet.physics.terrain, ITU-R P.1511), and nothing is
    # claimed higher than the lowest it can be: less the ground's error and this GNSS vertical
    # error (GPS SPS Performance Standard, 2008: <= 15 m vertical, 95 %, global average).
    gnss_vertical_error_m: float = 15.0
    # Estimate height above ground from the terrain model; false: only reports that carry
    # ``height_agl_m`` have one (an operator with a finer model computes it beforehand), and
    # the altitude kinds say nothing about the others.
    terrain: bool = True

    # -- drone-like flight (no policy needed) -------------------------------------------------
    # A flight is a run of reports at least ``drone_min_height_m`` above ground. It is
    # drone-like when it moves faster than ``drone_min_speed_kmh`` (masts and tall buildings
    # stand still) and stays within what drones do, on a plan not in ``airborne_plans``:
    # * FPV strike quadcopters: 80-150 km/h, a few metres to a few hundred above ground, ranges
    #   of 5-20 km (manufacturers' and press figures, 2023-2025);
    # * long-range strike drones: Shahed-136/Geran-2 at up to 185 km/h (UK Ministry of
    #   Defence, Oct 2022: 180 km/h; press: 150-185), from tens of metres up to about 4 km;
    # * reconnaissance drones: Orlan-10 at 90-150 km/h up to 5 km; Bayraktar TB2 at 130 km/h
    #   cruise, ceiling 7,620 m (25,000 ft; Baykar).
    # Aircraft are faster or higher: airliners cruise at 780-950 km/h at 9-12.5 km (Airbus
    # A320: Mach 0.78, ceiling 12,130 m; Boeing 737-800: Mach 0.785, 12,500 m); helicopters
    # at 200-260 km/h (Robinson R44: 202 km/h; Mil Mi-8MTV: 230; Airbus H125: 245); light
    # aircraft at 210-240 km/h (Cessna 172S: 230 km/h at 75 % power, ceiling 4,270 m; Piper
    # PA-28-181: 237). A flight whose cruise (the 90th percentile of its speeds) is above
    # ``drone_max_speed_kmh``, or whose top is above ``drone_max_height_m``, is an aircraft.
    # Ground speed is what GNSS measures: a tail wind of tens of km/h blurs the line between
    # a fast drone and a slow helicopter (docs/telemetry.md, limits).
    drone_min_height_m: float = 50.0
    drone_min_speed_kmh: float = 40.0
    drone_max_speed_kmh: float = 195.0
    drone_max_height_m: float = 8000.0
    airborne_plans: tuple[str, ...] = ("aviation",)

    # -- speed -------------------------------------------------------------------------------
    # Optional per-plan speed limits, e.g. {"residential" = 10} for a plan sold for use at a
    # fixed address (Starlink's Residential plan: "in-motion use is not supported"). Empty by
    # default: plans in leonet's populations are not tied to a mobility class.
    plan_max_speed_kmh: Mapping[str, float] = field(default_factory=dict)
    # Speed, altitude and drone-like incidents need this many reports beyond the limit (one
    # report is one GNSS sample, which may be a spike).
    motion_min_reports: int = 2

    # -- roaming -----------------------------------------------------------------------------
    # Days a terminal may be used outside its home country in one stay. Starlink's terms let
    # Residential and Roam service be used abroad for up to two months before the country
    # of service must change (Starlink support, "Can I use Starlink abroad?", 2024-2025).
    # A terminal's own allowance (terminal facts) takes precedence.
    roaming_days_allowed: float = 60.0

    # -- clusters ----------------------------------------------------------------------------
    # Many terminals appearing together: at least ``cluster_min_terminals`` terminals switched
    # on (first report, or first after ``cluster_absence_s`` of silence somewhere new)
    # within ``cluster_radius_km`` and ``cluster_window_s`` of each other. 20 km and 2 h match
    # a unit moving into a sector of the front; 10 terminals is about a company's worth.
    cluster_min_terminals: int = 10
    cluster_radius_km: float = 20.0
    cluster_window_s: float = 2 * 3600.0
    cluster_absence_s: float = 6 * 3600.0
    # Where to look: region names (e.g. "ua-occupied", "area:front" of the policy, "file:..."),
    # and/or a contact line as [lon, lat] points with a buffer; neither = everywhere.
    contact_regions: tuple[str, ...] = ()
    contact_line: tuple[tuple[float, float], ...] = ()
    contact_buffer_km: float = 20.0

    # -- incidents ---------------------------------------------------------------------------
    # Reports beyond a limit that follow each other within these gaps form one incident:
    # motion kinds (a flight, a drive) and place kinds (days of use in a denied region).
    merge_gap_s: float = 1800.0
    place_merge_gap_s: float = 24 * 3600.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
                raise InputError(f"must be >= 0, got {value!r}", f"detect config: {f.name}")
        if self.max_travel_speed_kmh <= 0:
            raise InputError("must be > 0", "detect config: max_travel_speed_kmh")
        if self.drone_max_speed_kmh <= self.drone_min_speed_kmh:
            raise InputError("must be above drone_min_speed_kmh",
                             "detect config: drone_max_speed_kmh")
        if self.drone_max_height_m <= self.drone_min_height_m:
            raise InputError("must be above drone_min_height_m",
                             "detect config: drone_max_height_m")
        if self.cluster_min_terminals < 2:
            raise InputError("a cluster needs at least 2 terminals",
                             "detect config: cluster_min_terminals")
        if self.contact_line and len(self.contact_line) < 2:
            raise InputError("a line needs at least two [lon, lat] points",
                             "detect config: contact_line")

    @classmethod
    def load(cls, path: str | Path) -> DetectConfig:
        """Defaults overridden by a TOML file of ``key = value`` lines."""
        path = Path(path)
        try:
            doc = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError(f"config file {path} does not exist", str(path)) from None
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise InputError(f"cannot read: {exc}", str(path)) from None
        return cls.from_mapping(doc, where=str(path))

    @classmethod
    def from_mapping(cls, doc: Mapping, where: str = "detect config") -> DetectConfig:
        known = {f.name: f for f in fields(cls)}
        values = {}
        for key, value in doc.items():
            if key not in known:
                raise InputError(f"unknown setting {key!r}{did_you_mean(key, known)}", where)
            values[key] = _coerce(key, value, getattr(cls(), key), f"{where}: {key}")
        return replace(cls(), **values)

    def to_dict(self) -> dict:
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, tuple):
                value = [list(v) if isinstance(v, tuple) else v for v in value]
            elif isinstance(value, Mapping):
                value = dict(value)
            out[f.name] = value
        return out


def _coerce(key: str, value, default, where: str):
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise InputError(f"expected true or false, got {value!r}", where)
        return value
    if isinstance(default, int) and not isinstance(default, bool):
        if not isinstance(value, int) or isinstance(value, bool):
            raise InputError(f"expected a whole number, got {value!r}", where)
        return value
    if isinstance(default, float):
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise InputError(f"expected a number, got {value!r}", where)
        return float(value)
    if isinstance(default, Mapping):
        if not isinstance(value, Mapping) or not all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in value.values()):
            raise InputError(f"expected a table of plan = km/h, got {value!r}", where)
        return {str(k): float(v) for k, v in value.items()}
    if key == "contact_line":
        if not isinstance(value, list) or not all(
                isinstance(p, list) and len(p) == 2
                and all(isinstance(x, int | float) for x in p) for p in value):
            raise InputError("expected a list of [lon, lat] points", where)
        return tuple((float(a), float(b)) for a, b in value)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"expected a list of names, got {value!r}", where)
    return tuple(value)
