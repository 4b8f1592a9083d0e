"""One APIRouter per resource; `leonet.server.main` includes them all."""
