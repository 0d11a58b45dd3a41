"""Back office: region administrators edit rounds inside their region and read reports in scope; templates are
changed by platform administrators only; reports are read-only."""

from __future__ import annotations

import pytest

from techtransfer.reports.services import filing
from tests.reports.conftest import complete_values

pytestmark = pytest.mark.django_db


def test_rounds_templates_and_reports_in_the_back_office(rw, client_for):
    report = filing.submit(
        rw.uni_admin,
        filing.save_draft(rw.uni_admin, filing.get_or_start(rw.uni_admin, rw.uni, rw.year), complete_values()),
    )
    for u in (rw.province_admin, rw.panlong_admin, rw.platform_admin):
        u.is_staff = True
        u.save()
    province, county, platform = (
        client_for(rw.province_admin),
        client_for(rw.panlong_admin),
        client_for(rw.platform_admin),
    )
    assert province.get(f"/admin/reports/reportinground/{rw.round.pk}/change/").status_code == 200
    assert county.get(f"/admin/reports/reportinground/{rw.round.pk}/change/").status_code in (302, 403, 404)
    assert province.get(f"/admin/reports/annualreport/{report.pk}/change/").status_code == 200
    assert county.get(f"/admin/reports/annualreport/{report.pk}/change/").status_code in (302, 403, 404)
    assert b'name="status"' not in province.get(f"/admin/reports/annualreport/{report.pk}/change/").content
    template = rw.round.template
    assert province.get("/admin/reports/reporttemplate/").status_code == 200
    page = province.get(f"/admin/reports/reporttemplate/{template.pk}/change/")
    assert page.status_code == 200 and b'name="title"' not in page.content  # read-only for a region admin
    page = platform.get(f"/admin/reports/reporttemplate/{template.pk}/change/")
    assert page.status_code == 200 and b'name="title"' in page.content
