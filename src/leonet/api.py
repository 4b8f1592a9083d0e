"""The public facade: everything a user needs, importable from one place.

>>> from leonet.api import Constellation, TimeGrid, wgs84
"""

from leonet.cells import CellSet, cells_from_ids, latitude_band, region_cells
from leonet.errors import InputError
from leonet.physics.capacity import CapacityAssumptions, CapacityFigures, capacity
from leonet.physics.coverage import CoverageFigures, coverage
from leonet.physics.ephemeris import Ephemeris
from leonet.physics.ground import GroundPoints, find_city, wgs84, world_cities
from leonet.physics.orbits.constellation import Constellation
from leonet.physics.orbits.shells import PRESETS, Shell
from leonet.physics.timegrid import TimeGrid
from leonet.physics.visibility import Visibility, VisibilitySeries, count_visible, visible
from leonet.regional import RegionCapacity, RegionCoverage, region_capacity, region_coverage

__all__ = [
    "PRESETS",
    "CapacityAssumptions",
    "CapacityFigures",
    "CellSet",
    "Constellation",
    "CoverageFigures",
    "Ephemeris",
    "GroundPoints",
    "InputError",
    "RegionCapacity",
    "RegionCoverage",
    "Shell",
    "TimeGrid",
    "Visibility",
    "VisibilitySeries",
    "capacity",
    "cells_from_ids",
    "count_visible",
    "coverage",
    "find_city",
    "latitude_band",
    "region_capacity",
    "region_cells",
    "region_coverage",
    "visible",
    "wgs84",
    "world_cities",
]
