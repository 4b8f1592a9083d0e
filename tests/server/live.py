"""Run the real `leonet serve` (uvicorn) on a free loopback port, as a user would."""

from __future__ import annotations

import os
import queue
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

LEONET = str(Path(sys.executable).with_name("leonet"))
READY = "Uvicorn running on"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([LEONET, *args], capture_output=True, text=True, timeout=120,
                          check=False, env={**os.environ, "COLUMNS": "200"})


def _pump(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


class LiveServer:
    """``with LiveServer(url) as base:`` serves until the block ends (or `kill`)."""

    def __init__(self, database_url: str, *extra: str, startup_s: float = 180.0) -> None:
        self.database_url = database_url
        self.extra = extra
        self.startup_s = startup_s
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.log: list[str] = []

    def start(self) -> str:
        self.process = subprocess.Popen(
            [LEONET, "serve", "--db", self.database_url, "--host", "127.0.0.1",
             "--port", str(self.port), *self.extra],
            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
        )
        # A thread reads stderr line by line (select() on a buffered pipe can miss lines
        # already read into Python's buffer).
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=_pump, args=(self.process.stderr, lines), daemon=True).start()
        deadline = time.monotonic() + self.startup_s
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = lines.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                break
            self.log.append(line)
            if READY in line:
                return self.base
        self.stop()
        raise RuntimeError("leonet serve did not start:\n" + "".join(self.log))

    def kill(self) -> None:
        """kill -9: no shutdown handlers, no flushing."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
