"""Path and route tables in Parquet and CSV (issue 16 §3): against Hypatia's own paths,
Python's number formatting and the CSV the earlier per-row writer produced."""

import csv
import io

import numpy as np
import pyarrow.parquet as pq
import pytest

from leonet.cli import main
from leonet.reporting.route_tables import PATHS_SCHEMA, fixed_decimals, paths_writer
from tests.conftest import shared_file


def test_fixed_decimals_prints_as_percent_f():
    """Python's ``%.Nf`` is the authority; only values within a hair of half-way between
    two printed values may round the other way."""
    rng = np.random.default_rng(16)
    values = np.concatenate([rng.uniform(0, 2.1e7, 20_000), rng.uniform(-5, 5, 2_000),
                             [0.0, -0.0, 1e-12, 0.0005, 999.9995, 123456789.1234567]])
    for decimals in (3, 4, 6):
        ours = fixed_decimals(values, decimals).to_pylist()
        scaled = np.abs(values) * 10.0 ** decimals
        near_half = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6
        for v, text, tie in zip(values, ours, near_half, strict=True):
            expected = f"{v:.{decimals}f}"
            if expected.strip("-0.") == "":
                expected = expected.lstrip("-")  # no negative zero in a table
            if not tie:
                assert text == expected, (v, text)
    assert fixed_decimals(np.array([np.nan, np.inf, 2.5]), 1).to_pylist() == [None, None, "2.5"]


@pytest.fixture(scope="module")
def hypatia():
    return shared_file("hypatia-starlink550/tles.txt").parent


@pytest.fixture(scope="module")
def paths_at_t0(hypatia, tmp_path_factory):
    """``leonet paths`` at t=0 written to both formats."""
    folder = tmp_path_factory.mktemp("paths")
    out = {}
    for suffix in ("parquet", "csv"):
        out[suffix] = folder / f"paths.{suffix}"
        assert main(["paths", "--hypatia-dir", str(hypatia), "--out", str(out[suffix])]) == 0
    return out


def test_parquet_paths_are_hypatias(paths_at_t0, hypatia):
    """Hypatia's satgenpy paths at t=0 (its own output, shipped with the data) are the
    authority: the same node lists, lengths within the 250 m the CSV test allows."""
    table = pq.read_table(paths_at_t0["parquet"])
    assert table.schema.equals(PATHS_SCHEMA)
    assert table.num_rows == 9900
    ours = {(s, d): (p, L) for s, d, p, L in zip(
        table.column("src_gs").to_pylist(), table.column("dst_gs").to_pylist(),
        table.column("path").to_pylist(), table.column("length_m").to_pylist(), strict=True)}
    same = 0
    with (hypatia / "paths_t0.csv").open(encoding="utf-8") as f:
        for ref in csv.DictReader(f):
            path, length_m = ours[(int(ref["src_gs"]), int(ref["dst_gs"]))]
            same += path == [int(v) for v in ref["path"].split("-")]
            assert abs(length_m - float(ref["length_m"])) <= 250.0
    assert same >= 0.999 * 9900


def test_csv_holds_what_parquet_holds(paths_at_t0):
    """Every CSV field is the Parquet value printed to its stated decimals."""
    table = pq.read_table(paths_at_t0["parquet"]).to_pydict()
    with paths_at_t0["csv"].open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(table["path"]) == 9900
    for i in range(0, 9900, 7):
        row = rows[i]
        assert int(row["src_gs"]) == table["src_gs"][i]
        assert int(row["dst_gs"]) == table["dst_gs"][i]
        assert row["length_m"] == f"{table['length_m'][i]:.3f}"
        assert float(row["one_way_ms"]) == pytest.approx(table["one_way_ms"][i], abs=5e-7)
        assert int(row["hops"]) == table["hops"][i] == len(table["path"][i]) - 1
        assert row["path"] == "-".join(map(str, table["path"][i]))


def test_route_series_parquet_and_csv(tmp_path):
    """One covered and one uncovered terminal: rows per instant and pair, nulls and the
    reason where there is no service, the CSV's columns as before."""
    terms = tmp_path / "terminals.csv"
    terms.write_text("name,lat_deg,lon_deg\nTaipei \"101\",25.03,121.56\nPole,-85.0,0.0\n")
    argv = ["route", "--terminals", str(terms), "--to", "Tokyo", "--start",
            "2026-08-23T00:00:00Z", "--duration", "30s", "--step", "15s",
            "--source", "starlink-gen2a"]
    assert main([*argv, "--out", str(tmp_path / "s.parquet")]) == 0
    assert main([*argv, "--out", str(tmp_path / "s.csv")]) == 0
    t = pq.read_table(tmp_path / "s.parquet").to_pydict()
    assert t["source"] == ['Taipei "101"', "Pole"] * 3
    assert t["time"][0].isoformat() == "2026-08-23T00:00:00+00:00"
    assert t["path"][0][0] == 'Taipei "101"' and t["path"][0][-1] == "Tokyo"
    assert t["rtt_ms"][0] == pytest.approx(2 * t["one_way_ms"][0])
    assert t["hops"][0] == len(t["path"][0]) - 1
    assert t["path"][1] is None and t["rtt_ms"][1] is None
    assert t["no_service"][1].startswith("no satellite above")
    text = (tmp_path / "s.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == ("time,source,destination,one_way_ms,rtt_ms,hops,path,"
                                    "no_service")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["time"] == "2026-08-23T00:00:00Z"
    assert rows[0]["source"] == 'Taipei "101"'  # quoted, the inner quotes doubled
    assert rows[0]["path"] == "|".join(t["path"][0])
    assert rows[0]["rtt_ms"] == f"{t['rtt_ms'][0]:.4f}"
    assert rows[1]["rtt_ms"] == "" and rows[1]["no_service"] == t["no_service"][1]


def test_bad_suffix_is_refused_before_any_work(tmp_path, capsys):
    assert main(["route", "--from", "Kyiv", "--to", "London", "--start",
                 "2026-08-23T00:00:00Z", "--duration", "1h", "--out",
                 str(tmp_path / "s.xlsx")]) == 2
    assert "--out must name a .parquet or .csv file, got 's.xlsx'" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("suffix", ["parquet", "csv"])
def test_a_failed_write_keeps_the_old_file(tmp_path, suffix):
    out = tmp_path / f"p.{suffix}"
    out.write_bytes(b"earlier results")
    with pytest.raises(RuntimeError), paths_writer(out) as writer:
        writer.write(PATHS_SCHEMA.empty_table())
        raise RuntimeError("routing failed half-way")
    assert out.read_bytes() == b"earlier results"
    assert [p.name for p in tmp_path.iterdir()] == [out.name]
