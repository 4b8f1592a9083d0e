"""Report folders: sections of Markdown with figures and tables, written as report.md and a
self-contained index.html (figures are files beside it; no network needed to view it)."""

from __future__ import annotations

import datetime as dt
import html
import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Section:
    """One part of a report: a title, Markdown-ish text, tables and figure files.

    ``figures`` are ``(caption, path)``: the caption is shown under the image and is its
    ``alt`` text (what a screen reader, or a reader whose image did not load, gets)."""

    title: str
    text: str = ""
    tables: list[tuple[str, list[str], list[list[object]]]] = field(default_factory=list)
    figures: list[tuple[str, Path]] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    def table(self, caption: str, header: list[str], rows: list[list[object]]) -> None:
        self.tables.append((caption, header, rows))


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 1e6 else f"{value:,.0f}"
    return str(value)


# The browser view of a run: `leonet dashboard` serves it on this address (docs/dashboard.md).
DASHBOARD_LINK = ("<p>On a globe: run <code>leonet dashboard &lt;this folder&gt;</code> and open "
                  "<a href='http://127.0.0.1:8050/'>http://127.0.0.1:8050/</a>.</p>")


def link(path: Path | str, out_dir: Path) -> str:
    """``path`` as a link from a file in ``out_dir``: relative to ``out_dir``, whatever the
    working directory (both may be relative to it, or absolute), with forward slashes.

    >>> link("reports/x/served.png", Path("reports/x"))
    'served.png'
    >>> link("/tmp/a/b.png", Path("/tmp/a/sub"))
    '../b.png'
    """
    rel = os.path.relpath(Path(path).absolute(), Path(out_dir).absolute())
    return Path(rel).as_posix()


def _md_alt(text: str) -> str:
    """``text`` safe inside Markdown's ``![...]``: brackets escaped."""
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def write_report(out_dir: Path, title: str, sections: list[Section],
                 generated: str | None = None) -> Path:
    """Write ``report.md`` and ``index.html`` into ``out_dir``; return the HTML path.

    ``generated`` replaces the "Generated <now>" line (reports that must come out byte for
    byte the same from the same inputs say where they came from instead of when)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = generated or dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    md = [f"# {title}", "", f"Generated {stamp}.", ""]
    body = [f"<h1>{html.escape(title)}</h1>", f"<p>Generated {stamp}.</p>"]
    body.append(DASHBOARD_LINK)
    for sec in sections:
        md += [f"## {sec.title}", "", sec.text, ""]
        body.append(f"<h2>{html.escape(sec.title)}</h2>")
        body += [f"<p>{html.escape(p)}</p>" for p in sec.text.split("\n\n") if p.strip()]
        for caption, header, rows in sec.tables:
            md += [f"**{caption}**", "", "| " + " | ".join(header) + " |",
                   "|" + "---|" * len(header)]
            md += ["| " + " | ".join(_fmt(v) for v in row) + " |" for row in rows]
            md.append("")
            cells = "".join(f"<th>{html.escape(h)}</th>" for h in header)
            trs = "".join(
                "<tr>" + "".join(f"<td>{html.escape(_fmt(v))}</td>" for v in row) + "</tr>"
                for row in rows
            )
            body.append(f"<table><caption>{html.escape(caption)}</caption>"
                        f"<tr>{cells}</tr>{trs}</table>")
        for caption, path in sec.figures:
            src = link(path, out_dir)
            md += [f"![{_md_alt(caption)}]({src})", ""]
            body.append(f"<figure><img src='{html.escape(src)}' alt='{html.escape(caption)}'>"
                        f"<figcaption>{html.escape(caption)}</figcaption></figure>")
        if sec.files:
            md += ["Files: " + ", ".join(f"`{link(f, out_dir)}`" for f in sec.files), ""]
            body.append("<p>Files: " + ", ".join(
                f"<a href='{html.escape(link(f, out_dir))}'>{html.escape(link(f, out_dir))}</a>"
                for f in sec.files) + "</p>")
    (out_dir / "report.md").write_text("\n".join(md), encoding="utf-8")
    style = ("body{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em}"
             "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;"
             "padding:.2em .6em;text-align:right}caption{font-weight:bold;text-align:left}"
             "img{max-width:100%}")
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
            f"</title><style>{style}</style></head><body>{''.join(body)}</body></html>")
    path = out_dir / "index.html"
    path.write_text(page, encoding="utf-8")
    return path
