"""What one server process holds: settings, the database and the registry cache."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from leonet.control.registry.cache import RegistryCache
from leonet.control.registry.db import Database
from leonet.control.registry.facts import RegionLookup
from leonet.server.batcher import Batcher
from leonet.server.settings import Settings


@dataclass
class ServiceState:
    settings: Settings
    db: Database
    cache: RegistryCache = field(init=False)
    regions: RegionLookup = field(default_factory=RegionLookup)

    batcher: Batcher = field(init=False)

    def __post_init__(self) -> None:
        from leonet.server.deciding import compute

        self.cache = RegistryCache(self.db)
        self.batcher = Batcher(partial(compute, regions=self.regions))
