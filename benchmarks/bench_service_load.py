"""Mixed traffic against a real `leonet serve` on loopback, from another process.

90 % single decisions (random terminal, place in Ukraine or Poland, speed) and 10 % writes
(terminal updates with If-Match), sent at a fixed rate for 60 s by a client process. Latency
is measured from each request's *scheduled* send time, so a stalled server cannot hide its
queue (no coordinated omission).

Targets (issue 6): >= 1,000 requests/s, 0 errors, single-decision p99 <= 20 ms.
Baseline in the same run: the same client hammering `/healthz` (no auth, one indexed query):
the stack's ceiling on this machine, and the ratio says how close decisions come to it.

    python benchmarks/bench_service_load.py [--duration 60] [--rate 1100] [--db URL]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import sys
import tempfile
import time

import numpy as np
import orjson

# The script's own folder is on sys.path when run as `python benchmarks/bench_...py`.
from _service import PLACES, Connection, Server, load_line, percentiles_ms, seed

DECISION_TIME = "2026-02-10T12:00:00Z"


def _draws(rng: np.random.Generator, n: int, n_terminals: int,
           write_share: float) -> tuple[list[bool], list[bytes]]:
    """Which of ``n`` requests are writes, and every decision's body: drawn before the clock
    starts, because the client shares the machine's two cores with the server."""
    places = PLACES[rng.integers(len(PLACES), size=n)] + rng.uniform(-0.05, 0.05, (n, 2))
    terminals = rng.integers(n_terminals, size=n)
    speeds = rng.choice([0.0, 40.0, 120.0], size=n)
    bodies = [orjson.dumps({"terminal_id": f"UT-{t:06d}", "time": DECISION_TIME,
                            "lat_deg": float(lat), "lon_deg": float(lon),
                            "speed_kmh": float(speed)})
              for t, (lat, lon), speed in zip(terminals, places, speeds, strict=True)]
    return (rng.random(n) < write_share).tolist(), bodies


async def _mixed(port: int, token: str, n_terminals: int, rate: float, duration_s: float,
                 connections: int, write_share: float, seed_: int) -> dict:
    rng = np.random.default_rng(seed_)
    latencies: dict[str, list[float]] = {"decision": [], "write": []}
    errors: dict[str, int] = {}
    interval = connections / rate
    per_worker = int(duration_s / interval) + 2
    draws = [_draws(rng, per_worker, n_terminals, write_share) for _ in range(connections)]
    start = time.perf_counter() + 0.2
    end = start + duration_s

    async def worker(w: int) -> None:
        conn = Connection("127.0.0.1", port, token)
        await conn.open()
        own = list(range(w, n_terminals, connections))  # disjoint: no write conflicts
        versions = {t: 1 for t in own}
        writes, bodies = draws[w]
        scheduled = start + w * interval / connections
        i = k = 0
        while scheduled < end:
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            if writes[i]:
                kind = "write"
                t = own[k % len(own)]
                k += 1
                body = orjson.dumps({"kit_type": f"v{versions[t] + 1}"})
                status, headers, _ = await conn.request(
                    "PATCH", f"/v1/terminals/UT-{t:06d}", body,
                    headers=f'If-Match: "{versions[t]}"\r\n')
                if status == 200:
                    versions[t] = int(headers["etag"].strip('"'))
            else:
                kind = "decision"
                status, _, _ = await conn.request("POST", "/v1/decisions", bodies[i])
            done = time.perf_counter()
            if status == 200:
                latencies[kind].append(done - scheduled)
            else:
                errors[f"{kind} {status}"] = errors.get(f"{kind} {status}", 0) + 1
            scheduled += interval
            i += 1
        conn.close()

    await asyncio.gather(*(worker(w) for w in range(connections)))
    elapsed = time.perf_counter() - start
    return {"latencies": latencies, "errors": errors, "elapsed_s": elapsed}


async def _ceiling(port: int, token: str, duration_s: float, connections: int) -> dict:
    count = 0
    end = time.perf_counter() + duration_s

    async def worker() -> None:
        nonlocal count
        conn = Connection("127.0.0.1", port, token)
        while time.perf_counter() < end:
            status, _, _ = await conn.request("GET", "/healthz")
            count += status == 200
        conn.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return {"count": count, "elapsed_s": time.perf_counter() - start}


def _client(job: str, args: tuple, out) -> None:
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    out.put(asyncio.run(_mixed(*args) if job == "mixed" else _ceiling(*args)))


def run_in_client_process(job: str, *args) -> dict:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    process = ctx.Process(target=_client, args=(job, args, queue))
    process.start()
    result = queue.get(timeout=600)
    process.join(timeout=60)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=1100.0, help="requests/s to offer")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--terminals", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument("--write-share", type=float, default=0.1)
    parser.add_argument("--db", default=None, help="database URL (default: a temp SQLite)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_url = args.db or f"sqlite:///{tmp}/bench.db"
        tokens = seed(db_url, args.terminals)
        server = Server(db_url, "--workers", str(args.workers)).start()
        try:
            print(f"server on 127.0.0.1:{server.port} ({args.workers} worker(s)), "
                  f"{args.terminals} terminals; "
                  f"{load_line()}")
            run_in_client_process("mixed", server.port, tokens["support"], args.terminals,
                                  200.0, 3.0, 4, 0.0, 1)  # warm-up: caches, compiled kernels
            ceiling = run_in_client_process("ceiling", server.port, tokens["support"], 10.0,
                                            args.connections)
            mixed = run_in_client_process("mixed", server.port, tokens["support"],
                                          args.terminals, args.rate, args.duration,
                                          args.connections, args.write_share, 2)
        finally:
            server.stop()
    lat = mixed["latencies"]
    n_ok = len(lat["decision"]) + len(lat["write"])
    n_err = sum(mixed["errors"].values())
    achieved = (n_ok + n_err) / mixed["elapsed_s"]
    ceiling_rps = ceiling["count"] / ceiling["elapsed_s"]
    d50, d99 = percentiles_ms(lat["decision"])
    w50, w99 = percentiles_ms(lat["write"])
    print(f"baseline /healthz ceiling: {ceiling_rps:,.0f} req/s ({args.connections} "
          "connections, closed loop)")
    print(f"mixed: offered {args.rate:,.0f} req/s for {args.duration:.0f} s -> "
          f"{achieved:,.0f} req/s, {n_ok:,} ok, {n_err} errors {mixed['errors'] or ''}")
    print(f"single decisions: {len(lat['decision']):,}  p50 {d50:.2f} ms  p99 {d99:.2f} ms")
    print(f"writes:           {len(lat['write']):,}  p50 {w50:.2f} ms  p99 {w99:.2f} ms")
    print(f"ratio: mixed / target 1000 req/s = {achieved / 1000:.2f}; "
          f"mixed / /healthz ceiling = {achieved / ceiling_rps:.2f}")
    print(f"after: {load_line()}")
    met = achieved >= 1000 and n_err == 0 and d99 <= 20.0
    print("targets met" if met else "TARGETS NOT MET")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
