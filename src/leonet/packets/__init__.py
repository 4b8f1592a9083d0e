"""Packet-level runs in ns-3 (its PyPI wheel ``ns3`` with cppyy bindings) over leonet's own
routes: a pair's paths and link lengths over time (`topology`), the ns-3 network stepped
through them (`engine`), and the applications with their typed results (`ping`). May import
`leonet.errors` and `leonet.physics`, nothing else of leonet.

Optional: ``pip install -e '.[packets]'``. Without it every entry point raises an
`InputError` saying how to install it (the CLI exits 2).
"""
