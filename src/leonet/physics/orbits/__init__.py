"""Orbital elements and orbits: TLE and OMM readers (`tle`, `omm`)."""

from leonet.physics.orbits.tle import (
    ElementRecord,
    ElementSet,
    SkippedRecord,
    parse_tle,
    read_tle,
)

__all__ = [
    "ElementRecord",
    "ElementSet",
    "SkippedRecord",
    "parse_tle",
    "read_tle",
]
