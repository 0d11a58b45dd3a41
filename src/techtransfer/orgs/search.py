"""The organizations' search documents (the matching app reads ``DOCUMENTS``; see ``core.search``).

An organization's document holds its name and description; the catalog adds the titles and keywords of its
public records (``catalog.search.ADDITIONS``). Public when the organization is verified.
"""

from __future__ import annotations

from techtransfer.core.search import SearchDocument

from .models import Organization, Verification


def organization_doc(o) -> dict:
    return {
        "id": f"organization:{o.pk}", "kind": "organization", "title": o.name,
        "keywords": [], "body": "\n".join(x for x in [o.name_en, o.description, o.description_en] if x),
        "field": [], "region": o.region_id, "status": o.verification, "org_kind": o.kind, "owner": o.pk,
        "public": o.verification == Verification.VERIFIED,
    }


DOCUMENTS = [
    SearchDocument(
        kind="organization",
        records=lambda: Organization.objects.order_by("pk"),
        build=lambda batch: [organization_doc(o) for o in batch],
        watch=((Organization, lambda o: [o.pk]),),
    ),
]
