"""Exchange pages: peer platforms (platform administrators), federated records (everyone: the public ones) and the
network statistics (region and platform administrators). Thin: parse, check permission, call a service, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techtransfer.accounts import permissions
from techtransfer.core.actions import perform
from techtransfer.core.errors import DomainError, Forbidden, NotFound
from techtransfer.exchange import format as fmt
from techtransfer.exchange.services import network, peers, records

FORM_FIELDS = ("name", "base_url", "instance_id", "public_key", "kinds", "region")


def _admin(request) -> None:
    if not permissions.allowed("exchange.manage_peers", request.user):
        raise PermissionDenied(_("Peer platforms are managed by platform administrators."))


@login_required
def peer_list(request):
    _admin(request)
    return render(request, "exchange/peers.html", {"peers": peers.visible_peers(request.user)})


def _form_values(request) -> dict:
    values = {k: request.POST.get(k, "") for k in FORM_FIELDS}
    values["kinds"] = request.POST.getlist("kinds")
    values["enabled"] = request.POST.get("enabled") == "on"
    return values


@login_required
def peer_form(request, pk: int | None = None):
    _admin(request)
    peer = None
    if pk is not None:
        try:
            peer = peers.get_peer(request.user, pk)
        except NotFound as exc:
            raise Http404(exc.message) from exc
    error, values = None, {}
    if request.method == "POST":
        values = _form_values(request)
        try:
            peer = peers.change(request.user, peer, **values) if peer else peers.register(request.user, **values)
        except DomainError as exc:
            error = exc
        else:
            return redirect("exchange:peer", pk=peer.pk)
    elif peer is not None:
        values = {
            "name": peer.name,
            "base_url": peer.base_url,
            "instance_id": peer.instance_id,
            "public_key": peer.public_key,
            "kinds": peer.kinds,
            "region": peer.region_id or "",
            "enabled": peer.enabled,
        }
    else:
        values = {"enabled": True, "kinds": []}
    return render(
        request,
        "exchange/peer_form.html",
        {"peer": peer, "values": values, "error": error, "kinds": fmt.KINDS},
        status=400 if error else 200,
    )


@login_required
def peer_detail(request, pk: int):
    _admin(request)
    try:
        peer = peers.get_peer(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    runs = Paginator(peer.runs.all(), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "exchange/peer.html",
        {"peer": peer, "runs": runs, "records": peer.records.filter(withdrawn=False).count()},
    )


@login_required
@require_POST
def peer_pull(request, pk: int):
    _admin(request)

    def action():
        run = peers.pull_now(request.user, peers.get_peer(request.user, pk))
        if not run.ok:
            raise DomainError(_("The pull failed: %(message)s") % {"message": run.message})
        return run

    return perform(
        request, action, lambda run: _("Pulled: %(message)s") % {"message": run.message}, "exchange:peer", pk=pk
    )


@login_required
@require_POST
def peer_enable(request, pk: int):
    _admin(request)
    enabled = request.POST.get("enabled") == "1"
    return perform(
        request,
        lambda: peers.set_enabled(request.user, peers.get_peer(request.user, pk), enabled),
        _("Peer enabled.") if enabled else _("Peer disabled."),
        "exchange:peer",
        pk=pk,
    )


def record_list(request):
    try:
        qs, chosen = records.listing(
            request.user,
            kind=request.GET.get("kind", ""),
            peer=request.GET.get("peer", ""),
            region=request.GET.get("region", ""),
        )
    except DomainError as exc:
        qs, chosen = records.listing(request.user), {"error": exc.message}
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "exchange/records.html",
        {
            "page": page,
            "chosen": chosen,
            "kinds": records.listed_kinds(),
            "peers": records.peers_with_records(),
            "querystring": params.urlencode(),
            "perms_peers": permissions.allowed("exchange.manage_peers", request.user),
        },
    )


def record_detail(request, pk: int):
    try:
        rec = records.get_record(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return render(
        request,
        "exchange/record.html",
        {"rec": rec, "fields": records.display_fields(rec), "local_url": records.local_duplicate_url(rec),
         "perms_peers": permissions.allowed("exchange.manage_peers", request.user)},
    )


@login_required
def network_page(request):
    try:
        table = network.statistics(request.user)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    return render(request, "exchange/network.html",
                  {"t": table, "perms_peers": permissions.allowed("exchange.manage_peers", request.user)})
