"""Issue 17 E: the most memory one hostile request makes the server allocate.

Hostile bodies (built in a child process, so that building them does not count): zstd Arrow
and Parquet bombs of 20 M rows, a 60 MB JSON body without a token. Each is sent to
the in-process application (`TestClient`); the figure is Arrow's memory-pool peak and Python's
`tracemalloc` peak during the request, against the same for a legitimate 1,000-row Arrow
decision batch (the baseline, same process). Arrow's pool keeps only its all-time peak, so a
request is charged what it raised that peak by (after the baseline's few MiB). The target:
no request allocates more than 64 MiB above the body limit's worth of data.

Run: ``.venv/bin/python benchmarks/bench_hostile_bodies.py`` (about a minute).
"""

from __future__ import annotations

import io
import multiprocessing
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from fastapi.testclient import TestClient

from leonet.server.main import create_app
from leonet.server.settings import Settings

# The repository root, for the test suite's world of sponsors, terminals and tokens.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.server.conftest import auth, make_world

ARROW = "application/vnd.apache.arrow.stream"
PARQUET = "application/vnd.apache.parquet"
MIB = 1024 * 1024


def _table(n: int) -> pa.Table:
    return pa.table({
        "terminal_id": pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, np.int32)),
                                                      pa.array(["UT-C"])),
        "time": pa.array(np.full(n, 1_770_724_800, np.int64)).cast(
            pa.timestamp("s", tz="UTC")),
        "lat_deg": np.full(n, 50.45), "lon_deg": np.full(n, 30.52),
        "alt_m": np.zeros(n), "speed_kmh": np.zeros(n)})


def _arrow(n: int) -> bytes:
    sink = pa.BufferOutputStream()
    table = _table(n)
    with pa.ipc.new_stream(sink, table.schema,
                           options=pa.ipc.IpcWriteOptions(compression="zstd")) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _parquet(n: int) -> bytes:
    out = io.BytesIO()
    pq.write_table(_table(n), out, compression="zstd")
    return out.getvalue()


def build() -> list[tuple[str, str, str, bytes, bool]]:
    """(name, path, content type, body, with token) of each request."""
    return [
        ("baseline: 1,000-row Arrow decisions", "/v1/decisions", ARROW, _arrow(1000), True),
        ("Arrow bomb 20 M rows", "/v1/decisions", ARROW, _arrow(20_000_000), True),
        ("Arrow bomb 20 M rows (telemetry)", "/v1/telemetry", ARROW, _arrow(20_000_000), True),
        ("Parquet bomb 20 M rows", "/v1/telemetry", PARQUET, _parquet(20_000_000), True),
        ("60 MB JSON, no token", "/v1/terminals", "application/json",
         b'{"id": "' + b"x" * 60_000_000 + b'"}', False),
    ]


def main() -> None:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        requests = pool.apply(build)
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(database_url=f"sqlite:///{folder}/b.db",
                            telemetry_dir=f"{folder}/t")
        app = create_app(settings)
        world = make_world(app.state.leonet.db)
        pool_arrow = pa.default_memory_pool()
        with TestClient(app, raise_server_exceptions=False) as client:
            results = []
            for name, path, media, body, with_token in requests:
                headers = {"Content-Type": media, **(auth(world["support"]) if with_token
                                                     else {})}
                arrow_before = pool_arrow.max_memory()
                tracemalloc.start()
                cpu = time.process_time()
                status = client.post(path, content=body, headers=headers).status_code
                cpu = time.process_time() - cpu
                _, python_peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                arrow_peak = max(0, pool_arrow.max_memory() - arrow_before)
                results.append((name, len(body), status, arrow_peak, python_peak, cpu))
        app.state.leonet.db.dispose()
    base_cpu = results[0][5]
    limit = settings.max_body_bytes
    print(f"body limit {limit / MIB:.0f} MiB; target: peak <= limit + 64 MiB "
          f"= {limit / MIB + 64:.0f} MiB (machine: 2 cores, loaded)")
    for name, size, status, arrow_peak, python_peak, cpu in results:
        # Python's peak includes the request body itself as the test client holds it.
        extra = max(0, python_peak - size) + arrow_peak
        print(f"{name:38s} body {size / 1024:9.1f} KiB -> {status}; Arrow peak "
              f"{arrow_peak / MIB:7.1f} MiB, Python peak beyond the body "
              f"{max(0, python_peak - size) / MIB:7.1f} MiB; CPU {cpu * 1000:7.1f} ms "
              f"({cpu / base_cpu:5.1f}x baseline); {'OK' if extra <= 64 * MIB else 'OVER'}")


if __name__ == "__main__":
    main()
