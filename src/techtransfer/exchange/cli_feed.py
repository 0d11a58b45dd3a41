"""``techtransfer exchange`` actions: the instance's own feed, key and export bundles (see
``management/commands/exchange.py``).

- ``rebuild-feed``: refresh every record of every kind (installation, upgrades; idempotent), with progress.
- ``key``: print the instance id, key id and public key (what peers register).
- ``export --from DATE --to DATE [--kinds K,...] --output FILE.json``: the signed export bundle of the period.
"""

from __future__ import annotations

import json
from pathlib import Path

from techtransfer.core.errors import DomainError
from techtransfer.exchange.services import bundle, feed


def _rebuild_arguments(sub, name):
    sub.add_parser(
        name,
        help="bring the change feed up to date with every record (install, upgrade; idempotent)",
        description="Re-read every record a visitor may see and every record in the feed, publish what "
        "changed and turn what is gone into tombstones. Running it again changes nothing.",
    )


def _rebuild(command, **options) -> int:
    changed = feed.rebuild(progress=command.stdout.write)
    s = feed.summary()
    command.stdout.write(
        f"feed rebuilt: {changed} entries changed; {s['live']} records published, last sequence number {s['last_seq']}"
    )
    return 0


def _key_arguments(sub, name):
    sub.add_parser(name, help="print this instance's id and public signing key (what peers register)")


def _key(command, **options) -> int:
    command.stdout.write(json.dumps(feed.key_document(), ensure_ascii=False, indent=2))
    return 0


def _export_arguments(sub, name):
    p = sub.add_parser(
        name,
        help="write a signed export bundle of a period (reporting to the province or nation)",
        description="Records changed in the period (and tombstones) plus the statistics records of "
        "its years, in the exchange format, signed with this instance's key. Exit status: 0, or 2 "
        "for unreadable dates or kinds, or a file that cannot be written.",
    )
    p.add_argument("--from", dest="date_from", required=True, metavar="YYYY-MM-DD", help="first day (inclusive)")
    p.add_argument("--to", dest="date_to", required=True, metavar="YYYY-MM-DD", help="last day (inclusive)")
    p.add_argument("--kinds", default="", metavar="KIND,...", help="only these kinds (default: all)")
    p.add_argument("--output", required=True, metavar="FILE.json", help="where to write the bundle")


def _export(command, *, date_from=None, date_to=None, kinds="", output=None, **options) -> int:
    try:
        doc = bundle.export(
            None,
            date_from,
            date_to,
            kinds.split(",") if kinds else None,
            progress=lambda line: command.stdout.write(f"  {line}"),
        )
    except DomainError as exc:
        command.stderr.write(f"error: {exc.message}")
        return 2
    path = Path(output)
    try:
        path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    except OSError as exc:
        command.stderr.write(f"error: cannot write {path}: {exc.strerror}")
        return 2
    command.stdout.write(
        f"wrote {len(doc['items'])} items ({doc['period']['from']} to {doc['period']['to']}) "
        f"to {path}, signed with key {doc['signature']['key_id']}"
    )
    return 0


ACTIONS: dict = {
    "rebuild-feed": (_rebuild_arguments, _rebuild),
    "key": (_key_arguments, _key),
    "export": (_export_arguments, _export),
}
