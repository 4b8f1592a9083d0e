"""Small tables shipped with leonet (gateways, PoPs, disputed areas), with their sources in
README.md, and where the shipped scenario and policy files are (`scenario_dir`,
`policy_files`). Imports nothing of leonet: every package may read it.
"""

from __future__ import annotations

from pathlib import Path


def scenario_dir() -> Path:
    """The shipped scenario and policy files: inside the package when installed from a wheel
    (``leonet/data/scenarios``), else the project's ``scenarios/`` folder."""
    packaged = Path(__file__).resolve().parent / "scenarios"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "scenarios"


def policy_files() -> list[Path]:
    """The shipped policy documents (``scenarios/*.toml`` that are not scenario files)."""
    folder = scenario_dir()
    return sorted(p for p in folder.glob("*.toml") if not p.name.endswith(".scenario.toml"))
