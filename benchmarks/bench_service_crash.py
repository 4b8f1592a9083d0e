"""Crash test: kill -9 the server while clients write 10,000 terminal updates.

Clients (16 connections, each owning its own terminals) send `PATCH /v1/terminals/{id}` with
If-Match and record every acknowledged write (200 with the new ETag). Part-way through, the
server is killed with SIGKILL and restarted on the same port; clients reconnect and carry
on (an update in flight at the kill may or may not have committed: a 412 tells them so and
they re-read the terminal). After 10,000 acknowledged writes the database is checked:

* every terminal's stored version and kit type equal its last acknowledged write;
* every acknowledged (terminal, version) has its audit entry;
* `leonet audit verify` exits 0.

The figure printed is acknowledged writes per second, with a baseline measured in the same
run: bare SQLite commits per second on the same disk with the service's durability settings
(WAL, synchronous NORMAL by default), one row per commit, no HTTP and no audit chain.

    python benchmarks/bench_service_crash.py [--writes 10000] [--kill-after 4000] [--db URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import subprocess
import sys
import tempfile
import time

import orjson
from _service import LEONET, Connection, Server, load_line, seed

from leonet.control.registry.db import sqlite_synchronous

CONNECTIONS = 16


async def _writer(w: int, port: int, token: str, owned: list[str], state: dict) -> None:
    conn = Connection("127.0.0.1", port, token)
    versions = dict.fromkeys(owned, 1)
    k = 0
    while state["acked"] < state["target"] and time.monotonic() < state["deadline"]:
        terminal = owned[k % len(owned)]
        kit = f"w{w}-{k}"
        try:
            status, headers, body = await conn.request(
                "PATCH", f"/v1/terminals/{terminal}", orjson.dumps({"kit_type": kit}),
                headers=f'If-Match: "{versions[terminal]}"\r\n')
        except (ConnectionError, OSError, asyncio.IncompleteReadError, ValueError):
            conn.close()
            state["failed_attempts"] += 1
            await asyncio.sleep(0.05)  # the server is down: retry the same write shortly
            continue
        if status == 200:
            version = int(headers["etag"].strip('"'))
            versions[terminal] = version
            state["acks"].append((terminal, version, kit))
            state["acked"] += 1
            k += 1
        elif status == 412:
            # The write in flight at the kill committed without an acknowledgement: re-read.
            status, headers, body = await conn.request("GET", f"/v1/terminals/{terminal}")
            versions[terminal] = json.loads(body)["version"]
            state["resynced"] += 1
        else:
            raise RuntimeError(f"unexpected {status}: {body[:300]!r}")
    conn.close()


async def _run(server: Server, token: str, n_terminals: int, target: int, kill_after: int,
               timeout_s: float) -> dict:
    state = {"acked": 0, "target": target, "acks": [], "failed_attempts": 0, "resynced": 0,
             "deadline": time.monotonic() + timeout_s}
    ids = [f"UT-{i:06d}" for i in range(n_terminals)]
    start = time.perf_counter()
    writers = [asyncio.create_task(_writer(w, server.port, token, ids[w::CONNECTIONS], state))
               for w in range(CONNECTIONS)]
    while state["acked"] < kill_after and time.monotonic() < state["deadline"]:
        await asyncio.sleep(0.005)
    state["killed_at_ack"] = state["acked"]
    server.kill()  # SIGKILL: no shutdown, no flush
    killed = time.perf_counter()
    await asyncio.to_thread(server.start)
    state["restart_s"] = time.perf_counter() - killed
    await asyncio.gather(*writers)
    state["elapsed_s"] = time.perf_counter() - start
    return state


def _check(db_url: str, acks: list[tuple[str, int, str]]) -> tuple[int, int]:
    """(acknowledged writes missing from the terminals, ... missing from the audit log)."""
    from leonet.control.registry import Database
    from leonet.control.registry.models import AuditEntry, Terminal

    last: dict[str, tuple[int, str]] = {}
    for terminal, version, kit in acks:
        if version > last.get(terminal, (0, ""))[0]:
            last[terminal] = (version, kit)
    db = Database(db_url)
    with db.read() as s:
        stored = {t.id: (t.version, t.kit_type) for t in s.query(Terminal)}
        audited = set()
        for entry in s.query(AuditEntry).filter(AuditEntry.action == "terminal.update"):
            audited.add((entry.entity_id, json.loads(entry.detail)["version"]))
    db.dispose()
    lost_state = sum(stored.get(t) != v for t, v in last.items())
    lost_audit = sum((t, v) not in audited for t, v, _ in acks)
    return lost_state, lost_audit


def sqlite_commits_per_s(path: str, n: int = 2000) -> float:
    """Baseline: bare SQLite commits with the registry's durability settings."""
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute(f"PRAGMA synchronous={sqlite_synchronous()}")
    con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
    start = time.perf_counter()
    for i in range(n):
        con.execute("BEGIN IMMEDIATE")
        con.execute("INSERT INTO t (v) VALUES (?)", (f"row {i}",))
        con.execute("COMMIT")
    elapsed = time.perf_counter() - start
    con.close()
    return n / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=10_000)
    parser.add_argument("--kill-after", type=int, default=4_000)
    parser.add_argument("--terminals", type=int, default=400)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--db", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db_url = args.db or f"sqlite:///{tmp}/crash.db"
        tokens = seed(db_url, args.terminals)
        server = Server(db_url).start()
        print(f"{args.writes:,} updates over {args.terminals} terminals, "
              f"{CONNECTIONS} connections; kill -9 after {args.kill_after:,}; {load_line()}")
        try:
            state = asyncio.run(_run(server, tokens["support"], args.terminals, args.writes,
                                     args.kill_after, args.timeout))
        finally:
            server.stop()
        acks = state["acks"]
        lost_state, lost_audit = _check(db_url, acks)
        verify = subprocess.run([LEONET, "audit", "verify", "--db", db_url],
                                capture_output=True, text=True, check=False)
        baseline = sqlite_commits_per_s(f"{tmp}/baseline.db")
    rate = len(acks) / state["elapsed_s"]
    print(f"killed at {state['killed_at_ack']:,} acknowledged writes; restarted in "
          f"{state['restart_s']:.1f} s; {state['failed_attempts']} attempts failed while down, "
          f"{state['resynced']} in-flight writes found committed and re-read")
    print(f"acknowledged writes: {len(acks):,} in {state['elapsed_s']:.1f} s "
          f"= {rate:,.0f} writes/s (including the outage)")
    print(f"acknowledged writes missing: {lost_state} from terminals, {lost_audit} from the "
          "audit log")
    print(f"leonet audit verify: exit {verify.returncode}: "
          f"{(verify.stdout or verify.stderr).strip()}")
    print(f"baseline: bare SQLite commits (WAL, synchronous={sqlite_synchronous()}) "
          f"{baseline:,.0f}/s; ratio service / bare = "
          f"{rate / baseline:.4f}")
    print(f"after: {load_line()}")
    ok = (len(acks) >= args.writes and lost_state == 0 and lost_audit == 0
          and verify.returncode == 0)
    print("crash test passed" if ok else "CRASH TEST FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
