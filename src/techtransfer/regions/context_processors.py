"""The province this instance serves, in every template (``PROVINCE_CODE``, ``PROVINCE_NAME``, ``PROVINCE_NAME_EN``)."""

from django.conf import settings

from techtransfer.regions.services import name_of


def platform(request):
    return {
        "PROVINCE_CODE": settings.PROVINCE_CODE,
        "PROVINCE_NAME": name_of(settings.PROVINCE_CODE),
        "PROVINCE_NAME_EN": name_of(settings.PROVINCE_CODE, english=True),
    }
