"""Every suggested fix must itself be accepted (issue 14 §4): each error below offers a
correction; the test takes the correction out of the message, feeds it back, and expects it
to be accepted (a hint that leads to the next error teaches users to ignore hints)."""

from __future__ import annotations

import re

import pytest

from leonet.cli import main
from leonet.control.policy import Policy
from leonet.control.regions import resolve_region
from leonet.errors import InputError
from leonet.physics.timegrid import parse_utc

POLICY = Policy.from_text  # documents small enough to write inline


def _suggestions(message: str) -> list[str]:
    """The corrections a message offers: ``did you mean 'x' (or 'y')``, ``e.g. X)``,
    ``Possible options: --x``."""
    found = re.findall(r"[Dd]id you mean ((?:'[^']+'(?: \([A-Z]+\))?(?: or )?)+)", message)
    names = [n for group in found for n in re.findall(r"'([^']+)'", group)]
    names += re.findall(r"\(e\.g\. ([^ )]+)\)", message)
    for options in re.findall(r"Possible options: ([-\w, ]+)", message):
        names += options.split(", ")
    assert names, f"no suggestion found in {message!r}"
    return names


@pytest.mark.parametrize("written", [
    "2022-02-26",            # a date alone: the case (the hint once said 2022-02-26Z)
    "2022-02-26T12:00",
    "2022-02-26T12:00:30.5",
    "2022-02-26 12:00",
])
def test_time_without_zone_hint_is_accepted(written):
    with pytest.raises(InputError) as exc:
        parse_utc(written, what="from")
    (fix,) = _suggestions(str(exc.value))
    accepted = parse_utc(fix, what="from")
    # The fix means the instant the user wrote, read as UTC.
    assert accepted == parse_utc(written.replace(" ", "T") + ("T00:00" if "T" not in
                                 written and " " not in written else "") + "+00:00")


def test_region_hint_is_accepted():
    with pytest.raises(InputError) as exc:
        resolve_region("ukrane")
    first = _suggestions(str(exc.value))[0]
    assert first == "ukraine"
    assert resolve_region(first) is not None


def test_policy_key_hint_is_accepted():
    with pytest.raises(InputError) as exc:
        POLICY('version = "x"\ndefualt = "deny"')
    (fix,) = _suggestions(str(exc.value))
    assert POLICY(f'version = "x"\n{fix} = "deny"').version == "x"


def test_command_hint_is_accepted(capfd):
    assert main(["polcy", "regions", "ukr"]) == 2
    (fix,) = _suggestions(capfd.readouterr().err)
    assert main([fix, "regions", "ukr"]) == 0


def test_option_hint_is_accepted(capfd):
    args = ["policy", "explain", "--policy", "scenarios/ukraine-2026.toml", "--lat", "50",
            "--lon", "30", "--tim", "2026-02-10T12:00:00Z"]
    assert main(args) == 2
    offered = _suggestions(capfd.readouterr().err)
    assert "--time" in offered
    assert main([a if a != "--tim" else "--time" for a in args]) == 0


def test_date_only_option_hint_is_accepted_by_the_cli(capfd):
    args = ["policy", "explain", "--policy", "scenarios/ukraine-2026.toml", "--lat", "50.45",
            "--lon", "30.52", "--time"]
    assert main([*args, "2022-02-26"]) == 2
    (fix,) = _suggestions(capfd.readouterr().err)
    assert main([*args, fix]) == 0
