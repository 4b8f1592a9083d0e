"""Figures of packet runs (`leonet packets ... --plot`): ping RTT, the control stream's
latency per 15-s slot, and a TCP flow's goodput, window, RTT and retransmissions, each with
leonet's path changes marked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from leonet.packets.ping import PingResult
from leonet.packets.tcp import TcpResult
from leonet.packets.topology import PathTimeline
from leonet.packets.udp import UdpResult
from leonet.reporting import plots


def _finish(fig: Figure, axes: list[Axes], timeline: PathTimeline, path: Path,
            legend_loc: str = "best") -> None:
    """Time axis named after the run's first instant, zero-based y axes with a grid and a
    legend on each panel; write the PNG."""
    axes[-1].set_xlabel(f"seconds after {timeline.grid.iso[0]}")
    for ax in axes:
        ax.set_ylim(bottom=0)
        ax.grid(True, color="0.9")
        ax.legend(fontsize=8, loc=legend_loc)
    plots.save(fig, path)


def _mark_lost(ax: Axes, send_s: np.ndarray, lost: np.ndarray) -> None:
    """Lost packets as red crosses on the time axis."""
    if lost.any():
        ax.plot(send_s[lost], np.zeros(int(lost.sum())), "x", color="tab:red", label="lost")


def draw_ping(result: PingResult, path: Path) -> None:
    """RTT per ping against twice leonet's one-way propagation delay."""
    fig, ax = plots.subplots(figsize=(11, 4))
    ax.plot(result.send_s, result.rtt_ms, ".", markersize=1.5, label="ns-3 ping RTT")
    ax.plot(result.send_s, result.expected_rtt_ms, "-", linewidth=0.8, color="0.3",
            label="2 × leonet one-way propagation")
    for k in result.timeline.path_changes():
        ax.axvline(result.timeline.grid.offsets_s[k], color="0.85", linewidth=0.5, zorder=0)
    _mark_lost(ax, result.send_s, ~np.isfinite(result.rtt_ms))
    ax.set_ylabel("RTT (ms)")
    _finish(fig, [ax], result.timeline, path)


def draw_udp(result: UdpResult, path: Path) -> None:
    """One-way latency per datagram, the deadline, 15-s slot boundaries and path changes."""
    fig, ax = plots.subplots(figsize=(11, 4))
    ok = np.isfinite(result.latency_ms)
    ax.plot(result.send_s[ok], result.latency_ms[ok], ".", markersize=2,
            label="one-way latency (ns-3)")
    late = result.missed & ok
    if late.any():
        ax.plot(result.send_s[late], result.latency_ms[late], ".", markersize=3,
                color="tab:orange", label="past the deadline")
    _mark_lost(ax, result.send_s, ~ok)
    ax.axhline(result.deadline_ms, color="tab:orange", linestyle="--", linewidth=0.8,
               label="deadline")
    for s in result.per_slot().start_s[1:]:
        ax.axvline(s, color="0.6", linestyle=":", linewidth=0.8, zorder=0)
    for k in result.timeline.path_changes():
        ax.axvline(result.timeline.grid.offsets_s[k], color="tab:red", linewidth=0.5,
                   alpha=0.5, zorder=0)
    ax.set_title("control stream: 15-s slot boundaries dotted, leonet path changes red")
    ax.set_ylabel("latency (ms)")
    _finish(fig, [ax], result.timeline, path)


def draw_tcp(result: TcpResult, path: Path) -> None:
    """Goodput, congestion window, RTT and retransmissions/reordering in four panels."""
    cols = result.columns()
    t = cols["t_s"] + result.sample_s / 2
    fig, axes = plots.subplots(4, 1, figsize=(11, 9), sharex=True)
    goodput, window, rtt, losses = axes
    goodput.plot(t, cols["goodput_mbps"], "-", linewidth=0.8, label="goodput")
    goodput.axhline(result.link_rate_bps / 1e6, color="0.4", linestyle="--", linewidth=0.8,
                    label="link rate")
    goodput.set_ylabel("Mbit/s")
    goodput.set_title(f"TCP {result.cc}: leonet path changes in red")
    window.step(result.cwnd_t_s, result.cwnd_b / 1e3, where="post", linewidth=0.8,
                label="congestion window")
    window.set_ylabel("kB")
    rtt.plot(result.rtt_t_s, result.rtt_ms, ".", markersize=1, color="0.6",
             label="RTT samples")
    rtt.step(result.srtt_t_s, result.srtt_ms, where="post", linewidth=0.8,
             label="smoothed RTT")
    rtt.plot(t, cols["propagation_rtt_ms"], "-", linewidth=0.8, color="k",
             label="2 × leonet one-way propagation")
    rtt.set_ylabel("ms")
    losses.plot(t, cols["retransmissions"], "-", linewidth=0.8, label="retransmissions")
    losses.plot(t, cols["reordered"], "-", linewidth=0.8, label="reordered arrivals")
    losses.set_ylabel(f"per {result.sample_s * 1e3:g} ms")
    changes = result.timeline.grid.offsets_s[result.timeline.path_changes()]
    for ax in axes:
        for c in changes:
            ax.axvline(c, color="tab:red", linewidth=0.5, alpha=0.5, zorder=0)
    _finish(fig, list(axes), result.timeline, path, legend_loc="upper right")
