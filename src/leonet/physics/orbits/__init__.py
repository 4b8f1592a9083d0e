"""Orbital elements and orbits: TLE and OMM readers (`tle`, `omm`)."""

from leonet.physics.orbits.omm import (
    parse_elements,
    parse_omm_csv,
    parse_omm_json,
    read_elements,
    read_omm,
)
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
    "parse_elements",
    "parse_omm_csv",
    "parse_omm_json",
    "parse_tle",
    "read_elements",
    "read_omm",
    "read_tle",
]
