"""Scenarios: timelines of events over both wings, replayed and reported.

`load_scenario` reads and checks a scenario file (TOML; docs/scenarios.md), `run` replays it
into a `ScenarioResult`, and `write_results` writes the HTML report and the machine-readable
results into a folder.
"""

from leonet.scenario.run import ScenarioResult, run
from leonet.scenario.spec import Scenario, load_scenario

__all__ = ["Scenario", "ScenarioResult", "load_scenario", "run"]
