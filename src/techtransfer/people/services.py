"""People rules: directory search and profiles. (Filled in by the people area work.)"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from techtransfer.accounts import permissions
from techtransfer.people.models import Person


@dataclass
class PeopleFilters:
    q: str = ""


def search(user, filters: PeopleFilters):
    qs = permissions.visible(user, Person.objects.select_related("organization", "region"))
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(expertise__icontains=filters.q))
    return qs.order_by("name", "id")
