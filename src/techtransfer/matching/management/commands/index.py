"""``techtransfer index rebuild|status``: the search index is derived data, recreated from the database."""

from __future__ import annotations

import json

from techtransfer.core.management.base import PlatformCommand
from techtransfer.matching import indexing


class Command(PlatformCommand):
    help = "The matching engine's search index (derived from the database)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", metavar="ACTION")
        r = sub.add_parser("rebuild", help="recreate the search index from the database (searches keep working)")
        r.add_argument("--quiet", action="store_true", help="print only the summary")
        s = sub.add_parser("status", help="documents in the index against records in the database")
        s.add_argument("--json", action="store_true", help="print JSON")

    def run(self, *, action, **options) -> int:
        if action == "rebuild":
            return self.rebuild(quiet=options["quiet"])
        if action == "status":
            return self.status(as_json=options["json"])
        self.print_help("techtransfer", "index")
        return 0

    def rebuild(self, quiet: bool) -> int:
        def say(msg: str) -> None:
            if not quiet or msg.startswith("Index rebuilt"):
                self.stdout.write(msg)
                self.stdout.flush()

        indexing.rebuild(progress=say)
        return 0

    def status(self, as_json: bool) -> int:
        info = indexing.status()
        if as_json:
            self.stdout.write(json.dumps(info))
        else:
            self.stdout.write(f"index:     {info['path']}")
            self.stdout.write(f"documents: {info['documents']}")
            self.stdout.write(f"records:   {info['records']} (achievements and demands past draft, experts, brokers, "
                              "organizations)")
        return 0
