"""Request and response shapes of the catalog API (``catalog.api``). Request bodies are ``InputSchema`` (unknown
fields refused with 422) with the shared typed values of ``core.fields`` for amounts and dates; responses are
plain schemas and never carry protected details unless the view put them there."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from techtransfer.catalog.models import Achievement, Demand, DemandRefinement, IPItem
from techtransfer.catalog.validators import ACHIEVEMENT_RULES as A
from techtransfer.catalog.validators import DEMAND_RULES as D
from techtransfer.core.apidoc import Error
from techtransfer.core.fields import NotNull
from techtransfer.core.schemas import InputSchema

# The body types of the fields with a shared rule (``catalog.validators``): the importer and the forms read them
# by the same rules. ``A_title`` is an achievement's title; ``…_or_null`` accepts null (a column that may be empty).
Level = Literal["public", "restricted", "controlled"]  # catalog.models.Classification (军民两用 marking)
A_abstract = A["abstract"].api(null=False)
A_abstract_en = A["abstract_en"].api(null=False)
A_asking_price_or_null = A["asking_price"].api()
A_protected_details = A["protected_details"].api(null=False)
A_public_funding = A["public_funding"].api(null=False)
A_title = A["title"].api(null=False)
A_title_en = A["title_en"].api(null=False)
A_trl_or_null = A["trl"].api()
D_budget_max_or_null = D["budget_max"].api()
D_budget_min_or_null = D["budget_min"].api()
D_contact_email = D["contact_email"].api(null=False)
D_contact_name = D["contact_name"].api(null=False)
D_contact_phone = D["contact_phone"].api(null=False)
D_deadline_or_null = D["deadline"].api()
D_problem = D["problem"].api(null=False)
D_problem_en = D["problem_en"].api(null=False)
D_title_en = D["title_en"].api(null=False)
D_target_indicators = D["target_indicators"].api(null=False)
D_title = D["title"].api(null=False)


class IPItemOut(Schema):
    kind: str
    title: str
    number: str
    granted: bool


class AchievementItem(Schema):
    """An achievement in a list: public fields only."""

    id: int
    title: str
    title_en: str
    abstract: str
    keywords: list[str]
    tech_field: str | None
    trl: int | None
    transfer_modes: list[str]
    asking_price: Decimal | None
    price_negotiable: bool
    owner: int
    owner_name: str
    region: str
    must_report: bool
    dual_use: bool
    classification: str = Field("public", description="public, restricted or controlled (军民两用 marking)")
    status: str
    published_at: datetime | None


class AchievementOut(AchievementItem):
    abstract_en: str
    industry_codes: list[str]
    ipc_codes: list[str]
    public_funding: str
    ip_items: list[IPItemOut]
    protected: bool = Field(description="true when the protected details are withheld from this caller")
    protected_details: str | None = None
    rejection_reason: str | None = None
    transitions: list[str] = Field(default_factory=list, description="transitions this caller may make now")


class FacetsOut(Schema):
    tech_field: dict[str, int]
    org_kind: dict[str, int]


class AchievementPage(Schema):
    items: list[AchievementItem]
    count: int
    page: int
    pages: int
    page_size: int
    facets: FacetsOut | None = None


class AchievementIn(InputSchema):
    stores = Achievement

    owner: int = Field(description="id of the owner organization")
    title: A_title
    title_en: A_title_en = ""
    abstract: A_abstract
    abstract_en: A_abstract_en = ""
    keywords: list[str] = []
    tech_field: str | None = None
    industry_codes: list[str] = []
    ipc_codes: list[str] = []
    trl: A_trl_or_null = None
    transfer_modes: list[str] = []
    asking_price: A_asking_price_or_null = None
    price_negotiable: bool = False
    public_funding: A_public_funding = ""
    dual_use: bool = False
    protected_details: A_protected_details = ""
    classification: Level = "public"
    team: list[int] = []


class AchievementPatch(InputSchema):
    """Fields left out stay as they are; null clears only what may be empty (TRL, asking price, field)."""

    stores = Achievement

    title: A_title = None
    title_en: A_title_en = None
    abstract: A_abstract = None
    abstract_en: A_abstract_en = None
    keywords: NotNull[list[str]] = None
    tech_field: str | None = None
    industry_codes: NotNull[list[str]] = None
    ipc_codes: NotNull[list[str]] = None
    trl: A_trl_or_null = None
    transfer_modes: NotNull[list[str]] = None
    asking_price: A_asking_price_or_null = None
    price_negotiable: NotNull[bool] = None
    public_funding: A_public_funding = None
    dual_use: NotNull[bool] = None
    protected_details: A_protected_details = None
    classification: NotNull[Level] = None
    team: NotNull[list[int]] = None


class IPItemIn(InputSchema):
    stores = IPItem

    kind: str
    title: str = Field(min_length=1, max_length=200)
    number: str = Field("", max_length=40)
    granted: bool = False
    holder: str = Field("", max_length=200)


class IPItemCreated(IPItemOut):
    id: int


class TrlCriterionOut(Schema):
    key: str
    text: str


class TrlLevelOut(Schema):
    level: int
    title: str
    criteria: list[TrlCriterionOut]


class TrlIn(InputSchema):
    answers: dict[str, str | None] = Field(description="criterion key → evidence text")


class TrlOut(Schema):
    id: int
    proposed_level: int | None
    answers: dict[str, str]
    created_at: datetime


class RecordTransitionIn(InputSchema):
    action: str = Field(description="submit, org_approve, org_reject, publish, platform_reject, start_negotiation, "
                        "end_negotiation, transferred, close, withdraw")
    reason: str = Field("", max_length=2000)


class VersionOut(Schema):
    version: int
    event: str
    data: dict
    created_at: datetime


class NdaIn(InputSchema):
    purpose: str = Field("", max_length=2000)


class NdaOut(Schema):
    id: int
    achievement: int
    requester: int
    requester_name: str
    purpose: str
    status: str
    reason: str
    created_at: datetime
    decided_at: datetime | None


class DecisionIn(InputSchema):
    reason: str = Field("", max_length=2000)


class DemandItem(Schema):
    id: int
    title: str
    title_en: str = ""
    problem: str
    problem_en: str = ""
    target_indicators: str
    keywords: list[str]
    tech_field: str | None
    budget_min: Decimal | None
    budget_max: Decimal | None
    deadline: date | None
    cooperation_modes: list[str]
    owner: int
    owner_name: str
    region: str
    classification: str = Field("public", description="public, restricted or controlled (军民两用 marking)")
    status: str
    published_at: datetime | None


class DemandOut(DemandItem):
    restricted: bool = Field(description="true when the contact is withheld from this caller")
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    rejection_reason: str | None = None
    transitions: list[str] = Field(default_factory=list)


class DemandPage(Schema):
    items: list[DemandItem]
    count: int
    page: int
    pages: int
    page_size: int
    facets: FacetsOut | None = None


class DemandIn(InputSchema):
    stores = Demand

    owner: int
    title: D_title
    title_en: D_title_en = ""
    problem: D_problem
    problem_en: D_problem_en = ""
    target_indicators: D_target_indicators = ""
    keywords: list[str] = []
    tech_field: str | None = None
    budget_min: D_budget_min_or_null = None
    budget_max: D_budget_max_or_null = None
    deadline: D_deadline_or_null = None
    cooperation_modes: list[str] = []
    contact_name: D_contact_name = ""
    contact_phone: D_contact_phone = ""
    contact_email: D_contact_email = ""
    classification: Level = "public"


class DemandPatch(InputSchema):
    """Fields left out stay as they are; null clears only what may be empty (budget, deadline, field)."""

    stores = Demand

    title: D_title = None
    title_en: D_title_en = None
    problem: D_problem = None
    problem_en: D_problem_en = None
    target_indicators: D_target_indicators = None
    keywords: NotNull[list[str]] = None
    tech_field: str | None = None
    budget_min: D_budget_min_or_null = None
    budget_max: D_budget_max_or_null = None
    deadline: D_deadline_or_null = None
    cooperation_modes: NotNull[list[str]] = None
    contact_name: D_contact_name = None
    contact_phone: D_contact_phone = None
    contact_email: D_contact_email = None
    classification: NotNull[Level] = None


class RefinementIn(InputSchema):
    stores = DemandRefinement

    title: str = Field(min_length=2, max_length=200)
    description: str = Field(min_length=10, max_length=20000)
    key_indicators: str = Field("", max_length=5000)
    tech_field: str | None = None
    ipc_codes: list[str] = []


class RefinementOut(Schema):
    version: int
    author: str | None
    title: str
    description: str
    key_indicators: str
    tech_field: str | None
    ipc_codes: list[str]
    created_at: datetime


class PackageIn(InputSchema):
    name: str = Field(min_length=2, max_length=200)
    description: str = Field("", max_length=5000)
    region: str = Field(min_length=6, max_length=6)
    tech_field: str


class PackageOut(Schema):
    id: int
    name: str
    description: str
    region: str
    tech_field: str
    status: str
    published_at: datetime | None


class PackageDetail(PackageOut):
    achievements: list[AchievementItem]


class PackagePage(Schema):
    items: list[PackageOut]
    count: int
    page: int
    pages: int
    page_size: int


class PackageItemIn(InputSchema):
    achievement: int
    note: str = Field("", max_length=200)


class ImportProblem(Schema):
    row: int = Field(description="1 is the header line; 0 when the file as a whole cannot be read")
    column: str | None
    problem: str


class ImportReport(Schema):
    ok: bool
    created: int
    rows: int
    errors: list[ImportProblem]
    errors_truncated: bool


class ImportRefused(ImportReport, Error):
    """400 of an import whose rows have problems: the report, as an ``Error`` (code ``import_refused``)."""
