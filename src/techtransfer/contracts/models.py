"""Technology contracts — 技术合同 — and their registration — 技术合同认定登记.

Sources: Civil Code of the PRC (民法典) book III chapter 20; 《技术合同认定登记管理办法》 (国科发政字〔2000〕63号);
《技术合同认定规则》 (国科发政字〔2001〕253号). The rules live in ``services``; these models hold the records.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techtransfer.core.models import Record
from techtransfer.taxonomy.models import Classification

MONEY = {"max_digits": 16, "decimal_places": 2}
ZERO = Decimal("0.00")


# --- classification tables (editable data, seeded by migration 0002) -----------------------------------------


class ContractCategory(Classification):
    """Contract category — 技术合同类别 (技术开发, 技术转让, 技术许可, 技术咨询, 技术服务)."""

    large_review = models.BooleanField(
        _("expert re-review when large"),
        default=False,
        help_text=_("Contracts of this category above the large-contract amount need an expert re-review."),
    )

    class Meta(Classification.Meta):
        verbose_name = _("contract category")
        verbose_name_plural = _("contract categories")


class ContractSubcategory(Classification):
    """Contract subcategory — 合同子类 (e.g. 委托开发, 专利权转让, 专利实施许可, 技术培训)."""

    category = models.ForeignKey(
        ContractCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="subcategories"
    )

    class Meta(Classification.Meta):
        verbose_name = _("contract subcategory")
        verbose_name_plural = _("contract subcategories")


class IPType(Classification):
    """Intellectual property involved — 知识产权类型."""

    class Meta(Classification.Meta):
        verbose_name = _("IP type")
        verbose_name_plural = _("IP types")


class SocioEconomicObjective(Classification):
    """Social-economic objective — 社会经济目标."""

    class Meta(Classification.Meta):
        verbose_name = _("social-economic objective")
        verbose_name_plural = _("social-economic objectives")


class RefusalReason(Classification):
    """Ground for not registering a contract — 不予登记理由 — with the rule it comes from (editable data, seeded from
    the national guidance; deactivate a reason rather than delete it: old decisions keep naming it)."""

    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    credit_record = models.BooleanField(
        _("enter in the credit record"),
        default=False,
        help_text=_("A refusal on this ground is entered in the seller's credit record (deceit, benefits sought)."),
    )

    class Meta(Classification.Meta):
        verbose_name = _("refusal reason")
        verbose_name_plural = _("refusal reasons")


# --- registration points -------------------------------------------------------------------------------------

# 《技术合同认定登记管理办法》: the point decides within 30 days of acceptance; no rule of a point may exceed it.
STATUTORY_LIMIT_DAYS = 30


class PointProfile(models.Model):
    """Registration settings of a registration point — 技术合同登记机构/登记点 (an Organization of that kind).

    ``code`` goes into the full-year registration numbers, ``area`` (2-digit province + 2-digit city) and ``serial``
    (2 digits, unique within the city) into the 14-digit numbers of the model-contract instructions.
    ``decision_days`` / ``working_days`` are the point's ordinary time limit, overriding the statutory 30 calendar
    days (e.g. Tianjin practice: 10 working days); ``SpecialTimeLimit`` rows add limits by condition.
    """

    point = models.OneToOneField(
        "orgs.Organization", verbose_name=_("registration point"), on_delete=models.CASCADE, related_name="+"
    )
    code = models.CharField(_("point code"), max_length=12, unique=True)
    area = models.CharField(
        _("province and city digits"), max_length=4, blank=True, help_text=_("2-digit province + 2-digit city code")
    )
    serial = models.CharField(
        _("point number in the city"), max_length=2, blank=True, help_text=_("2 digits, unique within the city")
    )
    decision_days = models.PositiveSmallIntegerField(
        _("decision time limit (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(STATUTORY_LIMIT_DAYS)],
    )
    working_days = models.BooleanField(_("count working days"), null=True, blank=True)

    class Meta:
        verbose_name = _("registration point profile")
        verbose_name_plural = _("registration point profiles")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "serial"], condition=~Q(serial=""), name="contracts_point_serial_in_city"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.point}"


class SpecialTimeLimit(models.Model):
    """A special decision time limit by condition — 特殊认定时限 — e.g. Tianjin practice: development and transfer
    contracts above ¥10 m go to an expert re-review and have 30 days. At one point (or at every point when
    ``point`` is empty), for the categories listed (every category when none) and contract amounts above
    ``above_amount`` (any amount when empty). Never beyond the statutory 30 days."""

    point = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("registration point"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("empty: every registration point"),
    )
    label = models.CharField(_("name"), max_length=200)
    categories = models.ManyToManyField(
        ContractCategory, verbose_name=_("categories"), blank=True, help_text=_("none: every category")
    )
    above_amount = models.DecimalField(
        _("contract amount above (yuan)"), **MONEY, null=True, blank=True, validators=[MinValueValidator(ZERO)]
    )
    days = models.PositiveSmallIntegerField(
        _("time limit (days)"), validators=[MinValueValidator(1), MaxValueValidator(STATUTORY_LIMIT_DAYS)]
    )
    working_days = models.BooleanField(_("count working days"), default=False)
    source = models.CharField(_("source"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("special time limit")
        verbose_name_plural = _("special time limits")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label


class RegistrationCounter(models.Model):
    """The last registration number issued by a point in a year. Locked while a number is issued."""

    point = models.ForeignKey("orgs.Organization", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["point", "year"], name="contracts_counter_point_year")]

    def __str__(self) -> str:
        return f"{self.point_id}/{self.year}: {self.last}"


# --- contracts ------------------------------------------------------------------------------------------------


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted (accepted)")
    RETURNED = "returned", _("Returned for correction")
    LAPSED = "lapsed", _("Lapsed (not corrected in time)")
    CERTIFIED = "certified", _("Certified and registered")
    REFUSED = "refused", _("Not registered")
    CANCELLED = "cancelled", _("Registration cancelled")


class LicenceScope(models.TextChoices):
    """Licence scope — 许可方式 (technology licence contracts only)."""

    EXCLUSIVE = "exclusive", _("Exclusive (独占)")
    SOLE = "sole", _("Sole (排他)")
    ORDINARY = "ordinary", _("Ordinary (普通)")


class Flow(models.TextChoices):
    """Where the technology goes, seen from the seller: 省内 / 跨省 / 国际."""

    IN_PROVINCE = "in_province", _("Inside the province")
    CROSS_PROVINCE = "cross_province", _("Across provinces")
    INTERNATIONAL = "international", _("International")


class TechContract(Record):
    """A technology contract filed for registration — 技术合同 (认定登记).

    The seller (卖方; for development contracts the developer) files it at its registration point. Certification
    fixes the category and the technology transaction amount (技术交易额) and issues the registration number;
    amendments and cancellations afterwards are ``ContractEvent`` rows, never silent edits.
    """

    name = models.CharField(_("contract name"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    category = models.ForeignKey(
        ContractCategory, verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT
    )
    subcategory = models.ForeignKey(
        ContractSubcategory, verbose_name=_("subcategory"), null=True, blank=True, on_delete=models.PROTECT
    )
    licence_scope = models.CharField(
        _("licence scope"), max_length=12, choices=LicenceScope.choices, blank=True, default=""
    )
    written_form = models.BooleanField(
        _("written contract"), default=True, help_text=_("Oral contracts cannot be registered.")
    )
    signed_on = models.DateField(_("signing date"), null=True, blank=True)
    term_start = models.DateField(_("term start"), null=True, blank=True)
    term_end = models.DateField(_("term end"), null=True, blank=True)
    contract_amount = models.DecimalField(
        _("contract amount (yuan)"), **MONEY, null=True, blank=True, validators=[MinValueValidator(ZERO)]
    )
    technical_summary = models.TextField(_("technical content summary"), blank=True)
    ip_type = models.ForeignKey(IPType, verbose_name=_("IP involved"), null=True, blank=True, on_delete=models.PROTECT)
    tech_field = models.ForeignKey(
        "taxonomy.TechField", verbose_name=_("technical field"), null=True, blank=True, on_delete=models.PROTECT
    )
    objective = models.ForeignKey(
        SocioEconomicObjective,
        verbose_name=_("social-economic objective"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    achievement_id = models.BigIntegerField(_("linked achievement"), null=True, blank=True)
    declared_lines = models.JSONField(
        _("declared non-technical parts"),
        default=list,
        blank=True,
        help_text=_("The seller's own split of the amount; the reviewer fixes the certified split."),
    )
    registration_point = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("registration point"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registered_contracts",
    )

    # Denormalized from the parties for scope filters and statistics without joins.
    seller_org = models.ForeignKey(
        "orgs.Organization", verbose_name=_("seller organization"), on_delete=models.PROTECT, related_name="+"
    )
    seller_region = models.ForeignKey(
        "regions.Region", verbose_name=_("seller region"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    buyer_region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("buyer region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    buyer_country = models.ForeignKey(
        "regions.Country", verbose_name=_("buyer country"), null=True, blank=True, on_delete=models.PROTECT
    )
    flow = models.CharField(_("flow"), max_length=16, choices=Flow.choices, blank=True, default="")

    # Registration outcome.
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    due_on = models.DateField(_("decision due"), null=True, blank=True)
    due_provisional = models.BooleanField(
        _("deadline provisional"),
        default=False,
        help_text=_("Counted without the official holidays of a year the installed calendar does not know yet."),
    )
    limit_rule = models.CharField(_("time limit applied"), max_length=200, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # Return for correction (补正): what to correct, by when; the time limit restarts on resubmission.
    correction_request = models.TextField(_("what to correct"), blank=True)
    correction_due = models.DateField(_("correct by"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    registered_on = models.DateField(_("registration date"), null=True, blank=True, db_index=True)
    registration_number = models.CharField(_("registration number"), max_length=32, null=True, blank=True, unique=True)
    tech_amount = models.DecimalField(_("technology transaction amount (yuan)"), **MONEY, null=True, blank=True)
    non_tech_amount = models.DecimalField(_("non-technical amount (yuan)"), **MONEY, null=True, blank=True)
    refusal_reasons = models.ManyToManyField(RefusalReason, verbose_name=_("refusal reasons"), blank=True)
    refusal_note = models.TextField(_("refusal note"), blank=True)
    conditions = models.TextField(
        _("registration conditions"),
        blank=True,
        help_text=_("Conditions recorded with the registration, e.g. the technology-export contract registration."),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_region_field = "seller_region_id"
    scope_org_field = "seller_org_id"
    RESTRICTED_FIELDS = ("technical_summary", "refusal_note")

    class Meta:
        verbose_name = _("technology contract")
        verbose_name_plural = _("technology contracts")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "registered_on"]),
            models.Index(fields=["registration_point", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(contract_amount__isnull=True) | Q(contract_amount__gte=0),
                name="contract_amount_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(tech_amount__isnull=True) | Q(tech_amount__gte=0), name="contract_tech_amount_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.registration_number or self.name or f"contract {self.pk}"

    @classmethod
    def public_q(cls) -> Q:
        # Contracts are business records: nobody sees them just because they exist.
        return Q(pk__in=[])

    def party(self, role: str) -> ContractParty | None:
        return next((p for p in self.parties.all() if p.role == role), None)

    @property
    def seller(self) -> ContractParty | None:
        return self.party(PartyRole.SELLER)

    @property
    def buyer(self) -> ContractParty | None:
        return self.party(PartyRole.BUYER)


class PartyRole(models.TextChoices):
    SELLER = "seller", _("Seller (卖方)")
    BUYER = "buyer", _("Buyer (买方)")


class PartyType(models.TextChoices):
    """Organization type of a party as the technology-market statistics count it — 主体类型."""

    ENTERPRISE = "enterprise", _("Enterprise")
    UNIVERSITY = "university", _("University")
    INSTITUTE = "institute", _("Research institute")
    MEDICAL = "medical", _("Medical institution")
    OTHER_PUBLIC = "other_public", _("Other public institution")
    GOVERNMENT = "government", _("Government body")
    ASSOCIATION = "association", _("Social organization")
    INDIVIDUAL = "individual", _("Individual")
    OTHER = "other", _("Other")


class ContractParty(models.Model):
    """A party to a technology contract — 合同当事人: domestic ones by credit code and region, foreign ones by
    country."""

    contract = models.ForeignKey(TechContract, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("role"), max_length=8, choices=PartyRole.choices)
    name = models.CharField(_("name"), max_length=200)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    country = models.ForeignKey(
        "regions.Country",
        verbose_name=_("country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("foreign parties only"),
    )
    party_type = models.CharField(_("organization type"), max_length=16, choices=PartyType.choices)
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("organization"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("contract party")
        verbose_name_plural = _("contract parties")
        constraints = [models.UniqueConstraint(fields=["contract", "role"], name="contracts_one_party_per_role")]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.name}"

    @property
    def foreign(self) -> bool:
        return bool(self.country_id) and self.country_id != "CN"


class PaymentLine(models.Model):
    """One line of the payment schedule — 支付方式/付款计划."""

    contract = models.ForeignKey(TechContract, on_delete=models.CASCADE, related_name="payments")
    due_on = models.DateField(_("due"), null=True, blank=True)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY, validators=[MinValueValidator(ZERO)])
    note = models.CharField(_("condition / note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("payment line")
        verbose_name_plural = _("payment schedule")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"{self.due_on or '-'} {self.amount}"


class AmountKind(models.TextChoices):
    """Kinds of amount lines: the technology part and the technology carriers count as 技术交易额, the rest is
    excluded (《技术合同认定规则》 ch. 7: the direct cost of a reasonable quantity of carriers is not a
    non-technical cost)."""

    TECHNOLOGY = "technology", _("Technology (技术交易额)")
    CARRIERS = "carriers", _("Technology carriers, reasonable quantity (技术载体)")
    EQUIPMENT = "equipment", _("Equipment (设备)")
    INSTRUMENTS = "instruments", _("Instruments (仪器)")
    PARTS = "parts", _("Parts (零部件)")
    MATERIALS = "materials", _("Raw and other materials (原材料)")
    OTHER = "other", _("Other non-technical goods or costs (其他非技术性款项)")


# Lines that stay in the technology transaction amount; every other kind is deducted from it.
TECHNICAL_KINDS = (AmountKind.TECHNOLOGY, AmountKind.CARRIERS)
NON_TECHNICAL_KINDS = tuple(k for k in AmountKind.values if k not in TECHNICAL_KINDS)


class AmountLine(models.Model):
    """A line of the certified amount split — 技术交易额 and the non-technical parts excluded from it.

    The certified lines of a contract always add up to its contract amount: the technology line is the
    remainder after the non-technical and the carrier lines; carrier lines stay in 技术交易额.
    """

    contract = models.ForeignKey(TechContract, on_delete=models.CASCADE, related_name="amount_lines")
    kind = models.CharField(_("kind"), max_length=12, choices=AmountKind.choices)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY, validators=[MinValueValidator(ZERO)])
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("amount line")
        verbose_name_plural = _("amount lines")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="contracts_amount_line_non_negative")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.amount}"


class ExpertReview(models.Model):
    """Expert re-review of a large contract — 专家复核 (e.g. Tianjin: development/transfer contracts over ¥10 m)."""

    contract = models.ForeignKey(TechContract, on_delete=models.CASCADE, related_name="expert_reviews")
    experts = models.CharField(_("experts"), max_length=200)
    approved = models.BooleanField(_("supports registration"))
    opinion = models.TextField(_("opinion"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("expert re-review")
        verbose_name_plural = _("expert re-reviews")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.contract_id}: {'+' if self.approved else '-'} {self.experts}"


def attachment_path(instance: Attachment, filename: str) -> str:
    """A generated name under MEDIA_ROOT: the uploader's file name never reaches the file system."""
    today = timezone.localdate()
    return f"contracts/{today:%Y/%m}/{uuid.uuid4().hex}.{instance.file_type}"


class Attachment(models.Model):
    """A scan attached to a contract filing — 合同附件 (PDF, PNG or JPEG; type checked by content)."""

    contract = models.ForeignKey(TechContract, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    file_type = models.CharField(_("file type"), max_length=4)
    original_name = models.CharField(_("original file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    scope_region_field = "contract__seller_region_id"
    scope_org_field = "contract__seller_org_id"

    class Meta:
        verbose_name = _("contract attachment")
        verbose_name_plural = _("contract attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class EventKind(models.TextChoices):
    FILED = "filed", _("Filed as a draft")
    SUBMITTED = "submitted", _("Submitted and accepted")
    RETURNED = "returned", _("Returned for correction")
    RESUBMITTED = "resubmitted", _("Corrected and resubmitted")
    LAPSED = "lapsed", _("Lapsed: not corrected in time")
    EXPERT_REVIEW = "expert_review", _("Expert re-review")
    CERTIFIED = "certified", _("Certified and registered")
    REFUSED = "refused", _("Not registered")
    AMENDED = "amended", _("Amendment registered")
    CANCELLED = "cancelled", _("Cancellation registered")


class ContractEvent(models.Model):
    """One step in a contract's registration history — 登记事项 — with what it changes in the statistics.

    The statistics of a period are the sums of the deltas of the events effective in that period: certification
    adds one contract and its amounts, an amendment adds the difference, a cancellation takes them back out.
    Summing the deltas of all events of a contract gives its current registered values.
    """

    contract = models.ForeignKey(TechContract, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("at"))
    effective_on = models.DateField(_("effective on"), db_index=True)
    count_delta = models.SmallIntegerField(_("contract count change"), default=0)
    contract_amount_delta = models.DecimalField(_("contract amount change"), **MONEY, default=ZERO)
    tech_amount_delta = models.DecimalField(_("technology transaction amount change"), **MONEY, default=ZERO)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    scope_region_field = "contract__seller_region_id"
    scope_org_field = "contract__seller_org_id"

    class Meta:
        verbose_name = _("contract event")
        verbose_name_plural = _("contract events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.contract_id} · {self.get_kind_display()} · {self.effective_on}"


class LedgerSummary(models.Model):
    """Monthly sums of the ledger — 技术合同统计汇总 — kept in the transaction that writes each event.

    One row per (month, side, region, dimension, key): ``side`` is ``o`` (output: ``region`` is the seller's
    county) or ``a`` (absorption: the buyer's county, empty for foreign buyers, whose country is the key).
    Amounts are whole fen (cents) so sums are exact on every database. Dashboards read these rows instead of
    scanning the ledger; ``stats.services`` adds the raw ledger for partial months.
    """

    month = models.DateField(_("month"))
    side = models.CharField(_("side"), max_length=1)
    region = models.CharField(_("region"), max_length=6, blank=True)
    dimension = models.CharField(_("dimension"), max_length=16)
    key = models.CharField(_("key"), max_length=32, blank=True)
    count = models.BigIntegerField(_("contracts"), default=0)
    contract_fen = models.BigIntegerField(_("contract amount (fen)"), default=0)
    tech_fen = models.BigIntegerField(_("technology transaction amount (fen)"), default=0)

    class Meta:
        verbose_name = _("ledger summary row")
        verbose_name_plural = _("ledger summary")
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "side", "month", "region", "key"], name="contracts_summary_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.side} {self.region} {self.dimension}={self.key}: {self.count}"



class LedgerGeneration(models.Model):
    """The generation of the ledger's statistics — 统计数据版本: one row, given a new random ``token`` (and its
    ``number`` incremented) in the transaction of every change to the ledger summary (``ledger.add``, ``rebuild``).

    Cached statistics are keyed by the token, so every application host, whatever its cache, stops using figures
    the moment the change commits. A random token rather than the number alone: a rolled-back transaction or a
    restored backup brings an earlier number back, never an earlier token with other figures behind it.
    """

    number = models.BigIntegerField(_("generation"), default=0)
    token = models.CharField(_("token"), max_length=32)

    class Meta:
        verbose_name = _("ledger generation")
        verbose_name_plural = _("ledger generation")

    def __str__(self) -> str:
        return f"{self.number} ({self.token})"

# --- export control — 技术出口管制 -------------------------------------------------------------------------------
#
# 《中华人民共和国技术进出口管理条例》 arts. 30–44: technology whose export is prohibited is not exported; restricted
# technology is exported under a licence (技术出口许可证); free technology is exported, and its contracts are
# registered with the commerce department (技术出口合同登记). The catalogue (《中国禁止出口限制出口技术目录》) is
# editable data, loaded from a file (``techtransfer contracts-exportcontrol load``); ``services.exportcontrol``
# screens every contract and every trade with a foreign counterparty against its active items.


class ControlStatus(models.TextChoices):
    PROHIBITED = "prohibited", _("Prohibited from export (禁止出口)")
    RESTRICTED = "restricted", _("Restricted: export licence required (限制出口)")


class ExportControlEdition(models.Model):
    """An edition of the catalogue of technologies prohibited or restricted from export
    (《中国禁止出口限制出口技术目录》) with the notice that issued it (e.g. 商务部 科技部公告2023年第57号)."""

    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    notice = models.CharField(_("issuing notice"), max_length=200)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    effective_on = models.DateField(_("in force from"), null=True, blank=True)
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    note = models.TextField(_("note"), blank=True)
    active = models.BooleanField(_("active"), default=True, help_text=_("Screening uses the items of active editions."))
    created_at = models.DateTimeField(_("loaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("export-control catalogue edition")
        verbose_name_plural = _("export-control catalogue editions")
        ordering = ["-effective_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["notice"], name="contracts_exportcontrol_edition_notice")]

    def __str__(self) -> str:
        return f"{self.name} ({self.notice})"


class ExportControlItem(models.Model):
    """An item of the catalogue — 技术条目: number (``…J`` prohibited, ``…X`` restricted), the field (行业/技术领域),
    the name, the control points (控制要点), and the keywords and IPC prefixes screening matches on."""

    edition = models.ForeignKey(
        ExportControlEdition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="items"
    )
    number = models.CharField(_("number"), max_length=16)
    field = models.CharField(_("technical field"), max_length=200, blank=True)
    field_en = models.CharField(_("technical field (English)"), max_length=200, blank=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    control_points = models.TextField(_("control points (控制要点)"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ControlStatus.choices)
    keywords = models.JSONField(_("keywords"), default=list, blank=True, help_text=_("Words screening matches on."))
    ipc_prefixes = models.JSONField(_("IPC prefixes"), default=list, blank=True)
    tech_fields = models.JSONField(
        _("platform technical fields"), default=list, blank=True, help_text=_("Codes of the platform's field table.")
    )
    note = models.TextField(_("note"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("export-control catalogue item")
        verbose_name_plural = _("export-control catalogue items")
        ordering = ["edition", "number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "number"], name="contracts_exportcontrol_item_number")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def label(self) -> str:
        return f"{self.number} {self.name}（{self.get_status_display()}）"


class ScreeningSubject(models.TextChoices):
    CONTRACT = "contract", _("Technology contract")
    REGISTRATION = "registration", _("Buyer registration on a listing or auction")
    DEAL = "deal", _("Deal")


class ScreeningOutcome(models.TextChoices):
    PROHIBITED = "prohibited", _("Prohibited: not exported (禁止出口)")
    RESTRICTED = "restricted", _("Restricted: export licence required (限制出口)")
    FREE = "free", _("Free: technology-export contract registration (自由出口)")


class ScreeningStatus(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting the reviewer's confirmation")
    CONFIRMED = "confirmed", _("Confirmed")


class Screening(models.Model):
    """The export-control screening of a contract or trade with a foreign counterparty — 技术出口管制审查.

    The automatic first pass proposes an outcome with the matched catalogue items and why; a reviewer (of the
    registration point, or a region administrator in scope) confirms it, possibly changing the outcome and the
    items with a reason. Only a confirmed screening counts. ``subject_kind`` + ``subject_id`` name the screened
    record (a contract here, or a trading record of the ``trading`` app, which sits above this one).
    """

    subject_kind = models.CharField(_("subject"), max_length=16, choices=ScreeningSubject.choices)
    subject_id = models.BigIntegerField(_("subject id"))
    subject_label = models.CharField(_("subject name"), max_length=300, blank=True)
    achievement_id = models.BigIntegerField(_("achievement"), null=True, blank=True, db_index=True)
    counterparty = models.CharField(_("foreign counterparty"), max_length=200)
    counterparty_country = models.ForeignKey(
        "regions.Country", verbose_name=_("counterparty country"), on_delete=models.PROTECT, related_name="+"
    )
    counterparty_org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("counterparty organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    org = models.ForeignKey(
        "orgs.Organization", verbose_name=_("seller organization"), on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    point = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("registration point"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ScreeningStatus.choices, default=ScreeningStatus.PROPOSED
    )
    proposed_outcome = models.CharField(_("proposed outcome"), max_length=12, choices=ScreeningOutcome.choices)
    proposed_items = models.ManyToManyField(
        ExportControlItem, verbose_name=_("matched items"), blank=True, related_name="+"
    )
    matches = models.JSONField(_("why matched"), default=list, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=ScreeningOutcome.choices, blank=True)
    items = models.ManyToManyField(ExportControlItem, verbose_name=_("confirmed items"), blank=True, related_name="+")
    reason = models.TextField(_("reviewer's reason"), blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    licence_number = models.CharField(_("export licence number (技术出口许可证编号)"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("screened at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    scope_region_field = "region_id"
    scope_org_field = "org_id"

    class Meta:
        verbose_name = _("export-control screening")
        verbose_name_plural = _("export-control screenings")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["subject_kind", "subject_id"], name="contracts_screening_subject")
        ]

    def __str__(self) -> str:
        return f"{self.get_subject_kind_display()} #{self.subject_id}: {self.outcome or self.proposed_outcome}"

    @classmethod
    def public_q(cls) -> Q:
        return Q(pk__in=[])

    @property
    def confirmed(self) -> bool:
        return self.status == ScreeningStatus.CONFIRMED
