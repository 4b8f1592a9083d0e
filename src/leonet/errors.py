"""Exceptions shared by both wings.

Bad input raises `InputError` (a `ValueError`) with a message that names what was wrong and
where (file, line, field, JSON path) and what was expected. Interfaces turn it into exit code 2
(CLI) or a 4xx problem document (REST API).
"""

from __future__ import annotations


class InputError(ValueError):
    """Malformed or out-of-range input supplied by a user.

    ``where`` locates the problem (``"starlink.tle:1234"``, ``"rules[2].regions"``), ``what``
    says what was wrong and what was expected.
    """

    def __init__(self, what: str, where: str | None = None) -> None:
        self.what = what
        self.where = where
        super().__init__(f"{where}: {what}" if where else what)
