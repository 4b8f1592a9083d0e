"""Opportunistic batching of small decision requests.

Each engine call has a fixed cost (argument checks, array set-up) that dwarfs the cost of one
row. Small requests are therefore queued, and one worker thread decides everything queued
since its last call in a single engine call: when requests are rare each batch is one request
(no added wait), and under load batches grow by themselves, so throughput rises with load
instead of collapsing. Nothing waits for a timer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any


class Batcher:
    """``await batcher.submit(item)`` → ``compute([items])[i]`` for that item."""

    def __init__(self, compute: Callable[[list[Any]], list[Any]]) -> None:
        self._compute = compute
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="leonet-decide")
        self._pending: list[tuple[Any, asyncio.Future]] = []
        self._draining = False
        self._task: asyncio.Task | None = None

    async def submit(self, item: Any) -> Any:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._pending.append((item, future))
        if not self._draining:
            self._draining = True
            self._task = loop.create_task(self._drain(loop))
        return await future

    async def _drain(self, loop: asyncio.AbstractEventLoop) -> None:
        try:
            while self._pending:
                taken, self._pending = self._pending, []
                try:
                    results = await loop.run_in_executor(
                        self._executor, self._compute, [item for item, _ in taken])
                except Exception as exc:  # a failure of the whole batch fails each request
                    results = [exc] * len(taken)
                for (_, future), result in zip(taken, results, strict=True):
                    if future.done():
                        continue  # the client went away
                    if isinstance(result, Exception):
                        future.set_exception(result)
                    else:
                        future.set_result(result)
        finally:
            self._draining = False

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
