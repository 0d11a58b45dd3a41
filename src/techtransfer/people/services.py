"""People rules: the directory (researchers, technology brokers/managers, experts), profiles and their changes.

Permissions come from ``accounts.permissions`` (a person is scoped by its region and its organization); every
change is audited. Broker levels and certificates follow the national technology-manager training scheme
(技术经理人/技术经纪人 初级·中级·高级, 《国家技术转移体系建设方案》 国发〔2017〕44号).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from techtransfer.accounts import permissions
from techtransfer.audit import services as audit
from techtransfer.core.errors import Conflict, DomainError, Forbidden, NotFound, from_validation_error
from techtransfer.orgs.models import Organization
from techtransfer.people.models import BrokerKind, BrokerLevel, BrokerProfile, ExpertProfile, Person
from techtransfer.people.permissions import may_manage
from techtransfer.regions.services import exists, scope_q
from techtransfer.taxonomy.models import TechField

ROLES = ("researcher", "broker", "expert")
EDITABLE_FIELDS = (
    "name", "name_en", "organization_id", "region_id", "title", "expertise", "bio", "is_researcher",
    "email", "phone", "published",
)
BROKER_FIELDS = ("kind", "level", "certificate_no", "certified_on", "training_hours")
EXPERT_FIELDS = ("titles", "specialties", "available")


@dataclass
class PeopleFilters:
    q: str = ""
    role: str = ""
    region: str = ""
    field: str = ""
    organization: int | None = None
    broker_level: str = ""

    def validate(self) -> None:
        if self.role and self.role not in ROLES:
            raise DomainError(_("Unknown role: %s") % self.role, field="role")
        if self.region and not exists(self.region):
            raise DomainError(_("Unknown region code: %s") % self.region, field="region")
        if self.field and not TechField.objects.filter(code=self.field).exists():
            raise DomainError(_("Unknown technical field: %s") % self.field, field="field")
        if self.broker_level and self.broker_level not in BrokerLevel.values:
            raise DomainError(_("Unknown broker level: %s") % self.broker_level, field="broker_level")


def search(user, filters: PeopleFilters):
    """People the user may see (visitors: people listed in the directory), filtered and ordered by name."""
    filters.validate()
    qs = permissions.visible(user, Person.objects.select_related("organization", "region", "broker", "expert"))
    if filters.q:
        qs = qs.filter(
            Q(name__icontains=filters.q)
            | Q(name_en__icontains=filters.q)
            | Q(expertise__icontains=filters.q)
            | Q(title__icontains=filters.q)
        )
    if filters.role == "researcher":
        qs = qs.filter(is_researcher=True)
    elif filters.role == "broker":
        qs = qs.filter(broker__isnull=False)
    elif filters.role == "expert":
        qs = qs.filter(expert__isnull=False)
    if filters.region:
        qs = qs.filter(scope_q("region_id", filters.region))
    if filters.field:
        qs = qs.filter(fields__code=filters.field)
    if filters.organization:
        qs = qs.filter(organization_id=filters.organization)
    if filters.broker_level:
        qs = qs.filter(broker__level=filters.broker_level)
    return qs.distinct().order_by("name", "id")


def get_visible(user, pk: int) -> Person:
    person = (
        permissions.visible(user, Person.objects.select_related("organization", "region", "broker", "expert"))
        .filter(pk=pk)
        .first()
    )
    if person is None:
        raise NotFound(_("No such person, or you may not see them."))
    return person


def roles_of(person: Person) -> list[str]:
    out = ["researcher"] if person.is_researcher else []
    if hasattr(person, "broker"):
        out.append("broker")
    if hasattr(person, "expert"):
        out.append("expert")
    return out


def _full_clean(obj) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise from_validation_error(exc)


def _clean_text(value):
    return value.strip() if isinstance(value, str) else value


def _apply(person: Person, data: dict) -> list[str] | None:
    """Copy editable fields onto ``person``; returns the new field codes when ``fields`` was given."""
    field_codes = data.pop("fields", None)
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(_("Unknown fields: %s") % ", ".join(sorted(unknown)), field=sorted(unknown)[0])
    for key, value in data.items():
        setattr(person, key, _clean_text(value))
    if person.region_id and not exists(person.region_id):
        raise DomainError(_("Unknown region code: %s") % person.region_id, field="region")
    if person.organization_id and not Organization.objects.filter(pk=person.organization_id).exists():
        raise DomainError(_("No such organization."), field="organization")
    if field_codes is not None:
        field_codes = list(dict.fromkeys(field_codes))
        known = set(TechField.objects.filter(code__in=field_codes).values_list("code", flat=True))
        missing = [c for c in field_codes if c not in known]
        if missing:
            raise DomainError(_("Unknown technical field: %s") % missing[0], field="fields")
    return field_codes


def create_person(actor, data: dict) -> Person:
    """Add a person to the directory: an organization administrator for its own organization, a region
    administrator within its region."""
    p = permissions.principal(actor)
    if not p.authenticated:
        raise Forbidden(_("Sign in to add people."))
    data = dict(data)
    person = Person()
    field_codes = _apply(person, data)
    if not person.region_id and person.organization_id:
        person.region_id = Organization.objects.get(pk=person.organization_id).region_id
    if not person.region_id:
        raise DomainError(_("Give the person's region."), field="region")
    if not may_manage(actor, person):
        raise Forbidden(_("You may only add people to your own organization or region."))
    _full_clean(person)
    with transaction.atomic():
        person.save()
        if field_codes is not None:
            person.fields.set(field_codes)
        audit.created(actor, person, "people.create")
    return person


def update_person(actor, person: Person, data: dict) -> Person:
    if not may_manage(actor, person):
        raise Forbidden(_("You may not change this person."))
    data = dict(data)
    with audit.tracking(actor, person, "people.update"):
        field_codes = _apply(person, data)
        if not may_manage(actor, person):
            raise Forbidden(_("The new region or organization is outside your scope."), field="region")
        _full_clean(person)
    if field_codes is not None:
        person.fields.set(field_codes)
    return person


def _training_hours(value) -> Decimal:
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError(_("Training hours must be a number."), field="training_hours")
    if hours < 0 or hours > Decimal("10000"):
        raise DomainError(_("Training hours must be between 0 and 10000."), field="training_hours")
    return hours.quantize(Decimal("0.1"))


def _check_profile_change(actor, person: Person, data: dict, allowed: tuple[str, ...]) -> None:
    """A profile is changed by those who manage the person (rule ``people.manage``), with known fields only."""
    if not may_manage(actor, person):
        raise Forbidden(_("You may not change this person."))
    unknown = set(data) - set(allowed)
    if unknown:
        raise DomainError(_("Unknown fields: %s") % ", ".join(sorted(unknown)), field=sorted(unknown)[0])


def set_broker_profile(actor, person: Person, data: dict) -> BrokerProfile:
    """Create or change the technology broker/manager profile of a person (level, certificate, training)."""
    _check_profile_change(actor, person, data, BROKER_FIELDS)
    profile = BrokerProfile.objects.filter(person=person).first()
    is_new = profile is None
    if is_new:
        profile = BrokerProfile(person=person, kind=BrokerKind.BROKER)
    if "kind" in data and data["kind"] not in BrokerKind.values:
        raise DomainError(_("Unknown broker kind: %s") % data["kind"], field="kind")
    if "level" in data and data["level"] not in BrokerLevel.values:
        raise DomainError(_("Unknown broker level: %s") % data["level"], field="level")
    if is_new and "level" not in data:
        raise DomainError(_("Give the broker's level."), field="level")
    cert = _clean_text(data.get("certificate_no"))
    if cert and BrokerProfile.objects.filter(certificate_no=cert).exclude(person=person).exists():
        raise Conflict(_("This certificate number belongs to another broker."), field="certificate_no")

    def change():
        for key, value in data.items():
            if key == "training_hours":
                value = _training_hours(value)
            setattr(profile, key, _clean_text(value))
        _full_clean(profile)

    if is_new:
        change()
        with transaction.atomic():
            profile.save()
            audit.created(actor, profile, "people.broker_profile")
    else:
        with audit.tracking(actor, profile, "people.broker_profile"):
            change()
    return profile


def set_expert_profile(actor, person: Person, data: dict) -> ExpertProfile:
    _check_profile_change(actor, person, data, EXPERT_FIELDS)
    profile = ExpertProfile.objects.filter(person=person).first()
    if profile is None:
        profile = ExpertProfile(person=person)
        for key, value in data.items():
            setattr(profile, key, _clean_text(value))
        _full_clean(profile)
        with transaction.atomic():
            profile.save()
            audit.created(actor, profile, "people.expert_profile")
        return profile
    with audit.tracking(actor, profile, "people.expert_profile"):
        for key, value in data.items():
            setattr(profile, key, _clean_text(value))
        _full_clean(profile)
    return profile
