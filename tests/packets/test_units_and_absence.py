"""Units of packet options, and the message a user without the packets extra meets (these
run in plain `make test`: they never import ns-3)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from leonet.errors import InputError
from leonet.packets.units import (
    parse_frequency_hz,
    parse_queue_packets,
    parse_rate_bps,
    parse_size_bytes,
)


def test_units_read_as_ns3_reads_them():
    assert parse_rate_bps("10Gbps", what="--link-rate") == 1e10
    assert parse_rate_bps("2.5 Mbps", what="--link-rate") == 2.5e6
    assert parse_size_bytes("200B", what="--size") == 200
    assert parse_queue_packets("100000p", what="--queue") == 100_000
    assert parse_frequency_hz("50Hz", what="--rate") == 50.0


@pytest.mark.parametrize(("parse", "value", "what", "needle"), [
    (parse_rate_bps, "10 furlongs", "--link-rate", "cannot read"),
    (parse_rate_bps, "0bps", "--link-rate", "out of range"),
    (parse_size_bytes, "1.5B", "--size", "whole number"),
    (parse_size_bytes, "1MB", "--size", "out of range"),
    (parse_queue_packets, "0p", "--queue", "out of range"),
    (parse_frequency_hz, "-5Hz", "--rate", "cannot read"),
])
def test_bad_units_name_the_option(parse, value, what, needle):
    with pytest.raises(InputError, match=needle) as err:
        parse(value, what=what)
    assert str(err.value).startswith(what)


# As a user without the extra meets it: the `ns` package cannot be imported at all.
_BLOCKED = """
import sys
sys.modules["ns"] = None
from leonet.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_bad_udp_options_exit_2_naming_the_option(tmp_path):
    from leonet.cli import main

    base = ["packets", "udp", "--from", "Paris", "--to", "Berlin", "--start",
            "2026-12-05T00:00:00Z", "--out", str(tmp_path / "u.csv")]
    assert main([*base, "--rate", "50 parsecs"]) == 2
    assert main([*base, "--size", "0B"]) == 2
    assert main([*base, "--deadline", "-5ms"]) == 2
    assert not (tmp_path / "u.csv").exists()


@pytest.mark.parametrize(("option", "value", "needle"), [
    ("--cc", "reno", "--cc must be one of newreno, cubic, bbr, vegas"),
    ("--link-rate", "10 furlongs", "--link-rate: cannot read"),
    ("--queue", "0p", "--queue: '0p' is out of range"),
    ("--sample", "0ms", "--sample must be in"),
    ("--sample", "70ms", "whole number of --sample"),
    ("--link-rate", "1Tbps", "over the 2e+10 bit bound"),
    ("--duration", "-5s", "--duration"),
])
def test_bad_tcp_options_exit_2_in_one_line_naming_the_option(tmp_path, capsys, option,
                                                               value, needle):
    from leonet.cli import main

    out = tmp_path / "tcp.csv"
    args = ["packets", "tcp", "--from", "Paris", "--to", "Berlin", "--start",
            "2026-12-05T00:00:00Z", "--duration", "200s", "--out", str(out), option, value]
    assert main(args) == 2
    err = [ln for ln in capsys.readouterr().err.splitlines() if ln.strip()]
    assert len(err) == 1 and needle in err[0], err
    assert not out.exists()


@pytest.mark.parametrize("args", [
    ["packets", "ping", "--from", "Paris", "--to", "Berlin",
     "--start", "2026-12-05T00:00:00Z", "--out", "pings.csv"],
    ["packets", "udp", "--from", "Paris", "--to", "Berlin", "--rate", "50Hz",
     "--start", "2026-12-05T00:00:00Z", "--out", "pings.csv"],
    ["packets", "tcp", "--from", "Paris", "--to", "Berlin", "--cc", "cubic",
     "--start", "2026-12-05T00:00:00Z", "--out", "pings.csv"],
])
def test_without_the_extra_every_command_says_how_to_install(tmp_path, args):
    run = subprocess.run([sys.executable, "-c", _BLOCKED, *args], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2, run.stderr
    lines = [ln for ln in run.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, run.stderr
    assert "pip install -e '.[packets]'" in lines[0]
    assert not (tmp_path / "pings.csv").exists()


def test_no_service_at_the_start_is_an_input_error():
    from leonet.packets.engine import check_window
    from tests.packets.handmade import hand_timeline

    tl = hand_timeline(3, 0.1, [(0, 2), (1, 2)], [1000.0, 2000.0], [[], [0, 2, 1], [0, 2, 1]])
    with pytest.raises(InputError, match="no service at the start 2026-12-05T00:00:00"):
        check_window(tl)
    check_window(hand_timeline(3, 0.1, [(0, 2), (1, 2)], [1000.0, 2000.0], [[0, 2, 1]] * 3))


def test_a_window_far_from_the_elements_epoch_is_warned_about():
    from leonet.packets.simulate import stale_elements_note

    epoch = np.datetime64("2026-08-22T12:00:00", "ns")
    # 2026-08-29T12:00 is exactly 7 days on: still fine; 104.5 days on (2026-12-05) is not.
    assert stale_elements_note(epoch, np.datetime64("2026-08-22T00:00", "ns"),
                               np.datetime64("2026-08-29T12:00", "ns")) is None
    note = stale_elements_note(epoch, np.datetime64("2026-12-05T00:00", "ns"),
                               np.datetime64("2026-12-05T00:03:20", "ns"))
    assert note is not None and "104.5 days" in note and "2026-08-22T12:00:00Z" in note
    # Before the epoch counts too.
    assert stale_elements_note(epoch, np.datetime64("2026-08-01T00:00", "ns"),
                               np.datetime64("2026-08-01T00:03:20", "ns")) is not None
