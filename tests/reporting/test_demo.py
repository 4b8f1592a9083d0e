"""`make demo` end to end: the shipped end-to-end scenario and every physics section run on
embedded defaults, the report names its figures and files (the numbers themselves are
checked by each wing's tests), and its figures do not mislead (issue 14 §2): one colour per
rule or incident kind across every figure, labelled axes, legends clear of the event markers,
percent scales within 0–100, outlines on the maps."""

import json
from collections import defaultdict

import pytest

from leonet.reporting.demo import DEMO_SCENARIO, SECTIONS, run_demo
from leonet.reporting.scenario_figures import report_palette
from tests.reporting.figures import (
    axes_legend_colours,
    capture_figures,
    data_axes,
    legend_colours,
    outline_segments,
    renderer,
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo written into a fresh folder, with every figure it drew."""
    out = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as mp:
        figures = capture_figures(mp)
        html = run_demo(out, progress=lambda _: None)
    return out, html, figures


def test_demo_writes_a_complete_report(demo):
    tmp_path, html, _ = demo
    assert html == tmp_path / "index.html" and html.exists()
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    titles = [line[3:] for line in report.splitlines() if line.startswith("## ")]
    assert titles[0] == f"Scenario: {DEMO_SCENARIO}"
    for needed in ("Events", "Terminals served over time", "Unauthorized use: telemetry, "
                   "detectors and suspensions", "Coverage of the affected areas",
                   "Latency in the affected areas"):
        assert needed in titles
    assert len(titles) == 7 + len(SECTIONS)
    for line in report.splitlines():
        if line.startswith("![") or line.startswith("Files: "):
            for name in line.replace("`", " ").replace("(", " ").replace(")", " ").split():
                if name.endswith((".png", ".csv", ".geojson", ".parquet")):
                    assert (tmp_path / name).stat().st_size > 0, name
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert results["scenario"] == DEMO_SCENARIO and len(results["policies"]) == 6


def test_one_colour_per_rule_and_kind_across_the_report(demo):
    _, _, figures = demo
    palette = report_palette()
    seen = defaultdict(set)
    for name in ("decisions.png", "incidents.png", "policy-ukraine-2026.png"):
        for fig_name, colour in legend_colours(figures[name]):
            seen[fig_name].add(colour)
    assert {"allowed", "suspended", "crimea-not-activated", "denied_region"} <= seen.keys()
    for name, colours in seen.items():
        assert colours == {palette[name]}, name
    # and no two names share a colour within a panel
    for ax in figures["decisions.png"].axes:
        if ax.get_legend() is not None:
            entries = [c for _, c in axes_legend_colours(ax)]
            assert len(entries) == len(set(entries))


def test_axes_are_labelled(demo):
    _, _, figures = demo
    for name, fig in figures.items():
        for ax in data_axes(fig):
            # panels sharing an axis may label it once
            assert any(a.get_ylabel() for a in ax.get_shared_y_axes().get_siblings(ax)), \
                (name, ax.get_title())
            assert any(a.get_xlabel() for a in ax.get_shared_x_axes().get_siblings(ax)), \
                (name, ax.get_title())


def test_served_legends_leave_the_event_markers_visible(demo):
    _, _, figures = demo
    fig = figures["served.png"]
    r = renderer(fig)
    markers = [t for ax in fig.axes for t in ax.texts]
    assert [t.get_text() for t in markers] == [str(i) for i in range(1, 7)]
    for ax in fig.axes:
        legend = ax.get_legend().get_window_extent(r)
        assert not legend.overlaps(ax.get_window_extent(r))
        for t in markers:
            assert not legend.overlaps(t.get_window_extent(r))


def test_percent_maps_stay_within_0_to_100(demo):
    _, _, figures = demo
    fig = figures["coverage_UA_40deg.png"]
    bars = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
    if bars:
        lo, hi = bars[0].get_ylim()
        assert 0.0 <= lo < hi <= 100.0
    else:  # a constant field: said in words
        (ax,) = data_axes(fig)
        assert "in every cell" in ax.get_legend().get_texts()[0].get_text()


def test_maps_have_outlines(demo):
    _, _, figures = demo
    for name in ("policy-ukraine-2026.png", "sky_map.png", "decisions.png", "incidents.png",
                 "coverage_UA_40deg.png", "capacity_UA.png"):
        for ax in data_axes(figures[name]):
            assert outline_segments(ax) >= 5, name  # a line per country coast in view
    lo, hi = figures["coverage_latitude.png"].axes[0].get_xlim()
    assert -90.0 <= lo < hi <= 90.0
