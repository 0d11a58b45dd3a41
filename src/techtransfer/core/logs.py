"""The id of the request being served, for log lines (``TECHTRANSFER_LOG_FORMAT=json`` writes it as ``request_id``).

It is set from the start of a request to its end (Django's ``request_started`` and ``request_finished`` signals,
connected by ``CoreConfig.ready``, so that Django's own lines about the response, e.g. ``Not Found: /x``, carry it
too): the proxy's ``X-Request-ID`` when it sends a well-formed one (nginx: ``proxy_set_header X-Request-ID
$request_id``), else a new one. ``RequestIdMiddleware`` (``core/middleware.py``) returns it in the response, so
that a user's report, the proxy's access log and the application's lines meet.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

from django.core.signals import request_finished, request_started

current_request_id: ContextVar[str] = ContextVar("techtransfer_request_id", default="")

_WELL_FORMED = re.compile(r"[A-Za-z0-9._-]{1,64}")


def request_id_from(header: str | None) -> str:
    """The proxy's id when it is well formed (it is written into logs as it came), else a new one."""
    if header and _WELL_FORMED.fullmatch(header):
        return header
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to a record written while a request is served (nothing outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = current_request_id.get()
        if request_id and not hasattr(record, "request_id"):
            record.request_id = request_id
        return True


def _started(sender, environ=None, **kwargs) -> None:
    current_request_id.set(request_id_from((environ or {}).get("HTTP_X_REQUEST_ID")))


def _finished(sender, **kwargs) -> None:
    current_request_id.set("")


def connect() -> None:
    request_started.connect(_started, dispatch_uid="techtransfer.request_id.started")
    request_finished.connect(_finished, dispatch_uid="techtransfer.request_id.finished")
