"""Telemetry ingestion through the REST API: rows per second, end to end and server-side.

A real `leonet serve` on loopback with 2,000 registered terminals; batches of 100,000 reports
(each terminal reporting every 10 s, consecutive windows, so nothing is a duplicate) sent one
after another as columnar JSON, as Arrow IPC and as Parquet. Every batch is checked row by
row, compared with what is already stored, written as a Parquet file, recorded in the
registry and in the audit log (one SQLite transaction, synchronous=FULL) before the answer.
End to end is the client's wall time over all batches; server-side sums the route's
`Server-Timing`.

Target (issue 7): >= 50,000 rows/s through the API.
Baseline in the same run: the same batches inserted as rows into a SQLite table with the
index a track query needs (raw driver, one transaction per batch): storing telemetry in the
SQL registry instead.

    python benchmarks/bench_telemetry_ingest.py [--batches 10] [--rows 100000]
"""

from __future__ import annotations

import argparse
import io
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import httpx2 as httpx
import numpy as np
import orjson
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _service import Server, load_line, seed

T0 = np.datetime64("2026-02-10T00:00:00", "ns")
N_TERMINALS = 2000


def batch(k: int, n: int, rng: np.random.Generator) -> pa.Table:
    per = n // N_TERMINALS
    ids = np.repeat(np.array([f"UT-{i:06d}" for i in range(N_TERMINALS)], dtype=object), per)
    t = (T0 + np.timedelta64(k * per * 10, "s")
         + np.tile(np.arange(per) * np.timedelta64(10, "s"), N_TERMINALS))
    base_lat = np.repeat(rng.uniform(46.0, 52.0, N_TERMINALS), per)
    base_lon = np.repeat(rng.uniform(23.0, 38.0, N_TERMINALS), per)
    m = ids.size
    return pa.table({
        "terminal_id": pa.array(ids, type=pa.string()).dictionary_encode(),
        "time": pa.array(t, type=pa.timestamp("ns", tz="UTC")),
        "lat_deg": base_lat + rng.normal(0, 1e-4, m), "lon_deg": base_lon + rng.normal(0, 1e-4, m),
        "alt_m": np.zeros(m), "speed_kmh": rng.uniform(0, 80, m),
    })


def as_json(table: pa.Table) -> bytes:
    cols = {name: table.column(name).to_pylist() for name in
            ("lat_deg", "lon_deg", "alt_m", "speed_kmh")}
    cols["terminal_id"] = table.column("terminal_id").cast(pa.string()).to_pylist()
    cols["time"] = [s + "Z" for s in np.datetime_as_string(
        table.column("time").to_numpy(), unit="s").tolist()]
    return orjson.dumps({"columns": cols})


def as_arrow(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


def as_parquet(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


def sql_baseline(tables: list[pa.Table], folder: Path) -> float:
    con = sqlite3.connect(folder / "rows.db", isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    con.execute("CREATE TABLE telemetry (terminal_id TEXT NOT NULL, time_ns INTEGER NOT NULL, "
                "lat_deg REAL, lon_deg REAL, alt_m REAL, speed_kmh REAL)")
    con.execute("CREATE INDEX telemetry_track ON telemetry (terminal_id, time_ns)")
    started = time.perf_counter()
    n = 0
    for table in tables:
        rows = list(zip(table.column("terminal_id").cast(pa.string()).to_pylist(),
                        table.column("time").cast(pa.int64()).to_pylist(),
                        table.column("lat_deg").to_pylist(), table.column("lon_deg").to_pylist(),
                        table.column("alt_m").to_pylist(), table.column("speed_kmh").to_pylist(),
                        strict=True))
        con.execute("BEGIN")
        con.executemany("INSERT INTO telemetry VALUES (?, ?, ?, ?, ?, ?)", rows)
        con.execute("COMMIT")
        n += len(rows)
    con.close()
    return n / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    print(f"machine: {load_line()}")
    rng = np.random.default_rng(7)
    formats = {"json": ("application/json", as_json), "arrow":
               ("application/vnd.apache.arrow.stream", as_arrow),
               "parquet": ("application/vnd.apache.parquet", as_parquet)}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        db_url = f"sqlite:///{tmp / 'bench.db'}"
        started = time.perf_counter()
        tokens = seed(db_url, N_TERMINALS)
        print(f"registry seeded with {N_TERMINALS:,} terminals in "
              f"{time.perf_counter() - started:.0f} s")
        os.environ["LEONET_TELEMETRY_DIR"] = str(tmp / "telemetry")
        server = Server(db_url).start()
        try:
            url = f"http://127.0.0.1:{server.port}/v1/telemetry"
            headers = {"Authorization": f"Bearer {tokens['support']}"}
            k = 0
            with httpx.Client(timeout=300) as client:
                for name, (content_type, encode) in formats.items():
                    tables = [batch(k + j, args.rows, rng) for j in range(args.batches)]
                    k += args.batches
                    bodies = [encode(t) for t in tables]
                    total = server_s = 0.0
                    stored = 0
                    for body in bodies:
                        t = time.perf_counter()
                        r = client.post(url, content=body, headers={
                            **headers, "Content-Type": content_type})
                        total += time.perf_counter() - t
                        assert r.status_code == 201, r.text[:500]
                        stored += r.json()["rows_stored"]
                        server_s += float(r.headers["server-timing"].split("dur=")[1]) / 1000
                    assert stored == args.batches * args.rows, stored
                    print(f"{name:8s}: {stored:,} rows in {args.batches} batches, "
                          f"{len(bodies[0]) / 1e6:.1f} MB each: end to end "
                          f"{stored / total:,.0f} rows/s, server-side {stored / server_s:,.0f}"
                          f" rows/s (target >= 50,000 rows/s)")
            base = sql_baseline(tables, tmp)
            print(f"baseline: rows into an indexed SQLite table, {base:,.0f} rows/s; "
                  f"the API over Parquet (last format, end to end) is "
                  f"{stored / total / base:.1f}x that")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
