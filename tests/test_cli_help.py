"""Every command's help (issue 14 §4): ``-h`` as well as ``--help``; no ``<bool>`` beside a
flag, no ``--no-no-…`` switch, no ``{a} {b}`` in usage lines, no description cut with "…";
``leonet --version``; errors as exactly one line on standard error whatever the width."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from leonet import __version__
from leonet.cli import command_tree, main


def _command_paths(group, prefix=()):
    """Every command and group of the CLI, as argument lists."""
    yield list(prefix)
    for name, sub in getattr(group, "commands", {}).items():
        if not sub.hidden:
            yield from _command_paths(sub, (*prefix, name))


COMMANDS = list(_command_paths(command_tree()))


def test_the_walk_sees_the_commands():
    names = {" ".join(c) for c in COMMANDS}
    assert {"detect", "data fetch", "policy explain", "telemetry check"} <= names
    assert len(COMMANDS) > 25


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "leonet")
def test_help_is_clean(command, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    assert main([*command, "-h"]) == 0
    short = capsys.readouterr().out
    assert main([*command, "--help"]) == 0
    assert capsys.readouterr().out == short
    assert "Usage:" in short
    assert "<bool>" not in short
    assert "--no-no-" not in short
    assert "…" not in short
    usage = next(line for line in short.splitlines() if "Usage:" in line)
    assert "{" not in usage, usage


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"leonet {__version__}"


def test_range_error_names_the_option(capfd):
    assert main(["policy", "explain", "--policy", "x.toml", "--lat", "95", "--lon", "30",
                 "--time", "2026-02-10T12:00Z"]) == 2
    err = capfd.readouterr().err.splitlines()
    assert len(err) == 1 and "'--lat'" in err[0] and "90" in err[0]


@pytest.mark.parametrize("columns", ["40", "80", "300"])
def test_errors_are_one_line_at_any_width_when_piped(columns, tmp_path):
    # A real process with its standard error piped, as in a log: the message is far longer
    # than 40 or 80 columns and must still come out on one line.
    env = {**os.environ, "COLUMNS": columns}
    run = subprocess.run(
        [sys.executable, "-m", "leonet.cli", "policy", "explain", "--policy",
         str(tmp_path / "nowhere" / "a-long-policy-file-name-for-a-long-message.toml"),
         "--lat", "45", "--lon", "30", "--time", "2022-02-26"],
        capture_output=True, text=True, env=env, timeout=120, check=False)
    assert run.returncode == 2
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and len(lines[0]) > 80, lines


def test_an_unwritable_output_is_one_line(tmp_path, capfd):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    out = blocker / "ephemeris.csv"
    assert main(["ephemeris", "oneweb", "--start", "2026-08-23T00:00:00Z", "--duration", "1min",
                 "--step", "1min", "--out", str(out)]) == 2
    err = capfd.readouterr().err.splitlines()
    assert len(err) == 1 and str(blocker) in err[0], err
