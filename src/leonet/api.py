"""The public facade: ``from leonet.api import Policy, wgs84, ...``."""

from leonet.control.policy import Decisions, Policy, Rule
from leonet.control.policy.diff import PolicyDiff, diff_policies
from leonet.control.population import (
    Population,
    read_points,
    synthesize_population,
    write_points,
)
from leonet.control.regions import Region, resolve_region
from leonet.control.registry import Database
from leonet.control.spillover import SpilloverReport, spillover
from leonet.errors import InputError
from leonet.physics.ground import find_city, wgs84, world_cities
from leonet.physics.timegrid import TimeGrid, parse_utc

__all__ = [
    "Database",
    "Decisions",
    "InputError",
    "Policy",
    "PolicyDiff",
    "Population",
    "Region",
    "Rule",
    "SpilloverReport",
    "TimeGrid",
    "diff_policies",
    "find_city",
    "parse_utc",
    "read_points",
    "resolve_region",
    "spillover",
    "synthesize_population",
    "wgs84",
    "world_cities",
    "write_points",
]
