"""``techtransfer exchange`` actions: peers (see ``management/commands/exchange.py``).

- ``techtransfer exchange peers``: the registered peer platforms with their last pull.
- ``techtransfer exchange pull PEER|--all [--max-pages N] [--timeout S]``: pull one peer (its id or instance id) or
  every enabled one now; a line per page, a summary per peer. Exit status 0 when every pull succeeded, 1 when one
  failed (the message says why), 2 for a usage error.
"""

from __future__ import annotations

from techtransfer.exchange.models import Peer
from techtransfer.exchange.services import pull as pulling


def _add_peers(sub, name):
    return sub.add_parser(name, help="list the peer platforms and their last pull")


def _run_peers(command, **options) -> int:
    peers = list(Peer.objects.select_related("region").order_by("name", "id"))
    if not peers:
        command.stdout.write("no peer platforms registered")
        return 0
    for p in peers:
        state = "enabled" if p.enabled else "disabled"
        when = p.last_pulled_at.strftime("%Y-%m-%d %H:%M") if p.last_pulled_at else "never"
        command.stdout.write(
            f"{p.pk:>4}  {p.instance_id:<24} {p.name}  <{p.base_url}>  {state}, cursor "
            f"{p.cursor or '0'}, last pull {when}: {p.last_status} {p.last_message}".rstrip()
        )
    return 0


def _add_pull(sub, name):
    parser = sub.add_parser(
        name,
        help="pull the change feed of one peer platform (or --all enabled ones)",
        description="Fetch the peer's signed change feed from where the last pull stopped, "
        "verify every page and store its records as federated records. Exit status: 0 when "
        "every pull succeeded, 1 when one failed, 2 for an unknown peer.",
    )
    parser.add_argument("peer", nargs="?", metavar="PEER", help="the peer's id or instance id")
    parser.add_argument("--all", action="store_true", help="every enabled peer")
    parser.add_argument("--max-pages", type=int, default=None, metavar="N", help="stop after N pages")
    parser.add_argument("--timeout", type=float, default=10, metavar="S", help="seconds per request (default 10)")
    return parser


def _run_pull(command, *, peer=None, all=False, max_pages=None, timeout=10, **options) -> int:  # noqa: A002
    if bool(peer) == bool(all):
        command.stderr.write("error: name one PEER or give --all")
        return 2
    if all:
        peers = list(Peer.objects.filter(enabled=True))
    else:
        ref = str(peer).strip()
        found = Peer.objects.filter(pk=int(ref)).first() if ref.isascii() and ref.isdigit() and len(ref) <= 18 else None
        found = found or Peer.objects.filter(instance_id=ref).first()
        if found is None:
            command.stderr.write(f"error: no peer platform {ref!r} (see `techtransfer exchange peers`)")
            return 2
        peers = [found]
    failed = 0
    for p in peers:
        command.stdout.write(f"pulling {p.name} ({p.instance_id}) from cursor {p.cursor or '0'} …")
        run = pulling.pull(
            p, max_pages=max_pages, timeout=timeout, progress=lambda msg: command.stdout.write(f"  {msg}")
        )
        if run.ok:
            command.stdout.write(
                f"  ok: {run.pages} pages, {run.created} new, {run.updated} updated, "
                f"{run.withdrawn} withdrawn, {run.unchanged} unchanged; cursor {run.cursor_to or '0'}"
            )
        else:
            failed += 1
            command.stderr.write(f"  failed: {p.name} ({p.instance_id}): {run.message}")
    return 1 if failed else 0


ACTIONS: dict = {"peers": (_add_peers, _run_peers), "pull": (_add_pull, _run_pull)}
