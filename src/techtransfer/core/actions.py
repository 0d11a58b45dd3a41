"""The shape every POST action of a page shares: call one service, say what happened, redirect (POST/redirect/GET).

A service raises ``DomainError`` for anything the user can fix; the page shows its message instead of an error
page, and nothing half-done stays behind because the service changes state in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from techtransfer.core.errors import DomainError


def perform(
    request: HttpRequest,
    action: Callable[[], Any],
    success: str | Callable[[Any], str] | None,
    to: str,
    *args,
    on_error: Callable[[DomainError], HttpResponse] | None = None,
    **kwargs,
) -> HttpResponse:
    """Run ``action()``; on success add ``success`` (a message, or a function of the action's result) and redirect
    to ``to`` (a URL name or path, with ``args``/``kwargs`` for ``reverse``). On a ``DomainError`` return
    ``on_error(exc)`` when given, else show the error's message and redirect to the same place."""
    try:
        result = action()
    except DomainError as exc:
        if on_error is not None:
            return on_error(exc)
        messages.error(request, exc.message)
        return redirect(to, *args, **kwargs)
    if success:
        messages.success(request, success(result) if callable(success) else success)
    return redirect(to, *args, **kwargs)
