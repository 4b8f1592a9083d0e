"""Orbital elements and orbits: TLE and OMM readers (`tle`, `omm`), Walker shells and
presets from public filings (`shells`), satellite sets (`constellation`) and SGP4
propagation to Earth-fixed states (`propagate`). May import the rest of `leonet.physics` and
`leonet.errors`; nothing else of leonet.
"""

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
