"""Reading references in filing and decision input: codes of the classification tables, organizations and
achievements. Values (money, dates, text) are read by ``core.fields`` (``in_field``); these look rows up and
name the field in their errors."""

from __future__ import annotations

from django.utils.translation import gettext as _

from techtransfer.catalog.models import Achievement
from techtransfer.core.errors import DomainError
from techtransfer.orgs.models import Organization

MAX_PK = 2**62  # above any id; keeps absurd numbers away from the database driver


def lookup(model, value, field: str):
    """An active row of a code table (category, subcategory, IP type, ...) by its code, or None when empty."""
    if value in (None, ""):
        return None
    if isinstance(value, model):
        return value
    if not isinstance(value, str):
        raise DomainError(_("Unknown %(what)s: %(code)s") % {"what": field, "code": str(value)[:40]}, field=field)
    obj = model.objects.filter(pk=value, active=True).first() if hasattr(model, "active") else None
    if obj is None:
        raise DomainError(_("Unknown %(what)s: %(code)s") % {"what": field, "code": value}, field=field)
    return obj


def organization(value, field: str) -> Organization | None:
    """An organization by its id (a number or a string of digits), or None when empty."""
    if value in (None, ""):
        return None
    if isinstance(value, Organization):
        return value
    try:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError
        pk = int(value)
        org = Organization.objects.filter(pk=pk).first() if 0 < pk < MAX_PK else None
    except (TypeError, ValueError):
        org = None
    if org is None:
        raise DomainError(_("No such organization: %s") % value, field=field)
    return org


def achievement(value, field: str) -> int | None:
    """The id of an existing achievement (科技成果) the contract transfers or develops, or None."""
    if value in (None, ""):
        return None
    try:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError
        pk = int(value)
    except (TypeError, ValueError):
        raise DomainError(_("Not an achievement id: %s") % str(value)[:40], field=field)
    if not (0 < pk < MAX_PK) or not Achievement.objects.filter(pk=pk).exists():
        raise DomainError(_("No such achievement: %s") % pk, field=field)
    return pk
