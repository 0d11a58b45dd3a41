"""``techtransfer restore FILE [--force]``: an archive of ``techtransfer backup`` into this installation."""

from __future__ import annotations

from pathlib import Path

from django.db import connections

from techtransfer.core import backup
from techtransfer.core.management.base import PlatformCommand


class Command(PlatformCommand):
    help = ("Restore the database and the uploads of an archive written by `techtransfer backup`. The archive's "
            "manifest is checked first (format, database kind, migrations); a target that holds data (a user "
            "account or an uploaded file) is refused unless --force. Stop the web servers and workers first.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="the archive")
        parser.add_argument("--force", action="store_true",
                            help="replace the database and the uploads even when they hold data")

    def run(self, *, file, force, **_options) -> int:
        path = Path(file)
        if not path.is_file():
            self.stderr.write(f"error: no such file: {path}")
            return 2
        try:
            backup.restore(path, connections["default"], force=force, progress=self.stdout.write)
        except backup.BackupError as exc:
            self.stderr.write(f"error: {exc}")
            return 1
        return 0
