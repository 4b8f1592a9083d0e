"""Detection on a Dask cluster, with the incidents and notes of one run.

Every detector but ``cluster`` looks at one terminal's reports at a time, so the terminals are
split into shards by a CRC-32 of their id (`leonet.distributed.shards`) and each shard runs
them on a worker. Clusters are groups of terminals appearing together, so they need every
appearance at once: each shard also returns its appearance rows (found against the start of
the whole telemetry, not the shard's), and one task groups them all. Appearances are a
terminal's first report and its returns after a long silence, a small share of the rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from leonet.control.detect import clusters
from leonet.control.detect.config import DetectConfig
from leonet.control.detect.context import Context
from leonet.control.detect.facts import TerminalFacts
from leonet.control.detect.incidents import IncidentLog
from leonet.control.detect.per_terminal import run_detectors
from leonet.control.telemetry import Telemetry
from leonet.distributed.shards import default_shards, map_shards, shard_of


def detect_sharded(tel: Telemetry, policy, facts: TerminalFacts | None,
                   config: DetectConfig, chosen: Sequence[str], client,
                   n_shards: int | None = None) -> IncidentLog:
    """The incidents of ``chosen`` detectors over ``tel`` (not empty), on the cluster behind
    ``client``, in ``n_shards`` terminal shards (default: `default_shards`)."""
    n = default_shards(client) if n_shards is None else n_shards
    of_row = shard_of(tel.terminals, n)[tel.codes]
    # Shards that hold no terminal are left out; the others keep their number in errors.
    parts = [(k, rows, tel.take(rows)) for k in range(n)
             if (rows := np.flatnonzero(of_row == k)).size]
    common = {"policy": policy, "facts": facts, "config": config, "chosen": tuple(chosen),
              "first_ns": int(tel.time_ns.min())}
    log = IncidentLog()
    appear = []
    for shard_log, rows in map_shards(client, _detect_shard, parts, common,
                                      what=f"terminal shard (CRC-32 of terminal_id mod {n})"):
        log.absorb(shard_log)
        appear.append(rows)
    if "cluster" in chosen:
        seen = tel.take(np.sort(np.concatenate(appear)))
        [found] = map_shards(client, _cluster, [seen], {"policy": policy, "facts": facts,
                                                        "config": config},
                             what="cluster search over the appearances")
        # Its context's notes describe the appearances only; the shards' describe the run.
        log.absorb(found, notes=False)
    return log


def _detect_shard(part: tuple[int, np.ndarray, Telemetry], policy, facts, config,
                  chosen: tuple[str, ...], first_ns: int) -> tuple[IncidentLog, np.ndarray]:
    """One shard on a worker: its incidents and its appearance rows (rows of the whole)."""
    _, rows, tel = part
    log = IncidentLog()
    ctx = Context(tel, policy, facts, config, log)
    run_detectors(ctx, [k for k in chosen if k != "cluster"])
    if "cluster" not in chosen:
        return log, np.zeros(0, np.int64)
    return log, rows[clusters.appearances(ctx, first_ns)]


def _cluster(seen: Telemetry, policy, facts, config) -> IncidentLog:
    """The clusters among every appearance of the run (``seen``), on a worker."""
    log = IncidentLog()
    clusters.cluster(Context(seen, policy, facts, config, log), np.arange(len(seen)))
    return log
