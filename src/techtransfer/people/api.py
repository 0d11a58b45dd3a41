"""People API: the directory of researchers, technology brokers/managers and experts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ninja import Field, Router, Schema
from ninja.responses import Status as Reply

from techtransfer.accounts import permissions
from techtransfer.core.apidoc import public
from techtransfer.core.fields import Day
from techtransfer.core.schemas import InputSchema
from techtransfer.orgs import directory
from techtransfer.people import services
from techtransfer.people.models import BrokerProfile, ExpertProfile, Person

router = Router(tags=["people"])


class BrokerOut(Schema):
    kind: str
    kind_label: str
    level: str
    level_label: str
    certificate_no: str
    certified_on: date | None
    training_hours: Decimal


class ExpertOut(Schema):
    titles: str
    specialties: str
    available: bool


class PersonOut(Schema):
    id: int
    name: str
    name_en: str
    roles: list[str]
    organization: int | None
    organization_name: str | None
    region: str
    region_name: str
    title: str
    fields: list[str]
    expertise: str
    bio: str
    broker: BrokerOut | None = None
    expert: ExpertOut | None = None
    is_demo: bool
    restricted: bool = Field(description="true when contact fields are withheld from this caller")
    email: str | None = None
    phone: str | None = None
    can_change: bool = False


class PersonPage(directory.DirectoryPage):
    items: list[PersonOut]


class PersonIn(InputSchema):
    stores = Person

    name: str = Field(min_length=1, max_length=64)
    name_en: str = Field("", max_length=128)
    organization: int | None = None
    region: str | None = Field(None, min_length=6, max_length=6)
    title: str = Field("", max_length=64)
    fields: list[str] = []
    expertise: str = Field("", max_length=300)
    bio: str = Field("", max_length=5000)
    is_researcher: bool = False
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=32)
    published: bool = True


class PersonPatch(InputSchema):
    stores = Person

    name: str | None = Field(None, min_length=1, max_length=64)
    name_en: str | None = Field(None, max_length=128)
    organization: int | None = None
    region: str | None = Field(None, min_length=6, max_length=6)
    title: str | None = Field(None, max_length=64)
    fields: list[str] | None = None
    expertise: str | None = Field(None, max_length=300)
    bio: str | None = Field(None, max_length=5000)
    is_researcher: bool | None = None
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=32)
    published: bool | None = None


class BrokerProfileIn(InputSchema):
    stores = BrokerProfile

    kind: str | None = None
    level: str | None = None
    certificate_no: str | None = Field(None, max_length=64)
    certified_on: Day = None
    training_hours: Decimal | None = Field(None, ge=0, le=10000)


class ExpertIn(InputSchema):
    stores = ExpertProfile

    titles: str | None = Field(None, max_length=200)
    specialties: str | None = Field(None, max_length=5000)
    available: bool | None = None


def serialize(user, person: Person, restricted_ok: bool | None = None) -> dict:
    if restricted_ok is None:
        restricted_ok = permissions.can_see_restricted(user, person)
    broker = getattr(person, "broker", None)
    expert = getattr(person, "expert", None)
    data = {
        "id": person.pk,
        "name": person.name,
        "name_en": person.name_en,
        "roles": services.roles_of(person),
        "organization": person.organization_id,
        "organization_name": person.organization.name if person.organization_id else None,
        "region": person.region_id,
        "region_name": str(person.region),
        "title": person.title,
        "fields": [f.code for f in person.fields.all()],
        "expertise": person.expertise,
        "bio": person.bio,
        "is_demo": person.is_demo,
        "restricted": not restricted_ok,
        "can_change": permissions.can_change(user, person),
        "broker": None,
        "expert": None,
    }
    if broker is not None:
        data["broker"] = {
            "kind": broker.kind, "kind_label": str(broker.get_kind_display()), "level": broker.level,
            "level_label": str(broker.get_level_display()), "certificate_no": broker.certificate_no,
            "certified_on": broker.certified_on, "training_hours": broker.training_hours,
        }
    if expert is not None:
        data["expert"] = {"titles": expert.titles, "specialties": expert.specialties, "available": expert.available}
    if restricted_ok:
        data.update(email=person.email, phone=person.phone)
    return data


def filters_from(q="", role="", region="", field="", organization=None, broker_level="") -> services.PeopleFilters:
    return services.PeopleFilters(
        q=(q or "").strip()[:100], role=role or "", region=region or "", field=field or "",
        organization=organization or None, broker_level=broker_level or "",
    )


NULLABLE = {"organization", "certified_on"}


def _present(data: dict) -> dict:
    """Drop explicit nulls of fields that cannot be empty (a null means "leave unchanged")."""
    return {k: v for k, v in data.items() if v is not None or k in NULLABLE}


def _to_model_fields(data: dict) -> dict:
    out = _present(data)
    if "region" in out:
        out["region_id"] = out.pop("region")
    if "organization" in out:
        out["organization_id"] = out.pop("organization")
    return out


@router.get("", response=PersonPage, summary="Search the people directory (researchers, brokers, experts)")
@public
def list_people(
    request, q: str = "", role: str = "", region: str = "", field: str = "", organization: int | None = None,
    broker_level: str = "", page: int = 1, page_size: int = 20,
):
    qs = services.search(request.auth, filters_from(q, role, region, field, organization, broker_level))
    return directory.page(request.auth, qs.prefetch_related("fields"), page, page_size, serialize)


@router.get("/export", summary="Export the people you may see (CSV or Excel)")
@public
def export_people(
    request, format: str = "csv", q: str = "", role: str = "", region: str = "", field: str = "",
    organization: int | None = None, broker_level: str = "",
):
    return export_response(request.auth, filters_from(q, role, region, field, organization, broker_level), format)


def export_response(user, filters: services.PeopleFilters, fmt: str):
    qs = services.search(user, filters).prefetch_related("fields")
    header = ["id", "name", "name_en", "roles", "organization", "region", "region_name", "title", "fields",
              "expertise", "broker_level", "certificate_no", "training_hours", "email", "phone"]

    def row(p, show: bool) -> list:
        broker = getattr(p, "broker", None)
        return [
            p.pk, p.name, p.name_en, " ".join(services.roles_of(p)),
            p.organization.name if p.organization_id else "", p.region_id, p.region.name, p.title,
            " ".join(f.code for f in p.fields.all()), p.expertise,
            broker.level if broker else "", broker.certificate_no if broker else "",
            broker.training_hours if broker else "",
            p.email if show else "", p.phone if show else "",
        ]

    return directory.export_restricted(user, qs, header, row, fmt, "people")


@router.get("/{int:person_id}", response=PersonOut, summary="One person")
@public
def get_person(request, person_id: int):
    return serialize(request.auth, services.get_visible(request.auth, person_id))


@router.post("", response={201: PersonOut}, summary="Add a person (organization or region administrators)")
def create_person(request, payload: PersonIn):
    person = services.create_person(request.auth, _to_model_fields(payload.dict()))
    return Reply(201, serialize(request.auth, person))


@router.patch("/{int:person_id}", response=PersonOut, summary="Change a person")
def update_person(request, person_id: int, payload: PersonPatch):
    person = services.get_visible(request.auth, person_id)
    data = _to_model_fields(payload.dict(exclude_unset=True))
    return serialize(request.auth, services.update_person(request.auth, person, data))


@router.put("/{int:person_id}/broker", response=PersonOut, summary="Create or change the broker profile")
def set_broker(request, person_id: int, payload: BrokerProfileIn):
    person = services.get_visible(request.auth, person_id)
    services.set_broker_profile(request.auth, person, _present(payload.dict(exclude_unset=True)))
    return serialize(request.auth, services.get_visible(request.auth, person_id))


@router.put("/{int:person_id}/expert", response=PersonOut, summary="Create or change the expert profile")
def set_expert(request, person_id: int, payload: ExpertIn):
    person = services.get_visible(request.auth, person_id)
    services.set_expert_profile(request.auth, person, _present(payload.dict(exclude_unset=True)))
    return serialize(request.auth, services.get_visible(request.auth, person_id))
