"""Demo data: a realistic province for trying the platform. Every record is marked ``is_demo``.

The demo world is loaded in parts. ``foundation`` (organizations, people, accounts) comes first; then every
installed app that declares ``demo_loader = "demo.load"`` (a ``load(progress) -> int``) on its AppConfig adds its
own part, in installed-apps order. Each part is recorded in :class:`DemoPart` and never loaded twice.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from techtransfer.core import plugins
from techtransfer.demo import foundation
from techtransfer.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD  # noqa: F401  (re-exported for the CLI)
from techtransfer.demo.models import DemoPart

Progress = Callable[[str], None]


def demo_parts() -> list[tuple[str, Callable[[Progress], int]]]:
    """The parts in loading order: (name, loader)."""
    return [("foundation", foundation.load), *plugins.demo_loaders()]


def load_demo(progress: Progress | None = None) -> bool:
    """Load every demo part not loaded yet. Returns False when everything was already present."""
    say = progress or (lambda _msg: None)
    loaded_any = False
    done = set(DemoPart.objects.values_list("name", flat=True))
    for name, loader in demo_parts():
        if name in done:
            continue
        say(f"Loading demo data: {name} …")
        with transaction.atomic():
            count = loader(say)
            DemoPart.objects.create(name=name, records=count)
        say(f"  {name}: {count} records")
        loaded_any = True
    return loaded_any
