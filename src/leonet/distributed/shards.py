"""Rows split into shards by a stable hash of a key (a terminal id), and a task per shard on a
Dask cluster, its result handed back in shard order.

The hash is CRC-32 (zlib), never Python's ``hash()``: that one is salted per process, so the
caller, the workers and tomorrow's run would each put a terminal in another shard.

>>> shard_of(np.array(["UT-1", "UT-2", "UT-1"], dtype=object), 4).tolist()
[1, 3, 1]
>>> import zlib; [zlib.crc32(b"UT-1") % 4, zlib.crc32(b"UT-2") % 4]
[1, 3]
"""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from leonet.distributed.windows import hold_inputs
from leonet.errors import InputError

# Shards per worker by default: a few per worker keep both busy to the end of a run when
# shards differ in size, at ~1 ms of scheduling each.
SHARDS_PER_WORKER = 4


def shard_of(keys: np.ndarray, n_shards: int) -> np.ndarray:
    """The shard of each key: CRC-32 of its UTF-8 text modulo ``n_shards`` (int64)."""
    if int(n_shards) != n_shards or n_shards < 1:
        raise InputError(f"the number of shards must be a whole number >= 1, got {n_shards}")
    distinct, inverse = np.unique(np.asarray(keys, dtype=object), return_inverse=True)
    crc = np.fromiter((zlib.crc32(str(k).encode("utf-8")) for k in distinct.tolist()),
                      dtype=np.int64, count=distinct.size)
    return (crc % n_shards)[inverse]


def default_shards(client) -> int:
    """`SHARDS_PER_WORKER` per worker of the cluster behind ``client``."""
    return SHARDS_PER_WORKER * max(1, len(client.scheduler_info()["workers"]))


def map_shards(client, task: Callable, shards: Sequence[object],
               inputs: Mapping[str, object], *, what: str = "shard",
               progress: Callable[[int], None] | None = None) -> list:
    """``task(shard, *inputs.values())`` for every shard on the cluster behind ``client``,
    the results in shard order. The common inputs travel once each, inside tasks of their
    own (`hold_inputs`). A bad input
    raised on a worker comes back naming the shard (``what`` k of n) as well as its own
    place; ``progress`` gets 1 per shard done."""
    # Heavy optional dependency: imported only when a cluster is used.
    from distributed import as_completed

    run = uuid.uuid4().hex
    held = hold_inputs(client, inputs, run)
    futures = [client.submit(task, shard, *held, key=f"{what}-{k}-{run}", pure=False)
               for k, shard in enumerate(shards)]
    index = {f.key: k for k, f in enumerate(futures)}
    results: list = [None] * len(futures)
    try:
        for done in as_completed(futures):
            k = index[done.key]
            try:
                results[k] = done.result()
            except InputError as exc:
                raise InputError(str(exc), f"{what} {k} of {len(futures)}") from None
            done.release()
            if progress is not None:
                progress(1)
    finally:
        client.cancel([*futures, *held])
    return results
