"""``techtransfer index rebuild|status``: the search index is derived data, recreated from the database."""

from __future__ import annotations

import json


def register(subparsers) -> None:
    p = subparsers.add_parser("index", help="search index: rebuild it from the database, or show its status",
                              description="The matching engine's search index (derived from the database).")
    sub = p.add_subparsers(dest="index_command", metavar="ACTION")
    r = sub.add_parser("rebuild", help="recreate the search index from the database (searches keep working)")
    r.add_argument("--quiet", action="store_true", help="print only the summary")
    r.set_defaults(func=cmd_rebuild)
    s = sub.add_parser("status", help="documents in the index against records in the database")
    s.add_argument("--json", action="store_true", help="print JSON")
    s.set_defaults(func=cmd_status)
    p.set_defaults(func=lambda args: p.print_help() or 0)
    try:
        from . import evaluation
    except ImportError:
        return
    register_eval = getattr(evaluation, "register_eval", None)
    if register_eval is not None:
        register_eval(subparsers)


def cmd_rebuild(args) -> int:
    from techtransfer.cli import setup

    setup()
    from . import indexing

    def say(msg: str) -> None:
        if not args.quiet or msg.startswith("Index rebuilt"):
            print(msg, flush=True)

    indexing.rebuild(progress=say)
    return 0


def cmd_status(args) -> int:
    from techtransfer.cli import setup

    setup()
    from . import indexing

    info = indexing.status()
    if args.json:
        print(json.dumps(info))
    else:
        print(f"index:     {info['path']}")
        print(f"documents: {info['documents']}")
        print(f"records:   {info['records']} (achievements and demands past draft, experts, brokers, "
              "organizations)")
    return 0
