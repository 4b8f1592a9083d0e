"""Results turned into files people read: the HTML/Markdown report (`html`), figures (`plots`,
`maps`), CSV/Parquet/GeoJSON tables (`exports`), the scenario report (`scenario`: sections and
files; `scenario_data`: its tables and results.json; `scenario_figures`: its figures) and the
assembly of `make demo` (`demo`, `policy_section`). May import every wing below it (`physics`,
`control`, `regional`, `scenario`), `errors` and `data`; never `server`, `commands` or the CLI,
and nothing below imports it.
"""
