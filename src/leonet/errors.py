"""Exceptions shared by both wings, and the "did you mean" hint of their messages.

Bad input raises `InputError` (a `ValueError`) with a message that names what was wrong and
where (file, line, field, JSON path) and what was expected. Interfaces turn it into exit code 2
(CLI) or a 4xx problem document (REST API).

>>> did_you_mean("vehicle_sped_kmh", ["vehicle_speed_kmh", "ship_speed_kmh"])
"; did you mean 'vehicle_speed_kmh'?"
>>> str(unknown_name("mode", "sapce", ["operator", "space", "fibre"], "modes"))
"modes: unknown mode 'sapce'; did you mean 'space'?"
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable


class InputError(ValueError):
    """Malformed or out-of-range input supplied by a user.

    ``where`` locates the problem (``"starlink.tle:1234"``, ``"rules[2].regions"``), ``what``
    says what was wrong and what was expected.
    """

    def __init__(self, what: str, where: str | None = None) -> None:
        self.what = what
        self.where = where
        super().__init__(f"{where}: {what}" if where else what)


class FetchError(RuntimeError):
    """A remote source failed: offline, an HTTP error, or an answer that is not what was
    asked for. ``where`` is the URL. The CLI exits with code 3 (see README "Exit codes")."""

    def __init__(self, what: str, where: str) -> None:
        self.what = what
        self.where = where
        super().__init__(f"{where}: {what}")


def close_names(value: str, known: Iterable[str], *, n: int = 1, cutoff: float = 0.6
                ) -> list[str]:
    """Up to ``n`` of the ``known`` names closest to ``value`` (difflib's ratio of at least
    ``cutoff``), closest first."""
    return difflib.get_close_matches(value, list(known), n=n, cutoff=cutoff)


def did_you_mean(value: str, known: Iterable[str], *, n: int = 1, cutoff: float = 0.6,
                 show: Callable[[str], str] = repr, otherwise: str = "",
                 prefix_first: bool = False) -> str:
    """``"; did you mean 'x'?"`` (``'x' or 'y'`` for several) for the ``known`` names closest
    to ``value``, each written by ``show``; ``otherwise`` when none is close. With
    ``prefix_first`` a name that starts with ``value`` is the suggestion."""
    known = list(known)
    close = [k for k in known if k.startswith(value)][:1] if prefix_first else []
    shown = [show(c) for c in close or close_names(value, known, n=n, cutoff=cutoff)]
    if not shown:
        return otherwise
    return "; did you mean " + " or ".join(dict.fromkeys(shown)) + "?"


def unknown_name(what: str, value: str, known: Iterable[str], where: str, tail: str = ""
                 ) -> InputError:
    """The error for a name not among ``known``: the closest as a suggestion, else the list
    (followed by ``tail``)."""
    known = list(known)
    return InputError(f"unknown {what} {value!r}" + did_you_mean(
        value, known, otherwise=f"; expected {', '.join(known)}{tail}"), where)
