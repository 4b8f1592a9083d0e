"""Coverage on a real Dask cluster equals the single-process run, bit for bit (the
single-process path is itself checked against skyfield in tests/physics): Ukraine at res 5
over 6 h, with windows so short that every gap and the time to first coverage straddle task
boundaries; the CLI against a scheduler address and on a local cluster of worker processes;
busy-hour capacity against a scheduler equal to the single-process run; a
worker killed mid-run; an unreachable scheduler (refused, and silent)."""

from __future__ import annotations

import os
import socket
import time

import numpy as np
import psutil
import pyarrow.csv as pacsv
import pytest

from leonet.cli import main
from leonet.distributed.coverage import coverage as cluster_coverage
from leonet.distributed.windows import fold_windows
from leonet.errors import InputError
from leonet.physics.coverage import coverage
from leonet.physics.orbits.constellation import Constellation
from leonet.physics.timegrid import TimeGrid
from leonet.regional.cells import region_cells
from tests.distributed.cluster import loopback_cluster
from tests.distributed.test_capacity_merge import MEANS

pytestmark = pytest.mark.cluster
STEP_S = 60.0


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


def test_capacity_cli_on_a_scheduler_equals_the_single_process_run(cluster, tmp_path):
    # Taiwan and the land within 300 km, the busy hour at a 50° mask: limited, uncovered and
    # available cells. Columns compared as in tests/distributed/test_capacity_merge.py.
    base = ["capacity", "--region", "TW", "--start", "2026-08-23T00:00Z", "--duration", "1h",
            "--res", "4", "--min-elevation", "50", "--context-km", "300",
            "--terminals-per-km2", "0.5"]
    assert main([*base, "--out", str(tmp_path / "one.csv")]) == 0
    assert main([*base, "--out", str(tmp_path / "many.csv"), "--scheduler",
                 cluster.address]) == 0
    one, many = (pacsv.read_csv(tmp_path / f"{n}.csv").to_pydict() for n in ("one", "many"))
    assert one.keys() == many.keys()
    assert {"limited", "available"} <= set(one["availability"])
    for name in one:
        if name in MEANS:
            np.testing.assert_allclose(np.array(many[name], float), np.array(one[name], float),
                                       rtol=1e-12, atol=0, err_msg=name)
        else:
            assert many[name] == one[name], name


def test_bad_input_in_a_window_names_its_instants(cluster):
    # The task is defined here, so it travels by value; the worker raises as one machine
    # would, and the error comes back naming the window as well as the row.
    def task(grid, start, stop):
        raise InputError(f"element set row {start + 2}: eccentricity above 1", "elements.tle")

    with pytest.raises(InputError, match=r"^instants (\d+)-(\d+) of 10: elements\.tle: "
                                         r"element set row \d+: eccentricity above 1$"):
        fold_windows(cluster.client, task, {"grid": "g"}, 10, task_instants=4)


def test_a_worker_killed_mid_run_changes_nothing(tmp_path, ukraine):
    points, sats, grid, ref = ukraine
    with loopback_cluster(tmp_path) as c:
        victim = c.workers[0]
        address = next(a for a, pid in c.client.run(os.getpid).items() if pid == victim.pid)
        done, lost = [], []

        def kill_while_it_holds_a_window(n: int) -> None:
            # Called as each window comes back: kill the victim (SIGKILL, no nanny to
            # restart it) the first time it is seen running a window of this run.
            done.append(n)
            if victim.poll() is None:
                running = c.client.processing([address])[address]
                if running:
                    victim.kill()
                    victim.wait()
                    lost.extend(running)

        got = cluster_coverage(points, sats, grid, c.client, min_sats=3, task_instants=4,
                               progress=kill_while_it_holds_a_window)
        assert lost, "the victim never ran a window"
        assert victim.returncode == -9
        assert len(c.client.scheduler_info()["workers"]) == 1
    # Its windows were run again elsewhere: every instant counted once, figures unchanged.
    assert sum(done) == len(grid)
    _assert_same(got, ref)


def test_cli_on_a_local_cluster_of_two_processes_leaves_nothing_behind(tmp_path, capfd):
    me = psutil.Process()
    before = {p.pid for p in me.children(recursive=True)}
    base = ["coverage", "--region", "TW", "--start", "2026-08-23T00:00Z", "--duration", "1h",
            "--res", "4", "--min-elevation", "60", "--min-sats", "2"]
    assert main([*base, "--out", str(tmp_path / "one.csv")]) == 0
    assert main([*base, "--out", str(tmp_path / "many.csv"), "--workers", "2"]) == 0
    assert (tmp_path / "many.csv").read_bytes() == (tmp_path / "one.csv").read_bytes()
    assert "Dask local cluster of 2 workers; dashboard: http://127.0.0.1:" in capfd.readouterr().err
    # Workers and nannies are stopped with the cluster (Python's own resource tracker, one
    # per process, may stay).
    left = [p for p in me.children(recursive=True) if p.pid not in before
            and p.is_running() and "resource_tracker" not in " ".join(p.cmdline())]
    assert not left, [p.cmdline() for p in left]


def _cli_on(address: str, tmp_path) -> tuple[int, float]:
    t0 = time.monotonic()
    rc = main(["coverage", "--region", "TW", "--start", "2026-08-23T00:00Z", "--duration",
               "10m", "--res", "3", "--out", str(tmp_path / "c.csv"), "--scheduler", address])
    return rc, time.monotonic() - t0


def test_a_silent_listener_exits_2_within_10_s(tmp_path, capfd):
    # Listening but never answering (the kernel completes the TCP handshake, nothing speaks
    # Dask's protocol): the slow path, bounded by CONNECT_TIMEOUT_S.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        rc, took_s = _cli_on(f"tcp://127.0.0.1:{s.getsockname()[1]}", tmp_path)
    assert rc == 2
    assert took_s < 10.0
    errors = [line for line in capfd.readouterr().err.splitlines() if line.strip()]
    assert len(errors) == 1, errors
    assert "no Dask scheduler answers there within" in errors[0]
    assert not (tmp_path / "c.csv").exists()
