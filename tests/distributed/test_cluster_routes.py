"""Routes and Hypatia paths on a real Dask cluster equal the single-process run, bit for bit
(that path is itself checked against scipy's csgraph and Hypatia's own paths in
tests/physics and tests/reporting): 20 city pairs over 1 h cut into windows short enough that
path changes fall on a window's first instant, counted once; the CLI against a scheduler
writes the same route series and the same paths file."""

from __future__ import annotations

import numpy as np
import pytest

from leonet.cli import main
from leonet.distributed.routes import routes
from leonet.physics.ground import world_cities
from leonet.physics.network import Network
from leonet.physics.orbits.constellation import Constellation
from leonet.physics.timegrid import TimeGrid
from tests.conftest import shared_file

pytestmark = pytest.mark.cluster
WINDOW = 37  # instants per task: not a divisor of 361, so the last window is short


@pytest.fixture(scope="module")
def twenty_pairs():
    cities = world_cities()
    top = cities.largest(40)
    net = Network.build(Constellation.load("starlink-gen1"))
    grid = TimeGrid.range("2026-08-23T00:00Z", "1h", "10s")
    src, dst = cities.points(top[:20]), cities.points(top[20:])
    return net, src, dst, grid, net.routes(src, dst, grid)


def test_twenty_city_pairs_over_an_hour_are_bit_identical(cluster, twenty_pairs):
    net, src, dst, grid, ref = twenty_pairs
    done = []
    got = routes(net, src, dst, grid, client=cluster.client, task_instants=WINDOW,
                 progress=done.append)
    assert sum(done) == len(grid)
    for name in ("one_way_ms", "reason", "fibre_km", "path_indptr", "path_nodes", "serving"):
        np.testing.assert_array_equal(getattr(got, name), getattr(ref, name), err_msg=name)
    np.testing.assert_array_equal(got.grid.utc, ref.grid.utc)
    assert [got.summary(i) for i in range(20)] == [ref.summary(i) for i in range(20)]
    # Path changes that straddle a boundary: the window's first path against the previous
    # window's last, found once each, as on one machine.
    k_ref, i_ref = ref.path_changes()
    k_got, i_got = got.path_changes()
    np.testing.assert_array_equal(k_got, k_ref)
    np.testing.assert_array_equal(i_got, i_ref)
    at_boundary = k_ref % WINDOW == 0
    assert at_boundary.sum() > 0
    k, i = k_ref[at_boundary][0], i_ref[at_boundary][0]
    assert got.path(k, i) != got.path(k - 1, i)
    assert np.sum((k_got == k) & (i_got == i)) == 1


def test_route_cli_on_a_scheduler_writes_the_single_process_series(cluster, tmp_path):
    (tmp_path / "t.csv").write_text("name,lat_deg,lon_deg\nKyiv,50.45,30.52\n"
                                    "Lviv,49.84,24.03\nOdesa,46.48,30.72\n")
    base = ["route", "--terminals", str(tmp_path / "t.csv"), "--to", "Frankfurt", "--start",
            "2026-08-23T00:00Z", "--duration", "10m", "--step", "15s"]
    assert main([*base, "--out", str(tmp_path / "one.csv")]) == 0
    assert main([*base, "--out", str(tmp_path / "many.csv"),
                 "--scheduler", cluster.address]) == 0
    assert (tmp_path / "many.csv").read_bytes() == (tmp_path / "one.csv").read_bytes()


# The reference workload (10 s at 100 ms) as Parquet; the CSV writer over a shorter run.
@pytest.mark.parametrize("suffix, duration", [(".parquet", "10s"), (".csv", "1s")])
def test_hypatia_paths_on_a_scheduler_are_the_same_file(cluster, tmp_path, suffix, duration):
    folder = shared_file("hypatia-starlink550/tles.txt").parent
    base = ["paths", "--hypatia-dir", str(folder), "--duration", duration, "--step", "100ms"]
    assert main([*base, "--out", str(tmp_path / f"one{suffix}")]) == 0
    assert main([*base, "--out", str(tmp_path / f"many{suffix}"),
                 "--scheduler", cluster.address]) == 0
    assert (tmp_path / f"many{suffix}").read_bytes() == (tmp_path / f"one{suffix}").read_bytes()
