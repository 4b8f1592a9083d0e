"""Choosing a cluster: the checks of --workers and --scheduler, and no Dask without them."""

from __future__ import annotations

import subprocess
import sys

import pytest

from leonet.cli import main
from leonet.distributed.client import check_address, check_choice, check_workers
from leonet.errors import InputError


def test_without_options_no_dask_module_is_imported():
    code = ("import sys\n"
            "from leonet.cli import app\n"
            "from leonet.distributed.client import open_client\n"
            "with open_client(None, None) as client:\n"
            "    assert client is None\n"
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed'))\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


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
def test_cli_exits_2_before_any_work(tmp_path, capsys, args, message):
    rc = main(["coverage", "--region", "TW", "--start", "2026-08-23T00:00Z",
               "--out", str(tmp_path / "c.csv"), *args])
    assert rc == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "c.csv").exists()
