"""Trading pages: listings, auctions with a live view, notices with objections, deals. Thin: each action calls one
service function; errors come back as messages naming the problem."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from techtransfer.accounts import permissions
from techtransfer.accounts.models import Role
from techtransfer.catalog.models import Achievement, TransferMode
from techtransfer.catalog.models import Status as AchStatus
from techtransfer.core.errors import DomainError, NotFound
from techtransfer.regions.services import scope_q
from techtransfer.trading import services
from techtransfer.trading.models import (
    Auction,
    AuctionStatus,
    DepositStatus,
    Listing,
    ListingIntent,
    ListingStatus,
    NoBuyerAction,
    Notice,
    NoticeStatus,
    Objection,
    ObjectionOutcome,
)


def _page(request, qs, size=20):
    page = Paginator(qs, size).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page, (params.urlencode() + "&") if params else ""


def _lot(model, pk):
    try:
        return services.get_lot(model, pk)
    except NotFound:
        raise Http404


def index(request):
    now = timezone.now()
    return render(request, "trading/index.html", {
        "listings": Listing.objects.filter(status=ListingStatus.OPEN).select_related("achievement")[:8],
        "auctions": Auction.objects.filter(status=AuctionStatus.OPEN).select_related("achievement")
        .order_by("ends_at")[:8],
        "notices": Notice.objects.filter(status=NoticeStatus.IN_PERIOD).select_related("achievement", "buyer")[:8],
        "deals": services.deals_visible(request.user)[:8],
        "now": now,
    })


def offerable(user):
    """Published achievements the user may offer (owner organization administrator or reviewer in scope)."""
    p = permissions.principal(user)
    if not p.authenticated:
        return Achievement.objects.none()
    qs = Achievement.objects.filter(status=AchStatus.PUBLISHED)
    if p.is_platform_admin:
        return qs[:300]
    q = permissions.NOTHING
    for code in p.regions():
        q |= scope_q("region_id", code)
    ids = p.org_ids(Role.ORG_ADMIN)
    if ids:
        q |= Q(owner_id__in=sorted(ids))
    return qs.filter(q)[:300]


def _form_data(request, keys):
    return {k: request.POST[k] for k in keys if request.POST.get(k, "") != ""}


def _create(request, template, keys, create, model_name, extra=None):
    choices = list(offerable(request.user))
    ctx = {"achievements": choices, "modes": TransferMode.choices, "data": request.POST or request.GET,
           "no_buyer_actions": NoBuyerAction.choices, "min_days": services.notice_min_days(), **(extra or {})}
    if request.method == "POST":
        ach = next((a for a in choices if str(a.pk) == request.POST.get("achievement", "")), None)
        try:
            if ach is None:
                raise DomainError(_("Choose one of your published achievements."), field="achievement")
            data = _form_data(request, keys)
            if "verified_buyers_only" in keys:
                data["verified_buyers_only"] = request.POST.get("verified_buyers_only") == "on"
            obj = create(request.user, ach, data)
        except DomainError as exc:
            ctx.update(error=exc.message, error_field=exc.field)
            return render(request, template, ctx, status=400)
        messages.success(request, _("Saved."))
        return redirect(f"trading:{model_name}", pk=obj.pk)
    return render(request, template, ctx)


def _status_list(request, qs, statuses, template: str):
    """A paginated list of lots, optionally limited to one status (an unknown status shows them all)."""
    status = request.GET.get("status", "")
    if status in statuses.values:
        qs = qs.filter(status=status)
    page, querystring = _page(request, qs)
    return render(request, template, {"page_obj": page, "querystring": querystring,
                                      "statuses": statuses.choices, "status": status})


# --- listings ------------------------------------------------------------------------------------------------


def listing_list(request):
    qs = Listing.objects.select_related("achievement", "seller")
    return _status_list(request, qs, ListingStatus, "trading/listings.html")


@login_required
def listing_new(request):
    return _create(request, "trading/listing_form.html", services.LISTING_FIELDS, services.create_listing, "listing")


def _intent_actions(request, intent_model_lot, action):
    intent = ListingIntent.objects.filter(pk=request.POST.get("intent") or 0).first()
    if intent is None or services._intent_lot(intent) != intent_model_lot:
        raise DomainError(_("No such registration."), field="intent")
    if action == "deposit":
        services.record_deposit(request.user, intent, request.POST.get("deposit_status", ""))
    else:
        services.qualify(request.user, intent, request.POST.get("qualified") == "1", request.POST.get("note", ""))


def _lot_context(request, lot):
    user = request.user
    p = permissions.principal(user)
    my_orgs = services.user_orgs(user) if p.authenticated else []
    registered = set(lot.intents.values_list("buyer_id", flat=True)) if my_orgs else set()
    return {
        "manager": services.may_manage(user, lot),
        "intents": services.intents_for(user, lot) if p.authenticated else [],
        "my_orgs": my_orgs,
        "register_orgs": [o for o in my_orgs if o.pk not in registered and o.pk != lot.seller_id],
        "deposit_statuses": [c for c in DepositStatus.choices if c[0] != DepositStatus.NOT_REQUIRED],
        "now": timezone.now(),
    }


def listing_detail(request, pk: int):
    listing = _lot(Listing, pk)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{_login()}?next={request.path}")
        action = request.POST.get("action", "")
        try:
            if action == "register":
                services.register_intent(request.user, listing, request.POST.get("buyer") or None,
                                         request.POST.get("note", ""))
            elif action in ("deposit", "qualify"):
                _intent_actions(request, listing, action)
            elif action == "cancel":
                services.cancel_listing(request.user, listing, request.POST.get("reason", ""))
            elif action == "close":
                result = services.close_listing(listing, actor=request.user)
                if isinstance(result, Auction):
                    messages.success(request, _("Several buyers qualified: the auction has started."))
                    return redirect("trading:auction", pk=result.pk)
            else:
                raise DomainError(_("Unknown action."))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Done."))
        return redirect("trading:listing", pk=listing.pk)
    ctx = _lot_context(request, listing)
    ctx.update(listing=listing, auction=getattr(listing, "auction", None), deal=getattr(listing, "deal", None))
    return render(request, "trading/listing.html", ctx)


def _login():
    from django.urls import reverse

    return reverse("accounts:login")


# --- auctions ------------------------------------------------------------------------------------------------


def auction_list(request):
    qs = Auction.objects.select_related("achievement", "seller")
    return _status_list(request, qs, AuctionStatus, "trading/auctions.html")


@login_required
def auction_new(request):
    return _create(request, "trading/auction_form.html", services.AUCTION_FIELDS, services.create_auction, "auction",
                   {"anti_sniping": services.anti_sniping_default()})


def auction_detail(request, pk: int):
    auction = _lot(Auction, pk)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{_login()}?next={request.path}")
        action = request.POST.get("action", "")
        try:
            if action == "bid":
                outcome = services.place_bid(request.user, auction, request.POST.get("amount", ""),
                                             request.POST.get("org") or None)
                (messages.success if outcome.accepted else messages.error)(request, outcome.message)
                return redirect("trading:auction", pk=auction.pk)
            if action == "register":
                services.register_intent(request.user, auction, request.POST.get("buyer") or None,
                                         request.POST.get("note", ""))
            elif action in ("deposit", "qualify"):
                _intent_actions(request, auction, action)
            elif action == "cancel":
                services.cancel_auction(request.user, auction, request.POST.get("reason", ""))
            elif action == "close":
                services.close_auction(auction, actor=request.user)
            else:
                raise DomainError(_("Unknown action."))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Done."))
        return redirect("trading:auction", pk=auction.pk)
    ctx = _lot_context(request, auction)
    state = services.auction_state(request.user, auction)
    may_bid = [o for o in ctx["my_orgs"] if services.is_qualified(o.pk, auction) and o.pk != auction.seller_id]
    bids = auction.bids.select_related("bidder_org")
    mine = {o.pk for o in ctx["my_orgs"]}
    history = bids.filter(accepted=True).order_by("-amount")[:50]
    refused = bids.filter(accepted=False, bidder_org_id__in=sorted(mine))[:20] if mine else []
    ctx.update(auction=auction, state=state, may_bid=may_bid, history=history, refused=refused,
               labels=services.bidder_labels(auction), deal=getattr(auction, "deal", None))
    return render(request, "trading/auction.html", ctx)


@never_cache
def auction_state(request, pk: int):
    """The live state as JSON, polled by the auction page every two seconds."""
    auction = _lot(Auction, pk)
    return JsonResponse(services.auction_state(request.user, auction))


# --- notices -------------------------------------------------------------------------------------------------


def notice_list(request):
    qs = Notice.objects.select_related("achievement", "seller", "buyer")
    return _status_list(request, qs, NoticeStatus, "trading/notices.html")


@login_required
def notice_new(request):
    from techtransfer.orgs.models import Organization, Verification

    buyers = Organization.objects.filter(verification=Verification.VERIFIED).order_by("name")[:500]
    return _create(request, "trading/notice_form.html", services.NOTICE_FIELDS, services.publish_notice, "notice",
                   {"buyers": buyers})


def notice_detail(request, pk: int):
    notice = _lot(Notice, pk)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{_login()}?next={request.path}")
        action = request.POST.get("action", "")
        try:
            if action == "object":
                services.file_objection(request.user, notice, request.POST.get("text", ""))
            elif action == "handle":
                objection = Objection.objects.filter(pk=request.POST.get("objection") or 0, notice=notice).first()
                if objection is None:
                    raise DomainError(_("No such objection."), field="objection")
                services.handle_objection(request.user, objection, request.POST.get("outcome", ""),
                                          request.POST.get("note", ""))
            elif action == "revoke":
                services.revoke_notice(request.user, notice, request.POST.get("reason", ""))
            elif action == "finalize":
                services.finalize_notice(notice, actor=request.user)
            else:
                raise DomainError(_("Unknown action."))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Done."))
        return redirect("trading:notice", pk=notice.pk)
    manager = services.may_manage(request.user, notice)
    objections = notice.objections.select_related("filer")
    if not manager:
        # Objections are read by the notice's managers and by their filers; the outcome count is public.
        objections = objections.filter(filer_id=permissions.principal(request.user).user_id or 0)
    now = timezone.now()
    return render(request, "trading/notice.html", {
        "notice": notice, "manager": manager, "objections": objections, "now": now,
        "in_period": notice.status == NoticeStatus.IN_PERIOD and notice.starts_at <= now < notice.ends_at,
        "outcomes": [c for c in ObjectionOutcome.choices if c[0] != ObjectionOutcome.PENDING],
        "objection_count": notice.objections.count(), "deal": getattr(notice, "deal", None),
    })


# --- deals ---------------------------------------------------------------------------------------------------


def deal_list(request):
    page, querystring = _page(request, services.deals_visible(request.user))
    contract_ok = {d.pk for d in page.object_list if d.contract_id and permissions.can_view(request.user, d.contract)}
    return render(request, "trading/deals.html", {"page_obj": page, "querystring": querystring,
                                                  "contract_ok": contract_ok})
