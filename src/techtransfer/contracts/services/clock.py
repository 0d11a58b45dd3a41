"""The contracts' clock: one place for "now", so tests can move time for every rule at once
(``monkeypatch.setattr(clock, "now", ...)``). Every module calls ``clock.now()`` through the module for that reason."""

from __future__ import annotations

import datetime

from django.utils import timezone


def now() -> datetime.datetime:
    return timezone.now()


def today() -> datetime.date:
    return timezone.localdate(now())
