"""Matplotlib figures shared by the CLI and reports (Agg backend: no display needed).

matplotlib is loaded with the first figure (`pyplot`), not with this module: it takes about
0.4 s to import, and the CLI imports this module at start-up.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np


@functools.cache
def pyplot():
    """`matplotlib.pyplot`, on the Agg backend (files only, no display)."""
    # Imported here, not at the top: ~0.4 s that `leonet --help` must not pay.
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def subplots(*args, **kwargs):
    """A figure and its axes: `matplotlib.pyplot.subplots` on the Agg backend."""
    return pyplot().subplots(*args, **kwargs)


def world_axes(title: str, figsize: tuple[float, float] = (12, 6.2)):
    """A plate carrée world map frame with a 30° graticule."""
    fig, ax = subplots(figsize=figsize)
    ax.set_xlim(-180, 180)
    ax.set_ylim(-90, 90)
    ax.set_xticks(np.arange(-180, 181, 30))
    ax.set_yticks(np.arange(-90, 91, 30))
    ax.grid(True, color="0.85", linewidth=0.5)
    ax.set_xlabel("longitude (°)")
    ax.set_ylabel("latitude (°)")
    ax.set_title(title)
    ax.set_aspect("equal")
    return fig, ax


def unwrapped_tracks(lon_deg: np.ndarray, lat_deg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ground tracks ``(n_times, n_tracks)`` with NaN breaks where they cross ±180°, so
    lines are not drawn across the whole map."""
    lon = np.array(lon_deg, dtype=float)
    lat = np.array(lat_deg, dtype=float)
    jump = np.abs(np.diff(lon, axis=0)) > 180
    lon[1:][jump] = np.nan
    return lon, lat


def save(fig, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    pyplot().close(fig)
    return path
