"""`make demo` end to end: the shipped end-to-end scenario and every physics section run on
embedded defaults, and the report names its figures and files (the numbers themselves are
checked by each wing's tests)."""

import json

from leonet.reporting.demo import DEMO_SCENARIO, SECTIONS, run_demo


def test_demo_writes_a_complete_report(tmp_path):
    html = run_demo(tmp_path, progress=lambda _: None)
    assert html == tmp_path / "index.html" and html.exists()
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    titles = [line[3:] for line in report.splitlines() if line.startswith("## ")]
    assert titles[0] == f"Scenario: {DEMO_SCENARIO}"
    for needed in ("Events", "Terminals served over time", "Unauthorized use: telemetry, "
                   "detectors and suspensions", "Coverage of the affected areas",
                   "Latency in the affected areas"):
        assert needed in titles
    assert len(titles) == 7 + len(SECTIONS)
    for line in report.splitlines():
        if line.startswith("![") or line.startswith("Files: "):
            for name in line.replace("`", " ").replace("(", " ").replace(")", " ").split():
                if name.endswith((".png", ".csv", ".geojson", ".parquet")):
                    assert (tmp_path / name).stat().st_size > 0, name
    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert results["scenario"] == DEMO_SCENARIO and len(results["policies"]) == 6
