"""`leonet packets ping|udp|tcp`: packet runs in ns-3 over leonet's routes (packets extra)."""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

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
from leonet.reporting import packet_figures
from leonet.reporting.exports import table_format, write_table

# A packet run's result: each has ``columns()`` (its table) and ``timeline`` (its paths).
R = TypeVar("R")

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


@dataclasses.dataclass(frozen=True)
class RouteOptions:
    """The routing options every packet command takes, as given (parsed by the routing)."""

    from_: str
    to: str
    start: str | None
    duration: str
    step: str
    mode: str
    source: str
    hypatia_dir: Path | None
    topology: str


# Each routing option's command-line declaration and default, declared once for every command.
_ROUTE_OPTIONS: dict[str, tuple[object, object]] = {
    "from_": (From, inspect.Parameter.empty), "to": (End, inspect.Parameter.empty),
    "start": (Start, None), "duration": (Duration, "200s"), "step": (Step, "100ms"),
    "mode": (Mode, "operator"), "source": (Source, "starlink-gen1"),
    "hypatia_dir": (HypatiaDir, None), "topology": (Topology, "path"),
}


def routed(command: Callable[..., None]) -> Callable[..., None]:
    """``command(route, **own)`` as a command taking ``--from``/``--to``, its own options, then
    the other routing options, all of which it receives as one `RouteOptions`."""
    keyword = inspect.Parameter.KEYWORD_ONLY
    own = [p.replace(kind=keyword)
           for p in list(inspect.signature(command, eval_str=True).parameters.values())[1:]]
    route = [inspect.Parameter(name, keyword, annotation=annotation, default=default)
             for name, (annotation, default) in _ROUTE_OPTIONS.items()]

    @functools.wraps(command)
    def run(**options: object) -> None:
        command(RouteOptions(**{name: options.pop(name) for name in _ROUTE_OPTIONS}),
                **options)

    # Typer reads the command line off the signature: the one given here.
    run.__signature__ = inspect.Signature([*route[:2], *own, *route[2:]])  # type: ignore[attr-defined]
    return run


def _simulate(route: RouteOptions, run: Callable[[PathTimeline, WholeNetwork | None], R]) -> R:
    """Route the pair (after checking the extra is there: it says how to install it before
    any routing work), print the routing's warnings, then ``run`` ns-3 on its paths and,
    with ``--topology full``, the whole network."""
    load_ns3()
    with console.status("building the laser mesh and routing"):
        timeline, whole = topology_for(**dataclasses.asdict(route))
    for note in timeline.notes:
        console.print(f"warning: {note}", highlight=False, markup=False, soft_wrap=True)
    with console.status("simulating in ns-3"):
        return run(timeline, whole)


def _write(result: R, out: Path, plot: Path | None, draw: Callable[[R, Path], None],
           rows: str) -> None:
    """Write ``result``'s table to ``out`` and, if asked, its plot; say what was written."""
    write_table(out, result.columns())
    console.print(f"{rows} written to {out}", highlight=False)
    if plot is not None:
        draw(result, plot)
        console.print(f"plot written to {plot}", highlight=False)


@app.command()
@routed
def ping(
    route: RouteOptions,
    out: Annotated[Path, typer.Option(help="Per-ping table (.csv or .parquet).")],
    interval: Annotated[str, typer.Option(help="Time between pings.")] = "1ms",
    link_rate: LinkRate = "10Gbps",
    queue: Queue = "100000p",
    plot: Annotated[Path | None, typer.Option(help="PNG of the RTT over time.")] = None,
) -> None:
    """Ping every --interval from A to B in ns-3; RTT per ping, loss and RTT summary."""
    table_format(out)
    _check_png(plot)
    interval_s = parse_interval_s(interval)
    rate = parse_rate_bps(link_rate, what="--link-rate")
    packets = parse_queue_packets(queue, what="--queue")
    result = _simulate(route, lambda timeline, whole: run_ping(
        timeline, interval_s=interval_s, link_rate_bps=rate, queue_packets=packets,
        whole=whole))
    _write(result, out, plot, packet_figures.draw_ping, f"{result.send_s.size:,} pings")
    src, dst = result.timeline.labels[:2]  # the pair's ends are its first two nodes
    out_console.print(_figures(result.summary(), f"ping {src} → {dst} (ns-3)"))


def _figures(summary, title: str) -> Table:
    """A summary dataclass as a two-column table, its fields in order."""
    table = Table("figure", "value", title=title)
    for field in dataclasses.fields(summary):
        value = getattr(summary, field.name)
        table.add_row(field.name, f"{value:.3f}" if isinstance(value, float) else f"{value:,}")
    return table


@app.command()
@routed
def udp(
    route: RouteOptions,
    out: Annotated[Path, typer.Option(help="Per-datagram table (.csv or .parquet).")],
    rate: Annotated[str, typer.Option(help="Datagrams per second, e.g. 50Hz.")] = "50Hz",
    size: Annotated[str, typer.Option(help="UDP payload per datagram, e.g. 200B.")] = "200B",
    deadline: Annotated[str, typer.Option(help="One-way latency budget, e.g. 100ms.")] =
        "100ms",
    link_rate: LinkRate = "10Gbps",
    queue: Queue = "100000p",
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
    result = _simulate(route, lambda timeline, whole: run_udp(
        timeline, rate_hz=rate_hz, size_b=size_b, deadline_s=deadline_s, link_rate_bps=link,
        queue_packets=packets, whole=whole))
    _write(result, out, plot, packet_figures.draw_udp, f"{result.send_s.size:,} datagrams")
    slots = result.per_slot()
    src, dst = result.timeline.labels[:2]  # the pair's ends are its first two nodes
    table = Table("slot start (s)", "sent", "lost", "deadline missed", "latency median (ms)",
                  "jitter (ms)", title=f"UDP {rate} x {size} {src} → {dst}, deadline "
                                       f"{deadline}")
    for i in range(len(slots)):
        table.add_row(f"{slots.start_s[i]:.1f}", str(slots.sent[i]), str(slots.lost[i]),
                      str(slots.missed[i]), f"{slots.latency_ms_median[i]:.3f}",
                      f"{slots.jitter_ms[i]:.4f}")
    out_console.print(table)


@app.command()
@routed
def tcp(
    route: RouteOptions,
    out: Annotated[Path, typer.Option(help="Table per --sample bin (.csv or .parquet).")],
    cc: Annotated[str, typer.Option(
        help=f"Congestion control: {', '.join(CONGESTION_CONTROLS)}.")] = "newreno",
    link_rate: LinkRate = "10Mbps",
    queue: Queue = "100p",
    sample: Annotated[str, typer.Option(help="Bin of the table and plot.")] = "100ms",
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
    check_tcp_run(parse_run_duration_s(route.duration), rate, sample_s)
    result = _simulate(route, lambda timeline, whole: run_tcp(
        timeline, cc=cc, link_rate_bps=rate, queue_packets=packets, sample_s=sample_s,
        whole=whole))
    _write(result, out, plot, packet_figures.draw_tcp, f"{result.bin_start_s.size:,} rows")
    src, dst = result.timeline.labels[:2]  # the pair's ends are its first two nodes
    out_console.print(_figures(result.summary(), f"TCP {cc} {src} → {dst}, {link_rate}, "
                                                 f"{queue} (ns-3)"))
