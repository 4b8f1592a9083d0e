"""Propagation: SGP4 (`sgp4.api.SatrecArray`) then TEME -> Earth-fixed, in one pass.

The rotation is GMST 1982 of UT1 (UT1 - UTC from skyfield's built-in IERS table), which is
exactly the TEME -> pseudo-Earth-fixed step of Vallado et al. (AIAA 2006-6753); polar motion
is optional. SGP4 itself is the cost: leonet adds a single fused pass per time chunk
(transpose to time-major, rotate, remove ω × r from velocities, NaN the failures).

>>> from leonet.physics.orbits.constellation import Constellation
>>> grid = TimeGrid.range("2026-08-23T00:00:00Z", "1h", "15s")
>>> eph = Constellation.load("starlink-gen1").propagate(grid)
>>> eph.r_ecef_km.shape, eph.r_ecef_km.dtype.name
((241, 4408, 3), 'float64')
"""

from __future__ import annotations

import mmap
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Protocol

import numba
import numpy as np
from sgp4.api import Satrec, SatrecArray
from skyfield.data import iers

from leonet.errors import InputError
from leonet.physics.earth import gmst82_rad, polar_motion_matrix
from leonet.physics.ephemeris import Ephemeris
from leonet.physics.timegrid import TimeGrid

DEFAULT_MAX_BYTES = 2 * 1024**3
# Below this many satellite-instants a second process costs more than it saves (fork and
# page-table copies take a few ms).
_PARALLEL_MIN_WORK = 400_000
# SGP4 scratch buffers: instants per tile and bytes per buffer (satellites per block follow).
_TIME_TILE = 1440
_BUFFER_BYTES = 4 * 1024**2
# Bytes of a record inside `SatrecArray` (10,744 records took 10.25 MiB, measured).
_SATREC_BYTES = 1024

PolarMotion = tuple[np.ndarray, np.ndarray] | str | Path | None


class Satellites(Protocol):
    """What propagation needs of a constellation (`Constellation` is one): an SGP4 record per
    satellite. The `Ephemeris` it returns keeps the object it was given."""

    satrecs: Sequence[Satrec]

    def __len__(self) -> int: ...


@numba.njit(cache=True, nogil=True)
def _rotate_into(r_teme, v_teme, err, cos_t, sin_t, w_t, pm, has_pm, out_r, out_v, out_e,
                 t0, s0):  # pragma: no cover - compiled
    n_sats, n_chunk = err.shape
    nan = np.nan
    # Time outer, satellites inner: writes run along the time-major output rows.
    for j in range(n_chunk):
        c = cos_t[j]
        s = sin_t[j]
        w = w_t[j]
        t = t0 + j
        for i in range(n_sats):
            k = s0 + i
            e = err[i, j]
            out_e[t, k] = e
            if e != 0:
                for a in range(3):
                    out_r[t, k, a] = nan
                    out_v[t, k, a] = nan
                continue
            rx, ry, rz = r_teme[i, j, 0], r_teme[i, j, 1], r_teme[i, j, 2]
            vx, vy, vz = v_teme[i, j, 0], v_teme[i, j, 1], v_teme[i, j, 2]
            x = c * rx + s * ry
            y = -s * rx + c * ry
            ux = c * vx + s * vy + w * y
            uy = -s * vx + c * vy - w * x
            if has_pm:
                m = pm[j]
                out_r[t, k, 0] = m[0, 0] * x + m[0, 1] * y + m[0, 2] * rz
                out_r[t, k, 1] = m[1, 0] * x + m[1, 1] * y + m[1, 2] * rz
                out_r[t, k, 2] = m[2, 0] * x + m[2, 1] * y + m[2, 2] * rz
                out_v[t, k, 0] = m[0, 0] * ux + m[0, 1] * uy + m[0, 2] * vz
                out_v[t, k, 1] = m[1, 0] * ux + m[1, 1] * uy + m[1, 2] * vz
                out_v[t, k, 2] = m[2, 0] * ux + m[2, 1] * uy + m[2, 2] * vz
            else:
                out_r[t, k, 0] = x
                out_r[t, k, 1] = y
                out_r[t, k, 2] = rz
                out_v[t, k, 0] = ux
                out_v[t, k, 1] = uy
                out_v[t, k, 2] = vz


def _compile_kernel(dtype: np.dtype) -> None:
    z3 = np.zeros((0, 1, 3))
    z1 = np.zeros(1)
    _rotate_into(z3, z3, np.zeros((0, 1), np.uint8), z1, z1, z1, np.zeros((1, 3, 3)), False,
                 np.zeros((1, 0, 3), dtype), np.zeros((1, 0, 3), dtype),
                 np.zeros((1, 0), np.uint8), 0, 0)


def _polar_motion_matrices(grid: TimeGrid, polar_motion: PolarMotion) -> np.ndarray | None:
    if polar_motion is None:
        return None
    if isinstance(polar_motion, str | Path):
        path = Path(polar_motion)
        try:
            with path.open("rb") as f:
                table = iers.parse_x_y_dut1_from_finals_all(f)
        except OSError as exc:
            raise InputError(f"cannot read IERS finals file: {exc}", str(path)) from None
        if len(table) == 0:
            raise InputError("no polar motion rows found (expected IERS finals2000A format)",
                             str(path))
        mjd = (grid.jd - 2400000.5) + grid.fr
        if mjd.min() < table["utc_mjd"][0] or mjd.max() > table["utc_mjd"][-1]:
            raise InputError("time grid is outside the IERS table's dates", str(path))
        xp = np.interp(mjd, table["utc_mjd"], table["x_arcseconds"])
        yp = np.interp(mjd, table["utc_mjd"], table["y_arcseconds"])
    else:
        xp, yp = (np.broadcast_to(np.asarray(a, dtype=np.float64), (len(grid),))
                  for a in polar_motion)
    tdb_centuries = ((grid.jd - 2451545.0) + grid.fr) / 36525.0
    return np.ascontiguousarray(polar_motion_matrix(xp, yp, tdb_centuries))


def _shared_array(shape: tuple[int, ...], dtype) -> np.ndarray:
    """An array in anonymous shared memory: writes by a forked child are seen here."""
    nbytes = int(np.prod(shape)) * np.dtype(dtype).itemsize
    buf = mmap.mmap(-1, max(nbytes, 1))
    return np.frombuffer(buf, dtype=dtype, count=int(np.prod(shape))).reshape(shape)


def _work(satrecs, grid: TimeGrid, s0: int, s1: int, theta, theta_dot, pm,
          out_r, out_v, out_e, progress: Callable[[int], None] | None) -> None:
    """Fill satellites ``s0:s1`` of the outputs. SGP4 runs on blocks of satellites over
    tiles of instants, into small reused buffers that stay in cache; a satellite's record
    is then read once per tile, not once per instant (measured faster than one big
    `SatrecArray.sgp4` call, whose output alone is hundreds of MB)."""
    n_times = len(grid)
    tile = min(n_times, _TIME_TILE)
    block = int(np.clip(_BUFFER_BYTES // (tile * 48), 8, 1024))
    has_pm = pm is not None
    pm_all = pm if has_pm else np.zeros((n_times, 3, 3))
    cos_all, sin_all = np.cos(theta), np.sin(theta)
    jd, fr = grid.jd, grid.fr
    arrays = [(b0, SatrecArray(list(satrecs[b0:min(b0 + block, s1)])))
              for b0 in range(s0, s1, block)]
    e_buf = np.empty((block, tile), np.uint8)
    r_buf = np.empty((block, tile, 3))
    v_buf = np.empty((block, tile, 3))
    for t0 in range(0, n_times, tile):
        t1 = min(t0 + tile, n_times)
        nt = t1 - t0
        for b0, arr in arrays:
            nb = len(arr)
            e, r, v = e_buf[:nb, :nt], r_buf[:nb, :nt], v_buf[:nb, :nt]
            if nt != tile or nb != block:
                e, r, v = (np.ascontiguousarray(x) for x in (e, r, v))
            arr._sgp4(jd[t0:t1], fr[t0:t1], e, r, v)
            _rotate_into(r, v, e, cos_all[t0:t1], sin_all[t0:t1], theta_dot[t0:t1],
                         pm_all[t0:t1], has_pm, out_r, out_v, out_e, t0, b0)
            if progress is not None:
                progress(nb * nt)


def default_workers(n_sats: int, n_times: int) -> int:
    """Processes to use: both cores for big jobs where fork is available, else one."""
    if sys.platform != "linux" or n_sats * n_times < _PARALLEL_MIN_WORK or n_sats < 2:
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def propagate(
    constellation: Satellites,
    grid: TimeGrid,
    *,
    dtype=np.float64,
    workers: int | None = None,
    polar_motion: PolarMotion = None,
    ut1: bool = True,
    progress: Callable[[int], None] | None = None,
) -> Ephemeris:
    """Earth-fixed positions (km) and velocities (km/s), ``(n_times, n_sats, 3)``.

    ``dtype=np.float32`` halves memory (positions then carry ~0.5 m of rounding).
    ``workers`` > 1 splits the satellites over forked processes writing into shared memory
    (Linux); by default both cores are used for jobs big enough to gain. ``polar_motion``
    is ``(xp_arcsec, yp_arcsec)`` (scalars or per instant) or the path of an IERS
    ``finals2000A`` file. ``progress`` is called with the satellite-instants done.

    Satellites SGP4 cannot propagate at an instant (decayed, eccentricity out of range)
    get NaN rows there and their SGP4 error code in ``error``.
    """
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise InputError(f"dtype must be float32 or float64, got {dtype}")
    n_sats, n_times = len(constellation), len(grid)
    if n_sats == 0:
        raise InputError("the constellation has no satellites")
    ut1_offset = grid.ut1_minus_utc_s / 86400.0 if ut1 else 0.0
    theta, theta_dot = gmst82_rad(grid.jd, grid.fr + ut1_offset)
    theta_dot = np.broadcast_to(theta_dot, theta.shape).copy()
    pm = _polar_motion_matrices(grid, polar_motion)
    workers = default_workers(n_sats, n_times) if workers is None else int(workers)
    if workers < 1:
        raise InputError(f"workers must be >= 1, got {workers}")
    workers = min(workers, n_sats) if sys.platform == "linux" else 1

    shape = (n_times, n_sats, 3)
    if workers == 1:
        out_r = np.empty(shape, dtype)
        out_v = np.empty(shape, dtype)
        out_e = np.empty((n_times, n_sats), np.uint8)
        _work(constellation.satrecs, grid, 0, n_sats, theta, theta_dot, pm, out_r, out_v,
              out_e, progress)
    else:
        _compile_kernel(dtype)  # once here, not once per child
        out_r = _shared_array(shape, dtype)
        out_v = _shared_array(shape, dtype)
        out_e = _shared_array((n_times, n_sats), np.uint8)
        bounds = np.linspace(0, n_sats, workers + 1).astype(int)
        pids = []
        for w in range(1, workers):
            pid = os.fork()
            if pid == 0:  # child: fill its share of satellites, then leave at once
                code = 0
                try:
                    _work(constellation.satrecs, grid, bounds[w], bounds[w + 1], theta,
                          theta_dot, pm, out_r, out_v, out_e, None)
                except BaseException:
                    code = 1
                os._exit(code)
            pids.append(pid)
        try:
            scale = workers if progress is not None else 1
            _work(constellation.satrecs, grid, bounds[0], bounds[1], theta, theta_dot, pm,
                  out_r, out_v, out_e,
                  (lambda n: progress(n * scale)) if progress is not None else None)
        finally:
            failed = [pid for pid in pids if os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])]
        if failed:
            raise RuntimeError(f"{len(failed)} propagation worker process(es) failed")
    return Ephemeris(grid, constellation, out_r, out_v, out_e)


def chunk_instants(n_sats: int, max_bytes: int, dtype=np.float64) -> int:
    """Instants per chunk so that streaming stays within ``max_bytes``.

    While the next chunk is computed, the caller still holds the previous one (a ``for``
    loop keeps it bound until the next arrives), so two chunks of positions, velocities and
    error codes count, plus the float64 geodetic coordinates (`Ephemeris.lat_deg`, ``lon_deg``
    and ``alt_km``) of the one held; once, SGP4's copies of the records (about 1 kB a
    satellite, measured for `SatrecArray`) and its scratch buffers. A 24 h x 1 s float32 run
    of 10,744 satellites with a 2 GiB budget measured 2,136 MiB of streaming memory when
    only one chunk was counted (benchmarks/bench_memory.py).
    """
    one_chunk = 6 * np.dtype(dtype).itemsize + 1
    per_instant = n_sats * (2 * one_chunk + 3 * 8)
    fixed = n_sats * _SATREC_BYTES + _BUFFER_BYTES
    return max(1, int((max_bytes - fixed) // per_instant))


def iter_propagate(
    constellation: Satellites,
    grid: TimeGrid,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    dtype=np.float64,
    **kwargs,
) -> Iterator[Ephemeris]:
    """The ephemeris in consecutive time chunks, so that iterating over them holds at most
    ``max_bytes`` (default 2 GiB) of ephemeris, the chunk in hand and the next one being
    computed included (see `chunk_instants`): a 24 h x 1 s run of 10,000 satellites (about
    41 GB at once in float64) streams through. The interpreter, libraries and the satellites'
    own records come on top (about 170 MiB with 10,744 satellites read from a TLE file)."""
    if max_bytes <= 0:
        raise InputError(f"memory budget must be > 0 bytes, got {max_bytes}")
    size = chunk_instants(len(constellation), max_bytes, dtype)
    for _, sub in grid.chunks(size):
        yield propagate(constellation, sub, dtype=dtype, **kwargs)
