"""Reading drawn figures back for tests: what a reader of the PNG would see, taken from the
matplotlib objects as they are saved (colours of legend entries, axis ranges, colour-bar
limits, outlines), so tests assert properties, not pixels."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib.colors as mcolors
import pytest

from leonet.reporting import plots


def capture_figures(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """``{file name: Figure}`` of every figure saved through `plots.save` from now on (the
    files are still written); `renderer` gives the renderer each was laid out with."""
    saved: dict[str, object] = {}
    real_save = plots.save

    def save(fig, path: Path) -> Path:
        saved[Path(path).name] = fig
        fig.canvas.draw()  # lay out now: saving closes the figure and drops its canvas
        _RENDERERS[id(fig)] = fig.canvas.get_renderer()
        return real_save(fig, path)

    monkeypatch.setattr(plots, "save", save)
    return saved


_RENDERERS: dict[int, object] = {}


def renderer(fig):
    """The renderer ``fig`` was laid out with when saved (for window extents)."""
    return _RENDERERS[id(fig)]


def legend_colours(fig) -> list[tuple[str, str]]:
    """``(name, "#rrggbb")`` of every legend entry of ``fig`` (`axes_legend_colours`)."""
    return [entry for ax in fig.axes for entry in axes_legend_colours(ax)]


def axes_legend_colours(ax) -> list[tuple[str, str]]:
    """``(name, "#rrggbb")`` of the legend entries of ``ax``, the name without a count in
    brackets or a "denied: " prefix."""
    legend = ax.get_legend()
    if legend is None:
        return []
    return [(re.sub(r" \([\d,]+\)$", "", text.get_text()).removeprefix("denied: "),
             mcolors.to_hex(_colour(handle)))
            for handle, text in zip(legend.legend_handles, legend.get_texts(), strict=True)]


def _colour(handle):
    if hasattr(handle, "get_facecolor") and len(handle.get_facecolor()):
        face = handle.get_facecolor()
        return face[0] if getattr(face, "ndim", 1) == 2 else face
    return handle.get_color()


def outline_segments(ax) -> int:
    """Line segments of the country outlines (`maps.draw_countries`) drawn on ``ax``."""
    from matplotlib.collections import LineCollection

    return sum(len(c.get_segments()) for c in ax.collections if isinstance(c, LineCollection))


def data_axes(fig) -> list:
    """The axes of ``fig`` that show data (not colour bars, not switched off)."""
    return [ax for ax in fig.axes if ax.axison and ax.get_label() != "<colorbar>"]
