"""Who handles a topic: ``@handler("catalog.record_changed")`` on a function of a higher app.

The registry lives here, at the bottom, so that a lower app can publish a topic that only a higher app handles
(catalog publishes ``catalog.record_changed``; matching handles it) without either importing the other. Handlers
are registered when their module is imported (an app's ``ready()``), in every process: the web server, the
worker and the command line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

_HANDLERS: dict[str, dict[str, Callable]] = {}


@dataclass(frozen=True)
class Delivery:
    """What a handler receives: the event's id, topic, payload and when it was committed (epoch seconds)."""

    id: int
    topic: str
    payload: dict
    created_at: float


def handler(topic: str, name: str | None = None):
    """Register the decorated ``fn(delivery: Delivery)`` for ``topic``. It runs at least once per event, on the
    task queue, so it must be idempotent: re-read the current state rather than trust the payload's."""

    def register(fn: Callable) -> Callable:
        key = name or f"{fn.__module__}.{fn.__qualname__}"
        _HANDLERS.setdefault(topic, {})[key] = fn
        return fn

    return register


def handler_names(topic: str) -> list[str]:
    return list(_HANDLERS.get(topic, {}))


def get(topic: str, name: str) -> Callable | None:
    return _HANDLERS.get(topic, {}).get(name)


def topics() -> list[str]:
    return sorted(_HANDLERS)
