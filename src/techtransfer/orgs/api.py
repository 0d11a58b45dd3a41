from datetime import date, datetime

from ninja import Field, Router, Schema
from ninja.responses import Status as Reply

from techtransfer.accounts import permissions
from techtransfer.core.apidoc import public
from techtransfer.core.schemas import InputSchema
from techtransfer.orgs import creditcode, directory, services
from techtransfer.orgs.models import Organization

router = Router(tags=["organizations"])


class OrgOut(Schema):
    id: int
    name: str
    name_en: str
    kind: str
    kind_label: str
    ownership: str | None = Field(None, description="code of the ownership table (state, collective, private, ...)")
    ownership_label: str = ""
    credit_code: str | None
    region: str
    region_name: str
    country: str | None
    address: str
    website: str
    description: str
    description_en: str = ""
    verification: str
    demo_level: str
    demo_year: int | None
    legal_form: str = Field("", description="stated legal form; empty when not stated")
    effective_legal_form: str = Field("", description="the stated form, else the one the credit code gives")
    supervisor: int | None = Field(None, description="the supervising department (主管部门), an organization id")
    supervisor_name: str = ""
    is_demo: bool
    restricted: bool = Field(description="true when contact fields are withheld from this caller")
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    can_change: bool = False


class OrgPage(directory.DirectoryPage):
    items: list[OrgOut]


class OrgIn(InputSchema):
    stores = Organization

    name: str = Field(min_length=2, max_length=128)
    name_en: str = Field("", max_length=200)
    kind: str
    ownership: str | None = Field(None, max_length=32)
    credit_code: str | None = None
    region: str = Field(min_length=6, max_length=6)
    country: str | None = Field(None, min_length=2, max_length=2)
    address: str = Field("", max_length=200)
    website: str = ""
    description: str = Field("", max_length=5000)
    description_en: str = Field("", max_length=5000)
    contact_name: str = Field("", max_length=64)
    contact_phone: str = Field("", max_length=32)
    contact_email: str = ""
    legal_form: str = Field("", max_length=24)
    supervisor: int | None = Field(None, ge=1, description="the supervising department (主管部门), an organization id")


class OrgPatch(InputSchema):
    stores = Organization

    name: str | None = Field(None, min_length=2, max_length=128)
    name_en: str | None = Field(None, max_length=200)
    kind: str | None = None
    ownership: str | None = Field(None, max_length=32)
    credit_code: str | None = None
    region: str | None = Field(None, min_length=6, max_length=6)
    country: str | None = Field(None, min_length=2, max_length=2, description="ISO 3166 code; null for domestic")
    address: str | None = Field(None, max_length=200)
    website: str | None = None
    description: str | None = Field(None, max_length=5000)
    description_en: str | None = Field(None, max_length=5000)
    contact_name: str | None = Field(None, max_length=64)
    contact_phone: str | None = Field(None, max_length=32)
    contact_email: str | None = None
    legal_form: str | None = Field(None, max_length=24)
    supervisor: int | None = Field(None, ge=1, description="the supervising department; null to clear")


class VerificationIn(InputSchema):
    decision: str = Field(description="verified or rejected")
    reason: str = ""


class DemoLevelIn(InputSchema):
    level: str = Field(description="national, provincial, municipal, or empty to clear")
    year: int | None = None


class CreditRecordIn(InputSchema):
    kind: str
    occurred_on: date
    summary: str = Field(min_length=1, max_length=200)
    source: str = Field("", max_length=200)


class CreditRecordOut(Schema):
    id: int
    kind: str
    occurred_on: date
    summary: str
    source: str
    cause: str = Field("", description="the rule that made the record (e.g. reports.not_filed); empty when entered")
    rule: str = ""
    year: int | None = None
    public: bool = False
    closed_on: date | None = Field(None, description="set when the cause was cured; the record stays in history")
    closed_reason: str = ""
    created_at: datetime


class CreditCodeCheck(Schema):
    code: str
    valid: bool
    message: str


def serialize(user, org: Organization, restricted_ok: bool | None = None) -> dict:
    if restricted_ok is None:
        restricted_ok = permissions.can_see_restricted(user, org)
    data = {
        "id": org.pk,
        "name": org.name,
        "name_en": org.name_en,
        "kind": org.kind,
        "kind_label": str(org.get_kind_display()),
        "ownership": org.ownership_id,
        "ownership_label": str(org.ownership) if org.ownership_id else "",
        "credit_code": org.credit_code,
        "region": org.region_id,
        "region_name": str(org.region),
        "country": org.country_id,
        "address": org.address,
        "website": org.website,
        "description": org.description,
        "description_en": org.description_en,
        "verification": org.verification,
        "demo_level": org.demo_level,
        "demo_year": org.demo_year,
        "legal_form": org.legal_form,
        "effective_legal_form": org.effective_legal_form,
        "supervisor": org.supervisor_id,
        "supervisor_name": org.supervisor.name if org.supervisor_id else "",
        "is_demo": org.is_demo,
        "restricted": not restricted_ok,
        "can_change": permissions.can_change(user, org),
    }
    if restricted_ok:
        data.update(contact_name=org.contact_name, contact_phone=org.contact_phone, contact_email=org.contact_email)
    return data


def _filters(q, kind, region, verification, demo_level, ownership="") -> services.OrgFilters:
    return services.OrgFilters(
        q=(q or "").strip(),
        kind=kind or "",
        region=region or "",
        verification=verification or "",
        demo_level=demo_level or "",
        ownership=ownership or "",
    )


def _to_model_fields(data: dict) -> dict:
    out = dict(data)
    if "region" in out:
        out["region_id"] = out.pop("region")
    if "country" in out:
        out["country_id"] = out.pop("country")
    if "ownership" in out:
        out["ownership_id"] = out.pop("ownership") or None
    if "supervisor" in out:
        out["supervisor_id"] = out.pop("supervisor")
    return out


@router.get("", response=OrgPage, summary="Search organizations (visitors see verified ones)")
@public
def list_orgs(
    request,
    q: str = "",
    kind: str = "",
    region: str = "",
    verification: str = "",
    demo_level: str = "",
    ownership: str = "",
    page: int = 1,
    page_size: int = 20,
):
    qs = services.search(request.auth, _filters(q, kind, region, verification, demo_level, ownership))
    return directory.page(request.auth, qs, page, page_size, serialize)


@router.get("/export", summary="Export the organizations you may see (CSV or Excel)")
@public
def export_orgs(
    request,
    format: str = "csv",
    q: str = "",
    kind: str = "",
    region: str = "",
    verification: str = "",
    demo_level: str = "",
    ownership: str = "",
):
    return export_response(request.auth, _filters(q, kind, region, verification, demo_level, ownership), format)


def export_response(user, filters: services.OrgFilters, fmt: str):
    header = [
        "id",
        "name",
        "name_en",
        "kind",
        "ownership",
        "credit_code",
        "region",
        "region_name",
        "country",
        "address",
        "verification",
        "demo_level",
        "demo_year",
        "contact_name",
        "contact_phone",
        "contact_email",
    ]

    def row(o, show: bool) -> list:
        return [
            o.pk,
            o.name,
            o.name_en,
            o.kind,
            o.ownership_id or "",
            o.credit_code,
            o.region_id,
            o.region.name,
            o.country_id or "",
            o.address,
            o.verification,
            o.demo_level,
            o.demo_year,
            o.contact_name if show else "",
            o.contact_phone if show else "",
            o.contact_email if show else "",
        ]

    return directory.export_restricted(user, services.search(user, filters), header, row, fmt, "organizations")


@router.get("/check-credit-code", response=CreditCodeCheck, summary="Validate a unified social credit code")
@public
def check_credit_code(request, code: str):
    try:
        normalized = creditcode.validate(code)
    except creditcode.CreditCodeError as exc:
        return {"code": code, "valid": False, "message": str(exc)}
    return {"code": normalized, "valid": True, "message": "ok"}


@router.get("/{int:org_id}", response=OrgOut, summary="One organization")
@public
def get_org(request, org_id: int):
    return serialize(request.auth, services.get_visible(request.auth, org_id))


@router.post("", response={201: OrgOut}, summary="Register an organization")
def create_org(request, payload: OrgIn):
    org = services.register(request.auth, _to_model_fields(payload.dict()))
    return Reply(201, serialize(request.auth, org))


@router.patch("/{int:org_id}", response=OrgOut, summary="Change an organization")
def update_org(request, org_id: int, payload: OrgPatch):
    org = services.get_visible(request.auth, org_id)
    data = _to_model_fields(payload.dict(exclude_unset=True))
    return serialize(request.auth, services.update(request.auth, org, data))


@router.post("/{int:org_id}/verification", response=OrgOut, summary="Verify or reject (region administrators)")
def verify_org(request, org_id: int, payload: VerificationIn):
    org = services.get_visible(request.auth, org_id)
    return serialize(request.auth, services.verify(request.auth, org, payload.decision, payload.reason))


@router.post(
    "/{int:org_id}/demonstration-level",
    response=OrgOut,
    summary="Set the technology transfer demonstration level (region administrators)",
)
def set_level(request, org_id: int, payload: DemoLevelIn):
    org = services.get_visible(request.auth, org_id)
    return serialize(request.auth, services.set_demonstration_level(request.auth, org, payload.level, payload.year))


@router.get("/{int:org_id}/credit-records", response=list[CreditRecordOut], summary="Credit records")
@public
def list_credit(request, org_id: int):
    org = services.get_visible(request.auth, org_id)
    return list(services.credit_records(request.auth, org))


@router.post("/{int:org_id}/credit-records", response={201: CreditRecordOut}, summary="Add a credit record")
def add_credit(request, org_id: int, payload: CreditRecordIn):
    org = services.get_visible(request.auth, org_id)
    rec = services.add_credit_record(
        request.auth, org, payload.kind, payload.occurred_on, payload.summary, payload.source
    )
    return Reply(201, rec)
