"""Registration points' codes and the registration numbers they issue — 登记编号.

Numbers are gapless per registration point and year (《技术合同认定登记管理办法》: each point numbers the contracts
it registers); see ``next_registration_number`` for the layouts and how concurrency is handled."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from techtransfer.contracts import conf
from techtransfer.contracts.models import PointProfile, RegistrationCounter
from techtransfer.core.errors import Conflict, DomainError
from techtransfer.orgs.models import Organization

NATIONAL = "national"
FULL_YEAR = "full-year"
FORMATS = (NATIONAL, FULL_YEAR)
MAX_SEQUENCE = 999_999  # six digits in both layouts


def _allocate(point: Organization) -> PointProfile:
    area = (point.region_id or "")[:4]
    in_region = PointProfile.objects.filter(code__startswith=point.region_id).count()
    used = {int(s) for s in PointProfile.objects.filter(area=area).exclude(serial="").values_list("serial", flat=True)}
    serial = next((n for n in range(1, 100) if n not in used), None)
    if serial is None:
        raise Conflict(_("All 99 registration-point numbers of this city are taken; set one in the back office."))
    with transaction.atomic():
        return PointProfile.objects.create(
            point=point, code=f"{point.region_id}{in_region + 1:02d}", area=area, serial=f"{serial:02d}"
        )


def point_profile(point: Organization) -> PointProfile:
    """The registration settings of a point, created on first use: ``code`` = region code + two-digit serial (the
    full-year layout), ``area`` = its province and city digits and ``serial`` = the first free two-digit number of
    a point in that city (the national layout). Both are editable in the back office."""
    profile = PointProfile.objects.filter(point=point).first()
    if profile:
        return profile
    for _attempt in range(5):
        try:
            return _allocate(point)
        except IntegrityError:
            profile = PointProfile.objects.filter(point=point).first()
            if profile:
                return profile
    raise Conflict(_("Could not allocate a code for the registration point; try again."))


def format_number(profile: PointProfile, year: int, sequence: int, layout: str | None = None) -> str:
    """A registration number in the installation's layout (``TECHTRANSFER_REGISTRATION_NUMBER_FORMAT``):

    - ``national`` (default), the layout of the model-contract instructions (技术合同示范文本 填写说明): 14 digits —
      2-digit year, 2-digit province, 2-digit city, 2-digit registration point, 6-digit sequence; e.g. point 01 of
      昆明市 (5301), 42nd contract of 2026 → ``26 53 01 01 000042`` → ``26530101000042``;
    - ``full-year``: the 4-digit year, the point's code (by default its six-digit region code and a two-digit
      serial) and the 6-digit sequence, e.g. ``2026 53010001 000042``.
    """
    layout = layout or conf.number_format()
    if sequence > MAX_SEQUENCE:
        raise Conflict(_("The six-digit registration sequence of this point is exhausted for the year."))
    if layout == FULL_YEAR:
        return f"{year:04d}{profile.code}{sequence:06d}"
    if layout != NATIONAL:
        raise DomainError(_("Unknown registration number format: %s") % layout)
    if len(profile.area) != 4 or len(profile.serial) != 2 or not (profile.area + profile.serial).isdigit():
        raise Conflict(
            _("The registration point %(point)s has no 2-digit province, city and point numbers; set them.")
            % {"point": profile.code}
        )
    return f"{year % 100:02d}{profile.area}{profile.serial}{sequence:06d}"


def next_registration_number(point: Organization, year: int) -> str:
    """Issue the next registration number of ``point`` in ``year`` (layout: ``format_number``). Call inside the
    certifying transaction.

    Gapless and unique: the counter row of (point, year) is locked with ``SELECT … FOR UPDATE`` until the
    certifying transaction ends, so concurrent certifications at one point queue up, and a rolled-back
    certification rolls its number back with it. On SQLite the write transaction itself serializes writers. The
    sequence restarts at 000001 each year.
    """
    profile = point_profile(point)
    RegistrationCounter.objects.bulk_create(
        [RegistrationCounter(point=point, year=year, last=0)], ignore_conflicts=True
    )
    counter = RegistrationCounter.objects.select_for_update().get(point=point, year=year)
    counter.last += 1
    number = format_number(profile, year, counter.last)
    counter.save(update_fields=["last"])
    return number
