"""Packet-run quantities written with units: link rates, sizes, queue lengths, frequencies.

Each parser names the option in its error and bounds the value before ns-3 sees it (a rate
of 0 would never send, a queue of 10^12 packets would exhaust memory).

>>> parse_rate_bps("10Mbps", what="--link-rate")
10000000.0
>>> parse_size_bytes("1.5kB", what="--size")
1500
>>> parse_queue_packets("100p", what="--queue")
100
>>> parse_frequency_hz("50Hz", what="--rate")
50.0
"""

from __future__ import annotations

import re

from leonet.errors import InputError

# Decimal prefixes, as ns-3's DataRate reads them ("10Mbps" = 10^7 bit/s).
_RATE_UNIT = {"bps": 1.0, "kbps": 1e3, "mbps": 1e6, "gbps": 1e9, "tbps": 1e12}
_SIZE_UNIT = {"b": 1, "kb": 1000, "mb": 1000**2}
_FREQ_UNIT = {"hz": 1.0, "khz": 1e3}
_NUMBER = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:e[-+]?\d+)?)\s*([a-z]*)\s*$", re.IGNORECASE)

# Bounds: 1 kbit/s .. 1 Tbit/s links; datagrams of 12 B (ns-3's sequence-and-timestamp
# header) to 65,507 B (the largest UDP payload over IPv4); queues of 1 .. 10^6 packets;
# streams of 0.01 Hz .. 10 kHz.
MIN_RATE_BPS, MAX_RATE_BPS = 1e3, 1e12
MIN_SIZE_B, MAX_SIZE_B = 12, 65_507
MIN_QUEUE_P, MAX_QUEUE_P = 1, 1_000_000
MIN_FREQ_HZ, MAX_FREQ_HZ = 0.01, 10_000.0


def _split(value: str, what: str, units: dict, example: str) -> tuple[float, str]:
    m = _NUMBER.match(str(value))
    unit = m.group(2).lower() if m else ""
    if m is None or unit not in units:
        raise InputError(f"{what}: cannot read {value!r}, expected e.g. {example!r}")
    return float(m.group(1)), unit


def _bounded(x: float, lo: float, hi: float, what: str, value: str) -> float:
    if not lo <= x <= hi:
        raise InputError(f"{what}: {value!r} is out of range [{lo:g}, {hi:g}]")
    return x


def parse_rate_bps(value: str, *, what: str) -> float:
    """Bits per second in ``"10Mbps"``, ``"10Gbps"``, ``"500kbps"``."""
    x, unit = _split(value, what, _RATE_UNIT, "10Mbps")
    return _bounded(x * _RATE_UNIT[unit], MIN_RATE_BPS, MAX_RATE_BPS, what, value)


def parse_size_bytes(value: str, *, what: str) -> int:
    """Whole bytes in ``"200B"``, ``"1.5kB"``."""
    x, unit = _split(value, what, _SIZE_UNIT, "200B")
    b = x * _SIZE_UNIT[unit]
    if b != int(b):
        raise InputError(f"{what}: {value!r} is not a whole number of bytes")
    return int(_bounded(b, MIN_SIZE_B, MAX_SIZE_B, what, value))


def parse_queue_packets(value: str, *, what: str) -> int:
    """Packets in ``"100p"`` (a bare number counts packets too)."""
    x, _unit = _split(value, what, {"p": 1, "": 1}, "100p")
    if x != int(x):
        raise InputError(f"{what}: {value!r} is not a whole number of packets")
    return int(_bounded(x, MIN_QUEUE_P, MAX_QUEUE_P, what, value))


def parse_frequency_hz(value: str, *, what: str) -> float:
    """Hertz in ``"50Hz"``."""
    x, unit = _split(value, what, _FREQ_UNIT, "50Hz")
    return _bounded(x * _FREQ_UNIT[unit], MIN_FREQ_HZ, MAX_FREQ_HZ, what, value)
