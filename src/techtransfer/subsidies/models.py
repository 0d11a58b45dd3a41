"""Subsidy and reward policies — 奖补政策 — as versioned data.

A ``Policy`` is what a government issues (code, name, region, department, legal basis); its rules live in
``PolicyVersion`` rows: a draft is edited, a published version never changes (a change is a new version, made
by ``services.new_draft``), and the version effective on a contract's certification date applies.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from techtransfer.core.models import Stamped

MONEY = {"max_digits": 16, "decimal_places": 2}


class Policy(Stamped):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("issuing region"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.CharField(_("issuing department"), max_length=200, blank=True)
    legal_document = models.CharField(_("legal basis (document)"), max_length=300, blank=True)
    legal_clause = models.TextField(_("legal basis (clause)"), blank=True)

    scope_region_field = "region_id"
    scope_org_field = None

    class Meta:
        verbose_name = _("subsidy policy")
        verbose_name_plural = _("subsidy policies")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    @classmethod
    def public_q(cls) -> Q:
        return Q()  # policies are public law


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class PolicyVersion(Stamped):
    policy = models.ForeignKey(Policy, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective until"), null=True, blank=True, help_text=_("empty: open-ended"))
    budget_per_year = models.DecimalField(
        _("budget per year (yuan)"), **MONEY, null=True, blank=True, validators=[MinValueValidator(0)],
        help_text=_("empty: no budget cap"),
    )
    rules = models.JSONField(_("rules"), help_text=_("The rules document (docs/subsidies.md)."))
    note = models.TextField(_("what changed"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_region_field = "policy__region_id"
    scope_org_field = None

    class Meta:
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        ordering = ["policy__code", "-number"]
        constraints = [models.UniqueConstraint(fields=["policy", "number"], name="subsidies_version_number")]

    def __str__(self) -> str:
        return f"{self.policy.code} v{self.number}"

    @classmethod
    def public_q(cls) -> Q:
        return Q(status=VersionStatus.PUBLISHED)

    @property
    def published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED


# --- claims, budgets and payments (奖补申领、预算与拨付) ------------------------------------------------------------


class ContractBroker(Stamped):
    """A broker's recorded contribution to a registered contract — 技术经纪人贡献登记: the weight by which a broker
    reward (``split_among_brokers``) is shared, and the broker's institution for the ``institution`` beneficiary."""

    contract = models.ForeignKey(
        "contracts.TechContract", verbose_name=_("contract"), on_delete=models.PROTECT, related_name="+"
    )
    broker = models.ForeignKey("people.Person", verbose_name=_("broker"), on_delete=models.PROTECT, related_name="+")
    contribution = models.DecimalField(
        _("contribution (weight)"), max_digits=7, decimal_places=2, default=1, validators=[MinValueValidator(0)]
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_region_field = "contract__seller_region_id"
    scope_org_field = None

    class Meta:
        verbose_name = _("broker contribution")
        verbose_name_plural = _("broker contributions")
        constraints = [models.UniqueConstraint(fields=["contract", "broker"], name="subsidies_contract_broker")]


class ClaimStatus(models.TextChoices):
    CANDIDATE = "candidate", _("Candidate (not applied)")  # generated at certification; the beneficiary may apply
    APPLIED = "applied", _("Applied, under review")
    APPROVED = "approved", _("Approved (budget reserved)")
    REFUSED = "refused", _("Refused")
    PAID = "paid", _("Paid")
    VOID = "void", _("Void (contract cancelled or no longer eligible)")


class Claim(Stamped):
    """One claim — 奖补申领: a contract, a policy and one beneficiary, claimed once (the unique constraint).

    Generated as a candidate when the contract is certified (the beneficiary is notified); the beneficiary applies
    with documents and bank details (restricted fields); an administrator of the region reviews it and approves
    (the amount is reserved from the year's budget, never beyond it) or refuses with a reason; payments are
    ``ClaimEntry`` rows. An amendment or cancellation recomputes open claims and adds an adjustment (clawback)
    entry to paid ones. Rows are never deleted.
    """

    RESTRICTED_FIELDS = ("bank_name", "bank_account", "account_name", "documents_note")

    policy = models.ForeignKey(Policy, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="claims")
    version = models.ForeignKey(
        PolicyVersion, verbose_name=_("policy version"), on_delete=models.PROTECT, related_name="claims"
    )
    contract = models.ForeignKey(
        "contracts.TechContract", verbose_name=_("contract"), on_delete=models.PROTECT, related_name="+"
    )
    beneficiary_role = models.CharField(
        _("beneficiary"), max_length=12,
        choices=[("buyer", _("Buyer")), ("seller", _("Seller")), ("broker", _("Broker")),
                 ("institution", _("Transfer institution"))],
    )
    # "org:<id>" or "person:<id>": with contract and policy, claimed once.
    beneficiary_key = models.CharField(max_length=40, editable=False)
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("beneficiary organization"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    person = models.ForeignKey(
        "people.Person", verbose_name=_("beneficiary broker"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("beneficiary's region"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("budget year"), db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.CANDIDATE, db_index=True
    )
    base = models.DecimalField(_("base (yuan)"), **MONEY, null=True, blank=True)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY, default=0)  # computed; reserved once approved
    decision = models.JSONField(_("explanation"), default=dict)  # the engine's eligible/unmet/lines
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account = models.CharField(_("bank account number"), max_length=40, blank=True)
    account_name = models.CharField(_("account name"), max_length=200, blank=True)
    documents_note = models.TextField(_("supporting documents"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    refusal_reason = models.TextField(_("reason for refusal"), blank=True)

    scope_region_field = "region_id"
    scope_org_field = "organization_id"

    class Meta:
        verbose_name = _("subsidy claim")
        verbose_name_plural = _("subsidy claims")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "policy", "beneficiary_key"], name="subsidies_claim_once"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="subsidies_claim_amount_not_negative"),
        ]
        indexes = [models.Index(fields=["policy", "year", "status"])]

    def __str__(self) -> str:
        return f"{self.policy.code} · {self.contract_id} · {self.beneficiary_key}"

    @classmethod
    def public_q(cls) -> Q:
        return Q(pk__in=[])  # claims are never public


class Budget(Stamped):
    """A policy's budget for one year — 年度预算: approvals reserve from it under a row lock, so that two approvals
    racing for the last of it cannot overspend (``reserved <= amount`` is also a database constraint)."""

    policy = models.ForeignKey(Policy, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="budgets")
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("budget (yuan)"), **MONEY, null=True, blank=True,
                                 help_text=_("empty: no budget cap"))
    reserved = models.DecimalField(_("reserved (approved, yuan)"), **MONEY, default=0)
    paid = models.DecimalField(_("paid (yuan)"), **MONEY, default=0)

    scope_region_field = "policy__region_id"
    scope_org_field = None

    class Meta:
        verbose_name = _("policy budget")
        verbose_name_plural = _("policy budgets")
        ordering = ["policy__code", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "year"], name="subsidies_budget_year"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(reserved__lte=models.F("amount")),
                name="subsidies_budget_not_overspent",
            ),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="subsidies_budget_reserved_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.policy.code} {self.year}"

    @classmethod
    def public_q(cls) -> Q:
        return Q()  # a policy's budget and its use are public figures

    @property
    def remaining(self):
        return None if self.amount is None else self.amount - self.reserved


class EntryKind(models.TextChoices):
    RESERVED = "reserved", _("Reserved at approval")
    RELEASED = "released", _("Reservation released")
    PAID = "paid", _("Payment")
    ADJUSTED = "adjusted", _("Adjustment (clawback or top-up)")


class ClaimEntry(models.Model):
    """The money ledger of a claim — 资金台账: reservations, payments and adjustments, append-only. A clawback is a
    negative ``adjusted`` entry; a recovered clawback is recorded as a payment with a negative amount."""

    claim = models.ForeignKey(Claim, verbose_name=_("claim"), on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)

    scope_region_field = "claim__region_id"
    scope_org_field = "claim__organization_id"

    class Meta:
        verbose_name = _("claim entry")
        verbose_name_plural = _("claim entries")
        ordering = ["claim", "at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"
