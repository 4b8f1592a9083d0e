"""A user cache folder for derived arrays (never inside the repository).

``$LEONET_CACHE_DIR`` wins, then ``$XDG_CACHE_HOME/leonet``, then ``~/.cache/leonet``. Entries
are named by a hash of everything they were derived from, so a changed input is a new name and
a stale entry is never read; writes go through a temporary file and an atomic rename so a
crashed or concurrent writer never leaves a half-written entry behind. Each kind keeps its
`MAX_ENTRIES_PER_KIND` most recently used entries, so the folder stays bounded however many
policies are compiled.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np

# Bump when the layout of any cached array changes: old entries then simply stop matching.
CACHE_FORMAT = "6"

# A policy's grid index and its index with the waters baked in are ~100-140 MB each and every
# policy compiled leaves one of each: the least recently used beyond this many go (a test
# suite or a scenario with a dozen policies once filled 1.4 GB).
MAX_ENTRIES_PER_KIND = 8


def cache_dir() -> Path:
    env = os.environ.get("LEONET_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "leonet"


def digest(*parts: bytes | str | np.ndarray) -> str:
    """A short hex digest of ``parts`` (arrays hashed by dtype, shape and bytes)."""
    h = hashlib.blake2b(digest_size=16)
    h.update(CACHE_FORMAT.encode())
    for part in parts:
        if isinstance(part, np.ndarray):
            h.update(f"{part.dtype.str}{part.shape}".encode())
            h.update(np.ascontiguousarray(part).data)
        elif isinstance(part, str):
            h.update(part.encode())
        else:
            h.update(part)
        h.update(b"\x00")
    return h.hexdigest()


def load_arrays(kind: str, key: str) -> dict[str, np.ndarray] | None:
    """The arrays stored under ``kind/key``, or None when absent or unreadable."""
    path = cache_dir() / kind / f"{key}.npz"
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
    except (OSError, ValueError, EOFError):
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # used now: the last to be evicted
    return arrays


def store_arrays(kind: str, key: str, arrays: dict[str, np.ndarray]) -> None:
    """Store ``arrays`` under ``kind/key``; a read-only or full disk only costs the speed-up."""
    folder = cache_dir() / kind
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
        os.replace(tmp, folder / f"{key}.npz")
        _evict(folder, keep=MAX_ENTRIES_PER_KIND)
    except OSError:
        return


def _evict(folder: Path, keep: int) -> None:
    """Delete all but the ``keep`` most recently used entries of ``folder``."""
    entries = []
    for path in folder.glob("*.npz"):
        try:
            entries.append((path.stat().st_mtime_ns, path))
        except OSError:
            continue  # removed by a concurrent writer's eviction
    for _, path in sorted(entries, reverse=True)[keep:]:
        path.unlink(missing_ok=True)
