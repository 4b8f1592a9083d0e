"""`leonet ephemeris` on a real Dask cluster writes a partitioned Parquet dataset, one file per
time window, whose rows are the single-process file's (that path is itself checked against
skyfield in tests/physics/test_propagate.py); the API's ``client=`` does the same."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from leonet.cli import main
from leonet.physics.orbits.constellation import Constellation
from leonet.physics.timegrid import TimeGrid
from leonet.reporting.ephemeris import write_ephemeris

pytestmark = pytest.mark.cluster
BASE = ["ephemeris", "starlink-gen1", "--start", "2026-08-23T00:00Z", "--duration", "30m",
        "--step", "60s", "--alt-min", "540"]


def test_cli_on_a_scheduler_writes_the_single_process_rows(cluster, tmp_path):
    assert main([*BASE, "--out", str(tmp_path / "one.parquet")]) == 0
    assert main([*BASE, "--out", str(tmp_path / "many.parquet"),
                 "--scheduler", cluster.address]) == 0
    files = sorted(p.name for p in (tmp_path / "many.parquet").iterdir())
    # 31 instants in windows of DATASET_TASK_INSTANTS (60): one file; the API cuts finer.
    assert files == ["window-000000.parquet"]
    one = pq.read_table(tmp_path / "one.parquet")
    assert pq.read_table(tmp_path / "many.parquet").equals(one)


def test_api_windows_are_files_in_time_order_with_the_same_rows(cluster, tmp_path):
    sats = Constellation.load("starlink-gen1").filter(alt_km=(540, None))
    grid = TimeGrid.range("2026-08-23T00:00Z", "30m", "60s")
    single = write_ephemeris(sats, grid, tmp_path / "one.parquet")
    done = []
    rows = write_ephemeris(sats, grid, tmp_path / "many.parquet", client=cluster.client,
                           task_instants=7, progress=done.append)
    assert rows == single == len(grid) * len(sats)
    assert sum(done) == rows
    files = sorted((tmp_path / "many.parquet").iterdir())
    assert [p.name for p in files] == [f"window-{a:06d}.parquet" for a in range(0, 31, 7)]
    assert [pq.read_metadata(p).num_rows for p in files] == [7 * len(sats)] * 4 + [3 * len(sats)]
    assert pq.read_table(tmp_path / "many.parquet").equals(pq.read_table(tmp_path / "one.parquet"))


def test_an_existing_folder_is_never_overwritten(cluster, tmp_path, capsys):
    (tmp_path / "e.parquet").mkdir()
    (tmp_path / "e.parquet" / "mine.txt").write_text("keep")
    assert main([*BASE, "--out", str(tmp_path / "e.parquet"), "--scheduler",
                 cluster.address]) == 2
    assert "exists and is not an empty folder" in capsys.readouterr().err
    assert (tmp_path / "e.parquet" / "mine.txt").read_text() == "keep"
