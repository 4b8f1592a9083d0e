"""``--topology full``: the whole Hypatia Starlink-550 network in ns-3, checked against
Hypatia's generator output (satgenpy's paths and lengths at t = 0, in
../shared/data/hypatia-starlink550/paths_t0.csv)."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from tests.conftest import shared_file

pytest.importorskip("ns", reason="the packets extra (ns-3) is absent: "
                                 "pip install -e '.[packets]'")
pytestmark = pytest.mark.packets

from leonet.packets.simulate import simulate_packets  # noqa: E402 - needs ns-3

N_SATS = 1584
# A ping on the wire: 56 B payload + 8 B ICMP + 20 B IPv4 + 2 B PPP.
PING_WIRE_BITS = (56 + 8 + 20 + 2) * 8


def _hypatia_paths() -> dict[tuple[int, int], dict[str, str]]:
    path = shared_file("hypatia-starlink550/paths_t0.csv")
    with path.open(encoding="utf-8") as f:
        return {(int(r["src_gs"]) - N_SATS, int(r["dst_gs"]) - N_SATS): r
                for r in csv.DictReader(f)}


@pytest.fixture(scope="module")
def whole():
    from leonet.packets.simulate import whole_for
    from leonet.physics.hypatia import read_hypatia_dir

    folder = shared_file("hypatia-starlink550/paths_t0.csv").parent
    return whole_for(read_hypatia_dir(folder), "0", "1", start="0s", duration="200ms",
                     step="100ms")


def test_every_nodes_forwarding_at_t0_walks_hypatias_paths(whole):
    # The table ns-3 reads (interface numbers) walked hop by hop from every station to every
    # other: satgenpy's node sequence for all 9,900 pairs (its README: no near-ties at t=0).
    n_nodes, n_g = whole.n_nodes, whole.n_stations
    table = np.full(n_nodes * n_g, -1, np.int64)
    lo, hi = whole.fwd_indptr[0], whole.fwd_indptr[1]
    table[whole.fwd_entry[lo:hi]] = whole.fwd_iface[lo:hi]
    neighbour = {}
    for (a, b), (ia, ib) in zip(whole.links, whole.iface, strict=True):
        neighbour[int(a), int(ia)] = int(b)
        neighbour[int(b), int(ib)] = int(a)
    for (src, dst), row in _hypatia_paths().items():
        node, walked = N_SATS + src, [N_SATS + src]
        while node != N_SATS + dst and len(walked) <= n_nodes:
            node = neighbour[node, int(table[node * n_g + dst])]
            walked.append(node)
        assert "-".join(map(str, walked)) == row["path"], (src, dst)


def test_whole_network_holds_every_node_and_link(whole):
    assert (whole.n_sats, whole.n_stations, whole.n_isls) == (N_SATS, 100, 3168)
    # Every link is as long as the straight line between its ends (GSLs within Hypatia's
    # 1,089.7 km range at some instant, laser links never dip under it).
    gsl_km = whole.link_km[:, whole.n_isls:]
    assert gsl_km.min(axis=0).max() <= 1089.686418
    assert (whole.iface >= 1).all()


@pytest.mark.parametrize(("src", "dst"), [(0, 1), (5, 17)])
def test_ping_over_the_whole_network_is_twice_hypatias_path_delay(src, dst):
    row = _hypatia_paths()[src, dst]
    folder = shared_file("hypatia-starlink550/paths_t0.csv").parent
    res = simulate_packets(str(src), str(dst), hypatia_dir=folder, duration="100ms",
                           interval="10ms", step="100ms", topology="full")
    tx_ms = 2 * int(row["hops"]) * PING_WIRE_BITS / 10e9 * 1e3
    # Hypatia's paper (Fig. 3): ping RTT = 2 × path delay within 0.1 ms, plus transmission.
    assert res.rtt_ms[0] == pytest.approx(2 * float(row["one_way_ms"]) + tx_ms, abs=0.01)
    assert np.isfinite(res.rtt_ms).all()


@pytest.mark.parametrize(("extra", "message"), [
    (["--topology", "mesh"], "--topology must be one of path, full, got 'mesh'"),
    (["--topology", "full"], "--topology full needs --hypatia-dir"),
])
def test_bad_topology_is_one_line_exit_2(extra, message, tmp_path, capsys):
    from leonet.cli import main

    args = ["packets", "ping", "--from", "Paris", "--to", "Berlin", "--start",
            "2026-12-05T00:00:00Z", "--duration", "1s", "--out", str(tmp_path / "p.csv")]
    assert main(args + extra) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1
