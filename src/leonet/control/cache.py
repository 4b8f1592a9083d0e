"""A user cache folder for derived arrays (never inside the repository).

``$LEONET_CACHE_DIR`` wins, then ``$XDG_CACHE_HOME/leonet``, then ``~/.cache/leonet``. Entries
are named by a hash of everything they were derived from, so a changed input is a new name and
a stale entry is never read; writes go through a temporary file and an atomic rename so a
crashed or concurrent writer never leaves a half-written entry behind.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np

# Bump when the layout of any cached array changes: old entries then simply stop matching.
CACHE_FORMAT = "6"


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
            return {name: data[name] for name in data.files}
    except (OSError, ValueError, EOFError):
        return None


def store_arrays(kind: str, key: str, arrays: dict[str, np.ndarray]) -> None:
    """Store ``arrays`` under ``kind/key``; a read-only or full disk only costs the speed-up."""
    folder = cache_dir() / kind
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
        os.replace(tmp, folder / f"{key}.npz")
    except OSError:
        return
