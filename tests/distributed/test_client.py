"""Choosing a cluster: the checks of --workers and --scheduler, and no Dask without them."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from leonet.cli import main
from leonet.distributed.client import (
    CONNECT_TIMEOUT_S,
    check_address,
    check_choice,
    check_workers,
)
from leonet.errors import InputError

ROOT = Path(__file__).resolve().parents[2]


def test_without_options_no_dask_module_is_imported(tmp_path):
    # What the normal suite and a plain run import: the CLI, a coverage run without the
    # options, the distributed modules and the cluster suite's modules (pytest collects them
    # before deselecting them).
    code = ("import sys\n"
            "from leonet.cli import main\n"
            "import leonet.api, leonet.distributed.coverage, leonet.regional.coverage\n"
            "import leonet.control.detect.sharded, leonet.scenario\n"
            "import tests.distributed.cluster, tests.distributed.test_cluster_coverage\n"
            "assert main(['coverage', '--region', 'TW', '--start', '2026-08-23T00:00Z',\n"
            "             '--duration', '10m', '--res', '3', '--out', sys.argv[1]]) == 0\n"
            "assert main(['ephemeris', 'starlink-gen1', '--start', '2026-08-23T00:00Z',\n"
            "             '--duration', '2m', '--out', sys.argv[1] + '.parquet']) == 0\n"
            "assert main(['route', '--from', 'Kyiv', '--to', 'Frankfurt', '--start',\n"
            "             '2026-08-23T00:00Z', '--duration', '30s', '--step', '15s']) == 0\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed'))\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "c.csv")], check=True,
                   timeout=300, cwd=ROOT)
    assert (tmp_path / "c.csv").exists()


@pytest.mark.parametrize("address", ["127.0.0.1:8786", "tcp://host", "http://h:1",
                                     "tcp://h:0", "tcp://h:70000", "tcp://h:80/x"])
def test_bad_scheduler_address_names_it(address):
    with pytest.raises(InputError, match=r"--scheduler.*expected tcp://HOST:PORT"):
        check_address(address)


def test_good_addresses_pass():
    assert check_address("tcp://127.0.0.1:8786") == "tcp://127.0.0.1:8786"
    assert check_address("tls://scheduler.example:8786")


@pytest.mark.parametrize("n", [0, -1, 10**6])
def test_worker_count_out_of_range(n):
    with pytest.raises(InputError, match="--workers: must be between 1 and"):
        check_workers(n)


def test_both_options_at_once():
    with pytest.raises(InputError, match="not both"):
        check_choice(2, "tcp://127.0.0.1:8786")


@pytest.mark.parametrize("args, message", [
    (["--workers", "0"], "--workers"),
    (["--scheduler", "localhost:8786"], "--scheduler"),
    (["--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"], "not both"),
])
@pytest.mark.parametrize("command", [
    ["coverage", "--region", "TW", "--start", "2026-08-23T00:00Z"],
    ["ephemeris", "starlink-gen1", "--start", "2026-08-23T00:00Z"],
    ["route", "--from", "Kyiv", "--to", "Frankfurt", "--start", "2026-08-23T00:00Z"],
    ["paths", "--hypatia-dir", "."],
    ["detect", "--telemetry", "t.csv"],
    ["scenario", "run", "taiwan"],
])
def test_cli_exits_2_before_any_work(tmp_path, capsys, command, args, message):
    rc = main([*command, "--out", str(tmp_path / "c.parquet"), *args])
    assert rc == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]
    assert not (tmp_path / "c.parquet").exists()


def test_a_cluster_refuses_a_csv_ephemeris_before_starting(tmp_path, capsys):
    rc = main(["ephemeris", "starlink-gen1", "--start", "2026-08-23T00:00Z",
               "--out", str(tmp_path / "e.csv"), "--workers", "2"])
    assert rc == 2
    assert "--out: a cluster writes a Parquet dataset" in capsys.readouterr().err


def _cli_on(address: str, tmp_path) -> tuple[int, float]:
    t0 = time.monotonic()
    rc = main(["coverage", "--region", "TW", "--start", "2026-08-23T00:00Z", "--duration",
               "10m", "--res", "3", "--out", str(tmp_path / "c.csv"), "--scheduler", address])
    return rc, time.monotonic() - t0


def test_a_closed_port_exits_2_at_once_with_one_line(tmp_path, capfd):
    # Bound but not listening: the port refuses connections and no one else can take it.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        rc, took_s = _cli_on(f"tcp://127.0.0.1:{s.getsockname()[1]}", tmp_path)
    assert rc == 2
    assert took_s < CONNECT_TIMEOUT_S  # refused: no waiting for Dask's connect timeout
    err = capfd.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: tcp://127.0.0.1:")
    assert "cannot reach the Dask scheduler (Connection refused)" in err[0]
    assert not (tmp_path / "c.csv").exists()
