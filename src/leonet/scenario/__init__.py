"""Scenarios: timelines of events over both wings, replayed into typed results.
`load_scenario` reads and checks a scenario file (TOML; docs/scenarios.md), `run` replays it
into a `ScenarioResult` (`results` holds it and the frozen types it is made of), and
`leonet.reporting.scenario.write_results` writes its files. May import `physics`, `control`,
`regional`, `distributed` (``run(..., client=)``), `errors` and `data`; never `reporting`,
`server` or the CLI.
"""

from leonet.scenario.results import ScenarioResult
from leonet.scenario.run import run
from leonet.scenario.spec import Scenario, load_scenario

__all__ = ["Scenario", "ScenarioResult", "load_scenario", "run"]
