"""``techtransfer export achievements|demands FILE``: what a user may see, to CSV, XLSX or JSONL."""

from __future__ import annotations

import sys

from django.contrib.auth import get_user_model
from tqdm import tqdm

from techtransfer.catalog import browse, io
from techtransfer.catalog.management.commands._files import add_format, add_kind_and_file, model_of
from techtransfer.core.errors import DomainError
from techtransfer.core.management.base import PlatformCommand


class Command(PlatformCommand):
    help = (
        "Export the records a user may see. Without --user, only public records and public fields are written; "
        "protected details and contacts only appear for records that user may read."
    )

    def add_arguments(self, parser):
        add_kind_and_file(parser)
        add_format(parser)
        parser.add_argument("--user", help="export as this user (user name)")
        parser.add_argument("--status", help="only records in this status")

    def run(self, *, kind, file, format, user, status, **_options) -> int:
        as_user = None
        if user:
            as_user = get_user_model().objects.filter(username=user).first()
            if as_user is None:
                self.stderr.write(f"error: no user {user}")
                return 2
        try:
            fmt = format or io.guess_format(file.name)
            f = browse.Filters(status=status or "")
            qs = browse.filter_achievements(as_user, f) if kind == "achievements" else browse.filter_demands(as_user, f)
            total = qs.count()
            response = io.export_response(as_user, model_of(kind), qs, fmt)
        except DomainError as exc:
            self.stderr.write(f"error: {exc.message}")
            return 2
        with file.open("wb") as out, tqdm(total=total, unit=" records", file=sys.stderr, desc="exporting") as bar:
            io.write_response(response, out, progress=bar.update)
            bar.update(total - bar.n)
        self.stdout.write(f"exported {total} {kind} to {file}")
        return 0
