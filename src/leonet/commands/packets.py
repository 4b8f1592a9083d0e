"""`leonet packets ping|udp|tcp`: packet runs in ns-3 over leonet's routes (packets extra)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.table import Table

from leonet.commands.common import console, out_console
from leonet.errors import InputError
from leonet.packets.engine import load_ns3
from leonet.packets.ping import parse_interval_s, run_ping
from leonet.packets.simulate import parse_run_duration_s, topology_for
from leonet.packets.tcp import CONGESTION_CONTROLS, check_tcp_run, parse_cc, run_tcp
from leonet.packets.topology import PathTimeline
from leonet.packets.udp import parse_deadline_s, run_udp
from leonet.packets.units import (
    parse_frequency_hz,
    parse_queue_packets,
    parse_rate_bps,
    parse_size_bytes,
)
from leonet.packets.whole import WholeNetwork
from leonet.physics.timegrid import parse_duration_s
from leonet.reporting import plots
from leonet.reporting.exports import table_format, write_table

app = typer.Typer(help="Packet-level runs in ns-3 over leonet's routes (needs the packets "
                       "extra).", no_args_is_help=True)

# Options every packet command takes (one definition each; defaults stay per command).
From = Annotated[str, typer.Option("--from", help="Source: city, 'lat,lon', terminal file "
                                                  "(first row) or ground-station id.")]
End = Annotated[str, typer.Option(help="City, 'lat,lon', a terminal file (first row), or a "
                                       "ground-station id with --hypatia-dir.")]
Start = Annotated[str | None, typer.Option(
    help="First instant, ISO 8601 with zone (with --hypatia-dir: offset from the TLE epoch, "
         "default 0s).")]
Duration = Annotated[str, typer.Option(help="Simulated time, e.g. 200s.")]
Step = Annotated[str, typer.Option(help="Routing and link-delay update step.")]
LinkRate = Annotated[str, typer.Option(help="Every link's rate.")]
Queue = Annotated[str, typer.Option(help="Every link's drop-tail queue (packets).")]
Mode = Annotated[str, typer.Option(help="space, operator or bentpipe.")]
Source = Annotated[str, typer.Option(help="TLE/OMM file or preset.")]
HypatiaDir = Annotated[Path | None, typer.Option(
    help="Hypatia folder: --from/--to are its ground-station ids, routes are its space "
         "routes.")]
Topology = Annotated[str, typer.Option(
    help="path: only the nodes on the pair's paths; full: every satellite and ground "
         "station of the --hypatia-dir set-up, all laser links and GSLs.")]


def _check_png(plot: Path | None) -> None:
    if plot is not None and plot.suffix.lower() != ".png":
        raise InputError(f"--plot must name a .png file, got {plot.name!r}")


def _timeline(from_: str, to: str, **window) -> tuple[PathTimeline, WholeNetwork | None]:
    """The pair's paths and, with ``--topology full``, the whole network (after checking
    the extra is there: it says how to install it before any routing work), warnings
    printed."""
    load_ns3()
    with console.status("building the laser mesh and routing"):
        timeline, whole = topology_for(from_, to, **window)
    for note in timeline.notes:
        console.print(f"warning: {note}", highlight=False, markup=False, soft_wrap=True)
    return timeline, whole


@app.command()
def ping(
    from_: From,
    to: End,
    out: Annotated[Path, typer.Option(help="Per-ping table (.csv or .parquet).")],
    start: Start = None,
    duration: Duration = "200s",
    interval: Annotated[str, typer.Option(help="Time between pings.")] = "1ms",
    step: Step = "100ms",
    link_rate: LinkRate = "10Gbps",
    queue: Queue = "100000p",
    mode: Mode = "operator",
    source: Source = "starlink-gen1",
    hypatia_dir: HypatiaDir = None,
    topology: Topology = "path",
    plot: Annotated[Path | None, typer.Option(help="PNG of the RTT over time.")] = None,
) -> None:
    """Ping every --interval from A to B in ns-3; RTT per ping, loss and RTT summary."""
    table_format(out)
    _check_png(plot)
    interval_s = parse_interval_s(interval)
    rate = parse_rate_bps(link_rate, what="--link-rate")
    packets = parse_queue_packets(queue, what="--queue")
    timeline, whole = _timeline(from_, to, start=start, duration=duration, step=step,
                                mode=mode, source=source, hypatia_dir=hypatia_dir,
                                topology=topology)
    with console.status("simulating in ns-3"):
        result = run_ping(timeline, interval_s=interval_s, link_rate_bps=rate,
                          queue_packets=packets, whole=whole)
    write_table(out, result.columns())
    console.print(f"{result.send_s.size:,} pings written to {out}", highlight=False)
    if plot is not None:
        _plot(result, plot)
        console.print(f"plot written to {plot}", highlight=False)
    out_console.print(_figures(result.summary(), f"ping {timeline.labels[0]} → "
                                                 f"{timeline.labels[1]} (ns-3)"))


def _figures(summary, title: str) -> Table:
    """A summary dataclass as a two-column table, its fields in order."""
    table = Table("figure", "value", title=title)
    for field in dataclasses.fields(summary):
        value = getattr(summary, field.name)
        table.add_row(field.name, f"{value:.3f}" if isinstance(value, float) else f"{value:,}")
    return table


def _plot(result, path: Path) -> None:
    fig, ax = plots.subplots(figsize=(11, 4))
    ax.plot(result.send_s, result.rtt_ms, ".", markersize=1.5, label="ns-3 ping RTT")
    ax.plot(result.send_s, result.expected_rtt_ms, "-", linewidth=0.8, color="0.3",
            label="2 × leonet one-way propagation")
    for k in result.timeline.path_changes():
        ax.axvline(result.timeline.grid.offsets_s[k], color="0.85", linewidth=0.5, zorder=0)
    lost = ~np.isfinite(result.rtt_ms)
    if lost.any():
        ax.plot(result.send_s[lost], np.zeros(lost.sum()), "x", color="tab:red", label="lost")
    ax.set_xlabel(f"seconds after {result.timeline.grid.iso[0]}")
    ax.set_ylabel("RTT (ms)")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8)
    ax.grid(True, color="0.9")
    plots.save(fig, path)


@app.command()
def udp(
    from_: From,
    to: End,
    out: Annotated[Path, typer.Option(help="Per-datagram table (.csv or .parquet).")],
    start: Start = None,
    duration: Duration = "200s",
    rate: Annotated[str, typer.Option(help="Datagrams per second, e.g. 50Hz.")] = "50Hz",
    size: Annotated[str, typer.Option(help="UDP payload per datagram, e.g. 200B.")] = "200B",
    deadline: Annotated[str, typer.Option(help="One-way latency budget, e.g. 100ms.")] =
        "100ms",
    step: Step = "100ms",
    link_rate: LinkRate = "10Gbps",
    queue: Queue = "100000p",
    mode: Mode = "operator",
    source: Source = "starlink-gen1",
    hypatia_dir: HypatiaDir = None,
    topology: Topology = "path",
    plot: Annotated[Path | None, typer.Option(
        help="PNG of the latency over time, deadline, slot boundaries.")] = None,
) -> None:
    """A control stream (--rate, --size) from A to B in ns-3: latency, jitter, loss and
    deadline misses per 15-s slot."""
    table_format(out)
    _check_png(plot)
    rate_hz = parse_frequency_hz(rate, what="--rate")
    size_b = parse_size_bytes(size, what="--size")
    deadline_s = parse_deadline_s(deadline)
    link = parse_rate_bps(link_rate, what="--link-rate")
    packets = parse_queue_packets(queue, what="--queue")
    timeline, whole = _timeline(from_, to, start=start, duration=duration, step=step,
                                mode=mode, source=source, hypatia_dir=hypatia_dir,
                                topology=topology)
    with console.status("simulating in ns-3"):
        result = run_udp(timeline, rate_hz=rate_hz, size_b=size_b, deadline_s=deadline_s,
                         link_rate_bps=link, queue_packets=packets, whole=whole)
    write_table(out, result.columns())
    console.print(f"{result.send_s.size:,} datagrams written to {out}", highlight=False)
    if plot is not None:
        _plot_udp(result, plot)
        console.print(f"plot written to {plot}", highlight=False)
    slots = result.per_slot()
    table = Table("slot start (s)", "sent", "lost", "deadline missed", "latency median (ms)",
                  "jitter (ms)", title=f"UDP {rate} x {size} {timeline.labels[0]} → "
                                       f"{timeline.labels[1]}, deadline {deadline}")
    for i in range(len(slots)):
        table.add_row(f"{slots.start_s[i]:.1f}", str(slots.sent[i]), str(slots.lost[i]),
                      str(slots.missed[i]), f"{slots.latency_ms_median[i]:.3f}",
                      f"{slots.jitter_ms[i]:.4f}")
    out_console.print(table)


def _plot_udp(result, path: Path) -> None:
    fig, ax = plots.subplots(figsize=(11, 4))
    ok = np.isfinite(result.latency_ms)
    ax.plot(result.send_s[ok], result.latency_ms[ok], ".", markersize=2,
            label="one-way latency (ns-3)")
    late = result.missed & ok
    if late.any():
        ax.plot(result.send_s[late], result.latency_ms[late], ".", markersize=3,
                color="tab:orange", label="past the deadline")
    if (~ok).any():
        ax.plot(result.send_s[~ok], np.zeros((~ok).sum()), "x", color="tab:red",
                label="lost")
    ax.axhline(result.deadline_ms, color="tab:orange", linestyle="--", linewidth=0.8,
               label="deadline")
    for s in result.per_slot().start_s[1:]:
        ax.axvline(s, color="0.6", linestyle=":", linewidth=0.8, zorder=0)
    for k in result.timeline.path_changes():
        ax.axvline(result.timeline.grid.offsets_s[k], color="tab:red", linewidth=0.5,
                   alpha=0.5, zorder=0)
    ax.set_title("control stream: 15-s slot boundaries dotted, leonet path changes red")
    ax.set_xlabel(f"seconds after {result.timeline.grid.iso[0]}")
    ax.set_ylabel("latency (ms)")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8)
    ax.grid(True, color="0.9")
    plots.save(fig, path)


@app.command()
def tcp(
    from_: From,
    to: End,
    out: Annotated[Path, typer.Option(help="Table per --sample bin (.csv or .parquet).")],
    start: Start = None,
    duration: Duration = "200s",
    cc: Annotated[str, typer.Option(
        help=f"Congestion control: {', '.join(CONGESTION_CONTROLS)}.")] = "newreno",
    link_rate: LinkRate = "10Mbps",
    queue: Queue = "100p",
    sample: Annotated[str, typer.Option(help="Bin of the table and plot.")] = "100ms",
    step: Step = "100ms",
    mode: Mode = "operator",
    source: Source = "starlink-gen1",
    hypatia_dir: HypatiaDir = None,
    topology: Topology = "path",
    plot: Annotated[Path | None, typer.Option(
        help="PNG of goodput, window, RTT, retransmissions and reordering.")] = None,
) -> None:
    """One bulk TCP flow from A to B in ns-3: goodput, congestion window, smoothed RTT,
    retransmissions and reordering over time, leonet's path changes marked."""
    table_format(out)
    _check_png(plot)
    cc = parse_cc(cc)
    rate = parse_rate_bps(link_rate, what="--link-rate")
    packets = parse_queue_packets(queue, what="--queue")
    sample_s = parse_duration_s(sample, what="--sample")
    check_tcp_run(parse_run_duration_s(duration), rate, sample_s)
    timeline, whole = _timeline(from_, to, start=start, duration=duration, step=step,
                                mode=mode, source=source, hypatia_dir=hypatia_dir,
                                topology=topology)
    with console.status("simulating in ns-3"):
        result = run_tcp(timeline, cc=cc, link_rate_bps=rate, queue_packets=packets,
                         sample_s=sample_s, whole=whole)
    write_table(out, result.columns())
    console.print(f"{result.bin_start_s.size:,} rows written to {out}", highlight=False)
    if plot is not None:
        _plot_tcp(result, plot)
        console.print(f"plot written to {plot}", highlight=False)
    out_console.print(_figures(result.summary(), f"TCP {cc} {timeline.labels[0]} → "
                                                 f"{timeline.labels[1]}, {link_rate}, {queue} "
                                                 f"(ns-3)"))


def _plot_tcp(result, path: Path) -> None:
    cols = result.columns()
    t = cols["t_s"] + result.sample_s / 2
    fig, axes = plots.subplots(4, 1, figsize=(11, 9), sharex=True)
    ax = axes[0]
    ax.plot(t, cols["goodput_mbps"], "-", linewidth=0.8, label="goodput")
    ax.axhline(result.link_rate_bps / 1e6, color="0.4", linestyle="--", linewidth=0.8,
               label="link rate")
    ax.set_ylabel("Mbit/s")
    ax = axes[1]
    ax.step(result.cwnd_t_s, result.cwnd_b / 1e3, where="post", linewidth=0.8,
            label="congestion window")
    ax.set_ylabel("kB")
    ax = axes[2]
    ax.plot(result.rtt_t_s, result.rtt_ms, ".", markersize=1, color="0.6", label="RTT samples")
    ax.step(result.srtt_t_s, result.srtt_ms, where="post", linewidth=0.8,
            label="smoothed RTT")
    ax.plot(t, cols["propagation_rtt_ms"], "-", linewidth=0.8, color="k",
            label="2 × leonet one-way propagation")
    ax.set_ylabel("ms")
    ax = axes[3]
    ax.plot(t, cols["retransmissions"], "-", linewidth=0.8, label="retransmissions")
    ax.plot(t, cols["reordered"], "-", linewidth=0.8, label="reordered arrivals")
    ax.set_ylabel(f"per {result.sample_s * 1e3:g} ms")
    ax.set_xlabel(f"seconds after {result.timeline.grid.iso[0]}")
    changes = result.timeline.grid.offsets_s[result.timeline.path_changes()]
    for ax in axes:
        for c in changes:
            ax.axvline(c, color="tab:red", linewidth=0.5, alpha=0.5, zorder=0)
        ax.set_ylim(bottom=0)
        ax.grid(True, color="0.9")
        ax.legend(fontsize=8, loc="upper right")
    axes[0].set_title(f"TCP {result.cc}: leonet path changes in red")
    plots.save(fig, path)
