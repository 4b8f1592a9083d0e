"""Maps and profiles that do not mislead (issue 14 §2): percent scales stay within 0–100, a
constant field says so instead of inventing a range, a profile's latitude axis spans its
cells with the legend clear of the lines, and maps carry country outlines."""

from __future__ import annotations

import numpy as np
import pytest

from leonet.regional.cells import region_cells
from leonet.reporting import maps
from tests.reporting.figures import capture_figures, data_axes, outline_segments, renderer


@pytest.fixture(scope="module")
def taiwan():
    return region_cells("TW", 5)


def _colourbars(fig) -> list:
    return [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]


def test_constant_percent_field_says_so(tmp_path, monkeypatch, taiwan) -> None:
    figs = capture_figures(monkeypatch)
    maps.cell_map(taiwan, np.full(len(taiwan), 100.0), tmp_path / "c.png", title="t",
                  label="percent of time covered", percent=True)
    fig = figs["c.png"]
    assert _colourbars(fig) == []  # no 90–110 % bar
    (ax,) = data_axes(fig)
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["percent of time covered: 100 % in every cell"]
    assert outline_segments(ax) > 10  # Taiwan's coast


@pytest.mark.parametrize(("values", "limits"), [((12.5, 97.0), (12.5, 97.0)),
                                                ((-4.0, 130.0), (0.0, 100.0))])
def test_percent_scale_is_clamped(tmp_path, monkeypatch, taiwan, values, limits) -> None:
    figs = capture_figures(monkeypatch)
    vals = np.linspace(values[0], values[1], len(taiwan))
    maps.cell_map(taiwan, vals, tmp_path / "p.png", title="t", label="percent", percent=True)
    (bar,) = _colourbars(figs["p.png"])
    assert bar.get_ylim() == pytest.approx(limits)


def test_profile_axis_follows_the_cells_and_legend_is_outside(tmp_path, monkeypatch,
                                                              taiwan) -> None:
    figs = capture_figures(monkeypatch)
    rng = np.random.default_rng(1)
    n = len(taiwan)
    maps.latitude_profile(taiwan.lat_deg, {"mean": 20 + rng.random(n), "min": 10 + rng.random(n)},
                          tmp_path / "tw.png", title="t", weights=taiwan.area_km2,
                          percent={"percent": np.full(n, 100.0)})
    fig = figs["tw.png"]
    ax = fig.axes[0]
    lo, hi = ax.get_xlim()
    assert taiwan.lat_deg.min() - 1.0 < lo <= taiwan.lat_deg.min()
    assert taiwan.lat_deg.max() <= hi < taiwan.lat_deg.max() + 1.0
    assert sum(np.isfinite(line.get_ydata()).sum() for line in ax.lines[:1]) >= 20  # bins
    r = renderer(fig)
    legend = ax.get_legend().get_window_extent(r)
    for a in fig.axes:
        assert not legend.overlaps(a.get_window_extent(r))


def test_region_map_has_true_scale_aspect() -> None:
    assert maps.region_aspect(60.0, 60.0) == pytest.approx(2.0)
    assert maps.region_aspect(-10.0, 10.0) == pytest.approx(1.0)
