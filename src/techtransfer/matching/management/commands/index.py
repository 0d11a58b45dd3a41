"""``techtransfer index rebuild|status|follow|hosts|forget``: the search index is derived data, recreated from the
database; each host's index follows the change log (``matching.replica``)."""

from __future__ import annotations

import json
import signal
import threading

from techtransfer.core import processes
from techtransfer.core.management.base import PlatformCommand
from techtransfer.matching import indexing, replica


class Command(PlatformCommand):
    help = "The matching engine's search index (derived from the database)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", metavar="ACTION")
        r = sub.add_parser("rebuild", help="recreate the search index from the database (searches keep working)")
        r.add_argument("--quiet", action="store_true", help="print only the summary")
        s = sub.add_parser("status", help="documents in the index against records in the database")
        s.add_argument("--json", action="store_true", help="print JSON")
        f = sub.add_parser("follow", help="keep this host's index following the change log (`serve` and `worker` "
                           "run it themselves; one per data folder)")
        f.add_argument("--parent", type=int, default=0, metavar="PID", help="stop when process PID is gone")
        h = sub.add_parser("hosts", help="the hosts whose index follows the change log: position, lag, last seen")
        h.add_argument("--json", action="store_true", help="print JSON")
        g = sub.add_parser("forget", help="unregister a host that is gone, so that the change log can be pruned "
                           "past it (it rebuilds its index if it comes back)")
        g.add_argument("host", help="the host's name (TECHTRANSFER_HOST_ID), as `index hosts` lists it")

    def run(self, *, action, **options) -> int:
        if action == "rebuild":
            return self.rebuild(quiet=options["quiet"])
        if action == "status":
            return self.status(as_json=options["json"])
        if action == "follow":
            return self.follow(parent=options["parent"])
        if action == "hosts":
            return self.hosts(as_json=options["json"])
        if action == "forget":
            return self.forget(options["host"])
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

    def follow(self, parent: int) -> int:
        if parent:
            processes.watch_parent(parent)
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_args: stop.set())
        replica.follow(stop)
        return 0

    def hosts(self, as_json: bool) -> int:
        found = replica.hosts()
        if as_json:
            self.stdout.write(json.dumps(found))
            return 0
        if not found:
            self.stdout.write("no host follows the change log yet")
        for h in found:
            mark = " (this host)" if h["this_host"] else ""
            self.stdout.write(f"{h['host']}{mark}: position {h['position']}, lag {h['lag_seconds']} s, "
                              f"last seen {h['last_seen']} ({h['last_seen_seconds']:.0f} s ago)")
        return 0

    def forget(self, host: str) -> int:
        if not replica.forget(host):
            self.stderr.write(f"error: no host {host!r} follows the change log (see `techtransfer index hosts`)")
            return 2
        self.stdout.write(f"{host} unregistered: the change log is no longer kept for it")
        return 0
