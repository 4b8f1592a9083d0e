"""TCP flows in ns-3 against authorities: the bandwidth-delay product and link rate computed
by hand, the congestion controls' published designs, and leonet's own path changes and
propagation delays (computed without ns-3)."""

from __future__ import annotations

import numpy as np
import pytest

from tests.packets.handmade import C_KM_S, hand_timeline

pytest.importorskip("ns", reason="the packets extra (ns-3) is absent: "
                                 "pip install -e '.[packets]'")
pytestmark = pytest.mark.packets

from leonet.packets.tcp import run_tcp  # noqa: E402 - after the skip: it needs ns-3

RATE_BPS = 10e6
MSS_B = 1460
DATA_WIRE_BITS = (MSS_B + 20 + 20 + 2) * 8  # TCP + IPv4 headers, PPP framing: 1,502 B
ACK_WIRE_BITS = (20 + 20 + 2) * 8
DATA_TX_MS = DATA_WIRE_BITS / RATE_BPS * 1e3  # 1.2016 ms per hop at 10 Mbit/s


def _sawtooth_peaks(cwnd: np.ndarray, drop: float = 0.6) -> np.ndarray:
    """The window's value before each fall below ``drop`` x its running peak."""
    peaks, top = [], cwnd[0]
    for w in cwnd[1:]:
        if w < drop * top:
            peaks.append(top)
            top = w
        top = max(top, w)
    return np.array(peaks, float)


@pytest.fixture(scope="module")
def static_newreno():
    # Source — relay — destination, 1,000 km + 2,000 km, for 30 s.
    tl = hand_timeline(300, 0.1, [(0, 2), (1, 2)], [1000.0, 2000.0], [[0, 2, 1]] * 300)
    return run_tcp(tl, cc="newreno", link_rate_bps=RATE_BPS, queue_packets=100)


def test_newreno_sawtooth_peaks_at_bandwidth_delay_product_plus_queue(static_newreno):
    res = static_newreno
    prop_rtt_s = 2 * 3000.0 / C_KM_S  # 20.014 ms
    # Hand-computed: the pipe holds 10 Mbit/s x 20.014 ms / 1,502 B = 16.66 packets, the
    # queue 100 more and the transmitter one: 117.7 segments when the queue overflows.
    bdp_plus_queue = RATE_BPS * prop_rtt_s / DATA_WIRE_BITS + 100 + 1
    peaks = _sawtooth_peaks(res.cwnd_b) / MSS_B
    assert peaks.size >= 2
    # The first peak is slow start's overshoot; the congestion-avoidance teeth follow.
    np.testing.assert_allclose(peaks[1:], bdp_plus_queue, rtol=0.10)


def test_goodput_approaches_the_link_rate_on_a_stable_path(static_newreno):
    res = static_newreno
    ceiling = RATE_BPS * MSS_B * 8 / DATA_WIRE_BITS  # every bit of the link is a full segment
    goodput = res.goodput_bps(5.0, 25.0)
    assert 0.90 * RATE_BPS <= goodput <= ceiling * 1.001
    assert res.reordered.sum() == 0  # one path, first in first out


def test_rtt_lies_between_propagation_and_a_full_queue(static_newreno):
    res = static_newreno
    prop_ms = 2 * 3000.0 / C_KM_S * 1e3
    assert res.rtt_ms.min() >= prop_ms
    # On the stable stretch the smoothed RTT stays within propagation + serialisation on
    # both hops + 101 packets ahead in the bottleneck queue (100 queued, 1 in service).
    stable = (res.srtt_t_s > 5.0) & (res.srtt_t_s < 25.0)
    full_ms = prop_ms + 2 * DATA_TX_MS + 2 * ACK_WIRE_BITS / RATE_BPS * 1e3 + 101 * DATA_TX_MS
    assert res.srtt_ms[stable].max() <= full_ms
    assert res.srtt_ms[stable].min() >= prop_ms


def test_path_changes_show_in_rtt_and_reordering_at_their_instant():
    # 2 x 1,000 km for 10 s, 2 x 3,000 km for 10 s, then back.
    paths = [[0, 2, 1]] * 100 + [[0, 3, 1]] * 100 + [[0, 2, 1]] * 100
    tl = hand_timeline(300, 0.1, [(0, 2), (1, 2), (0, 3), (1, 3)],
                       [1000.0, 1000.0, 3000.0, 3000.0], paths)
    res = run_tcp(tl, cc="newreno", link_rate_bps=RATE_BPS, queue_packets=100)
    prop_ms = {0: 4 * 1000.0 / C_KM_S * 1e3, 1: 4 * 3000.0 / C_KM_S * 1e3}
    sent_s = res.rtt_t_s - res.rtt_ms / 1e3
    serialisation_ms = 2 * DATA_TX_MS + 2 * ACK_WIRE_BITS / RATE_BPS * 1e3
    for t_c, new in ((10.0, 1), (20.0, 0)):
        # The new path's links start with empty queues: the first segments sent on it come
        # back in its propagation RTT plus serialisation (an ACK may wait behind one more).
        first = res.rtt_ms[(sent_s >= t_c) & (sent_s < t_c + 0.2)]
        assert first.min() == pytest.approx(prop_ms[new] + serialisation_ms, abs=0.1)
        # Segments sent on the new path overtake those still queued on the old one.
        assert res.reordered[(res.rx_t_s >= t_c) & (res.rx_t_s < t_c + 0.3)].sum() > 0
    near = ((res.rx_t_s >= 10.0) & (res.rx_t_s < 10.3)) | \
        ((res.rx_t_s >= 20.0) & (res.rx_t_s < 20.3))
    assert res.reordered[~near].sum() == 0
    cols = res.columns()
    assert list(np.flatnonzero(cols["path_change"])) == [100, 200]
    assert cols["reordered"][[100, 200]].min() > 0


def test_over_leonets_routes_rtt_and_reordering_follow_its_path_changes(paris_berlin):
    series, tl = paris_berlin
    res = run_tcp(tl, cc="newreno", link_rate_bps=RATE_BPS, queue_packets=100)
    # Every RTT sample is at least leonet's propagation RTT around its send instant (a
    # segment may go out on one path and its ACK come back on the next).
    sent_s = res.rtt_t_s - res.rtt_ms / 1e3
    k = np.clip((sent_s / 0.1).astype(int), 1, series.n_times - 2)
    floor = np.min(series.rtt_ms[np.stack([k - 1, k, k + 1]), 0], axis=0)
    assert np.all(res.rtt_ms >= floor - 0.01)
    # Reordering happens only after one of leonet's path changes, and at each of them, while
    # the old path's queue (<= 101 packets) drains and its last packets arrive.
    t_change = tl.grid.offsets_s[tl.path_changes()]
    assert t_change.size >= 1
    window_s = (res.srtt_ms.max() + 101 * DATA_TX_MS) / 1e3
    t_re = res.rx_t_s[res.reordered]
    assert t_re.size > 0
    assert all(np.any((t >= t_change) & (t < t_change + window_s)) for t in t_re)
    for t_c in t_change:
        assert np.any((t_re >= t_c) & (t_re < t_c + window_s))
    # Away from the path change the flow fills the link.
    assert res.goodput_bps(12.0, 29.0) >= 0.90 * RATE_BPS


@pytest.fixture(scope="module")
def static_20s():
    return hand_timeline(200, 0.1, [(0, 2), (1, 2)], [1000.0, 2000.0], [[0, 2, 1]] * 200)


def test_vegas_keeps_alpha_to_beta_packets_queued(static_20s):
    res = run_tcp(static_20s, cc="vegas", link_rate_bps=RATE_BPS, queue_packets=100)
    prop_ms = 2 * 3000.0 / C_KM_S * 1e3
    # Vegas (Brakmo & Peterson, IEEE JSAC 1995) holds alpha = 2 .. beta = 4 packets in the
    # bottleneck queue (ns-3's defaults): RTT = propagation + serialisation + <= 4 packets.
    stable = res.srtt_t_s > 5.0
    assert res.srtt_ms[stable].max() <= prop_ms + 2 * DATA_TX_MS + 5 * DATA_TX_MS + 0.1
    assert res.retransmitted[res.tx_t_s > 5.0].sum() == 0  # never fills the 100-packet queue
    ceiling = RATE_BPS * MSS_B * 8 / DATA_WIRE_BITS
    assert res.goodput_bps(5.0, 20.0) <= ceiling * 1.001


def test_bbr_keeps_its_queue_within_one_bandwidth_delay_product_and_quanta(static_20s):
    res = run_tcp(static_20s, cc="bbr", link_rate_bps=RATE_BPS, queue_packets=100)
    prop_ms = 2 * 3000.0 / C_KM_S * 1e3
    # BBR (Cardwell et al., ACM Queue 2016; draft-cardwell-iccrg-bbr-congestion-control)
    # caps data in flight at 2 x BDP + 3 send quanta (2 segments each above 1.2 Mbit/s): the
    # queue holds at most one BDP + 6 segments, far below the 100-packet buffer.
    path_rtt_ms = prop_ms + 2 * DATA_TX_MS
    stable = res.srtt_t_s > 5.0
    assert np.median(res.srtt_ms[stable]) <= 2 * path_rtt_ms + 6 * DATA_TX_MS
    assert res.goodput_bps(5.0, 20.0) >= 0.90 * RATE_BPS


def test_cubic_fills_the_link_within_its_ceiling(static_20s):
    res = run_tcp(static_20s, cc="cubic", link_rate_bps=RATE_BPS, queue_packets=100)
    ceiling = RATE_BPS * MSS_B * 8 / DATA_WIRE_BITS
    assert 0.90 * RATE_BPS <= res.goodput_bps(5.0, 20.0) <= ceiling * 1.001


def test_an_outage_midway_is_reported_and_the_flow_recovers():
    # No service from 5 s to 6 s (the ends lose their routes), the same path before and after.
    paths = [[0, 2, 1]] * 50 + [[]] * 10 + [[0, 2, 1]] * 90
    tl = hand_timeline(150, 0.1, [(0, 2), (1, 2)], [1000.0, 2000.0], paths)
    res = run_tcp(tl, cc="cubic", link_rate_bps=RATE_BPS, queue_packets=100)
    assert res.summary().no_service_s == pytest.approx(1.0)
    cols = res.columns()
    assert np.all(cols["path_id"][50:60] == -1)
    assert np.all(np.isnan(cols["propagation_rtt_ms"][50:60]))
    # Nothing reaches the destination once the in-flight data has drained into the gap
    # (the queue, <= 101 packets, empties in 0.13 s) ...
    assert res.goodput_bps(5.2, 6.0) == 0.0
    assert res.retransmitted[res.tx_t_s >= 5.0].any()
    # ... and the flow fills the link again once retransmission timeouts find the path back.
    assert res.goodput_bps(10.0, 15.0) >= 0.90 * RATE_BPS
