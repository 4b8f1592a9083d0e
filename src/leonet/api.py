"""The public facade: everything a user needs, importable from one place.

>>> from leonet.api import Constellation, Policy, TimeGrid, wgs84
"""

from leonet.control.policy import Decisions, Policy, Rule
from leonet.control.policy.diff import PolicyDiff, diff_policies
from leonet.control.population import (
    Population,
    read_points,
    synthesize_population,
    write_points,
)
from leonet.control.regions import Region, resolve_region
from leonet.control.spillover import SpilloverReport, spillover
from leonet.errors import InputError
from leonet.physics.ephemeris import Ephemeris
from leonet.physics.ground import GroundPoints, find_city, wgs84, world_cities
from leonet.physics.orbits.constellation import Constellation
from leonet.physics.orbits.shells import PRESETS, Shell
from leonet.physics.timegrid import TimeGrid, parse_utc
from leonet.physics.visibility import Visibility, VisibilitySeries, count_visible, visible

__all__ = [
    "PRESETS",
    "Constellation",
    "Decisions",
    "Ephemeris",
    "GroundPoints",
    "InputError",
    "Policy",
    "PolicyDiff",
    "Population",
    "Region",
    "Rule",
    "Shell",
    "SpilloverReport",
    "TimeGrid",
    "Visibility",
    "VisibilitySeries",
    "count_visible",
    "diff_policies",
    "find_city",
    "parse_utc",
    "read_points",
    "resolve_region",
    "spillover",
    "synthesize_population",
    "visible",
    "wgs84",
    "world_cities",
    "write_points",
]
