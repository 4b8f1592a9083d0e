"""`make demo` end to end: every section runs on embedded defaults and the report names its
figures and files (the numbers themselves are checked by each wing's tests)."""

from leonet.demo import SECTIONS, run_demo


def test_demo_writes_a_complete_report(tmp_path):
    html = run_demo(tmp_path, progress=lambda _: None)
    assert html == tmp_path / "index.html" and html.exists()
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert report.count("\n## ") == len(SECTIONS)
    for line in report.splitlines():
        if line.startswith("![") or line.startswith("Files: "):
            for name in line.replace("`", " ").replace("(", " ").replace(")", " ").split():
                if name.endswith((".png", ".csv", ".geojson", ".parquet")):
                    assert (tmp_path / name).stat().st_size > 0, name
