"""Issue 17 A: every time that enters leonet, over the whole of years 1-9999, is either held
exactly or refused naming the field and the representable range; never wrapped.

The authority is Python's own `datetime` arithmetic (exact over years 1-9999): the nanoseconds
an instant must have are ``(t - 1970-01-01) // 1 µs * 1000``, and an instant is representable
when that fits in an int64."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leonet.cli import main
from leonet.control.policy import Policy
from leonet.control.telemetry import telemetry_from_arrays
from leonet.errors import InputError
from leonet.physics.timegrid import TimeGrid, parse_utc
from leonet.scenario.spec import load_scenario
from leonet.server.decision_codec import parse_arrow, parse_json
from leonet.server.problems import Problem
from leonet.server.routes.detection import _window

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
INT64 = (-(2**63) + 1, 2**63 - 1)
RANGE_TEXT = "1677-09-21T00:12:44Z .. 2262-04-11T23:47:16Z"

instants = st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30),
                        timezones=st.just(dt.UTC))
offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))
zoned = st.builds(lambda t, z: t.astimezone(z), instants, offsets)
SETTINGS = settings(max_examples=150, deadline=None, database=None)


def expected_ns(t: dt.datetime) -> int | None:
    """The exact nanoseconds of ``t``, or None when int64 cannot hold them."""
    ns = (t - EPOCH) // dt.timedelta(microseconds=1) * 1000
    return ns if INT64[0] <= ns <= INT64[1] else None


def iso(t: dt.datetime) -> str:
    return t.isoformat()


@SETTINGS
@given(zoned)
def test_parse_utc_is_exact_or_refuses(t):
    want = expected_ns(t)
    if want is None:
        with pytest.raises(InputError, match=RANGE_TEXT):
            parse_utc(iso(t), what="at")
    else:
        assert int(parse_utc(iso(t), what="at").view(np.int64)) == want


@SETTINGS
@given(zoned)
def test_policy_until_is_exact_or_no_end_and_from_exact_or_refused(t):
    def doc(key):
        return (f'version = "p"\ndefault = "allow"\n[[rules]]\nid = "r"\neffect = "deny"\n'
                f'{key} = "{iso(t)}"\n')

    want = expected_ns(t)
    if want is None and t.year > 2000:
        assert Policy.from_text(doc("until")).rules[0].end is None  # "no end": for ever
    elif want is None:
        with pytest.raises(InputError, match=r"until: .*representable range"):
            Policy.from_text(doc("until"))
    else:
        assert int(Policy.from_text(doc("until")).rules[0].end.view(np.int64)) == want
    if want is None and t.year > 2000:
        with pytest.raises(InputError, match=r"\.from: .*representable range"):
            Policy.from_text(doc("from"))
    else:
        start = Policy.from_text(doc("from")).rules[0].start
        assert (start is None) if want is None else int(start.view(np.int64)) == want


def test_a_deny_until_9999_still_denies_in_2026():
    policy = Policy.from_text('version = "p"\ndefault = "allow"\n[[rules]]\nid = "r"\n'
                              'effect = "deny"\nuntil = "9999-12-31T23:59:59Z"\n')
    assert not policy.decide(lat_deg=50.45, lon_deg=30.52,
                             time="2026-02-10T12:00:00Z").allowed.all()


@SETTINGS
@given(zoned)
def test_decision_json_time_is_exact_or_422(t):
    body = json.dumps({"terminal_id": "UT-1", "time": iso(t), "lat_deg": 0, "lon_deg": 0})
    batch_body = json.dumps({"columns": {"terminal_id": ["UT-1"], "time": [iso(t)],
                                         "lat_deg": [0], "lon_deg": [0]}})
    want = expected_ns(t)
    for text in (body, batch_body):
        if want is None:
            with pytest.raises(Problem) as info:
                parse_json(text.encode(), 10)
            assert info.value.status == 422 and "/time" in info.value.detail
        else:
            assert parse_json(text.encode(), 10).time_ns[0] == want


@SETTINGS
@given(instants, st.sampled_from(["s", "ms", "us"]))
def test_arrow_timestamps_are_exact_or_422(t, unit):
    per = {"s": 1, "ms": 1000, "us": 1_000_000}[unit]
    count = (t - EPOCH) // dt.timedelta(microseconds=1) * per // 1_000_000
    table = pa.table({"terminal_id": ["UT-1"], "lat_deg": [0.0], "lon_deg": [0.0],
                      "time": pa.array([count], pa.timestamp(unit, tz="UTC"))})
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    want_ns = count * (1_000_000_000 // per)
    if INT64[0] <= want_ns <= INT64[1]:
        assert parse_arrow(sink.getvalue().to_pybytes(), 10, 1 << 20).time_ns[0] == want_ns
    else:
        with pytest.raises(Problem) as info:
            parse_arrow(sink.getvalue().to_pybytes(), 10, 1 << 20)
        assert info.value.status == 422 and "/time" in info.value.detail


@SETTINGS
@given(instants, st.sampled_from(["text", "s", "us"]))
def test_telemetry_times_are_exact_or_the_row_is_dropped(t, form):
    if form == "text":
        times = [iso(t)]
    else:
        per = {"s": 1, "us": 1_000_000}[form]
        count = (t - EPOCH) // dt.timedelta(microseconds=1) * per // 1_000_000
        times = pa.array([count], pa.timestamp(form, tz="UTC"))
        t = EPOCH + dt.timedelta(microseconds=count * 1_000_000 // per)
    tel, issues = telemetry_from_arrays(["UT-1"], times, [0.0], [0.0], [0.0], [0.0],
                                        future_tolerance_s=1e15)
    want = expected_ns(t)
    if want is None:
        assert len(tel) == 0 and "representable range" in issues.reason[0]
    else:
        assert tel.time.view(np.int64).tolist() == [want]


@SETTINGS
@given(zoned, st.booleans())
def test_query_windows_are_exact_open_or_422(t, is_end):
    want = expected_ns(t)
    args = (None, t) if is_end else (t, None)
    if want is None and (t.year > 2000) == is_end:
        assert _window(*args, "query:") == (None, None)  # open on that side
    elif want is None:
        with pytest.raises(Problem) as info:
            _window(*args, "query:")
        assert info.value.status == 422 and RANGE_TEXT in info.value.detail
        assert info.value.detail.startswith(f"query:{'end' if is_end else 'start'}")
    else:
        assert _window(*args, "query:") == args


@SETTINGS
@given(instants)
def test_scenario_start_is_exact_or_refused(t):
    text = (f'[scenario]\nname = "s"\ntitle = "S"\nstart = "{iso(t)}"\n'
            f'end = "{iso(t + dt.timedelta(days=1))}"\nstep = "1h"\n')
    want, after = expected_ns(t), expected_ns(t + dt.timedelta(days=1))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.toml"
        path.write_text(text)
        _check_scenario(path, want, after)


def _check_scenario(path: Path, want: int | None, after: int | None) -> None:
    if want is None or after is None:
        with pytest.raises(InputError, match="representable range"):
            load_scenario(path)
    else:
        try:
            spec = load_scenario(path)
        except InputError as exc:  # the rest of the file is incomplete on purpose
            assert "representable" not in str(exc)
        else:
            assert spec.start_ns == want


def test_time_grid_end_past_2262_is_refused():
    with pytest.raises(InputError, match="start \\+ duration"):
        TimeGrid.range("2262-01-01T00:00:00Z", "400d", "1d")


@pytest.mark.parametrize("at", ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z",
                                "2026-02-10T12:00:00+23:59"])
def test_cli_time_options_exit_2_naming_the_option(at, capsys):
    assert main(["overhead", "--lat", "0", "--lon", "0", "--at", at]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "at " in err and ("representable range" in err or "offset" in err), err


@pytest.mark.parametrize("text", ["2026-02-10T12:00:00+23:59", "2026-02-10T12:00:00-1401",
                                  "2026-02-10T12:00:00+15:00"])
def test_offsets_beyond_14_hours_are_refused_everywhere(text):
    with pytest.raises(InputError, match="offset"):
        parse_utc(text)
    with pytest.raises(Problem, match="offset"):
        parse_json(json.dumps({"columns": {"terminal_id": ["UT-1"], "time": [text],
                                           "lat_deg": [0], "lon_deg": [0]}}).encode(), 10)
    tel, issues = telemetry_from_arrays(["UT-1"], [text], [0.0], [0.0], [0.0], [0.0])
    assert len(tel) == 0 and "offset" in issues.reason[0]
