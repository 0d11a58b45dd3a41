"""The supply and demand side of the technology market: achievements — 科技成果 — and demands — 技术需求 — with their
review workflow, version history, NDA access requests and curated achievement packages — 成果包."""

from __future__ import annotations

import functools
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.models import Role
from techtransfer.catalog import validators as v
from techtransfer.core.models import AuthoredRecord, Stamped
from techtransfer.orgs.models import Organization
from techtransfer.regions.services import scope_q


class Status(models.TextChoices):
    """Workflow states shared by achievements and demands (see ``services`` for the transitions)."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ORG_REVIEWED = "org_reviewed", _("Approved by the organization")
    PUBLISHED = "published", _("Published")
    IN_NEGOTIATION = "in_negotiation", _("In negotiation")
    TRANSFERRED = "transferred", _("Transferred")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


PUBLIC_STATUSES = (Status.PUBLISHED, Status.IN_NEGOTIATION, Status.TRANSFERRED)


class Classification(models.TextChoices):
    """Marking of dual-use (军民两用) information: who may see the record at all (``catalog.classified``)."""

    PUBLIC = "public", _("Public")
    RESTRICTED = "restricted", _("Restricted (members of approved units)")
    CONTROLLED = "controlled", _("Controlled (named persons only)")


# The order of the levels: raising a record's level is the owner's own act, lowering it is a declassification.
LEVEL_ORDER = {Classification.PUBLIC: 0, Classification.RESTRICTED: 1, Classification.CONTROLLED: 2}
_NOTHING = Q(pk__in=[])


def _officer_scope_q(principal) -> list[Q]:
    """Records a secrecy officer answers for: its organizations' records and the records inside its regions."""
    out = []
    orgs = principal.org_ids(Role.SECRECY_OFFICER)
    if orgs:
        out.append(Q(owner_id__in=sorted(orgs)))
    out.extend(scope_q("region_id", code) for code in principal.regions(Role.SECRECY_OFFICER))
    return out


def _granted_q(model, user_id: int) -> list[Q]:
    """Records of ``model`` opened to the user by an active access grant (approved, in its period, not revoked):
    the grants naming a record of this kind, and the category grants (technical field + region)."""
    today = timezone.localdate()
    grants = AccessGrant.objects.filter(user_id=user_id, status="approved", valid_until__gte=today).filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=today)
    )
    field = model._meta.model_name  # "achievement" or "demand"
    out = []
    ids = sorted({pk for pk in grants.filter(**{f"{field}__isnull": False}).values_list(f"{field}_id", flat=True)})
    if ids:
        out.append(Q(pk__in=ids))
    for tech_field, region in grants.filter(tech_field__isnull=False).values_list("tech_field_id", "region_id"):
        out.append(Q(tech_field_id=tech_field) & scope_q("region_id", region))
    return out


FINAL_STATUSES = (Status.TRANSFERRED, Status.CLOSED, Status.WITHDRAWN)


class TransferMode(models.TextChoices):
    """How an achievement may change hands (民法典 technology transfer and licence contracts; 专利法 art. 50–52
    open licence; 促进科技成果转化法 art. 16)."""

    TRANSFER = "transfer", _("Transfer of rights")
    LICENCE_EXCLUSIVE = "licence_exclusive", _("Exclusive licence")
    LICENCE_SOLE = "licence_sole", _("Sole licence")
    LICENCE_ORDINARY = "licence_ordinary", _("Ordinary licence")
    OPEN_LICENCE = "open_licence", _("Open licence")
    EQUITY = "equity", _("Equity investment")
    JOINT_DEVELOPMENT = "joint_development", _("Joint development")
    TECHNICAL_SERVICE = "technical_service", _("Technical service")


class CooperationMode(models.TextChoices):
    """How an enterprise wants its problem solved."""

    TRANSFER = "transfer", _("Buy the technology")
    LICENCE = "licence", _("Licence")
    COMMISSIONED = "commissioned", _("Commissioned development")
    JOINT_DEVELOPMENT = "joint_development", _("Joint development")
    TECHNICAL_SERVICE = "technical_service", _("Technical service")
    CONSULTING = "consulting", _("Technical consulting")
    EQUITY = "equity", _("Equity cooperation")


@functools.cache
def _mode_values(choices) -> frozenset[str]:
    return frozenset(choices.values)


def _validate_modes(values, choices, field: str) -> list[str]:
    if values is None:
        return []
    if not isinstance(values, list | tuple):
        raise ValidationError({field: _("Give a list of modes.")})
    known = _mode_values(choices)
    out: list[str] = []
    for value in values:
        if value not in known:
            raise ValidationError({field: _("Unknown mode: %(value)s") % {"value": value}})
        if value not in out:
            out.append(value)
    return out


class WorkflowRecord(AuthoredRecord):
    """What achievements and demands share: owner, region, status and the review trail."""

    owner = models.ForeignKey(
        "orgs.Organization", verbose_name=_("owner organization"), on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("taken from the owner organization"),
    )
    tech_field = models.ForeignKey(
        "taxonomy.TechField",
        verbose_name=_("technical field"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    rejection_reason = models.TextField(_("reason of the last rejection"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    classification = models.CharField(
        _("classification"),
        max_length=12,
        choices=Classification.choices,
        default=Classification.PUBLIC,
        db_index=True,
        help_text=_("restricted: members of units approved for dual-use information; controlled: named persons only"),
    )

    scope_region_field = "region_id"
    scope_org_field = "owner_id"

    class Meta:
        abstract = True

    @classmethod
    def public_q(cls) -> Q:
        """What a visitor may see: published records marked public (never restricted or controlled ones)."""
        return Q(status__in=PUBLIC_STATUSES, classification=Classification.PUBLIC)

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES and self.classification == Classification.PUBLIC

    @property
    def is_controlled(self) -> bool:
        return self.classification == Classification.CONTROLLED

    @classmethod
    def extra_visible_q(cls, principal) -> Q:
        """Published restricted and controlled records this principal may see beyond its own organizations' and
        its region's (the permission layer ORs this into ``visible`` and ``can_view``; docs/catalog.md,
        "Dual-use information"): restricted ones for members of units approved for dual-use information;
        restricted and controlled ones for secrecy officers in scope; controlled ones for holders of an active
        access grant to the record or to its category."""
        if not principal.authenticated:
            return _NOTHING
        options: list[Q] = []
        members_of = principal.org_ids()
        if members_of and Organization.objects.filter(pk__in=sorted(members_of), dual_use_approved=True).exists():
            options.append(Q(classification=Classification.RESTRICTED))
        options.extend(q & ~Q(classification=Classification.PUBLIC) for q in _officer_scope_q(principal))
        options.extend(q & Q(classification=Classification.CONTROLLED) for q in _granted_q(cls, principal.user_id))
        if not options:
            return _NOTHING
        anyof = options[0]
        for q in options[1:]:
            anyof |= q
        return Q(status__in=PUBLIC_STATUSES) & anyof

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


class Achievement(WorkflowRecord):
    """A scientific and technological achievement offered on the market — 科技成果.

    Public: everything except ``protected_details``, which only the owner organization, administrators in scope
    and users whose NDA access request the owner approved may read (``services.can_read_protected``).
    """

    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=300, blank=True)
    abstract = models.TextField(_("abstract (public summary)"))
    abstract_en = models.TextField(_("English abstract"), blank=True)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    industry_codes = models.JSONField(
        _("industry codes"), default=list, blank=True, help_text=_("GB/T 4754 codes, e.g. C3911")
    )
    ipc_codes = models.JSONField(_("IPC codes"), default=list, blank=True, help_text=_("e.g. H01M 10/0525"))
    trl = models.PositiveSmallIntegerField(
        _("technology readiness level"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
        help_text=_("1–9, GB/T 22900"),
    )
    transfer_modes = models.JSONField(_("transfer modes"), default=list, blank=True)
    asking_price = models.DecimalField(
        _("asking price (yuan)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    price_negotiable = models.BooleanField(_("price negotiable"), default=False)
    team = models.ManyToManyField("people.Person", verbose_name=_("team"), blank=True, related_name="+")
    public_funding = models.CharField(
        _("public funding source"),
        max_length=200,
        blank=True,
        help_text=_("财政资助: the programme that funded it; such achievements must be reported"),
    )
    dual_use = models.BooleanField(_("dual-use (military and civilian)"), default=False)
    protected_details = models.TextField(
        _("protected details"), blank=True, help_text=_("visible only to those the owner granted access")
    )

    PROTECTED_FIELDS = ("protected_details",)

    class Meta:
        verbose_name = _("achievement")
        verbose_name_plural = _("achievements")
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "region"]),
            models.Index(fields=["tech_field", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(trl__isnull=True) | Q(trl__gte=1, trl__lte=9), name="achievement_trl_range"
            ),
            models.CheckConstraint(
                condition=Q(asking_price__isnull=True) | Q(asking_price__gte=0), name="achievement_price_nonneg"
            ),
            models.CheckConstraint(
                condition=Q(price_negotiable=False) | Q(asking_price__isnull=True),
                name="achievement_negotiable_has_no_price",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def must_report(self) -> bool:
        """A publicly funded achievement must be reported to the information platform (促进科技成果转化法 art. 11)."""
        return bool(self.public_funding.strip())

    @classmethod
    def must_report_q(cls) -> Q:
        return ~Q(public_funding="")

    def clean(self):
        errors: dict[str, list] = {}

        def collect(fn):
            try:
                fn()
            except ValidationError as exc:
                for key, msgs in exc.message_dict.items():
                    errors.setdefault(key, []).extend(msgs)

        def keywords():
            self.keywords = v.validate_keywords(self.keywords)

        def ipc():
            self.ipc_codes = v.validate_code_list(self.ipc_codes, v.validate_ipc, "ipc_codes")

        def industry():
            self.industry_codes = v.validate_code_list(self.industry_codes, v.validate_industry_code, "industry_codes")

        def modes():
            self.transfer_modes = _validate_modes(self.transfer_modes, TransferMode, "transfer_modes")

        for fn in (keywords, ipc, industry, modes):
            collect(fn)
        if self.price_negotiable and self.asking_price is not None:
            errors.setdefault("asking_price", []).append(
                _("Give either an asking price or mark the price negotiable, not both.")
            )
        if errors:
            raise ValidationError(errors)


class TrlAssessment(models.Model):
    """A guided TRL self-assessment — 技术就绪水平自评: evidence per criterion and the level it supports."""

    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="trl_assessments")
    answers = models.JSONField(_("evidence by criterion"), default=dict)
    proposed_level = models.PositiveSmallIntegerField(_("proposed level"), null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("assessed at"), auto_now_add=True)

    scope_region_field = "achievement__region_id"
    scope_org_field = "achievement__owner_id"

    class Meta:
        verbose_name = _("TRL self-assessment")
        verbose_name_plural = _("TRL self-assessments")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.achievement} · TRL {self.proposed_level or '-'}"

    def clean(self):
        try:
            self.answers = v.clean_trl_answers(self.answers)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict)
        self.proposed_level = v.proposed_trl(self.answers)


class IPKind(models.TextChoices):
    INVENTION = "invention", _("Invention patent")
    UTILITY_MODEL = "utility_model", _("Utility model")
    DESIGN = "design", _("Design patent")
    SOFTWARE = "software", _("Software copyright")
    PLANT_VARIETY = "plant_variety", _("Plant variety")
    IC_LAYOUT = "ic_layout", _("Integrated circuit layout design")
    TECHNICAL_SECRET = "technical_secret", _("Technical secret")


PATENT_KINDS = (IPKind.INVENTION, IPKind.UTILITY_MODEL, IPKind.DESIGN)


class IPItem(models.Model):
    """An intellectual property item of an achievement — 知识产权."""

    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="ip_items")
    kind = models.CharField(_("kind"), max_length=20, choices=IPKind.choices)
    title = models.CharField(_("title"), max_length=200)
    number = models.CharField(
        _("number"),
        max_length=40,
        blank=True,
        help_text=_("patent or application number (ZL202110123456.7), publication number, registration number"),
    )
    granted = models.BooleanField(_("granted / registered"), default=False)
    holder = models.CharField(_("holder"), max_length=200, blank=True)

    scope_region_field = "achievement__region_id"
    scope_org_field = "achievement__owner_id"

    class Meta:
        verbose_name = _("intellectual property item")
        verbose_name_plural = _("intellectual property items")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number or self.title}"

    def clean(self):
        number = (self.number or "").strip()
        if self.kind in PATENT_KINDS:
            if not number:
                raise ValidationError({"number": _("A patent needs its patent, application or publication number.")})
            try:
                parsed = v.parse_patent_number(number)
            except ValidationError as exc:
                raise ValidationError({"number": exc.messages})
            if parsed.patent_type != self.kind:
                raise ValidationError(
                    {
                        "number": _("%(number)s is the number of a %(type)s, not of a %(kind)s.")
                        % {
                            "number": number,
                            "type": IPKind(parsed.patent_type).label,
                            "kind": IPKind(self.kind).label,
                        }
                    }
                )
            self.number = parsed.normalized
        elif self.kind == IPKind.SOFTWARE and number:
            try:
                self.number = v.validate_software_registration(number)
            except ValidationError as exc:
                raise ValidationError({"number": exc.messages})
        elif self.kind == IPKind.TECHNICAL_SECRET:
            # A technical secret has no public register; a number would only leak an internal reference.
            self.number = ""
        else:
            self.number = number


class NdaStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    REVOKED = "revoked", _("Revoked")


class NdaRequest(models.Model):
    """A request to read an achievement's protected details under a confidentiality agreement — 保密协议申请."""

    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="nda_requests")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requester"), on_delete=models.CASCADE, related_name="+"
    )
    purpose = models.TextField(_("purpose"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=NdaStatus.choices, default=NdaStatus.PENDING, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    scope_region_field = "achievement__region_id"
    scope_org_field = "achievement__owner_id"

    class Meta:
        verbose_name = _("NDA access request")
        verbose_name_plural = _("NDA access requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["achievement", "requester"],
                condition=Q(status__in=["pending", "approved"]),
                name="one_open_nda_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.requester} → {self.achievement} ({self.get_status_display()})"


class Demand(WorkflowRecord):
    """A technology demand of an enterprise — 技术需求, in the enterprise's own words.

    Public: everything except the contact fields (owner organization, administrators in scope only).
    """

    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=300, blank=True)
    problem = models.TextField(_("problem"))
    problem_en = models.TextField(_("English problem statement"), blank=True)
    target_indicators = models.TextField(_("target indicators"), blank=True)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    budget_min = models.DecimalField(
        _("budget from (yuan)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    budget_max = models.DecimalField(
        _("budget up to (yuan)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    cooperation_modes = models.JSONField(_("cooperation modes"), default=list, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=64, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)

    RESTRICTED_FIELDS = ("contact_name", "contact_phone", "contact_email")

    class Meta:
        verbose_name = _("technology demand")
        verbose_name_plural = _("technology demands")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["status", "region"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_min__isnull=True)
                | Q(budget_max__isnull=True)
                | Q(budget_min__lte=models.F("budget_max")),
                name="demand_budget_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        errors: dict[str, list] = {}
        try:
            self.keywords = v.validate_keywords(self.keywords)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        try:
            self.cooperation_modes = _validate_modes(self.cooperation_modes, CooperationMode, "cooperation_modes")
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if self.budget_min is not None and self.budget_max is not None and self.budget_min > self.budget_max:
            errors["budget_max"] = [_("The budget's upper bound must not be below its lower bound.")]
        if errors:
            raise ValidationError(errors)


class DemandRefinement(models.Model):
    """An expert's or broker's standard description of a demand — 专家翻译需求. Versioned; it never replaces the
    enterprise's own words."""

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="refinements")
    version = models.PositiveIntegerField(_("version"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(_("standard title"), max_length=200)
    description = models.TextField(_("standard technical description"))
    key_indicators = models.TextField(_("key technical indicators"), blank=True)
    tech_field = models.ForeignKey(
        "taxonomy.TechField",
        verbose_name=_("technical field"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ipc_codes = models.JSONField(_("IPC codes"), default=list, blank=True)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    scope_region_field = "demand__region_id"
    scope_org_field = "demand__owner_id"

    class Meta:
        verbose_name = _("demand refinement")
        verbose_name_plural = _("demand refinements")
        ordering = ["demand", "-version"]
        constraints = [models.UniqueConstraint(fields=["demand", "version"], name="unique_refinement_version")]

    def __str__(self) -> str:
        return f"{self.demand} · v{self.version}"

    def clean(self):
        try:
            self.ipc_codes = v.validate_code_list(self.ipc_codes, v.validate_ipc, "ipc_codes")
        except ValidationError as exc:
            raise ValidationError(exc.message_dict)


class RecordVersion(models.Model):
    """A snapshot of an achievement or demand as submitted or published — 版本记录."""

    achievement = models.ForeignKey(
        Achievement, null=True, blank=True, on_delete=models.CASCADE, related_name="versions"
    )
    demand = models.ForeignKey(Demand, null=True, blank=True, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField(_("version"))
    event = models.CharField(_("event"), max_length=16)
    data = models.JSONField(_("snapshot"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("record version")
        verbose_name_plural = _("record versions")
        ordering = ["version"]
        constraints = [
            models.CheckConstraint(
                condition=Q(achievement__isnull=False, demand__isnull=True)
                | Q(achievement__isnull=True, demand__isnull=False),
                name="version_of_one_record",
            ),
            models.UniqueConstraint(
                fields=["achievement", "version"], condition=Q(achievement__isnull=False), name="unique_ach_version"
            ),
            models.UniqueConstraint(
                fields=["demand", "version"], condition=Q(demand__isnull=False), name="unique_demand_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.achievement or self.demand} v{self.version} ({self.event})"


class PackageStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class AchievementPackage(Stamped):
    """A named package of achievements in a key field, curated by a region administrator — 重点领域科技成果包."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    tech_field = models.ForeignKey(
        "taxonomy.TechField", verbose_name=_("technical field"), on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("achievements must lie inside this region"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PackageStatus.choices, default=PackageStatus.DRAFT, db_index=True
    )
    achievements = models.ManyToManyField(Achievement, through="PackageItem", related_name="packages")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    scope_region_field = "region_id"
    scope_org_field = None

    class Meta:
        verbose_name = _("achievement package")
        verbose_name_plural = _("achievement packages")
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def public_q(cls) -> Q:
        return Q(status=PackageStatus.PUBLISHED)


class PackageItem(models.Model):
    package = models.ForeignKey(AchievementPackage, on_delete=models.CASCADE, related_name="items")
    achievement = models.ForeignKey(Achievement, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(_("position"), default=0)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["package", "achievement"], name="unique_package_achievement")]

    def __str__(self) -> str:
        return f"{self.package_id} · {self.achievement_id}"


from techtransfer.catalog.classified import AccessGrant, ControlledView, Declassification  # noqa: E402,F401
