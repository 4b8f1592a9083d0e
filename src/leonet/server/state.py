"""What one server process holds: settings, the database, the registry cache, the decision
batcher and the writer thread.

The batcher comes in from `leonet.server.main.create_app`, which wires it to
`leonet.server.deciding.compute`: the state knows nothing of how decisions are made.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from leonet.control.registry.cache import RegistryCache
from leonet.control.registry.db import Database, SqlWrite
from leonet.control.registry.facts import RegionLookup
from leonet.server.batcher import Batcher
from leonet.server.settings import Settings

T = TypeVar("T")


@dataclass
class ServiceState:
    settings: Settings
    db: Database
    regions: RegionLookup
    # Small decision requests queue here and are decided together (`Batcher`).
    batcher: Batcher
    # Signs audit checkpoints (GET /v1/audit/checkpoint); never stored in the database.
    signing_key: Ed25519PrivateKey | None = None
    cache: RegistryCache = field(init=False)
    # Hot writes run here, one at a time, off the event loop: writers queue in order on one
    # thread instead of many pool threads taking turns at the writer lock and the GIL.
    _writer: ThreadPoolExecutor = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.cache = RegistryCache(self.db)
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="leonet-write")

    async def write_sql(self, change: Callable[[SqlWrite], T]) -> T:
        """``change(tx)`` in a `Database.write_sql` transaction on the writer thread; returns
        once it is committed (or raises what it raised, with nothing stored)."""
        return await asyncio.get_running_loop().run_in_executor(
            self._writer, self._run_write, change)

    def start_writer(self) -> None:
        """Start the writer thread and open its connection now, not on the first write."""
        self._writer.submit(self._run_write, lambda tx: None).result()

    def _run_write(self, change: Callable[[SqlWrite], T]) -> T:
        with self.db.write_sql() as tx:
            return change(tx)
