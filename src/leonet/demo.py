"""`make demo`: the main job on embedded defaults (no network, no ../shared data).

Each part of the demo is a function ``(out_dir) -> Section`` listed in `SECTIONS`; later
work adds its part with one line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from leonet.control.policy.demo import policy_section
from leonet.report import Section, write_report

SECTIONS: list[tuple[str, Callable[[Path], Section]]] = []
SECTIONS.append(("policies", policy_section))


def run_demo(out_dir: Path, progress: Callable[[str], None] = print) -> Path:
    """Run every demo section into ``out_dir``; return the report's HTML path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    sections = []
    for name, section in SECTIONS:
        progress(f"demo: {name}")
        sections.append(section(out_dir))
    return write_report(out_dir, "leonet demo report", sections)
