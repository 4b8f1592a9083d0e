"""The bridge from physics to regions: H3 cell sets of countries, disputed areas, bands and
files (`cells`), and the coverage (`coverage`) and busy-hour capacity (`capacity`) of those
cells, computed by `leonet.physics` at every cell centre. May import `leonet.physics`,
`leonet.control` (to resolve regions, label cells by country and decide activation under a
policy), `leonet.errors` and `leonet.data`; never `scenario`, `reporting`, `server`,
`commands` or the CLI.
"""
