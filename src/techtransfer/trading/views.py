"""Trading pages: listings, auctions with a live view, notices with objections, deals. Thin: each action calls one
service function; errors come back as messages naming the problem."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from techtransfer.accounts import permissions
from techtransfer.catalog.models import TransferMode
from techtransfer.core.actions import perform
from techtransfer.core.errors import DomainError, NotFound
from techtransfer.orgs.models import Organization, Verification
from techtransfer.trading import permissions as rules
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


def _lot(model, pk, user):
    try:
        return services.get_lot(model, pk, user)
    except NotFound:
        raise Http404


def index(request):
    now = timezone.now()
    return render(request, "trading/index.html", {
        "listings": permissions.visible(request.user, Listing.objects.filter(status=ListingStatus.OPEN))
        .select_related("achievement")[:8],
        "auctions": permissions.visible(request.user, Auction.objects.filter(status=AuctionStatus.OPEN))
        .select_related("achievement").order_by("ends_at")[:8],
        "notices": permissions.visible(request.user, Notice.objects.filter(status=NoticeStatus.IN_PERIOD))
        .select_related("achievement", "buyer")[:8],
        "deals": rules.visible_deals(request.user)[:8],
        "now": now,
    })


def _form_data(request, keys):
    return {k: request.POST[k] for k in keys if request.POST.get(k, "") != ""}


def _create(request, template, keys, create, model_name, extra=None):
    choices = list(rules.offerable_achievements(request.user))
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
    qs = permissions.visible(request.user, Listing.objects.select_related("achievement", "seller"))
    return _status_list(request, qs, ListingStatus, "trading/listings.html")


@login_required
def listing_new(request):
    return _create(request, "trading/listing_form.html", services.LISTING_FIELDS, services.create_listing, "listing")


def _act(request, actions: dict[str, Callable[[], Any]], to: str, pk: int) -> HttpResponse:
    """A POST on a lot's page: sign in first, run the action the form names (an unknown one is an error message)
    and come back to the page."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:login')}?next={request.path}")
    return perform(request, actions.get(request.POST.get("action", ""), _unknown_action), _("Done."), to, pk=pk)


def _unknown_action():
    raise DomainError(_("Unknown action."))


def _buyer_actions(request, lot) -> dict[str, Callable[[], Any]]:
    """What every listing and auction page lets one do about buyers: register, record a deposit, qualify."""
    post, user = request.POST, request.user

    def intent() -> ListingIntent:
        found = ListingIntent.objects.filter(pk=post.get("intent") or 0).first()
        if found is None or services.intent_lot(found) != lot:
            raise DomainError(_("No such registration."), field="intent")
        return found

    return {
        "register": lambda: services.register_intent(user, lot, post.get("buyer") or None, post.get("note", "")),
        "deposit": lambda: services.record_deposit(user, intent(), post.get("deposit_status", "")),
        "qualify": lambda: services.qualify(user, intent(), post.get("qualified") == "1", post.get("note", "")),
    }


def _lot_context(request, lot):
    user = request.user
    p = permissions.principal(user)
    my_orgs = services.user_orgs(user) if p.authenticated else []
    registered = set(lot.intents.values_list("buyer_id", flat=True)) if my_orgs else set()
    return {
        "manager": rules.may_manage(user, lot),
        "intents": rules.visible_intents(user, lot) if p.authenticated else [],
        "my_orgs": my_orgs,
        "register_orgs": [o for o in my_orgs if o.pk not in registered and o.pk != lot.seller_id],
        "deposit_statuses": [c for c in DepositStatus.choices if c[0] != DepositStatus.NOT_REQUIRED],
        "now": timezone.now(),
    }


def listing_detail(request, pk: int):
    listing = _lot(Listing, pk, request.user)
    if request.method == "POST":
        def close():
            result = services.close_listing(listing, actor=request.user)
            if isinstance(result, Auction):
                messages.success(request, _("Several buyers qualified: the auction has started."))
                return redirect("trading:auction", pk=result.pk)
            return result

        return _act(request, {
            **_buyer_actions(request, listing),
            "cancel": lambda: services.cancel_listing(request.user, listing, request.POST.get("reason", "")),
            "close": close,
        }, "trading:listing", listing.pk)
    ctx = _lot_context(request, listing)
    ctx.update(listing=listing, auction=getattr(listing, "auction", None), deal=getattr(listing, "deal", None))
    return render(request, "trading/listing.html", ctx)


# --- auctions ------------------------------------------------------------------------------------------------


def auction_list(request):
    qs = permissions.visible(request.user, Auction.objects.select_related("achievement", "seller"))
    return _status_list(request, qs, AuctionStatus, "trading/auctions.html")


@login_required
def auction_new(request):
    return _create(request, "trading/auction_form.html", services.AUCTION_FIELDS, services.create_auction, "auction",
                   {"anti_sniping": services.anti_sniping_default()})


def auction_detail(request, pk: int):
    auction = _lot(Auction, pk, request.user)
    if request.method == "POST":
        def bid():
            outcome = services.place_bid(request.user, auction, request.POST.get("amount", ""),
                                         request.POST.get("org") or None)
            (messages.success if outcome.accepted else messages.error)(request, outcome.message)
            return redirect("trading:auction", pk=auction.pk)

        return _act(request, {
            **_buyer_actions(request, auction),
            "bid": bid,
            "cancel": lambda: services.cancel_auction(request.user, auction, request.POST.get("reason", "")),
            "close": lambda: services.close_auction(auction, actor=request.user),
        }, "trading:auction", auction.pk)
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
    auction = _lot(Auction, pk, request.user)
    return JsonResponse(services.auction_state(request.user, auction))


# --- notices -------------------------------------------------------------------------------------------------


def notice_list(request):
    qs = permissions.visible(request.user, Notice.objects.select_related("achievement", "seller", "buyer"))
    return _status_list(request, qs, NoticeStatus, "trading/notices.html")


@login_required
def notice_new(request):
    buyers = Organization.objects.filter(verification=Verification.VERIFIED).order_by("name")[:500]
    return _create(request, "trading/notice_form.html", services.NOTICE_FIELDS, services.publish_notice, "notice",
                   {"buyers": buyers})


def notice_detail(request, pk: int):
    notice = _lot(Notice, pk, request.user)
    if request.method == "POST":
        post, user = request.POST, request.user

        def handle():
            objection = Objection.objects.filter(pk=post.get("objection") or 0, notice=notice).first()
            if objection is None:
                raise DomainError(_("No such objection."), field="objection")
            return services.handle_objection(user, objection, post.get("outcome", ""), post.get("note", ""))

        return _act(request, {
            "object": lambda: services.file_objection(user, notice, post.get("text", "")),
            "handle": handle,
            "revoke": lambda: services.revoke_notice(user, notice, post.get("reason", "")),
            "finalize": lambda: services.finalize_notice(notice, actor=user),
        }, "trading:notice", notice.pk)
    manager = rules.may_manage(request.user, notice)
    objections = rules.visible_objections(request.user, notice).select_related("filer")
    now = timezone.now()
    return render(request, "trading/notice.html", {
        "notice": notice, "manager": manager, "objections": objections, "now": now,
        "in_period": notice.status == NoticeStatus.IN_PERIOD and notice.starts_at <= now < notice.ends_at,
        "outcomes": [c for c in ObjectionOutcome.choices if c[0] != ObjectionOutcome.PENDING],
        "objection_count": notice.objections.count(), "deal": getattr(notice, "deal", None),
    })


# --- deals ---------------------------------------------------------------------------------------------------


def deal_list(request):
    page, querystring = _page(request, rules.visible_deals(request.user))
    contract_ok = {d.pk for d in page.object_list if d.contract_id and permissions.can_view(request.user, d.contract)}
    return render(request, "trading/deals.html", {"page_obj": page, "querystring": querystring,
                                                  "contract_ok": contract_ok})
