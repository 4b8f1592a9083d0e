"""The public facade: everything a user needs, importable from one place.

>>> from leonet.api import Constellation, Policy, TimeGrid, wgs84
"""

from leonet.cells import CellSet, cells_from_ids, latitude_band, region_cells
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
from leonet.physics.capacity import CapacityAssumptions, CapacityFigures, capacity
from leonet.physics.coverage import CoverageFigures, coverage
from leonet.physics.ephemeris import Ephemeris
from leonet.physics.ground import GroundPoints, find_city, wgs84, world_cities
from leonet.physics.orbits.constellation import Constellation
from leonet.physics.orbits.shells import PRESETS, Shell
from leonet.physics.timegrid import TimeGrid, parse_utc
from leonet.physics.visibility import Visibility, VisibilitySeries, count_visible, visible
from leonet.regional import RegionCapacity, RegionCoverage, region_capacity, region_coverage

__all__ = [
    "PRESETS",
    "CapacityAssumptions",
    "CapacityFigures",
    "CellSet",
    "Constellation",
    "CoverageFigures",
    "Decisions",
    "Ephemeris",
    "GroundPoints",
    "InputError",
    "Policy",
    "PolicyDiff",
    "Population",
    "Region",
    "RegionCapacity",
    "RegionCoverage",
    "Rule",
    "Shell",
    "SpilloverReport",
    "TimeGrid",
    "Visibility",
    "VisibilitySeries",
    "capacity",
    "cells_from_ids",
    "count_visible",
    "coverage",
    "diff_policies",
    "find_city",
    "latitude_band",
    "parse_utc",
    "read_points",
    "region_capacity",
    "region_cells",
    "region_coverage",
    "resolve_region",
    "spillover",
    "synthesize_population",
    "visible",
    "wgs84",
    "world_cities",
    "write_points",
]
