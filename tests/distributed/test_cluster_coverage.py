"""Coverage on a real Dask cluster equals the single-process run, bit for bit (the
single-process path is itself checked against skyfield in tests/physics): Ukraine at res 5
over 6 h, with windows so short that every gap and the time to first coverage straddle task
boundaries; the CLI against a scheduler address; a worker killed mid-run; an unreachable
scheduler."""

from __future__ import annotations

import time

import numpy as np
import pytest

from leonet.cli import main
from leonet.distributed.coverage import coverage as cluster_coverage
from leonet.physics.coverage import coverage
from leonet.physics.orbits.constellation import Constellation
from leonet.physics.timegrid import TimeGrid
from leonet.regional.cells import region_cells
from tests.distributed.cluster import loopback_cluster

pytestmark = pytest.mark.cluster
STEP_S = 60.0


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with loopback_cluster(tmp_path_factory.mktemp("dask")) as c:
        yield c


@pytest.fixture(scope="module")
def ukraine():
    # A 60° mask and 3 satellites make gaps of up to 4 steps in Ukraine with Starlink Gen1.
    cells = region_cells("UA", 5)
    grid = TimeGrid.range("2026-08-23T00:00:00Z", "6h", "60s")
    points = cells.points(60.0)
    sats = Constellation.load("starlink-gen1")
    return points, sats, grid, coverage(points, sats, grid, min_sats=3)


def _assert_same(got, ref):
    for name, value in ref.columns().items():
        np.testing.assert_array_equal(got.columns()[name], value, err_msg=name)
    assert (got.n_times, got.duration_s) == (ref.n_times, ref.duration_s)


def test_ukraine_6h_split_in_windows_of_two_instants_is_bit_identical(cluster, ukraine):
    points, sats, grid, ref = ukraine
    # The case must cut gaps: gaps longer than a window necessarily straddle a boundary, and
    # a first coverage after the first window's end continues its leading spell.
    assert ref.longest_gap_s.max() > 2 * STEP_S
    assert np.nanmax(ref.time_to_first_s) >= 2 * STEP_S
    done = []
    got = cluster_coverage(points, sats, grid, cluster.client, min_sats=3, task_instants=2,
                           progress=done.append)
    _assert_same(got, ref)
    assert sum(done) == len(grid)
    # A second run on the same client (keys of the first one are forgotten by now).
    again = cluster_coverage(points, sats, grid[:6], cluster.client, min_sats=3,
                             task_instants=2)
    _assert_same(again, coverage(points, sats, grid[:6], min_sats=3))


def test_cli_on_a_scheduler_writes_the_single_process_table(cluster, tmp_path):
    base = ["coverage", "--region", "TW", "--start", "2026-08-23T00:00Z", "--duration", "1h",
            "--res", "4", "--min-elevation", "60", "--min-sats", "2"]
    assert main([*base, "--out", str(tmp_path / "one.csv")]) == 0
    assert main([*base, "--out", str(tmp_path / "many.csv"),
                 "--scheduler", cluster.address]) == 0
    assert (tmp_path / "many.csv").read_bytes() == (tmp_path / "one.csv").read_bytes()


def test_a_worker_killed_mid_run_changes_nothing(tmp_path, ukraine):
    points, sats, grid, ref = ukraine
    with loopback_cluster(tmp_path) as c:
        victim = c.workers[0]

        def kill_at_first_window(_n: int) -> None:
            # Called when the first window is back: the others are queued or running.
            if victim.poll() is None:
                victim.kill()

        got = cluster_coverage(points, sats, grid, c.client, min_sats=3, task_instants=4,
                               progress=kill_at_first_window)
        assert victim.poll() is not None
        assert len(c.client.scheduler_info()["workers"]) == 1
    _assert_same(got, ref)


def test_unreachable_scheduler_exits_2_within_10_s(tmp_path, capsys):
    import socket

    # A loopback port that was just free: nothing listens there.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    t0 = time.monotonic()
    rc = main(["coverage", "--region", "TW", "--start", "2026-08-23T00:00Z", "--duration",
               "10m", "--res", "3", "--out", str(tmp_path / "c.csv"),
               "--scheduler", f"tcp://127.0.0.1:{port}"])
    assert rc == 2
    assert time.monotonic() - t0 < 10.0
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "cannot reach the Dask scheduler" in errors[0]
    assert not (tmp_path / "c.csv").exists()
