import datetime as dt

import numpy as np
import pytest
from skyfield.api import load

from leonet.errors import InputError
from leonet.physics.timegrid import TimeGrid, iso_utc, parse_duration_s, parse_utc


def test_range_includes_end_and_has_exact_steps():
    grid = TimeGrid.range("2026-08-23T00:00:00Z", "1h", "15s")
    assert len(grid) == 241
    assert grid.iso[0] == "2026-08-23T00:00:00Z"
    assert grid.iso[-1] == "2026-08-23T01:00:00Z"
    assert np.all(np.diff(grid.offsets_s) == 15.0)


def test_julian_date_split_matches_skyfield_utc():
    ts = load.timescale(builtin=True)
    grid = TimeGrid.from_instants(["2026-08-23T12:34:56.789Z", "2000-01-01T00:00:00Z"])
    t = ts.utc(np.array([2026, 2000]), np.array([8, 1]), np.array([23, 1]),
               np.array([12, 0]), np.array([34, 0]), np.array([56.789, 0.0]))
    # sgp4's convention: UTC Julian date, whole part at midnight.
    utc_jd = t.whole + t.tai_fraction - t._leap_seconds() / 86400.0
    assert np.allclose(grid.jd + grid.fr, utc_jd, atol=1e-11, rtol=0)
    assert np.all(np.mod(grid.jd, 1.0) == 0.5)
    assert np.allclose(grid.ut1_minus_utc_s, t.dut1, atol=1e-9)


def test_offsets_zones_and_datetimes():
    a = parse_utc("2026-08-23T02:00:00+02:00")
    b = parse_utc(dt.datetime(2026, 8, 23, tzinfo=dt.UTC))
    assert a == b == np.datetime64("2026-08-23T00:00:00", "ns")


@pytest.mark.parametrize("text,seconds", [
    ("6h", 21600.0), ("10m", 600.0), ("1.9s", 1.9), ("100ms", 0.1), ("PT6H", 21600.0),
    ("1h30m", 5400.0), ("P1D", 86400.0), (15, 15.0), ("2d", 172800.0),
])
def test_durations(text, seconds):
    assert parse_duration_s(text) == pytest.approx(seconds)


@pytest.mark.parametrize("kwargs,match", [
    ({"duration": "-1h", "step": "15s"}, "duration must be >= 0"),
    ({"duration": "1h", "step": "0s"}, "step must be > 0"),
    ({"duration": "1h", "step": "-5s"}, "step must be > 0"),
    ({"duration": "1 fortnight", "step": "5s"}, "unknown unit|cannot read"),
])
def test_bad_ranges_are_named(kwargs, match):
    with pytest.raises(InputError, match=match):
        TimeGrid.range("2026-08-23T00:00:00Z", **kwargs)


def test_time_without_zone_is_refused():
    with pytest.raises(InputError, match="no timezone"):
        TimeGrid.range("2026-08-23T00:00:00", "1h", "1m")
    with pytest.raises(InputError, match="expected ISO 8601"):
        parse_utc("yesterday")


def test_chunks_cover_grid():
    grid = TimeGrid.range("2026-08-23T00:00:00Z", "10m", "1s")
    parts = list(grid.chunks(100))
    assert sum(len(g) for _, g in parts) == len(grid)
    assert parts[-1][0] == 600 and parts[-1][1].utc[-1] == grid.utc[-1]


def test_iso_utc_matches_the_standard_library():
    """Against `datetime.isoformat` of the same instants (whole microseconds, which both
    can hold), per instant and for arrays, from int64 ns and from datetime64."""
    rng = np.random.default_rng(2)
    us = rng.integers(0, 4_102_444_800 * 10**6, 50)  # 1970 .. 2100
    ref = [(dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=int(u))).isoformat(
        timespec="microseconds") + "Z" for u in us]
    ns = us * 1000
    assert [iso_utc(int(t), "us") for t in ns] == ref
    assert iso_utc(ns, "us").tolist() == ref
    assert iso_utc(ns.astype("datetime64[ns]"), "us").tolist() == ref
    assert iso_utc(ns, "s").tolist() == [r[:19] + "Z" for r in ref]
    # By default the coarsest unit that shows every instant exactly, as TimeGrid.iso.
    assert iso_utc(np.array([0, 2 * 10**9])).tolist() == ["1970-01-01T00:00:00Z",
                                                         "1970-01-01T00:00:02Z"]
    assert iso_utc(np.array([0, 1_500_000])).tolist() == ["1970-01-01T00:00:00.000000000Z",
                                                         "1970-01-01T00:00:00.001500000Z"]
    assert iso_utc(2_000_000) == "1970-01-01T00:00:00.002Z"
