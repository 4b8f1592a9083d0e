"""The typed results of a replay carry what their names say, in the units their names say:
RTT in milliseconds against a hand computation, areas in km² against H3's own cell areas,
times in nanoseconds against the scenario file's dates."""

from __future__ import annotations

import dataclasses
import math

import h3
import numpy as np
import pytest

from leonet.scenario import ScenarioResult, load_scenario, run
from leonet.scenario.results import CoverageRun, Event, LatencyRun, PolicyChange, WindowResult
from tests.html_cells import parsed
from tests.scenario.test_run import EXTRAS, make, ns

C_KM_S = 299_792.458  # speed of light, SI definition
EARTH_MEAN_RADIUS_KM = 6371.0088  # IUGG mean radius
FIBRE_ROUTE_FACTOR, FIBRE_INDEX = 1.3, 1.47  # docs/network.md


@pytest.fixture(scope="module")
def result(tmp_path_factory) -> ScenarioResult:
    return run(load_scenario(make(tmp_path_factory.mktemp("typed"), EXTRAS)))


def haversine_km(lat1, lon1, lat2, lon2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_MEAN_RADIUS_KM * math.asin(math.sqrt(h))


def test_the_result_is_frozen_and_built_of_typed_parts(result):
    assert isinstance(result.latency, LatencyRun)
    assert all(isinstance(e, Event) for e in result.events)
    assert all(isinstance(c, PolicyChange) for c in result.policy_changes)
    assert all(isinstance(w, WindowResult) for w in result.windows)
    assert all(isinstance(c, CoverageRun) for c in result.coverage)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.events = ()  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.events[0].time_ns = 0  # type: ignore[misc]


def test_latency_rtt_is_in_milliseconds(result):
    lat = result.latency
    assert lat.places == ("Kyiv",) and lat.to[0].startswith("PoP ")
    fibre = lat.series["fibre"]
    gc_km = haversine_km(fibre.src.lat_deg[0], fibre.src.lon_deg[0], fibre.dst.lat_deg[0],
                         fibre.dst.lon_deg[0])
    assert 1000 < gc_km < 2500  # Kyiv to a western European PoP (Frankfurt: ~1,550 km)
    # Terrestrial baseline: there and back along the great circle times the route factor,
    # at c over the refractive index.
    expect_ms = 2 * gc_km * FIBRE_ROUTE_FACTOR * FIBRE_INDEX / C_KM_S * 1e3
    by_mode = {r.mode: r for r in lat.routes}
    assert set(by_mode) == set(lat.series)
    assert by_mode["fibre"].rtt_ms_median == pytest.approx(expect_ms, abs=0.01)
    assert by_mode["fibre"].availability == 1.0 and by_mode["fibre"].path_changes == 0
    # Through space: no faster than light along the straight line there and back, nor than
    # up to a 540 km shell and down, twice; and well under a geostationary hop (~480 ms).
    op = by_mode["operator"]
    floor_ms = max(2 * gc_km, 4 * 540.0) / C_KM_S * 1e3
    assert floor_ms < op.rtt_ms_median <= op.rtt_ms_p95 < 100.0
    rtt = lat.series["operator"].rtt_ms[:, 0]
    assert op.rtt_ms_median == pytest.approx(float(np.nanmedian(rtt)))
    # Instants without service are counted by reason.
    n_times = len(lat.grid)
    for r in lat.routes:
        assert sum(n for _, n in r.no_service) == round(n_times * (1 - r.availability))


def test_coverage_area_is_in_square_km_and_gaps_in_seconds(result):
    (c,) = result.coverage
    assert c.region == "MD" and c.resolution == 3
    s = c.summary
    ids = c.cells.ids.tolist()
    assert s.cells == len(ids) > 0
    assert s.area_km2 == pytest.approx(sum(h3.cell_area(i, unit="km^2") for i in ids),
                                       rel=1e-9)
    assert 10_000 < s.area_km2 / s.cells < 15_000  # an H3 res-3 cell is ~12,400 km²
    assert 0.0 <= s.longest_gap_s <= 600.0  # the run lasts 10 minutes
    assert 0.0 <= s.worst_percent_covered <= s.percent_covered <= 100.0
    assert s.min_in_view <= s.mean_in_view <= s.max_in_view
    assert list(s.to_dict()) == [f.name for f in dataclasses.fields(s)]


def test_event_and_window_times_are_nanoseconds_of_the_scenario_dates(result):
    policy = [e for e in result.events if e.kind == "policy"]
    assert [e.time_ns for e in policy] == [ns("2026-01-02T00:00:00Z"),
                                           ns("2026-01-06T00:00:00Z")]
    assert [e.name for e in policy] == ["activated", "speed and funding rules"]
    assert policy[0].gained > 0 and policy[0].lost == 0
    # the detail says why terminals gained service: the rule that denied them before
    assert f"{policy[0].gained:,} gain: no policy was in force before" in policy[0].detail
    stops = [e for e in result.events if e.kind == "funding"]
    assert [e.time_ns for e in stops] == [ns("2026-01-08T00:00:00Z")]
    assert [e.time_ns for e in result.events] == sorted(e.time_ns for e in result.events)
    (w,) = result.windows
    assert (w.start_ns, w.end_ns) == (ns("2026-01-03T12:00:00Z"), ns("2026-01-05T12:00:00Z"))
    t = w.telemetry.time.view(np.int64)
    assert w.n_reports == t.size > 0 and w.start_ns <= t.min() and t.max() < w.end_ns
    # Every 30 minutes from each terminal switched on: no more reports than that.
    assert w.n_reports <= w.n_terminals * (w.end_ns - w.start_ns) // (30 * 60 * 10**9)
    assert w.n_suspended == 12  # the planted cluster, as test_run checks terminal by terminal
    assert w.suspended_for == (("cluster", 12),)
    (susp,) = [e for e in result.events if e.kind == "enforcement"]
    assert susp.name == f"suspensions: window {w.name}"
    assert susp.detail == "12 terminals suspended for their incidents: cluster 12"
    assert [c.step.from_ns for c in result.policy_changes] == [e.time_ns for e in policy]


def test_notebook_summary_holds_the_result(result):
    cells = parsed(result._repr_html_())
    row = dict(zip(cells.cells[::2], cells.cells[1::2], strict=True))
    assert cells.caption.startswith(f"Scenario {result.scenario.name}")
    assert row["terminals"] == f"{len(result.fleet):,}"
    assert row["incidents"] == f"{len(result.incidents):,}"
    assert row["events"] == f"{len(result.events):,}"
    assert row["policies"] == ", ".join(p.version for p in result.policies)
    assert row["latency run"] == "yes"
