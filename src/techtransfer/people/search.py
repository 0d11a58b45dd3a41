"""The experts' and brokers' search documents (the matching app reads ``DOCUMENTS``; see ``core.search``).

Name, expertise, titles, specialties, biography and organization; filters: the person's technical fields, region,
the organization's kind. Public when the person is published. Contact fields are never read.
"""

from __future__ import annotations

import re

from django.core.exceptions import ObjectDoesNotExist

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
    except ObjectDoesNotExist:
        return []
    return [profile.pk] if profile is not None else []


def _profile_document(kind: str, model, build) -> SearchDocument:
    """Experts and brokers alike: a profile of ``model`` (and its person) becomes a document of ``kind``."""
    return SearchDocument(
        kind=kind,
        records=lambda: (model.objects.select_related("person__organization").prefetch_related("person__fields")
                         .order_by("pk")),
        build=lambda batch: [build(profile) for profile in batch],
        changed_field="person__updated_at",
        watch=((Person, lambda p: _profile_of(p, kind)),
               (Person.fields.through, lambda p: _profile_of(p, kind)),  # the person's technical fields
               (model, lambda profile: [profile.pk])),
    )


DOCUMENTS = [
    _profile_document("expert", ExpertProfile, expert_doc),
    _profile_document("broker", BrokerProfile, broker_doc),
]
