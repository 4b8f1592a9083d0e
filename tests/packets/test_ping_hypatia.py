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


def test_tcp_command_over_a_hypatia_folder_writes_its_table_and_plot(tmp_path):
    from leonet.cli import main

    folder = shared_file("hypatia-starlink550/paths_t0.csv").parent
    out, png = tmp_path / "tcp.csv", tmp_path / "tcp.png"
    assert main(["packets", "tcp", "--hypatia-dir", str(folder), "--from", "0", "--to", "1",
                 "--duration", "3s", "--cc", "cubic", "--link-rate", "10Mbps", "--queue",
                 "100p", "--out", str(out), "--plot", str(png)]) == 0
    with out.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    # Empty cells are NaN (no RTT sample in the bin).
    table = {k: np.array([float(r[k] or "nan") for r in rows]) for k in rows[0]
             if k != "path_change"}
    assert list(rows[0]) == ["t_s", "goodput_mbps", "cwnd_kb", "srtt_ms", "rtt_ms_min",
                                   "retransmissions", "reordered", "path_id", "path_change",
                                   "propagation_rtt_ms"]
    assert len(rows) == 30
    # Over the run, at most full segments back to back: 1,460 B of data per 1,502 B on the
    # wire (a bin may exceed it when a repaired loss releases a window at once).
    assert 0 < table["goodput_mbps"].mean() <= 10 * 1460 / 1502
    # Every RTT sample is at least the propagation RTT satgenpy's paths give at t = 0.
    with (folder / "paths_t0.csv").open(encoding="utf-8") as f:
        row = next(r for r in csv.DictReader(f) if int(r["src_gs"]) == 1584
                   and int(r["dst_gs"]) == 1585)
    assert np.nanmin(table["rtt_ms_min"]) >= 2 * float(row["one_way_ms"]) - 0.05
    assert png.stat().st_size > 10_000


def test_simulate_udp_over_a_hypatia_folder():
    from leonet.api import UdpResult, simulate_udp

    folder = shared_file("hypatia-starlink550/paths_t0.csv").parent
    res = simulate_udp("0", "2", hypatia_dir=folder, duration="1s", rate="100Hz",
                       size="200B", deadline="1ms")
    assert isinstance(res, UdpResult) and res.send_s.size == 100
    assert res.missed.all()  # no LEO path between two stations is 1 ms long
