"""The experts' and brokers' search documents (the matching app reads ``DOCUMENTS``; see ``core.search``).

Name, expertise, titles, specialties, biography and organization; filters: the person's technical fields, region,
the organization's kind. Public when the person is published. Contact fields are never read.
"""

from __future__ import annotations

import re

from techtransfer.core.search import SearchDocument

from .models import BrokerProfile, ExpertProfile, Person


def _split_keywords(value: str) -> list[str]:
    return [k for k in (x.strip() for x in re.split(r"[,，;；、/\s]+", value or "")) if k]


def _person_parts(p) -> list[str]:
    return [p.name, p.name_en, p.title, p.expertise, p.bio, p.organization.name if p.organization_id else ""]


def _person_fields(p) -> list[str]:
    return [f.pk for f in p.fields.all()]


def expert_doc(e) -> dict:
    p = e.person
    return {
        "id": f"expert:{e.pk}", "kind": "expert", "title": p.name,
        "keywords": [k for k in _split_keywords(p.expertise)],
        "body": "\n".join(x for x in _person_parts(p)[1:] + [e.titles, e.specialties] if x),
        "field": _person_fields(p), "region": p.region_id, "status": "available" if e.available else "unavailable",
        "org_kind": p.organization.kind if p.organization_id else "", "owner": p.organization_id,
        "public": bool(p.published),
    }


def broker_doc(b) -> dict:
    p = b.person
    return {
        "id": f"broker:{b.pk}", "kind": "broker", "title": p.name,
        "keywords": [k for k in _split_keywords(p.expertise)],
        "body": "\n".join(x for x in _person_parts(p)[1:] + [b.get_kind_display(), b.get_level_display()] if x),
        "field": _person_fields(p), "region": p.region_id, "status": b.level,
        "org_kind": p.organization.kind if p.organization_id else "", "owner": p.organization_id,
        "public": bool(p.published),
    }


def _profile_of(person, attr: str) -> list[int]:
    """The id of the person's expert or broker profile, as a list (empty when there is none)."""
    if not isinstance(person, Person):  # a technical field changed from its side of the many-to-many
        return []
    try:
        profile = getattr(person, attr)
    except Exception:  # noqa: BLE001 - RelatedObjectDoesNotExist
        return []
    return [profile.pk] if profile is not None else []


def _profiles(model):
    return (model.objects.select_related("person__organization").prefetch_related("person__fields")
            .order_by("pk"))


DOCUMENTS = [
    SearchDocument(
        kind="expert",
        records=lambda: _profiles(ExpertProfile),
        build=lambda batch: [expert_doc(e) for e in batch],
        changed_field="person__updated_at",
        watch=((Person, lambda p: _profile_of(p, "expert")),
               (Person.fields.through, lambda p: _profile_of(p, "expert")),  # the person's technical fields
               (ExpertProfile, lambda profile: [profile.pk])),
    ),
    SearchDocument(
        kind="broker",
        records=lambda: _profiles(BrokerProfile),
        build=lambda batch: [broker_doc(b) for b in batch],
        changed_field="person__updated_at",
        watch=((Person, lambda p: _profile_of(p, "broker")),
               (Person.fields.through, lambda p: _profile_of(p, "broker")),  # the person's technical fields
               (BrokerProfile, lambda profile: [profile.pk])),
    ),
]
