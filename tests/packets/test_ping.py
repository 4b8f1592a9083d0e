"""Pings in ns-3 against authorities: hand-computed propagation and serialisation delays on
fixed paths, and leonet's own route RTTs (computed without ns-3) over time."""

from __future__ import annotations

import numpy as np
import pytest

from leonet.packets.topology import path_one_way_ms
from tests.packets.handmade import C_KM_S, hand_timeline

pytest.importorskip("ns", reason="the packets extra (ns-3) is absent: "
                                 "pip install -e '.[packets]'")
pytestmark = pytest.mark.packets

from leonet.packets.ping import run_ping  # noqa: E402 - after the skip: it needs ns-3

# A ping on the wire: 56 B payload + 8 B ICMP + 20 B IPv4 + 2 B PPP (ns-3's PointToPoint).
PING_WIRE_BITS = (56 + 8 + 20 + 2) * 8


def test_static_two_hop_rtt_is_propagation_plus_serialisation():
    # source 0 — relay 2 — destination 1, 1,000 km and 2,000 km, 10 Mbit/s links.
    tl = hand_timeline(10, 0.1, [(0, 2), (1, 2)], [1000.0, 2000.0], [[0, 2, 1]] * 10)
    res = run_ping(tl, interval_s=0.05, link_rate_bps=10e6, queue_packets=100)
    expected_ms = (2 * 3000.0 / C_KM_S + 4 * PING_WIRE_BITS / 10e6) * 1e3  # 20.289 ms
    assert res.send_s.size == 20
    assert np.isfinite(res.rtt_ms).all()
    # ns-3 counts time in nanoseconds: each of 4 link delays rounds by <= 0.5 ns.
    np.testing.assert_allclose(res.rtt_ms, expected_ms, atol=2e-6)
    summary = res.summary()  # a constant RTT: every figure is the hand-computed one
    assert (summary.pings, summary.lost, summary.loss, summary.path_changes) == (20, 0, 0, 0)
    for rtt_ms in (summary.rtt_ms_min, summary.rtt_ms_median, summary.rtt_ms_p99):
        assert rtt_ms == pytest.approx(expected_ms, abs=2e-6)


def test_replies_slower_than_a_second_are_awaited():
    # 2 x 225,000 km (stale elements can put a "satellite" that far): RTT 3.0 s, past a
    # fixed 1 s wait after the window.
    tl = hand_timeline(2, 0.1, [(0, 2), (1, 2)], [225_000.0, 225_000.0], [[0, 2, 1]] * 2)
    res = run_ping(tl, interval_s=0.05)
    expected_ms = (4 * 225_000.0 / C_KM_S + 4 * PING_WIRE_BITS / 10e9) * 1e3
    np.testing.assert_allclose(res.rtt_ms, expected_ms, atol=2e-6)


def test_rtt_jumps_at_the_path_change_instant():
    # Path 0-2-1 (2 × 1,000 km) for the first second, then 0-3-1 (2 × 3,000 km).
    paths = [[0, 2, 1]] * 10 + [[0, 3, 1]] * 10
    tl = hand_timeline(20, 0.1, [(0, 2), (1, 2), (0, 3), (1, 3)],
                   [1000.0, 1000.0, 3000.0, 3000.0], paths)
    res = run_ping(tl, interval_s=0.01, link_rate_bps=10e9, queue_packets=100_000)
    short = (4 * 1000.0 / C_KM_S + 4 * PING_WIRE_BITS / 10e9) * 1e3
    long = (4 * 3000.0 / C_KM_S + 4 * PING_WIRE_BITS / 10e9) * 1e3
    before = res.send_s + short / 1e3 < 1.0  # the echo's round trip ends on the first path
    after = res.send_s >= 1.0
    np.testing.assert_allclose(res.rtt_ms[before], short, atol=2e-6)
    np.testing.assert_allclose(res.rtt_ms[after], long, atol=2e-6)
    assert not np.isnan(res.rtt_ms).any()
    assert list(res.path_id[[0, -1]]) == [0, 1]


def test_more_pings_than_a_16_bit_sequence_number_counts():
    # 80,000 pings at 10 µs: ICMP sequence numbers wrap after 65,536 (at 0.655 s). The path
    # lengthens at 0.7 s, so a reply matched to the wrong request shows in its RTT.
    paths = [[0, 2, 1]] * 7 + [[0, 3, 1]]
    tl = hand_timeline(8, 0.1, [(0, 2), (1, 2), (0, 3), (1, 3)],
                   [1000.0, 1000.0, 3000.0, 3000.0], paths)
    res = run_ping(tl, interval_s=1e-5)
    assert res.send_s.size == 80_000 > 2**16
    np.testing.assert_allclose(res.send_s[[65_536, -1]], [0.65536, 0.79999], atol=1e-12)
    short = (4 * 1000.0 / C_KM_S + 4 * PING_WIRE_BITS / 10e9) * 1e3
    long = (4 * 3000.0 / C_KM_S + 4 * PING_WIRE_BITS / 10e9) * 1e3
    before = res.send_s + short / 1e3 < 0.7
    after = res.send_s >= 0.7
    assert np.isfinite(res.rtt_ms).all()
    np.testing.assert_allclose(res.rtt_ms[before], short, atol=2e-6)
    np.testing.assert_allclose(res.rtt_ms[after], long, atol=2e-6)


def test_timeline_links_sum_to_leonets_route_delay(paris_berlin):
    series, tl = paris_berlin
    for k in range(0, series.n_times, 7):
        assert path_one_way_ms(tl, k) == pytest.approx(series.one_way_ms[k, 0], abs=1e-9)


def test_ping_rtts_track_leonets_route_rtt_over_time(paris_berlin):
    series, tl = paris_berlin
    res = run_ping(tl, interval_s=0.005)
    step = (res.send_s / 0.1).astype(int)
    leonet_rtt = series.rtt_ms[step, 0]
    ok = np.isfinite(res.rtt_ms)
    assert ok.mean() > 0.99
    # A ping whose round trip spans a path change travels partly on each path: left out.
    t_change = tl.grid.offsets_s[tl.path_changes()]
    spans = ((res.send_s[:, None] < t_change) &
             (res.send_s[:, None] + leonet_rtt[:, None] / 1e3 > t_change)).any(axis=1)
    assert spans.mean() < 0.05
    ok &= ~spans
    # Hypatia's check: RTT = 2 × one-way delay at send time within 0.1 ms + transmission.
    tx_ms = 2 * len(tl.path(0)) * PING_WIRE_BITS / 10e9 * 1e3
    assert np.all(np.abs(res.rtt_ms[ok] - leonet_rtt[ok]) < 0.1 + tx_ms)
    # leonet's path changes at slot boundaries show in the ping series at that instant.
    changes = tl.path_changes()
    assert changes.size >= 1
    for k in changes:
        jump = series.rtt_ms[k, 0] - series.rtt_ms[k - 1, 0]
        if abs(jump) < 0.2:
            continue
        t = tl.grid.offsets_s[k]
        pre = res.rtt_ms[(res.send_s < t - 0.05) & (res.send_s > t - 0.1)]
        post = res.rtt_ms[(res.send_s >= t) & (res.send_s < t + 0.05)]
        assert np.nanmedian(post) - np.nanmedian(pre) == pytest.approx(jump, abs=0.1)


def test_udp_deadline_misses_fall_exactly_where_one_way_delay_exceeds_the_deadline():
    from leonet.packets.udp import run_udp

    # One-way 2 × 6,000 km (40.0 ms) for 1 s, then 2 × 18,000 km (120.1 ms), then back.
    paths = [[0, 2, 1]] * 10 + [[0, 3, 1]] * 10 + [[0, 2, 1]] * 10
    tl = hand_timeline(30, 0.1, [(0, 2), (1, 2), (0, 3), (1, 3)],
                   [6000.0, 6000.0, 18000.0, 18000.0], paths)
    res = run_udp(tl, rate_hz=50.0, size_b=200, deadline_s=0.1)
    wire_ms = 2 * (200 + 8 + 20 + 2) * 8 / 10e9 * 1e3  # two hops of UDP/IP/PPP at 10 Gbit/s
    one_way = np.where((res.send_s >= 1.0) & (res.send_s < 2.0), 36000.0, 12000.0) \
        / C_KM_S * 1e3 + wire_ms
    np.testing.assert_allclose(res.latency_ms, one_way, atol=2e-6)
    np.testing.assert_array_equal(res.missed, one_way > 100.0)
    assert res.missed.sum() == 50
    # Slots start 12, 27, 42 and 57 s past the minute: 00:00:00 .. 00:00:03 is in one.
    slots = res.per_slot()
    assert len(slots) == 1 and (slots.sent[0], slots.lost[0], slots.missed[0]) == (150, 0, 50)
    assert slots.latency_ms_median[0] == pytest.approx(12000.0 / C_KM_S * 1e3 + wire_ms)


def test_control_stream_latency_jumps_only_at_leonets_path_changes(paris_berlin):
    from leonet.packets.udp import run_udp

    series, tl = paris_berlin
    res = run_udp(tl, rate_hz=50.0, size_b=200, deadline_s=0.1)
    lat = res.latency_ms
    assert np.isfinite(lat).mean() > 0.99
    # Every latency jump over 0.2 ms happens within one step of a leonet path change ...
    jumps = np.flatnonzero(np.abs(np.diff(lat)) > 0.2) + 1
    t_change = tl.grid.offsets_s[tl.path_changes()]
    assert jumps.size >= 1
    for j in jumps:
        assert np.min(np.abs(res.send_s[j] - t_change)) <= 0.1 + 1e-9
    # ... and is as large as the change of leonet's one-way delay there (the satellites move
    # the delay by < 0.01 ms in the 20 ms between datagrams).
    for k in tl.path_changes():
        t = tl.grid.offsets_s[k]
        i = np.searchsorted(res.send_s, t - 1e-9)
        expected = series.one_way_ms[k, 0] - series.one_way_ms[k - 1, 0]
        assert lat[i] - lat[i - 1] == pytest.approx(expected, abs=0.01)
    # ... and the serving satellite, hence the path, changes at the 15-s slot boundaries:
    # 00:00:12 and 00:00:27 are 7 s and 22 s after the start at 00:00:05.
    serving = series.serving[:, 0]
    for t in (7.0, 22.0):
        k = round(t / 0.1)
        if serving[k] != serving[k - 1]:
            assert k in tl.path_changes()
    assert np.any(serving[1:] != serving[:-1])
    changed = np.flatnonzero(serving[1:] != serving[:-1]) + 1
    assert set(np.round(tl.grid.offsets_s[changed], 3)) <= {7.0, 22.0}
