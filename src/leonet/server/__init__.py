"""The REST API: a thin layer over the registry and the policy engine.

`leonet.server.main.create_app` builds the FastAPI application; `leonet serve` runs it.
"""
