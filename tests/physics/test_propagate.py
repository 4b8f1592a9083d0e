"""Earth-fixed states against skyfield's `EarthSatellite.at(t).frame_xyz(itrs)`."""

import numpy as np
import pytest
from skyfield.api import EarthSatellite, load
from skyfield.data import iers
from skyfield.framelib import itrs

from leonet.errors import InputError
from leonet.physics.orbits.constellation import Constellation
from leonet.physics.timegrid import TimeGrid
from tests.conftest import shared_file

ONE_METRE_KM = 0.001
ONE_MM_S_KM_S = 1e-6


def _skyfield_states(satrecs, grid, ts):
    sec = grid.offsets_s
    t0 = grid.utc[0].astype("datetime64[us]").item()
    t = ts.utc(t0.year, t0.month, t0.day, t0.hour, t0.minute,
               t0.second + t0.microsecond * 1e-6 + sec)
    r = np.empty((len(grid), len(satrecs), 3))
    v = np.empty_like(r)
    for k, satrec in enumerate(satrecs):
        pos = EarthSatellite.from_satrec(satrec, ts).at(t)
        rk, vk = pos.frame_xyz_and_velocity(itrs)
        r[:, k] = rk.km.T
        v[:, k] = vk.km_per_s.T
    return r, v


def _grid():
    # Ten instants over two days, including fractions of a second.
    return TimeGrid.from_instants(np.datetime64("2026-08-22T18:00:00.25", "ns")
                                  + np.arange(10) * np.timedelta64(17_003_117, "ms"))


def test_real_snapshot_matches_skyfield_within_one_metre():
    c = Constellation.load(shared_file("starlink-2026-08-22.tle"))
    picked = c[np.linspace(0, len(c) - 1, 1000).astype(int)]
    grid = _grid()
    eph = picked.propagate(grid, workers=2)
    ts = load.timescale(builtin=True)
    r_ref, v_ref = _skyfield_states(picked.satrecs, grid, ts)
    ok = np.isfinite(r_ref).all(axis=2)
    assert ok.mean() > 0.97  # a few decaying satellites fail SGP4 and must be NaN in both
    assert np.array_equal(np.isfinite(eph.r_ecef_km).all(axis=2), ok)
    assert np.all(eph.error[~ok] > 0) and np.all(eph.error[ok] == 0)
    err_m = np.linalg.norm(eph.r_ecef_km[ok] - r_ref[ok], axis=-1)
    assert err_m.max() < ONE_METRE_KM, err_m.max()
    # skyfield turns velocities with the IERS angular rate, leonet with GMST's own rate.
    assert np.abs(eph.v_ecef_km_s[ok] - v_ref[ok]).max() < ONE_MM_S_KM_S


def test_presets_match_skyfield_and_two_workers_equal_one():
    c = Constellation.load("starlink-gen1")[::7]
    grid = _grid()
    one = c.propagate(grid, workers=1)
    two = c.propagate(grid, workers=2)
    assert np.array_equal(one.r_ecef_km, two.r_ecef_km)
    assert np.array_equal(one.v_ecef_km_s, two.v_ecef_km_s)
    r_ref, _ = _skyfield_states(c.satrecs[:50], grid, load.timescale(builtin=True))
    assert np.abs(one.r_ecef_km[:, :50] - r_ref).max() < ONE_METRE_KM


def test_polar_motion_matches_skyfield():
    ts = load.timescale(builtin=True)
    grid = _grid()
    utc_mjd = np.arange(61000.0, 61100.0)
    table = np.rec.fromarrays([utc_mjd, np.full(100, 0.21), np.full(100, 0.37),
                               np.zeros(100)],
                              names="utc_mjd,x_arcseconds,y_arcseconds,dut1")
    iers.install_polar_motion_table(ts, table)
    c = Constellation.load("starlink-gen1")[:40]
    eph = c.propagate(grid, polar_motion=(0.21, 0.37))
    r_ref, _ = _skyfield_states(c.satrecs, grid, ts)
    assert np.abs(eph.r_ecef_km - r_ref).max() < ONE_METRE_KM
    # Polar motion of ~0.4" moves a LEO satellite by ~13 m: the test would see it missing.
    plain = c.propagate(grid)
    assert np.abs(plain.r_ecef_km - r_ref).max() > 0.005


_STREAM_CHILD = """
import sys, tracemalloc
import numpy as np
from leonet.physics.orbits.constellation import Constellation
from leonet.physics.timegrid import TimeGrid

dtype, budget = np.dtype(sys.argv[1]), int(sys.argv[2])
c = Constellation.load("starlink-gen1")[:300]
grid = TimeGrid.range("2026-08-23T00:00:00Z", "2h", "60s")
full = c.propagate(grid, workers=1)
c.propagate(grid[:2], dtype=dtype, workers=1).alt_km  # compile the kernels outside the trace
tracemalloc.start()
base = tracemalloc.get_traced_memory()[0]
sizes, lowest, parts = [], np.inf, []
for eph in c.iter_propagate(grid, max_bytes=budget, dtype=dtype, workers=1):
    lowest = min(lowest, float(np.nanmin(eph.alt_km)))
    sizes.append(eph.n_times)
    parts.append(eph.r_ecef_km[:, :2].copy())  # a small sample to compare
peak = tracemalloc.get_traced_memory()[1] - base
tracemalloc.stop()
err = float(np.abs(np.concatenate(parts) - full.r_ecef_km[:, :2]).max())
print(peak, len(sizes), sum(sizes), len(grid), err, eph.r_ecef_km.dtype, lowest)
"""


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_streaming_stays_within_the_budget(dtype):
    """Iterated as a user does (each chunk held, its geodetic outputs computed, while the
    next is propagated), the memory numpy allocates never exceeds the budget (traced by
    tracemalloc, which numpy reports its data buffers to), and the chunks join up to the
    whole ephemeris. Measured in a fresh process, so that no other test's threads or caches
    allocate while the trace runs."""
    import subprocess
    import sys

    budget = 6_000_000
    out = subprocess.run([sys.executable, "-c", _STREAM_CHILD, dtype, str(budget)],
                         capture_output=True, text=True, timeout=300, check=True)
    peak, n_chunks, n_times, n_grid, err, got, lowest = out.stdout.split()
    assert int(peak) <= budget, peak
    assert int(n_chunks) > 1 and n_times == n_grid
    assert float(err) < ONE_METRE_KM
    assert got == dtype
    assert float(lowest) > 530


def test_float32_and_geodetic_outputs():
    c = Constellation.load("starlink-gen1")[:300]
    grid = TimeGrid.range("2026-08-23T00:00:00Z", "2h", "60s")
    full = c.propagate(grid)
    parts = list(c.iter_propagate(grid, max_bytes=5_000_000, dtype=np.float32))
    joined = np.concatenate([p.r_ecef_km for p in parts])
    assert len(parts) > 1 and joined.dtype == np.float32
    # float32 keeps ~0.5 m of a 7,000 km coordinate (24-bit mantissa).
    assert np.abs(joined - full.r_ecef_km).max() < ONE_METRE_KM
    assert full.alt_km.shape == (len(grid), 300)
    assert np.nanmin(full.alt_km) > 530 and np.nanmax(full.alt_km) < 580
    assert np.nanmax(np.abs(full.lat_deg)) == pytest.approx(53.0, abs=0.3)


def test_decayed_satellite_is_nan_with_error_code():
    from sgp4.api import Satrec

    # A high-drag object that SGP4 reports as decayed some days after its epoch.
    sat = Satrec.twoline2rv(
        "1 44235U 19029A   20001.00000000  .09000000  00000-0  50000-1 0  9993",
        "2 44235  53.0000 100.0000 0001000  90.0000 270.0000 15.90000000 10000",
    )
    c = Constellation((sat,), np.array(["X"], dtype=object), np.array([44235]))
    eph = c.propagate(TimeGrid.range("2020-01-01T00:00:00Z", "60d", "1d"))
    assert eph.error[0, 0] == 0 and np.isfinite(eph.r_ecef_km[0, 0]).all()
    assert eph.error_by_sat[0] > 0
    bad = eph.error[:, 0] > 0
    assert bad.any() and np.isnan(eph.r_ecef_km[bad, 0]).all()


def test_bad_arguments():
    c = Constellation.load("oneweb")
    grid = TimeGrid.at("2026-08-23T00:00:00Z")
    with pytest.raises(InputError, match="dtype"):
        c.propagate(grid, dtype=np.int32)
    with pytest.raises(InputError, match="workers"):
        c.propagate(grid, workers=0)
    with pytest.raises(InputError, match="memory budget"):
        next(c.iter_propagate(grid, max_bytes=0))
