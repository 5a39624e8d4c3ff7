"""What every listener and job shares: settings, the database, the catalogue and the clock."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.background import Background
from bot.clock import Clock
from bot.delivery.outbox import OutboxWorker
from bot.settings import Settings
from models.catalogue import Catalogue, load_catalogue
from models.db import Database


@dataclass
class Services:
    settings: Settings
    db: Database
    catalogue: Catalogue
    clock: Clock = field(default_factory=Clock)
    background: Background = field(default_factory=Background)
    outbox: OutboxWorker = field(init=False)

    def __post_init__(self) -> None:
        self.outbox = OutboxWorker(self)

    @classmethod
    def from_settings(cls, settings: Settings) -> Services:
        return cls(settings, Database(settings.database_url), load_catalogue(settings.catalogue_path))
