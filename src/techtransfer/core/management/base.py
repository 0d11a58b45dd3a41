"""The base of the apps' management commands that ``techtransfer`` also runs (an app's ``cli_commands``)."""

from __future__ import annotations

from django.core.management.base import BaseCommand


class PlatformCommand(BaseCommand):
    """A Django management command whose ``run(**options)`` returns the exit status.

    0 is success, 1 a finding (a failed import, a summary that differs), 2 a usage problem (no such file, no such
    user); a non-zero status leaves through ``SystemExit``, as Django's own ``makemigrations --check`` does.
    ``techtransfer <command>`` and ``python -m django <command>`` run the same code with the same arguments.
    """

    # Django's system checks belong to `techtransfer check`; the commands never ran them.
    requires_system_checks: list[str] = []
    # Django's common options stay accepted but out of the help, which then reads as the `techtransfer` one.
    suppressed_base_arguments = {
        "--version", "--verbosity", "--settings", "--pythonpath", "--traceback", "--no-color", "--force-color",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stderr.style_func = None  # plain "error: ..." lines, as before the move

    def handle(self, *args, **options):
        status = self.run(**options)
        if status:
            raise SystemExit(status)

    def run(self, **options) -> int:
        raise NotImplementedError
