"""The registry: accounts, terminals, sponsors, funding, whitelist, transfers, policies,
tokens, telemetry batches, incidents and the hash-chained audit log, in SQL (SQLite by default,
PostgreSQL for many users); each module is a repository over one resource, and every change
goes through `Database.write()` and appends an audit entry in the same transaction. May import
the rest of `leonet.control` (policies, regions, telemetry) and `leonet.errors`; never
`regional`, `scenario`, `reporting`, `server`, `commands` or the CLI.
"""

from leonet.control.registry.audit import Actor, Verification
from leonet.control.registry.db import Database, resolve_database_url
from leonet.control.registry.models import Role, TerminalStatus

__all__ = ["Actor", "Database", "Role", "TerminalStatus", "Verification", "resolve_database_url"]
