"""Registration points' codes and the registration numbers they issue — 登记编号.

Numbers are gapless per registration point and year (《技术合同认定登记管理办法》: each point numbers the contracts
it registers); see ``next_registration_number`` for the format and how concurrency is handled."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from techtransfer.contracts.models import PointProfile, RegistrationCounter
from techtransfer.core.errors import Conflict
from techtransfer.orgs.models import Organization


def point_profile(point: Organization) -> PointProfile:
    """The registration settings of a point, created on first use with code = region code + two-digit serial."""
    profile = PointProfile.objects.filter(point=point).first()
    if profile:
        return profile
    for _attempt in range(5):
        taken = PointProfile.objects.filter(code__startswith=point.region_id).count()
        try:
            with transaction.atomic():
                return PointProfile.objects.create(point=point, code=f"{point.region_id}{taken + 1:02d}")
        except IntegrityError:
            profile = PointProfile.objects.filter(point=point).first()
            if profile:
                return profile
    raise Conflict(_("Could not allocate a code for the registration point; try again."))


def next_registration_number(point: Organization, year: int) -> str:
    """Issue the next registration number of ``point`` in ``year``. Call inside the certifying transaction.

    Format: ``{year:04d}{point code}{seq:06d}`` — the four-digit year of registration, the point's code (its
    ``PointProfile.code``: by default its six-digit region code plus a two-digit serial) and a six-digit sequence
    starting at 000001 each year, e.g. ``2026 53010201 000042`` → ``202653010201000042``.

    Gapless and unique: the counter row of (point, year) is locked with ``SELECT … FOR UPDATE`` until the
    certifying transaction ends, so concurrent certifications at one point queue up, and a rolled-back
    certification rolls its number back with it. On SQLite the write transaction itself serializes writers.
    """
    code = point_profile(point).code
    RegistrationCounter.objects.bulk_create(
        [RegistrationCounter(point=point, year=year, last=0)], ignore_conflicts=True
    )
    counter = RegistrationCounter.objects.select_for_update().get(point=point, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{year:04d}{code}{counter.last:06d}"
