"""Packet-level runs in ns-3 (its PyPI wheel ``ns3``, cppyy bindings) over leonet's routes.

Optional: ``pip install -e '.[packets]'``. Without it every entry point raises an
`InputError` saying how to install it (the CLI exits 2).
"""
