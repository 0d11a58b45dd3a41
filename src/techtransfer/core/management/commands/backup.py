"""``techtransfer backup FILE``: the database and the uploads in one archive (core/backup.py)."""

from __future__ import annotations

from pathlib import Path

from django.db import connections

from techtransfer.core import backup
from techtransfer.core.management.base import PlatformCommand


class Command(PlatformCommand):
    help = ("Write the database (SQLite: online backup; PostgreSQL: pg_dump) and every uploaded file into one "
            "archive with a manifest (version, migrations, row counts). The platform may keep serving meanwhile.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="the archive to write, e.g. techtransfer-2026-12-03.tar.gz")
        parser.add_argument("--overwrite", action="store_true", help="replace FILE when it exists")

    def run(self, *, file, overwrite, **_options) -> int:
        path = Path(file)
        if path.exists() and not overwrite:
            self.stderr.write(f"error: {path} exists (use --overwrite to replace it)")
            return 2
        try:
            backup.create(path, connections["default"], progress=self.stdout.write)
        except backup.BackupError as exc:
            self.stderr.write(f"error: {exc}")
            return 1
        return 0
