"""The public facade: everything a user needs, importable from one place.

>>> from leonet.api import Constellation, Policy, TimeGrid, wgs84
"""

from leonet.control.detect import (
    DetectConfig,
    Incidents,
    TerminalFacts,
    detect,
    read_terminal_facts,
)
from leonet.control.fleet import Fleet, GroupSpec, Placement, Sponsorship
from leonet.control.mobility import MobilityParams, locate
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
from leonet.control.telemetry import (
    RowIssues,
    Telemetry,
    read_telemetry,
    telemetry_from_arrays,
)
from leonet.distributed.routes import routes
from leonet.errors import InputError
from leonet.packets.ping import PingResult, PingSummary
from leonet.packets.simulate import simulate_packets, simulate_tcp, simulate_udp
from leonet.packets.tcp import TcpResult, TcpSummary
from leonet.packets.topology import PathTimeline
from leonet.packets.udp import UdpResult, UdpSlots
from leonet.physics.capacity import CapacityAssumptions, CapacityFigures, capacity
from leonet.physics.coverage import CoverageFigures, coverage
from leonet.physics.ephemeris import Ephemeris
from leonet.physics.ground import GroundPoints, concat_points, find_city, wgs84, world_cities
from leonet.physics.ground_segment import (
    Sites,
    assign_pops,
    read_sites,
    starlink_gateways,
    starlink_pops,
)
from leonet.physics.hypatia import HypatiaInputs, read_hypatia_dir
from leonet.physics.links import (
    MAX_LASER_RANGE_KM,
    GroundLinks,
    IslTopology,
    PlaneAssignment,
    ground_links,
    parse_isls,
    plus_grid,
)
from leonet.physics.network import MODES, Network
from leonet.physics.orbits.constellation import Constellation
from leonet.physics.orbits.shells import PRESETS, Shell
from leonet.physics.planes import detect_planes
from leonet.physics.route_series import REASONS, RouteSeries
from leonet.physics.routing import SatelliteGraph, SpaceRoutes, space_routes
from leonet.physics.scheduling import (
    STRATEGIES,
    Candidates,
    Schedule,
    highest_elevation,
    longest_visible,
    schedule,
    slot_grid,
)
from leonet.physics.timegrid import TimeGrid, parse_utc
from leonet.physics.visibility import Visibility, VisibilitySeries, count_visible, visible
from leonet.regional.capacity import RegionCapacity, region_capacity
from leonet.regional.cells import CellSet, cells_from_ids, latitude_band, region_cells
from leonet.regional.coverage import CoverageSummary, RegionCoverage, region_coverage
from leonet.reporting.ephemeris import write_ephemeris
from leonet.reporting.route_tables import (
    paths_table,
    paths_writer,
    series_table,
    write_paths,
    write_series,
)
from leonet.reporting.scenario import write_results as write_scenario_report
from leonet.scenario import Scenario, ScenarioResult, load_scenario
from leonet.scenario import run as run_scenario
from leonet.scenario.results import (
    CoverageRun,
    Event,
    LatencyRoute,
    LatencyRun,
    PolicyChange,
    WindowResult,
)

__all__ = [
    "MAX_LASER_RANGE_KM",
    "MODES",
    "PRESETS",
    "REASONS",
    "STRATEGIES",
    "Candidates",
    "CapacityAssumptions",
    "CapacityFigures",
    "CellSet",
    "Constellation",
    "CoverageFigures",
    "CoverageRun",
    "CoverageSummary",
    "Database",
    "Decisions",
    "DetectConfig",
    "Ephemeris",
    "Event",
    "Fleet",
    "GroundLinks",
    "GroundPoints",
    "GroupSpec",
    "HypatiaInputs",
    "Incidents",
    "InputError",
    "IslTopology",
    "LatencyRoute",
    "LatencyRun",
    "MobilityParams",
    "Network",
    "PathTimeline",
    "PingResult",
    "PingSummary",
    "Placement",
    "PlaneAssignment",
    "Policy",
    "PolicyChange",
    "PolicyDiff",
    "Population",
    "Region",
    "RegionCapacity",
    "RegionCoverage",
    "RouteSeries",
    "RowIssues",
    "Rule",
    "SatelliteGraph",
    "Scenario",
    "ScenarioResult",
    "Schedule",
    "Shell",
    "Sites",
    "SpaceRoutes",
    "SpilloverReport",
    "Sponsorship",
    "TcpResult",
    "TcpSummary",
    "Telemetry",
    "TerminalFacts",
    "TimeGrid",
    "UdpResult",
    "UdpSlots",
    "Visibility",
    "VisibilitySeries",
    "WindowResult",
    "assign_pops",
    "capacity",
    "cells_from_ids",
    "concat_points",
    "count_visible",
    "coverage",
    "detect",
    "detect_planes",
    "diff_policies",
    "find_city",
    "ground_links",
    "highest_elevation",
    "latitude_band",
    "load_scenario",
    "locate",
    "longest_visible",
    "parse_isls",
    "parse_utc",
    "paths_table",
    "paths_writer",
    "plus_grid",
    "read_hypatia_dir",
    "read_points",
    "read_sites",
    "read_telemetry",
    "read_terminal_facts",
    "region_capacity",
    "region_cells",
    "region_coverage",
    "resolve_region",
    "routes",
    "run_scenario",
    "schedule",
    "series_table",
    "simulate_packets",
    "simulate_tcp",
    "simulate_udp",
    "slot_grid",
    "space_routes",
    "spillover",
    "starlink_gateways",
    "starlink_pops",
    "synthesize_population",
    "telemetry_from_arrays",
    "visible",
    "wgs84",
    "world_cities",
    "write_ephemeris",
    "write_paths",
    "write_points",
    "write_scenario_report",
    "write_series",
]
