"""Interoperability with Hypatia's satellite-network-state folders (Kassing et al., IMC 2020).

A folder holds ``tles.txt`` (first line ``n_orbits n_sats_per_orbit``, then three lines per
satellite), ``isls.txt`` (``a b`` per line), ``ground_stations.txt``
(``gid,name,lat_deg,lon_deg,elevation_m,x_m,y_m,z_m``, Earth-fixed metres) and
``description.txt`` (``max_gsl_length_m=…``, ``max_isl_length_m=…``). Time is measured from
the TLEs' common epoch. Node ids: satellites ``0 .. n-1`` in file order, ground station
``g`` is ``n + g``.

Hypatia's model is reproduced exactly: positions from SGP4 with the TEME → Earth-fixed
rotation by GMST of UT1 = UTC, ground stations at their listed x, y, z, a ground station
linking to every satellite within ``max_gsl_length_m``, laser links from the file (never
longer than ``max_isl_length_m``), and ground stations never relaying.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from leonet.errors import InputError
from leonet.physics import links
from leonet.physics.ground import GroundPoints, wgs84
from leonet.physics.links import GroundLinks, IslTopology, ground_links, parse_isls
from leonet.physics.orbits import parse_tle
from leonet.physics.orbits.constellation import Constellation
from leonet.physics.orbits.shells import Shell
from leonet.physics.routing import SatelliteGraph, SpaceRoutes, space_routes
from leonet.physics.timegrid import NS_PER_S, TimeGrid

FILES = ("tles.txt", "isls.txt", "ground_stations.txt", "description.txt")


@dataclass(frozen=True, eq=False)
class HypatiaInputs:
    """The contents of a Hypatia folder, ready to route."""

    folder: Path
    constellation: Constellation
    isls: IslTopology
    stations: GroundPoints
    max_gsl_length_km: float
    max_isl_length_km: float
    epoch: np.datetime64

    @property
    def n_sats(self) -> int:
        return len(self.constellation)

    def grid(self, t_offset_s: float = 0.0, duration_s: float = 0.0, step_s: float = 0.1
             ) -> TimeGrid:
        """Instants ``epoch + t_offset + k * step`` up to ``duration`` after the first."""
        if t_offset_s < 0:
            raise InputError(f"t-offset must be >= 0 s from the TLE epoch, got {t_offset_s}")
        start = self.epoch + np.timedelta64(round(t_offset_s * NS_PER_S), "ns")
        return TimeGrid.range(start, duration_s, step_s)

    def ground_links(self, r_ecef_km: np.ndarray) -> GroundLinks:
        """The satellites each ground station may use with satellites at ``r_ecef_km``."""
        return ground_links(self.stations, r_ecef_km, min_elevation_deg=0.0,
                            max_range_km=self.max_gsl_length_km)

    def routes(self, r_ecef_km: np.ndarray, previous: SpaceRoutes | None = None,
               gsl: GroundLinks | None = None) -> SpaceRoutes:
        """All ground-station pair routes with satellites at ``r_ecef_km`` ``(n_sats, 3)``
        (repaired from ``previous``, the routes at a nearby instant, when given; ``gsl``:
        the ground links there, when already known)."""
        graph = SatelliteGraph.from_topology(self.isls, r_ecef_km)
        return space_routes(graph, self.ground_links(r_ecef_km) if gsl is None else gsl,
                            previous)

    def iter_states(self, grid: TimeGrid) -> Iterator[tuple[GroundLinks, SpaceRoutes]]:
        """Ground links and routes at every instant of ``grid``, propagating as in Hypatia
        (UT1 = UTC)."""
        previous = None
        for eph in self.constellation.iter_propagate(grid, ut1=False, workers=1):
            for k in range(eph.n_times):
                gsl = self.ground_links(eph.r_ecef_km[k])
                previous = self.routes(eph.r_ecef_km[k], previous, gsl)
                yield gsl, previous

    def iter_routes(self, grid: TimeGrid) -> Iterator[SpaceRoutes]:
        """Routes at every instant of ``grid``, propagating as in Hypatia (UT1 = UTC)."""
        for _gsl, routes in self.iter_states(grid):
            yield routes


# Hypatia's Earth radius (WGS72), in its main_<constellation>.py scripts.
HYPATIA_EARTH_RADIUS_KM = 6378.135


def walker_inputs(shell: Shell, stations_file: str | Path, *, min_elevation_deg: float,
                  epoch: str) -> HypatiaInputs:
    """Hypatia's set-up of a filed Walker shell, without its files: the shell's satellites
    (SGP4 from leonet's Walker elements at ``epoch``, from which time counts), +Grid laser
    links (``isl_shift`` 0), the ground stations of a Hypatia ``ground_stations.txt``, and
    the link bounds of Hypatia's ``main_kuiper_630.py`` (snkas/hypatia, paper/
    satellite_networks_state): a GSL reaches sqrt(cone^2 + altitude^2) with the cone radius
    altitude / tan(``min_elevation_deg``), a laser link never dips below 80 km.

    >>> from leonet.physics.orbits.shells import PRESETS
    >>> round(max_gsl_length_km(PRESETS["kuiper"].shells[0].altitude_km, 30.0), 1)
    1260.0
    """
    stations = _read_ground_stations(Path(stations_file))
    constellation = Constellation.walker(shell, epoch=epoch)
    isls = links.plus_grid(links.PlaneAssignment.from_walker(constellation),
                           max_range_km=None)
    max_isl_km = 2 * float(np.sqrt((HYPATIA_EARTH_RADIUS_KM + shell.altitude_km) ** 2
                                   - (HYPATIA_EARTH_RADIUS_KM + 80.0) ** 2))
    return HypatiaInputs(Path(stations_file).parent, constellation, isls, stations,
                         max_gsl_length_km(shell.altitude_km, min_elevation_deg), max_isl_km,
                         np.datetime64(constellation.epoch[0], "ns"))


def max_gsl_length_km(altitude_km: float, min_elevation_deg: float) -> float:
    """Hypatia's GSL range: its flat-Earth cone radius altitude / tan(elevation) combined
    with the altitude."""
    cone_km = altitude_km / np.tan(np.radians(min_elevation_deg))
    return float(np.hypot(cone_km, altitude_km))


def read_hypatia_dir(folder: str | Path) -> HypatiaInputs:
    """Read a Hypatia folder; errors name the file and line."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"{str(folder)!r} is not a folder (expected one holding "
                         f"{', '.join(FILES)})")
    missing = [f for f in FILES if not (folder / f).exists()]
    if missing:
        raise InputError(f"missing {', '.join(missing)} (a Hypatia folder holds "
                         f"{', '.join(FILES)})", str(folder))
    constellation, epoch = _read_tles(folder / "tles.txt")
    desc = _read_description(folder / "description.txt")
    max_isl = desc["max_isl_length_m"] / 1000.0
    isls = parse_isls((folder / "isls.txt").read_text(encoding="utf-8"), len(constellation),
                      where=str(folder / "isls.txt"), max_range_km=max_isl)
    stations = _read_ground_stations(folder / "ground_stations.txt")
    return HypatiaInputs(folder, constellation, isls, stations,
                         desc["max_gsl_length_m"] / 1000.0, max_isl, epoch)


def _read_tles(path: Path) -> tuple[Constellation, np.datetime64]:
    text = path.read_text(encoding="utf-8")
    first, _, rest = text.partition("\n")
    parts = first.split()
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise InputError(f"first line must be 'n_orbits n_sats_per_orbit', got {first!r}",
                         f"{path}:1")
    n_expected = int(parts[0]) * int(parts[1])
    # Line numbers in errors count from the file's first line.
    sats = Constellation.from_element_set(parse_tle("\n" + rest, source=str(path)))
    if len(sats) != n_expected:
        raise InputError(f"header announces {parts[0]} x {parts[1]} = {n_expected} "
                         f"satellites, the file holds {len(sats)}", str(path))
    epochs = np.unique(sats.epoch)
    if epochs.size != 1:
        raise InputError(f"all TLEs must share one epoch (time is counted from it); found "
                         f"{epochs.size} different epochs", str(path))
    return sats, epochs[0]


def _read_description(path: Path) -> dict[str, float]:
    out: dict[str, float] = {}
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        key, sep, value = line.partition("=")
        try:
            out[key.strip()] = float(value)
        except ValueError:
            raise InputError(f"expected 'key=number', got {raw!r}", f"{path}:{lineno}") from None
        if not sep:
            raise InputError(f"expected 'key=number', got {raw!r}", f"{path}:{lineno}")
    for key in ("max_gsl_length_m", "max_isl_length_m"):
        if key not in out:
            raise InputError(f"missing {key}", str(path))
        if not out[key] > 0:
            raise InputError(f"{key} must be > 0, got {out[key]}", str(path))
    return out


def _read_ground_stations(path: Path) -> GroundPoints:
    names, xyz = [], []
    rows = csv.reader(io.StringIO(path.read_text(encoding="utf-8")))
    for lineno, row in enumerate(rows, start=1):
        if not row or not "".join(row).strip():
            continue
        where = f"{path}:{lineno}"
        if len(row) != 8:
            raise InputError("expected 8 fields gid,name,lat_deg,lon_deg,elevation_m,x_m,"
                             f"y_m,z_m; got {len(row)}", where)
        if row[0].strip() != str(len(names)):
            raise InputError(f"gid must count up from 0: expected {len(names)}, got "
                             f"{row[0]!r}", where)
        try:
            values = [float(v) for v in row[2:8]]
        except ValueError:
            raise InputError("latitude, longitude, elevation and x, y, z must be numbers",
                             where) from None
        lat, lon = values[0], values[1]
        if not (-90 <= lat <= 90) or not (-180 <= lon <= 360):
            raise InputError(f"impossible coordinates lat={lat}, lon={lon}", where)
        r_m = np.linalg.norm(values[3:6])
        if not 6_300_000 < r_m < 6_400_000 + 10_000:
            raise InputError(f"x, y, z are {r_m / 1000:.1f} km from Earth's centre; expected "
                             "a point on the ground (metres, Earth-fixed)", where)
        names.append(row[1])
        xyz.append(values[3:6])
    if not names:
        raise InputError("no ground stations", str(path))
    return wgs84.from_ecef(np.array(xyz) / 1000.0, name=np.array(names, dtype=object),
                           kind="ground station")
