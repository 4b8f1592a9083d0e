"""The REST API: a thin layer over the registry and the policy engine. `main.create_app`
builds the FastAPI application and only wires (settings, state, middleware, one router per
resource from `routes`); `deps` holds the dependency aliases, `schemas` the request and
response models, and the codecs read request bodies into arrays; `leonet serve` runs it. May
import `leonet.control`, `leonet.errors` and the version from `leonet`; never `commands` or
the CLI.
"""
