"""Issue 17 E (stalls): how long the service's hot write path holds the writer, with SQLite's
automatic WAL checkpoints (inside a COMMIT, the baseline) and with checkpoints on a
background thread (`Database(background_checkpoints=True)`, what a server uses).

Each write is a terminal update with its audit entry (`terminals.update_sql` in
`Database.write_sql`, as `PATCH /v1/terminals/{id}` does), paced at the load benchmark's
write rate. Every write queued behind a slow one waits as long: in the load benchmark a
stalled write blocks its keep-alive connection, so one slow checkpoint shows up as a stall
of decisions too. Reported per mode: p50 / p99.9 / max time per write, how many took over
100 ms, and the process CPU time (the work moves to another thread; it does not vanish).

A slow disk is easy to simulate: ``benchmarks/slow_fsync.c``, loaded with ``LD_PRELOAD``,
makes every ``fdatasync``/``fsync`` sleep first, so every checkpoint's syncs are slow (WAL
commits with ``synchronous=NORMAL`` never sync); BENCHMARKS.md has the numbers with 1 s per
sync (build and run lines in that file).

    python benchmarks/bench_wal_checkpoint.py [--writes 3000] [--rate 110]
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time

from _service import latencies_ms, load_line, seed

from leonet.control.registry import Database, terminals
from leonet.control.registry.audit import Actor

SLOW_MS = 100.0
TERMINALS = 200


def _writes(db_url: str, background: bool, n_writes: int,
            rate: float) -> tuple[list[float], float, tuple[int, int]]:
    """Seconds each write took, the process CPU seconds, and the background checkpoints
    (all, RESTART ones)."""
    db = Database(db_url, background_checkpoints=background)
    db.start_checkpoints()
    actor = Actor("bench-writer", "support")
    with db.write_sql() as tx:
        ((count,),) = tx.rows("SELECT count(*) FROM terminals")
        versions = dict(tx.rows("SELECT id, version FROM terminals"))
    assert count >= TERMINALS
    with db.write_sql() as tx:  # the first write creates the WAL (and syncs its header)
        terminals.update_sql(tx, actor, "UT-000000", versions["UT-000000"], kit_type="warm")
    versions["UT-000000"] += 1
    took = []
    cpu = time.process_time()
    start = time.perf_counter()
    for i in range(n_writes):
        scheduled = start + i / rate
        if (delay := scheduled - time.perf_counter()) > 0:
            time.sleep(delay)
        terminal = f"UT-{i % TERMINALS:06d}"
        with db.write_sql() as tx:
            row = terminals.update_sql(tx, actor, terminal, versions[terminal],
                                       kit_type=f"k{i}")
        versions[terminal] = row["version"]
        took.append(time.perf_counter() - scheduled)  # from its scheduled time: queueing counts
    cpu = time.process_time() - cpu
    runs = (db.checkpointer.runs, db.checkpointer.restarts) if background else (0, 0)
    db.dispose()
    return took, cpu, runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=110.0, help="writes/s to offer")
    args = parser.parse_args()
    print(f"{args.writes:,} terminal updates at {args.rate:.0f}/s; {load_line()}; "
          f"{threading.active_count()} thread(s)")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for background in (False, True):
            db_url = f"sqlite:///{tmp}/{'background' if background else 'automatic'}.db"
            seed(db_url, TERMINALS)
            results[background] = _writes(db_url, background, args.writes, args.rate)
    base_cpu = results[False][1]
    for background, (took, cpu, runs) in results.items():
        lat = latencies_ms(took)
        slow = sum(t * 1000 > SLOW_MS for t in took)
        name = ("background checkpoints" if background
                else "automatic checkpoints (baseline)")
        print(f"{name:34s} p50 {lat.p50_ms:7.2f} ms  p99.9 {lat.p999_ms:8.2f} ms  "
              f"max {lat.max_ms:8.2f} ms  over {SLOW_MS:.0f} ms: {slow:4d}  "
              f"CPU {cpu:5.2f} s ({cpu / base_cpu:.2f}x baseline)"
              + (f"  [{runs[0]} background checkpoints, {runs[1]} RESTART]"
                 if background else ""))
    print(f"after: {load_line()} (machine shared: wall times are noisy)")


if __name__ == "__main__":
    main()
