"""One APIRouter per resource (accounts, terminals, decisions, detection, ...);
`leonet.server.main` includes them all. May import the rest of `leonet.server` (deps,
schemas, problems, codecs), `leonet.control` and `leonet.errors`; never `commands` or the CLI.
"""
