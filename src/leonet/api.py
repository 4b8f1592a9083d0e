"""The public facade: everything a user needs, importable from one place.

>>> from leonet.api import Constellation, TimeGrid, wgs84
"""

from leonet.errors import InputError
from leonet.physics.ephemeris import Ephemeris
from leonet.physics.ground import GroundPoints, find_city, wgs84, world_cities
from leonet.physics.orbits.constellation import Constellation
from leonet.physics.orbits.shells import PRESETS, Shell
from leonet.physics.timegrid import TimeGrid
from leonet.physics.visibility import Visibility, VisibilitySeries, count_visible, visible

__all__ = [
    "PRESETS",
    "Constellation",
    "Ephemeris",
    "GroundPoints",
    "InputError",
    "Shell",
    "TimeGrid",
    "Visibility",
    "VisibilitySeries",
    "count_visible",
    "find_city",
    "visible",
    "wgs84",
    "world_cities",
]
