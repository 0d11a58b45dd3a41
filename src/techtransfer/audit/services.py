"""Writing the audit trail. Every state change of a domain record goes through ``tracking`` or ``record``."""

from __future__ import annotations

import datetime
import decimal
import uuid
from contextlib import contextmanager

from django.db import models, transaction
from django.utils.translation import gettext as _

from techtransfer.accounts import permissions
from techtransfer.audit.models import AuditEntry
from techtransfer.core.errors import Forbidden


def _jsonable(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if hasattr(value, "name") and hasattr(value, "url"):  # file fields
        return value.name or None
    return str(value)


def snapshot(obj: models.Model, exclude: tuple[str, ...] = ()) -> dict:
    """The concrete field values of ``obj`` as JSON-able data (foreign keys by id)."""
    data = {}
    for f in obj._meta.concrete_fields:
        if f.name in exclude or f.name in {"password"}:
            continue
        data[f.attname] = _jsonable(getattr(obj, f.attname))
    return data


def _region_of(obj) -> str:
    path = getattr(type(obj), "scope_region_field", None)
    value = obj
    for part in (path or "").split("__"):
        if not part:
            return ""
        value = getattr(value, part, None)
        if value is None:
            return ""
    return str(value)


def record(
    actor,
    action: str,
    obj: models.Model,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
) -> AuditEntry:
    """Write one audit entry for ``obj``. Call inside the transaction that makes the change."""
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=actor_obj,
        actor_name=str(actor_obj) if actor_obj else "system",
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        region_code=_region_of(obj),
        before=before,
        after=after,
        reason=reason,
    )


@contextmanager
def tracking(actor, obj: models.Model, action: str, reason: str = ""):
    """Change ``obj`` inside the block; on exit it is validated-saved and audited in one transaction.

    >>> with tracking(user, org, "orgs.verify"):
    ...     org.verification_status = "verified"
    """
    with transaction.atomic():
        before = snapshot(obj) if obj.pk else None
        yield obj
        obj.save()
        after = snapshot(obj)
        if before != after:
            record(actor, action, obj, before, after, reason)


def created(actor, obj: models.Model, action: str | None = None) -> AuditEntry:
    return record(actor, action or f"{obj._meta.label_lower}.create", obj, None, snapshot(obj))


def deleted(actor, obj: models.Model, action: str | None = None, reason: str = "") -> AuditEntry:
    return record(actor, action or f"{obj._meta.label_lower}.delete", obj, snapshot(obj), None, reason)


def entries_for(obj: models.Model):
    return AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


def visible_entries(user, object_type: str = "", object_id: str = "", action: str = ""):
    """Audit entries an administrator may read: platform administrators all, region administrators those of
    records inside their regions. Others get a 403."""
    p = permissions.principal(user)
    if not p.is_region_admin:
        raise Forbidden(_("Only administrators may read the audit trail."))
    qs = permissions.manageable(user, AuditEntry.objects.all())
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if action:
        qs = qs.filter(action=action)
    return qs
