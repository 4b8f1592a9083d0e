"""Command groups of the `leonet` CLI, one module per group, registered in `leonet.cli`:
each reads its options, calls the wings and prints or writes the results. May import every
wing (`physics`, `control`, `regional`, `scenario`, `reporting`), `errors` and `data`; it
starts the server by name through uvicorn instead of importing `server`, and nothing but
`leonet.cli` imports it.
"""
