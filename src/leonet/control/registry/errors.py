"""Errors the registry raises; the REST API maps each to one HTTP status.

Bad input (a malformed field) is `leonet.errors.InputError`; these are about the state of
what is stored.
"""

from __future__ import annotations


class RegistryError(Exception):
    """Base of the registry's state errors; ``str()`` is a sentence for the user."""


class NotFoundError(RegistryError, LookupError):
    """The named record does not exist (or is not visible to the caller)."""


class AlreadyExistsError(RegistryError):
    """A record with this identifier already exists."""


class VersionConflictError(RegistryError):
    """Optimistic concurrency: the record changed since the caller read it."""

    def __init__(self, what: str, expected: int, current: int) -> None:
        self.expected = expected
        self.current = current
        super().__init__(
            f"{what} is at version {current}, not {expected}: it changed since you read it; "
            "fetch it again and retry"
        )


class RuleViolationError(RegistryError):
    """A change the registry's rules forbid (transfer too early, two-person rule, ...)."""


class AlreadyBootstrappedError(RegistryError):
    """`leonet admin bootstrap` ran before: the first admin exists."""
