"""Pings over a Hypatia folder against Hypatia's own generator output (satgenpy's paths and
lengths at t = 0, in ../shared/data/hypatia-starlink550/paths_t0.csv)."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from tests.conftest import shared_file

pytest.importorskip("ns", reason="the packets extra (ns-3) is absent: "
                                 "pip install -e '.[packets]'")
pytestmark = pytest.mark.packets

from leonet.packets.simulate import simulate_packets  # noqa: E402 - needs ns-3

# A ping on the wire: 56 B payload + 8 B ICMP + 20 B IPv4 + 2 B PPP.
PING_WIRE_BITS = (56 + 8 + 20 + 2) * 8


@pytest.mark.parametrize(("src", "dst"), [(0, 1), (0, 2), (5, 17)])
def test_ping_rtt_is_twice_hypatias_path_delay(src, dst):
    folder = shared_file("hypatia-starlink550/paths_t0.csv").parent
    n = 1584
    with (folder / "paths_t0.csv").open(encoding="utf-8") as f:
        row = next(r for r in csv.DictReader(f)
                   if int(r["src_gs"]) == n + src and int(r["dst_gs"]) == n + dst)
    hops = int(row["hops"])
    res = simulate_packets(str(src), str(dst), hypatia_dir=folder, duration="100ms",
                           interval="10ms", step="100ms")
    assert np.isfinite(res.rtt_ms).all()
    tx_ms = 2 * hops * PING_WIRE_BITS / 10e9 * 1e3
    # Hypatia's paper (Fig. 3): ping RTT = 2 × path delay within 0.1 ms, plus transmission.
    expected = 2 * float(row["one_way_ms"]) + tx_ms
    assert res.rtt_ms[0] == pytest.approx(expected, abs=0.01)
