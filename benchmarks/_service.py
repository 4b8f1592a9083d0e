"""Shared by the service benchmarks: a real `leonet serve` on loopback, a seeded registry,
and a minimal keep-alive HTTP/1.1 client (asyncio) cheap enough not to be the bottleneck.

Everything stays on 127.0.0.1; every loop is bounded in time and count.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
LEONET = str(Path(sys.executable).with_name("leonet"))
SCENARIO = ROOT / "scenarios" / "ukraine-2026.toml"
READY = "Uvicorn running on"
# Places well inside Ukraine and Poland, for decision traffic.
PLACES = np.array([(50.45, 30.52), (49.84, 24.03), (49.99, 36.23), (46.48, 30.73),
                   (52.23, 21.01), (50.06, 19.94)])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_line() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def seed(db_url: str, n_terminals: int) -> dict[str, str]:
    """Registry with ``n_terminals`` active terminals (half whitelisted in UA) and the Ukraine
    2026 scenario active; returns tokens by role."""
    from leonet.control.registry import (
        Database,
        accounts,
        migrate,
        policies,
        terminals,
        tokens,
        whitelist,
    )
    from leonet.control.registry.audit import Actor, utc_now

    db = Database(db_url)
    migrate.upgrade(db)
    actor = Actor("bench-setup", "admin")
    long_ago = utc_now() - dt.timedelta(days=400)
    with db.write() as s:
        out = {"admin": tokens.bootstrap(s, "bench-admin").token}
        for role in ("support", "policy_author", "policy_approver"):
            out[role] = tokens.issue(s, actor, role, subject=f"bench-{role}").token
        for k in range(10):
            accounts.create(s, actor, id=f"ACC-{k}", name=f"Account {k}", home_country="UA",
                            plan="residential")
    with db.write() as s:
        for i in range(n_terminals):
            terminals.create(s, actor, id=f"UT-{i:06d}", kit_serial=f"KIT-{i:06d}",
                             dish_id=f"DISH-{i:06d}", kit_type="standard",
                             account_id=f"ACC-{i % 10}", status="active",
                             purchased_at=long_ago, activated_at=long_ago)
            if i % 2 == 0:
                whitelist.create(s, actor, terminal_id=f"UT-{i:06d}", region="UA",
                                 evidence_ref=f"bench-{i}", verified_at=long_ago)
    author = Actor("bench-policy_author", "policy_author")
    approver = Actor("bench-policy_approver", "policy_approver")
    with db.write() as s:
        stored = policies.upload(s, author, document=SCENARIO.read_text(), fmt="toml")
    with db.write() as s:
        policies.activate(s, approver, stored.row.id, "benchmark")
    db.dispose()
    return out


def _pump(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


class Server:
    """`leonet serve` in its own process on a free loopback port."""

    def __init__(self, db_url: str, *extra: str) -> None:
        self.db_url = db_url
        self.extra = extra
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        # Every line the server writes to stderr after it started (drained by a thread).
        self.lines: queue.Queue[str | None] = queue.Queue()

    def start(self, timeout_s: float = 120.0) -> Server:
        self.process = subprocess.Popen(
            [LEONET, "serve", "--db", self.db_url, "--port", str(self.port), *self.extra],
            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        # A thread reads stderr line by line and keeps draining it, so the server never
        # blocks on a full pipe (select() on a buffered pipe can also miss lines).
        lines = self.lines
        threading.Thread(target=_pump, args=(self.process.stderr, lines), daemon=True).start()
        deadline = time.monotonic() + timeout_s
        log = []
        workers = int(self.extra[self.extra.index("--workers") + 1]) if "--workers" in \
            self.extra else 1
        listening, started = False, 0
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = lines.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                break
            log.append(line)
            listening |= READY in line
            started += "Application startup complete" in line
            if listening and started >= workers:  # every worker has warmed up
                return self
        self.kill()
        raise RuntimeError("leonet serve did not start:\n" + "".join(log))

    def log(self) -> list[str]:
        """The lines the server wrote to stderr since it started and were not read yet."""
        out = []
        while True:
            try:
                line = self.lines.get_nowait()
            except queue.Empty:
                return out
            if line is not None:
                out.append(line)

    def kill(self) -> None:
        """kill -9."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
        if self.process is not None:
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


class _Responses(asyncio.Protocol):
    """Collects bytes and cuts them into responses (status line, headers, Content-Length
    body): one callback per read, no await per header line."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.waiter is not None and not self.waiter.done():
            response = self._cut()
            if response is not None:
                self.waiter.set_result(response)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("server closed the connection"))

    def _cut(self) -> tuple[int, dict[str, str], bytes] | None:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        lines = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
        found: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            found[name.strip().lower()] = value.strip()
        length = int(found.get("content-length", "0"))
        if len(self.buffer) < end + 4 + length:
            return None
        data = bytes(self.buffer[end + 4:end + 4 + length])
        del self.buffer[:end + 4 + length]
        return int(lines[0].split(" ", 2)[1]), found, data


class Connection:
    """One keep-alive HTTP/1.1 connection; responses must carry Content-Length. Kept cheap
    (a protocol, one write per request) because it shares the machine with the server."""

    def __init__(self, host: str, port: int, token: str) -> None:
        self.host, self.port = host, port
        self.auth = f"Authorization: Bearer {token}\r\n".encode()
        self._protocol: _Responses | None = None

    async def open(self) -> None:
        _, self._protocol = await asyncio.get_running_loop().create_connection(
            _Responses, self.host, self.port)

    def close(self) -> None:
        if self._protocol is not None and self._protocol.transport is not None:
            self._protocol.transport.close()
        self._protocol = None

    async def request(self, method: str, path: str, body: bytes = b"",
                      headers: str = "", content_type: str = "application/json",
                      ) -> tuple[int, dict[str, str], bytes]:
        if self._protocol is None or self._protocol.transport is None:
            await self.open()
        protocol = self._protocol
        head = (f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\n"
                f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n{headers}")
        protocol.waiter = asyncio.get_running_loop().create_future()
        protocol.transport.write(head.encode() + self.auth + b"\r\n" + body)
        return await protocol.waiter


@dataclass(frozen=True)
class Latencies:
    """One kind of request's latencies, in ms: the tail as well as the middle, because a
    single stall of a second hides below p99 in a minute of traffic."""

    count: int
    p50_ms: float
    p99_ms: float
    p999_ms: float
    max_ms: float

    def line(self) -> str:
        return (f"{self.count:,}  p50 {self.p50_ms:.2f} ms  p99 {self.p99_ms:.2f} ms  "
                f"p99.9 {self.p999_ms:.2f} ms  max {self.max_ms:.2f} ms")


def latencies_ms(latencies_s: list[float]) -> Latencies:
    if not latencies_s:
        return Latencies(0, float("nan"), float("nan"), float("nan"), float("nan"))
    values = np.asarray(latencies_s) * 1000
    p50, p99, p999 = np.percentile(values, [50, 99, 99.9])
    return Latencies(len(values), float(p50), float(p99), float(p999), float(values.max()))


ARROW = "application/vnd.apache.arrow.stream"
PARQUET = "application/vnd.apache.parquet"


def _position_table(n_rows: int):
    """``n_rows`` identical positions of one terminal: compresses to almost nothing."""
    import pyarrow as pa  # only the hostile benchmarks build Arrow bodies

    return pa.table({
        "terminal_id": pa.DictionaryArray.from_arrays(pa.array(np.zeros(n_rows, np.int32)),
                                                      pa.array(["UT-C"])),
        "time": pa.array(np.full(n_rows, 1_770_724_800, np.int64)).cast(
            pa.timestamp("s", tz="UTC")),
        "lat_deg": np.full(n_rows, 50.45), "lon_deg": np.full(n_rows, 30.52),
        "alt_m": np.zeros(n_rows), "speed_kmh": np.zeros(n_rows)})


def arrow_bomb(n_rows: int) -> bytes:
    """A zstd-compressed Arrow IPC stream of ``n_rows`` rows (20 M rows: about 28 KB)."""
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    table = _position_table(n_rows)
    with pa.ipc.new_stream(sink, table.schema,
                           options=pa.ipc.IpcWriteOptions(compression="zstd")) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def parquet_bomb(n_rows: int) -> bytes:
    """A zstd-compressed Parquet file of ``n_rows`` rows (20 M rows: about 0.5 MB)."""
    import pyarrow.parquet as pq

    out = io.BytesIO()
    pq.write_table(_position_table(n_rows), out, compression="zstd")
    return out.getvalue()


def process_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) process ``pid`` has used (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def process_rss_bytes(pid: int) -> tuple[int, int]:
    """Resident memory of process ``pid`` now and at its peak (``VmRSS``, ``VmHWM``)."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0]) * 1024
    return found["VmRSS"], found["VmHWM"]
