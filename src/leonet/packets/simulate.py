"""One call from endpoints and a window to a packet-run result: `simulate_packets`."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from leonet.errors import InputError
from leonet.packets.engine import check_window
from leonet.packets.ping import PingResult, parse_interval_s, run_ping
from leonet.packets.tcp import TcpResult, check_tcp_run, parse_cc, run_tcp
from leonet.packets.topology import PathTimeline, from_hypatia, from_route_series
from leonet.packets.udp import UdpResult, parse_deadline_s, run_udp
from leonet.packets.units import parse_frequency_hz, parse_size_bytes
from leonet.packets.whole import WholeNetwork, whole_network
from leonet.physics.ground import GroundPoints, place
from leonet.physics.ground_segment import read_sites
from leonet.physics.hypatia import HypatiaInputs, read_hypatia_dir
from leonet.physics.network import Network
from leonet.physics.orbits.constellation import Constellation
from leonet.physics.orbits.shells import PRESETS
from leonet.physics.timegrid import TimeGrid, parse_duration_s

# A packet run is bounded: a day of simulated time, routing steps of 1 ms .. 60 s.
MAX_DURATION_S = 86_400.0
MIN_STEP_S, MAX_STEP_S = 0.001, 60.0
PACKET_MODES = ("space", "operator", "bentpipe")
# SGP4 positions from elements drift by kilometres a day away from their epoch (Vallado et
# al. 2006, "Revisiting Spacetrack Report #3"); CelesTrak refreshes elements daily. Past a
# week the paths are of a constellation that no longer flies as modelled.
STALE_ELEMENTS_DAYS = 7.0


def stale_elements_note(epoch_median: np.datetime64, first: np.datetime64,
                        last: np.datetime64) -> str | None:
    """A warning when the window reaches more than `STALE_ELEMENTS_DAYS` from the elements'
    median epoch, else None."""
    day = np.timedelta64(86_400, "s")
    far_days = max(abs((first - epoch_median) / day), abs((last - epoch_median) / day))
    if far_days <= STALE_ELEMENTS_DAYS:
        return None
    return (f"the window reaches {far_days:.1f} days from the elements' median epoch "
            f"{np.datetime_as_string(epoch_median, unit='s')}Z (over {STALE_ELEMENTS_DAYS:g}): "
            f"positions, hence paths, drift; use elements from near the window")


def _with_notes(timeline: PathTimeline, constellation: Constellation) -> PathTimeline:
    utc = timeline.grid.utc
    epoch = np.median(constellation.epoch.astype(np.int64)).astype("datetime64[ns]")
    note = stale_elements_note(epoch, utc[0], utc[-1])
    return dataclasses.replace(timeline, notes=(note,)) if note else timeline

def _end(text: str, what: str) -> GroundPoints:
    path = Path(text)
    if path.suffix.lower() in (".csv", ".geojson", ".json"):
        if not path.exists():
            raise InputError(f"{what}: terminal file {text!r} does not exist")
        return read_sites(path, "terminal").points[np.array([0])]
    return place(text)


def _gs_id(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise InputError(f"{what}: with --hypatia-dir, give a ground-station id (an integer), "
                         f"got {text!r}") from None


def parse_run_duration_s(text: str) -> float:
    """``--duration`` in seconds, within (0, `MAX_DURATION_S`]."""
    duration_s = parse_duration_s(text, what="--duration")
    if not 0 < duration_s <= MAX_DURATION_S:
        raise InputError(f"--duration must be in (0, {MAX_DURATION_S:g}] s, got {text!r}")
    return duration_s


TOPOLOGIES = ("path", "full")


def _window(duration: str, step: str) -> tuple[float, float]:
    """``--duration`` and ``--step`` in seconds, checked together."""
    duration_s = parse_run_duration_s(duration)
    step_s = parse_duration_s(step, what="--step")
    if not MIN_STEP_S <= step_s <= MAX_STEP_S:
        raise InputError(f"--step must be in [{MIN_STEP_S:g}, {MAX_STEP_S:g}] s, got "
                         f"{step_s:g} s")
    n_steps = duration_s / step_s
    if abs(n_steps - round(n_steps)) > 1e-6:
        raise InputError(f"--duration ({duration_s:g} s) must be a whole number of --step "
                         f"({step_s:g} s)")
    return duration_s, step_s


def timeline_for(from_: str, to: str, *, start: str | None, duration: str, step: str,
                 mode: str, source: str, hypatia_dir: Path | None) -> PathTimeline:
    """The pair's paths over the window, from leonet's routes or a Hypatia folder."""
    duration_s, step_s = _window(duration, step)
    last_s = duration_s - step_s  # the grid's instants start the steps that cover the run
    if hypatia_dir is not None:
        inputs = read_hypatia_dir(hypatia_dir)
        grid = inputs.grid(parse_duration_s(start or "0s", what="--start"), max(last_s, 0.0),
                           step_s)
        timeline = from_hypatia(inputs, grid, step_s, _gs_id(from_, "--from"),
                                _gs_id(to, "--to"))
        check_window(timeline)
        return _with_notes(timeline, inputs.constellation)
    if mode not in PACKET_MODES:
        raise InputError(f"--mode must be one of {', '.join(PACKET_MODES)}, got {mode!r}")
    if start is None:
        raise InputError("--start is needed (an ISO 8601 instant with zone)")
    src, dst = _end(from_, "--from"), _end(to, "--to")
    grid = TimeGrid.range(start, max(last_s, 0.0), step_s)
    constellation = Constellation.load(source)
    net = Network.build(constellation)
    timeline = from_route_series(net.routes(src, dst, grid, mode=mode), net, step_s)
    check_window(timeline)
    # Walker presets are drag-free circular orbits: any epoch is as good as another.
    return timeline if str(source) in PRESETS else _with_notes(timeline, constellation)


def whole_for(inputs: HypatiaInputs, from_: str, to: str, *, start: str | None,
              duration: str, step: str) -> WholeNetwork:
    """The whole network of a Hypatia set-up over the window, with the pair's timeline."""
    duration_s, step_s = _window(duration, step)
    grid = inputs.grid(parse_duration_s(start or "0s", what="--start"),
                       max(duration_s - step_s, 0.0), step_s)
    whole = whole_network(inputs, grid, step_s, _gs_id(from_, "--from"), _gs_id(to, "--to"))
    check_window(whole.pair)
    return dataclasses.replace(whole, pair=_with_notes(whole.pair, inputs.constellation))


def topology_for(from_: str, to: str, *, start: str | None, duration: str, step: str,
                 mode: str, source: str, hypatia_dir: Path | None, topology: str
                 ) -> tuple[PathTimeline, WholeNetwork | None]:
    """The pair's timeline and, for ``topology`` ``full``, the whole network it runs in
    (only Hypatia set-ups have every node's forwarding state: ``--hypatia-dir``)."""
    if topology not in TOPOLOGIES:
        raise InputError(f"--topology must be one of {', '.join(TOPOLOGIES)}, got "
                         f"{topology!r}")
    if topology == "path":
        return timeline_for(from_, to, start=start, duration=duration, step=step, mode=mode,
                            source=source, hypatia_dir=hypatia_dir), None
    if hypatia_dir is None:
        raise InputError("--topology full needs --hypatia-dir (every node's forwarding "
                         "state comes from a Hypatia set-up's space routes)")
    whole = whole_for(read_hypatia_dir(hypatia_dir), from_, to, start=start,
                      duration=duration, step=step)
    return whole.pair, whole


def simulate_packets(from_: str, to: str, *, start: str | None = None,
                     duration: str = "200s", interval: str = "1ms", step: str = "100ms",
                     link_rate_bps: float = 10e9, queue_packets: int = 100_000,
                     mode: str = "operator", source: str = "starlink-gen1",
                     hypatia_dir: Path | None = None, topology: str = "path") -> PingResult:
    """Ping from ``from_`` to ``to`` in ns-3 over leonet's routes (or a Hypatia folder's;
    ``topology`` ``full``: in its whole network).

    >>> # simulate_packets("Paris", "Berlin", start="2026-12-05T00:00:00Z", duration="20s")
    """
    interval_s = parse_interval_s(interval)
    timeline, whole = topology_for(from_, to, start=start, duration=duration, step=step,
                                   mode=mode, source=source, hypatia_dir=hypatia_dir,
                                   topology=topology)
    return run_ping(timeline, interval_s=interval_s, link_rate_bps=link_rate_bps,
                    queue_packets=queue_packets, whole=whole)


def simulate_tcp(from_: str, to: str, *, start: str | None = None, duration: str = "200s",
                 cc: str = "newreno", link_rate_bps: float = 10e6, queue_packets: int = 100,
                 sample: str = "100ms", step: str = "100ms", mode: str = "operator",
                 source: str = "starlink-gen1", hypatia_dir: Path | None = None,
                 topology: str = "path") -> TcpResult:
    """One bulk TCP flow from ``from_`` to ``to`` in ns-3 over leonet's routes (or a Hypatia
    folder's; ``topology`` ``full``: in its whole network): goodput, window, RTT,
    retransmissions and reordering over time."""
    cc = parse_cc(cc)
    sample_s = parse_duration_s(sample, what="--sample")
    check_tcp_run(parse_run_duration_s(duration), link_rate_bps, sample_s)
    timeline, whole = topology_for(from_, to, start=start, duration=duration, step=step,
                                   mode=mode, source=source, hypatia_dir=hypatia_dir,
                                   topology=topology)
    return run_tcp(timeline, cc=cc, link_rate_bps=link_rate_bps, queue_packets=queue_packets,
                   sample_s=sample_s, whole=whole)


def simulate_udp(from_: str, to: str, *, start: str | None = None, duration: str = "200s",
                 rate: str = "50Hz", size: str = "200B", deadline: str = "100ms",
                 link_rate_bps: float = 10e9, queue_packets: int = 100_000,
                 step: str = "100ms", mode: str = "operator", source: str = "starlink-gen1",
                 hypatia_dir: Path | None = None, topology: str = "path") -> UdpResult:
    """A constant-rate control stream from ``from_`` to ``to`` in ns-3 over leonet's routes
    (``topology`` ``full``: in a Hypatia folder's whole network): latency, loss and deadline
    misses per datagram and per 15-s slot."""
    rate_hz = parse_frequency_hz(rate, what="--rate")
    size_b = parse_size_bytes(size, what="--size")
    deadline_s = parse_deadline_s(deadline)
    timeline, whole = topology_for(from_, to, start=start, duration=duration, step=step,
                                   mode=mode, source=source, hypatia_dir=hypatia_dir,
                                   topology=topology)
    return run_udp(timeline, rate_hz=rate_hz, size_b=size_b, deadline_s=deadline_s,
                   link_rate_bps=link_rate_bps, queue_packets=queue_packets, whole=whole)
