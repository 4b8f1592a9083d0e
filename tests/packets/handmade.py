"""Hand-made path timelines: fixed link lengths, paths given node by node."""

from __future__ import annotations

import itertools

import numpy as np

from leonet.packets.topology import PathTimeline
from leonet.physics.timegrid import TimeGrid

C_KM_S = 299_792.458  # SI definition of the metre


def hand_timeline(n_steps: int, step_s: float, links, link_km, paths) -> PathTimeline:
    """A hand-made timeline: ``paths[k]`` node lists (empty: no service), fixed link
    lengths."""
    grid = TimeGrid.range("2026-12-05T00:00:00Z", (n_steps - 1) * step_s, step_s)
    links = np.array(links, np.int64)
    key = {tuple(sorted(map(int, ln))): i for i, ln in enumerate(links)}
    ids, seen, one_way = [], {}, []
    for p in paths:
        if not p:
            ids.append(-1)
            one_way.append(np.nan)
            continue
        ids.append(seen.setdefault(tuple(p), len(seen)))
        one_way.append(sum(link_km[key[tuple(sorted(ab))]] for ab in itertools.pairwise(p))
                       / C_KM_S * 1e3)
    indptr = np.concatenate([[0], np.cumsum([len(p) for p in paths])])
    labels = np.array([f"n{i}" for i in range(links.max() + 1)], dtype=object)
    return PathTimeline(grid, step_s, labels, links,
                        np.tile(np.array(link_km, float), (n_steps, 1)),
                        indptr, np.concatenate([np.asarray(p, np.int64) for p in paths]),
                        np.array(ids), np.array(one_way))
