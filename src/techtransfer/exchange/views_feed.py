"""Exchange pages: this instance's identity in the network (``/exchange/``) and its key at the well-known address
(``/.well-known/techtransfer-exchange.json``, declared by ``ExchangeConfig.well_known``)."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from techtransfer.accounts import permissions
from techtransfer.exchange import format as fmt
from techtransfer.exchange.services import feed


@require_safe
def index(request):
    per_kind = permissions.allowed("exchange.see_feed_figures", request.user)
    figures = feed.summary(per_kind=per_kind)
    return render(
        request,
        "exchange/index.html",
        {
            "key": feed.key_document(),
            "figures": figures,
            "kinds": list(figures.get("kinds", {}).items()),
            "format_version": fmt.VERSION,
            "perms_peers": permissions.allowed("exchange.manage_peers", request.user),
        },
    )


@require_safe
def well_known(request):
    response = JsonResponse(feed.key_document(), json_dumps_params={"ensure_ascii": False})
    # Another platform's browser-side tools may read it too; it is public by purpose.
    response["Access-Control-Allow-Origin"] = "*"
    return response
