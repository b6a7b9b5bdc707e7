"""Remove export files (and their jobs) older than EXPORT_RETENTION_DAYS, or --days."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from exports.services import exports_purge


class Command(BaseCommand):
    help = "Delete exports older than EXPORT_RETENTION_DAYS days (the files and their jobs)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=settings.EXPORT_RETENTION_DAYS,
            help="keep exports younger than this many days",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        removed = exports_purge(days=max(options["days"], 0))
        self.stdout.write(f"Removed {removed} export(s) older than {options['days']} day(s).")
