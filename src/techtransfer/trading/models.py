"""Trading of achievements — 成果交易: listings (挂牌交易), auctions (拍卖) and negotiated deals with public notice
(协议定价公示), and the transaction record every final deal leaves (成交记录).

Source: 促进科技成果转化法 art. 18 (a state-funded unit prices by agreement, listing on a technology exchange or
auction; agreement pricing needs a public notice of the achievement's name, the parties and the price); CTEX
practice for auctions (start price, reserve, increment, deposit 保证金, failed auction 流拍 when no valid bid
reaches the reserve, fee on sold lots only). The rules live in ``services``; these models hold the records.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from techtransfer.catalog.models import TransferMode
from techtransfer.core.models import AuthoredRecord

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")


class Scoped(AuthoredRecord):
    """A trading record belongs to the seller organization and lies in the achievement's region."""

    achievement = models.ForeignKey(
        "catalog.Achievement", verbose_name=_("achievement"), on_delete=models.PROTECT, related_name="+"
    )
    seller = models.ForeignKey(
        "orgs.Organization", verbose_name=_("seller organization"), on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")

    scope_region_field = "region_id"
    scope_org_field = "seller_id"

    class Meta:
        abstract = True

    @classmethod
    def public_q(cls) -> Q:
        # Market records are public by nature (公开交易); cancelled ones stay readable for the trail. Those of an
        # achievement marked restricted or controlled (军民两用) are not: they would show its title to outsiders.
        return Q(achievement__classification="public")


class NoBuyerAction(models.TextChoices):
    EXTEND = "extend", _("Extend the listing period")
    CLOSE = "close", _("Close the listing")


class ListingStatus(models.TextChoices):
    OPEN = "open", _("Open")
    AUCTION = "auction", _("Turned into an auction")
    SOLD = "sold", _("Sold")
    CLOSED = "closed", _("Closed without a buyer")
    CANCELLED = "cancelled", _("Cancelled")


class Listing(Scoped):
    """A listing of a published achievement at a fixed price — 挂牌交易.

    At the end of the period: one qualified buyer → deal at the listed price; several → an auction among them;
    none → the period is extended or the listing closes, as the owner chose.
    """

    price = models.DecimalField(_("listed price (yuan)"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    transfer_mode = models.CharField(_("transfer mode"), max_length=20, choices=TransferMode.choices)
    terms = models.TextField(_("transfer terms"), blank=True)
    starts_at = models.DateTimeField(_("listing period starts"))
    ends_at = models.DateTimeField(_("listing period ends"), db_index=True)
    deposit = models.DecimalField(_("deposit required (yuan)"), **MONEY, default=ZERO)
    qualification = models.TextField(_("buyer qualification"), blank=True)
    verified_buyers_only = models.BooleanField(_("verified buyer organizations only"), default=True)
    no_buyer_action = models.CharField(
        _("when nobody qualifies"), max_length=8, choices=NoBuyerAction.choices, default=NoBuyerAction.CLOSE
    )
    extension_days = models.PositiveSmallIntegerField(_("extension (days)"), default=10)
    max_extensions = models.PositiveSmallIntegerField(_("at most this many extensions"), default=2)
    extensions = models.PositiveSmallIntegerField(_("extensions so far"), default=0)
    auction_increment = models.DecimalField(
        _("bid increment if it turns into an auction (yuan)"), **MONEY, default=Decimal("1000.00")
    )
    auction_minutes = models.PositiveIntegerField(_("auction length if it turns into one (minutes)"), default=60)
    status = models.CharField(
        _("status"), max_length=10, choices=ListingStatus.choices, default=ListingStatus.OPEN, db_index=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="listing_price_positive"),
            models.CheckConstraint(condition=Q(deposit__gte=0), name="listing_deposit_nonneg"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="listing_period_order"),
        ]

    def __str__(self) -> str:
        return f"{_('Listing')} #{self.pk} · {self.achievement}"


class DepositStatus(models.TextChoices):
    NOT_REQUIRED = "not_required", _("Not required")
    PENDING = "pending", _("Awaiting payment")
    PAID = "paid", _("Paid")
    REFUNDED = "refunded", _("Refunded")
    FORFEITED = "forfeited", _("Forfeited")


class ListingIntent(models.Model):
    """A buyer's registration of intent — 意向受让登记 — on a listing or directly on an auction.

    The deposit (保证金) is recorded as a status only (no payment gateway); the seller's administrator or a region
    administrator in scope records it and qualifies the buyer.
    """

    listing = models.ForeignKey(Listing, null=True, blank=True, on_delete=models.CASCADE, related_name="intents")
    auction = models.ForeignKey(
        "trading.Auction", null=True, blank=True, on_delete=models.CASCADE, related_name="intents"
    )
    buyer = models.ForeignKey(
        "orgs.Organization", verbose_name=_("buyer organization"), on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="+"
    )
    # The lot's region, so the audit trail of registrations is visible to the region administrators in scope.
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    deposit_status = models.CharField(
        _("deposit"), max_length=12, choices=DepositStatus.choices, default=DepositStatus.NOT_REQUIRED
    )
    qualified = models.BooleanField(_("qualified"), default=False)
    qualification_note = models.TextField(_("qualification note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    scope_region_field = "region_id"
    scope_org_field = "buyer_id"

    class Meta:
        verbose_name = _("buyer registration")
        verbose_name_plural = _("buyer registrations")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(listing__isnull=False, auction__isnull=True)
                | Q(listing__isnull=True, auction__isnull=False),
                name="intent_for_one_lot",
            ),
            models.UniqueConstraint(
                fields=["listing", "buyer"], condition=Q(listing__isnull=False), name="one_intent_per_listing_buyer"
            ),
            models.UniqueConstraint(
                fields=["auction", "buyer"], condition=Q(auction__isnull=False), name="one_intent_per_auction_buyer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.buyer} → {self.listing or self.auction}"

    @property
    def lot(self):
        return self.listing or self.auction


class AuctionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    SOLD = "sold", _("Sold")
    FAILED = "failed", _("Failed (no valid bid reached the reserve)")
    CANCELLED = "cancelled", _("Cancelled")


class Auction(Scoped):
    """An ascending (English) auction of an achievement — 拍卖.

    ``current_price``, ``leader_*``, ``bid_count`` and ``ends_at`` change only together, under a row lock, in
    ``services.place_bid``. A bid in the last ``anti_sniping_minutes`` moves the end to bid time + that many
    minutes (延时竞价).
    """

    listing = models.OneToOneField(
        Listing, null=True, blank=True, on_delete=models.PROTECT, related_name="auction", verbose_name=_("listing")
    )
    transfer_mode = models.CharField(_("transfer mode"), max_length=20, choices=TransferMode.choices)
    terms = models.TextField(_("transfer terms"), blank=True)
    start_price = models.DecimalField(
        _("start price (yuan)"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    reserve_price = models.DecimalField(_("reserve price (yuan)"), **MONEY, default=ZERO)
    increment = models.DecimalField(_("bid increment (yuan)"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    deposit = models.DecimalField(_("deposit required (yuan)"), **MONEY, default=ZERO)
    verified_buyers_only = models.BooleanField(_("verified buyer organizations only"), default=True)
    qualification = models.TextField(_("buyer qualification"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), db_index=True)
    scheduled_end = models.DateTimeField(_("scheduled end"))
    anti_sniping_minutes = models.PositiveSmallIntegerField(_("anti-sniping window and extension (minutes)"), default=5)
    fee_rate = models.DecimalField(
        _("exchange fee rate on a sold lot"), max_digits=5, decimal_places=4, default=Decimal("0.0000")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=AuctionStatus.choices, default=AuctionStatus.OPEN, db_index=True
    )
    current_price = models.DecimalField(_("current price (yuan)"), **MONEY, null=True, blank=True)
    leader_org = models.ForeignKey(
        "orgs.Organization", verbose_name=_("leading bidder"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    leader_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    bid_count = models.PositiveIntegerField(_("accepted bids"), default=0)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("auction")
        verbose_name_plural = _("auctions")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(start_price__gt=0), name="auction_start_price_positive"),
            models.CheckConstraint(condition=Q(increment__gt=0), name="auction_increment_positive"),
            models.CheckConstraint(condition=Q(reserve_price__gte=0), name="auction_reserve_nonneg"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="auction_period_order"),
        ]

    def __str__(self) -> str:
        return f"{_('Auction')} #{self.pk} · {self.achievement}"

    @property
    def minimum_bid(self) -> Decimal:
        if self.current_price is None:
            return self.start_price
        return self.current_price + self.increment


class RefusalCode(models.TextChoices):
    TOO_LOW = "too_low", _("Below the minimum bid")
    CLOSED = "closed", _("The auction has ended")
    NOT_STARTED = "not_started", _("The auction has not started yet")
    NOT_QUALIFIED = "not_qualified", _("You are not a qualified bidder")
    OWN_LOT = "own_lot", _("You cannot bid on your own lot")
    ALREADY_LEADING = "already_leading", _("You already hold the highest bid")


class Bid(models.Model):
    """One bid — 出价 — accepted or refused with a reason code. Refused bids are kept for the record."""

    auction = models.ForeignKey(Auction, on_delete=models.CASCADE, related_name="bids")
    bidder_org = models.ForeignKey(
        "orgs.Organization", verbose_name=_("bidder"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("placed by"), on_delete=models.PROTECT,
                             related_name="+")
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    placed_at = models.DateTimeField(_("placed at"), db_index=True)
    accepted = models.BooleanField(_("accepted"), default=False)
    refusal_code = models.CharField(_("refusal reason"), max_length=16, choices=RefusalCode.choices, blank=True)
    ends_at_after = models.DateTimeField(_("auction end after this bid"), null=True, blank=True)

    scope_region_field = "auction__region_id"
    scope_org_field = "auction__seller_id"

    class Meta:
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        ordering = ["-placed_at", "-id"]
        constraints = [
            # Two accepted bids at one price would mean the lock failed; the database refuses it as well.
            models.UniqueConstraint(
                fields=["auction", "amount"], condition=Q(accepted=True), name="one_accepted_bid_per_price"
            ),
            models.CheckConstraint(
                condition=Q(accepted=True, refusal_code="") | Q(accepted=False) & ~Q(refusal_code=""),
                name="bid_accepted_or_reason",
            ),
        ]
        indexes = [models.Index(fields=["auction", "accepted", "-amount"])]

    def __str__(self) -> str:
        return f"{self.auction_id} · {self.amount} · {'ok' if self.accepted else self.refusal_code}"


class NoticeStatus(models.TextChoices):
    IN_PERIOD = "in_period", _("In its notice period")
    FINAL = "final", _("Deal final")
    REVOKED = "revoked", _("Revoked")


class Notice(Scoped):
    """A public notice of a negotiated price — 协议定价公示 (促进科技成果转化法 art. 18): the achievement's name, the
    parties and the proposed price, for at least the configured number of days (15 by default). The deal becomes
    final only after the period ends with every objection handled and none upheld."""

    buyer = models.ForeignKey(
        "orgs.Organization", verbose_name=_("buyer organization"), on_delete=models.PROTECT, related_name="+"
    )
    price = models.DecimalField(_("proposed price (yuan)"), **MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    transfer_mode = models.CharField(_("transfer mode"), max_length=20, choices=TransferMode.choices)
    pricing_basis = models.TextField(_("pricing basis"), blank=True, help_text=_("e.g. an evaluation report"))
    contact = models.CharField(_("where to send objections"), max_length=200)
    starts_at = models.DateTimeField(_("notice period starts"))
    ends_at = models.DateTimeField(_("notice period ends"), db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.IN_PERIOD, db_index=True
    )
    revoked_reason = models.TextField(_("reason of revocation"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("negotiated deal notice")
        verbose_name_plural = _("negotiated deal notices")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="notice_price_positive"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="notice_period_order"),
        ]

    def __str__(self) -> str:
        return f"{_('Notice')} #{self.pk} · {self.achievement}"


class ObjectionOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    DISMISSED = "dismissed", _("Dismissed")
    UPHELD = "upheld", _("Upheld")


class Objection(models.Model):
    """An objection to a notice — 异议 — and its recorded outcome."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="objections")
    filer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("filed by"), on_delete=models.PROTECT,
                              related_name="+")
    text = models.TextField(_("objection"))
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=ObjectionOutcome.choices, default=ObjectionOutcome.PENDING, db_index=True
    )
    outcome_note = models.TextField(_("handling note"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    created_at = models.DateTimeField(_("filed at"), auto_now_add=True)

    scope_region_field = "notice__region_id"
    scope_org_field = "notice__seller_id"

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{_('Objection')} #{self.pk} · {self.get_outcome_display()}"


class DealSource(models.TextChoices):
    LISTING = "listing", _("Listing")
    AUCTION = "auction", _("Auction")
    NOTICE = "notice", _("Negotiated deal after public notice")


class Deal(Scoped):
    """A final deal — 成交记录: price, parties, where it came from, and the contract filing draft it produced."""

    buyer = models.ForeignKey(
        "orgs.Organization", verbose_name=_("buyer organization"), on_delete=models.PROTECT, related_name="+"
    )
    buyer_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    price = models.DecimalField(_("final price (yuan)"), **MONEY)
    fee = models.DecimalField(_("exchange fee (yuan)"), **MONEY, default=ZERO)
    transfer_mode = models.CharField(_("transfer mode"), max_length=20, choices=TransferMode.choices)
    source = models.CharField(pgettext_lazy("deal", "source"), max_length=10, choices=DealSource.choices)
    listing = models.OneToOneField(Listing, null=True, blank=True, on_delete=models.PROTECT, related_name="deal")
    auction = models.OneToOneField(Auction, null=True, blank=True, on_delete=models.PROTECT, related_name="deal")
    notice = models.OneToOneField(Notice, null=True, blank=True, on_delete=models.PROTECT, related_name="deal")
    contract = models.ForeignKey(
        "contracts.TechContract", verbose_name=_("contract filing draft"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    contract_note = models.CharField(_("contract filing note"), max_length=300, blank=True)
    concluded_at = models.DateTimeField(_("concluded at"), db_index=True)

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        ordering = ["-concluded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(source="listing", listing__isnull=False)
                | Q(source="auction", auction__isnull=False)
                | Q(source="notice", notice__isnull=False),
                name="deal_has_its_source",
            )
        ]

    def __str__(self) -> str:
        return f"{_('Deal')} #{self.pk} · {self.achievement} · {self.price}"
