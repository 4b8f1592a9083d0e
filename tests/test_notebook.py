"""Result objects in a notebook (issue 14 §6): ``_repr_html_`` is well-formed HTML holding the
object's values, escaped; ``to_pandas()``/``to_arrow()`` hold the object's own arrays, row for
row. Values are checked against the arrays the objects expose and against inputs written
here (an ISS element set, hand-placed terminals), not against the HTML code's own output."""

from __future__ import annotations

import numpy as np
import pytest

from leonet.control.detect.incidents import IncidentLog
from leonet.control.policy import Policy
from leonet.notebook.display import MAX_ROWS
from leonet.physics.ground import concat_points, find_city
from leonet.physics.network import Network
from leonet.physics.orbits.constellation import Constellation
from leonet.physics.orbits.tle import parse_tle
from leonet.physics.timegrid import TimeGrid
from leonet.regional.cells import region_cells
from leonet.regional.coverage import region_coverage
from tests.html_cells import parsed

pd = pytest.importorskip("pandas", reason="to_pandas() needs pandas (the test extra has it)")

ISS = ("{name}\n1 25544U 98067A   19343.69339541  .00001764  00000-0  38792-4 0  9991\n"
       "2 25544  51.6439 211.2001 0007417  17.6667  85.6398 15.50103472202482\n")
def test_constellation_repr_is_escaped_and_to_pandas_matches():
    name = "ISS <b>&</b> \"zarya\""
    sats = Constellation.from_element_set(parse_tle(ISS.format(name=name), source="iss.tle"))
    page = sats._repr_html_()
    assert "<b>" not in page and "&lt;b&gt;&amp;&lt;/b&gt;" in page
    cells = parsed(page)
    assert name in cells.cells and "25,544" in cells.cells
    df = sats.to_pandas()
    assert list(df.columns) == ["name", "norad_id", "shell_index", "plane", "slot"]
    assert df["name"].tolist() == [name] and df["norad_id"].tolist() == [25544]
    assert sats.to_arrow().num_rows == 1


def test_big_constellation_shows_a_few_rows_and_counts_the_rest():
    sats = Constellation.load("oneweb")  # FCC 17-77: 18 planes of 40 satellites
    cells = parsed(sats._repr_html_())
    assert f"… {18 * 40 - MAX_ROWS:,} more rows (to_pandas() has them all)" in cells.cells
    assert "720 satellites" in cells.caption
    df = sats.to_pandas()
    assert len(df) == 720
    np.testing.assert_array_equal(df["plane"].to_numpy(), sats.plane)
    np.testing.assert_array_equal(df["slot"].to_numpy(), sats.slot)
    assert df["plane"].max() == 17 and df["slot"].max() == 39


def test_ephemeris_summary():
    sats = Constellation.load("oneweb")[:5]
    eph = sats.propagate(TimeGrid.range("2026-08-23T00:00:00Z", "2min", "1min"))
    cells = parsed(eph._repr_html_()).cells
    row = dict(zip(cells[::2], cells[1::2], strict=True))
    assert row["instants"] == "3" and row["satellites"] == "5"
    assert row["first"] == "2026-08-23T00:00:00Z" and row["last"] == "2026-08-23T00:02:00Z"
    assert row["satellites with SGP4 errors"] == "0"


def test_decisions_repr_and_frame():
    policy = Policy.from_text('version = "v<1>"\ndefault = "allow"\n'
                              '[[rules]]\nid = "no-fast"\neffect = "deny"\n'
                              'speed_kmh_above = 100\n')
    lat = np.array([50.45, 48.0, 10.0])
    lon = np.array([30.52, 2.0, -60.0])
    speed = np.array([0.0, 500.0, 50.0])
    d = policy.decide(lat_deg=lat, lon_deg=lon, speed_kmh=speed,
                      time="2026-02-10T12:00:00Z")
    page = d._repr_html_()
    cells = parsed(page)
    assert "v&lt;1&gt;" in page and "v<1>" in cells.caption
    assert "2 of 3 allowed" in cells.caption
    df = d.to_pandas()
    assert list(df.columns) == ["lat_deg", "lon_deg", "time", "allowed", "rule"]
    np.testing.assert_array_equal(df["lat_deg"].to_numpy(), lat)
    assert df["allowed"].tolist() == [True, False, True]
    assert df["rule"].tolist() == ["default", "no-fast", "default"]
    assert str(df["time"].iloc[0]) == "2026-02-10 12:00:00+00:00"


def test_incidents_repr_and_frame():
    log = IncidentLog()
    t0 = np.datetime64("2026-02-10T12:00:00", "ns")
    log.add(terminal_id=["T<1>", "T2"], kind="speed_limit", start=[t0, t0],
            end=[t0 + np.timedelta64(60, "s")] * 2, evidence=["900 km/h > 100 & rising", "x"],
            rule="no-fast", n_reports=[3, 4], lat_deg=[50.0, 49.0], lon_deg=[30.0, 31.0])
    found = log.freeze()
    page = found._repr_html_()
    assert "T&lt;1&gt;" in page and "&gt; 100 &amp; rising" in page
    cells = parsed(page).cells
    assert "T<1>" in cells and "2026-02-10T12:01:00.000Z" in cells
    df = found.to_pandas()
    assert list(df.columns)[:5] == ["terminal_id", "kind", "start", "end", "evidence"]
    assert sorted(df["terminal_id"]) == ["T2", "T<1>"]
    assert df["n_reports"].sum() == 7
    assert found.to_arrow().num_rows == 2


def test_route_series_frame_is_time_major():
    sats = Constellation.load("starlink-gen1").filter(alt_km=(549, 551))
    net = Network.build(sats)
    src = concat_points([find_city(c).point() for c in ("Kyiv", "Taipei")])
    dst = concat_points([find_city(c).point() for c in ("London", "Tokyo")])
    series = net.routes(src, dst, TimeGrid.range("2026-08-23T00:00:00Z", "60s", "30s"),
                        mode="operator")
    df = series.to_pandas()
    assert len(df) == series.n_times * series.n_pairs == 6
    np.testing.assert_array_equal(df["rtt_ms"].to_numpy(), series.rtt_ms.ravel())
    assert df["source"].tolist()[:2] == [str(n) for n in src.names]
    assert df["time"].iloc[2] == pd.Timestamp("2026-08-23T00:00:30Z")
    cells = parsed(series._repr_html_())
    assert "2 pairs at 3 instants" in cells.caption


def test_region_coverage_frame_has_one_row_per_cell():
    cells = region_cells("h3:85283473fffffff", 5)
    cov = region_coverage(cells, Constellation.load("oneweb"),
                          TimeGrid.range("2026-08-23T00:00:00Z", "2min", "1min"))
    df = cov.to_pandas()
    assert df["h3_cell"].tolist() == ["85283473fffffff"]
    assert set(cov.columns()) == set(df.columns)
    page = parsed(cov._repr_html_())
    assert "85283473fffffff" in page.cells
