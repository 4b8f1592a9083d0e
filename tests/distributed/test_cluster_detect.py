"""Detection and a whole scenario on a real Dask cluster give the single-process results: the
scenario of tests/scenario/test_run.py (its incidents are checked there against the planted
cluster and the hand-worked policy), its telemetry detected in terminal shards with the
clusters found over every shard's appearances; a bad input on a worker names its shard."""

from __future__ import annotations

import numpy as np
import pytest

from leonet.cli import main
from leonet.control.detect import DetectConfig, detect
from leonet.control.telemetry import telemetry_from_arrays, write_telemetry
from leonet.distributed.shards import map_shards, shard_of
from leonet.errors import InputError
from leonet.scenario import load_scenario, run
from tests.scenario.test_run import EXTRAS, make

pytestmark = pytest.mark.cluster


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    path = make(tmp_path_factory.mktemp("scn"), EXTRAS)
    scn = load_scenario(path)
    return path, scn, run(scn)


def _same_incidents(got, ref) -> None:
    for name in ("terminal_id", "kind", "start", "end", "evidence", "rule", "n_reports",
                 "lat_deg", "lon_deg"):
        np.testing.assert_array_equal(getattr(got, name), getattr(ref, name), err_msg=name)
    assert got.notes == ref.notes


@pytest.mark.parametrize("n_shards", [1, 3, 16])
def test_detection_over_the_scenarios_telemetry_in_shards(cluster, scenario, n_shards):
    _, scn, result = scenario
    w = result.windows[0]
    policy = scn.policies[-1].policy
    facts = result.fleet.facts(w.start_ns)
    ref = detect(w.telemetry, policy, terminals=facts, config=scn.detection.config)
    # Every kind the run can find is there, clusters (across shards) included.
    assert {"cluster", "denied_region", "speed_limit"} <= set(ref.kind.tolist())
    got = detect(w.telemetry, policy, terminals=facts, config=scn.detection.config,
                 client=cluster.client, n_shards=n_shards)
    _same_incidents(got, ref)


def test_a_cluster_split_across_shards_is_found_once(cluster):
    # Four terminals switch on together at one place two hours after the telemetry starts:
    # one cluster of four, though their CRC-32s put them in different shards.
    ids = ["UT-A", "UT-B", "UT-C", "UT-D", "UT-E"]
    times = ["2026-02-03T10:00:00Z"] + ["2026-02-03T12:00:00Z"] * 4
    lat = [50.45, 48.50, 48.51, 48.52, 48.50]
    lon = [30.52, 37.00, 37.01, 37.00, 37.02]
    tel, _ = telemetry_from_arrays(ids, times, lat, lon, [0] * 5, [0] * 5,
                                   now="2026-02-04T00:00:00Z")
    cfg = DetectConfig(cluster_min_terminals=4, cluster_absence_s=3600.0)
    assert np.unique(shard_of(np.array(ids[1:], dtype=object), 16)).size > 1
    ref = detect(tel, kinds=["cluster"], config=cfg)
    assert sorted(ref.terminal_id.tolist()) == ["UT-B", "UT-C", "UT-D", "UT-E"]
    _same_incidents(detect(tel, kinds=["cluster"], config=cfg, client=cluster.client,
                           n_shards=16), ref)


def test_a_bad_input_on_a_worker_names_the_shard_and_row(cluster):
    def task(shard, config):
        if shard == 2:
            raise InputError("row 23: latitude 91 is out of range", "reports.csv")
        return shard

    with pytest.raises(InputError, match=r"^terminal shard 2 of 3: reports\.csv: row 23: "
                                         r"latitude 91 is out of range$"):
        map_shards(cluster.client, task, [0, 1, 2], {"config": None}, what="terminal shard")


def test_detect_cli_on_a_scheduler_writes_the_same_incidents(cluster, scenario, tmp_path):
    path, _, result = scenario
    write_telemetry(result.windows[0].telemetry, tmp_path / "t.parquet")
    base = ["detect", "--telemetry", str(tmp_path / "t.parquet"), "--policy",
            str(path.parent / "b.toml"), "--now", "2026-02-01T00:00:00Z", "--all-columns"]
    assert main([*base, "--out", str(tmp_path / "one.csv")]) == 0
    assert main([*base, "--out", str(tmp_path / "many.csv"), "--scheduler",
                 cluster.address]) == 0
    assert (tmp_path / "many.csv").read_bytes() == (tmp_path / "one.csv").read_bytes()


def test_scenario_run_on_a_scheduler_writes_the_same_results(cluster, scenario, tmp_path):
    path, _, _ = scenario
    assert main(["scenario", "run", str(path), "--out", str(tmp_path / "one")]) == 0
    assert main(["scenario", "run", str(path), "--out", str(tmp_path / "many"),
                 "--scheduler", cluster.address]) == 0
    one = sorted(p.relative_to(tmp_path / "one") for p in (tmp_path / "one").rglob("*"))
    assert one == sorted(p.relative_to(tmp_path / "many")
                         for p in (tmp_path / "many").rglob("*"))
    # Every table and the results byte for byte (the HTML report and figures embed them).
    for rel in one:
        if rel.suffix in (".csv", ".json", ".parquet", ".md"):
            many, single = (tmp_path / "many" / rel), (tmp_path / "one" / rel)
            assert many.read_bytes() == single.read_bytes(), rel


def test_the_api_run_with_a_client_equals_the_plain_run(cluster, scenario):
    _, scn, ref = scenario
    got = run(scn, client=cluster.client)
    _same_incidents(got.incidents, ref.incidents)
    assert [c.summary for c in got.coverage] == [c.summary for c in ref.coverage]
    for m, s in ref.latency.series.items():
        np.testing.assert_array_equal(got.latency.series[m].one_way_ms, s.one_way_ms)
