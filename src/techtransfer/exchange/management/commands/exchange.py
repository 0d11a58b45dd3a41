"""``techtransfer exchange ACTION …``: the exchange between platforms from the command line. The actions are
declared by ``exchange.cli_feed`` (the instance's own feed, key and export bundles) and ``exchange.cli_peers``
(peers and pulls); each module's ``ACTIONS`` maps an action name to ``(add_arguments(parser), run(command,
**options) -> exit status)``."""

from __future__ import annotations

from techtransfer.core.management.base import PlatformCommand
from techtransfer.exchange import cli_feed, cli_peers

ACTIONS = {**cli_feed.ACTIONS, **cli_peers.ACTIONS}


class Command(PlatformCommand):
    help = "Exchange between platforms (数据互通): the signed change feed, peers and pulls, export bundles."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", metavar="ACTION")
        for name, (add_arguments, _run) in ACTIONS.items():
            add_arguments(sub, name)

    def run(self, *, action=None, **options) -> int:
        if action not in ACTIONS:
            self.print_help("techtransfer", "exchange")
            return 0
        return ACTIONS[action][1](self, **options)
