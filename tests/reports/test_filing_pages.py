"""Filing pages: the index with the start button and the review queue, the form with the registered figures beside
the fields and the explanation box, the errors named per field, the report with its history and the reviewers'
forms; 404 for a report one may not see, 403 for an action one may not take."""

from __future__ import annotations

import pytest
from django.urls import reverse

from techtransfer.reports.models import AnnualReport, ReportStatus
from techtransfer.reports.services import filing
from tests.reports.conftest import complete_values

pytestmark = pytest.mark.django_db


def _form(values: dict, explanations: dict | None = None) -> dict:
    data = {"from_form": "1", **{f"v_{k}": v for k, v in values.items()}}
    data.update({f"x_{k}": v for k, v in (explanations or {}).items()})
    return data


def test_index_offers_the_start_and_starts(rw, client_for):
    c = client_for(rw.uni_admin)
    page = c.get(reverse("reports:index"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="start-report"' in html and 'data-testid="empty-mine"' in html
    assert 'data-testid="empty-queue"' not in html  # not a reviewer
    r = c.post(reverse("reports:start"), {"organization": rw.uni.pk, "year": rw.year})
    report = AnnualReport.objects.get(organization=rw.uni, year=rw.year)
    assert r.status_code == 302 and r["Location"] == reverse("reports:edit", args=[report.pk])
    html = c.get(reverse("reports:index")).content.decode()
    assert 'data-testid="start-report"' not in html and f'data-report="{report.pk}"' in html
    assert client_for(rw.inst_admin).post(reverse("reports:start"), {"organization": rw.uni.pk}).status_code == 404


def test_the_form_shows_registered_figures_and_names_errors(rw, client_for):
    report = filing.get_or_start(rw.uni_admin, rw.uni, rw.year)
    c = client_for(rw.uni_admin)
    html = c.get(reverse("reports:edit", args=[report.pk])).content.decode()
    assert 'data-testid="registered-development_count" data-value="2"' in html
    assert 'data-testid="registered-development_amount" data-value="300000.00"' in html
    assert 'data-testid="explain-development_count"' not in html

    r = c.post(reverse("reports:edit", args=[report.pk]), _form({"transfer_amount": "100", "transfer_received": "500"}))
    assert r.status_code == 400
    assert 'data-testid="field-error-transfer_received"' in r.content.decode()
    report.refresh_from_db()
    assert report.values == {}

    r = c.post(reverse("reports:edit", args=[report.pk]), _form(complete_values(development_count="3")))
    assert r.status_code == 302
    report.refresh_from_db()
    assert report.values["development_count"] == 3
    html = c.get(reverse("reports:edit", args=[report.pk])).content.decode()
    assert 'data-testid="explain-development_count"' in html

    r = c.post(reverse("reports:submit", args=[report.pk]), _form(complete_values(development_count="3")))
    assert r.status_code == 400
    html = r.content.decode()
    assert 'data-code="needs_explanation"' in html and 'data-testid="field-error-development_count"' in html
    r = c.post(
        reverse("reports:submit", args=[report.pk]),
        _form(complete_values(development_count="3"), {"development_count": "一项合同未登记。"}),
    )
    assert r.status_code == 302 and r["Location"] == reverse("reports:report", args=[report.pk])
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert c.get(reverse("reports:edit", args=[report.pk])).status_code == 302  # no longer editable


def test_review_pages(rw, client_for):
    report = filing.save_draft(rw.uni_admin, filing.get_or_start(rw.uni_admin, rw.uni, rw.year), complete_values())
    report = filing.submit(rw.uni_admin, report)
    dept = client_for(rw.dept_admin)
    html = dept.get(reverse("reports:index")).content.decode()
    assert 'data-testid="review-queue"' in html and f'data-report="{report.pk}"' in html
    html = dept.get(reverse("reports:report", args=[report.pk])).content.decode()
    assert 'data-testid="accept-form"' in html and 'data-testid="return-form"' in html
    assert 'data-testid="registered-transfer_count">1<' in html

    r = dept.post(reverse("reports:return", args=[report.pk]), {"comment": ""})
    assert r.status_code == 400 and 'data-testid="field-error-comment"' in r.content.decode()
    r = dept.post(reverse("reports:return", args=[report.pk]), {"comment": "请核对到账金额。"})
    assert r.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED

    uni = client_for(rw.uni_admin)
    html = uni.get(reverse("reports:edit", args=[report.pk])).content.decode()
    assert "请核对到账金额。" in html
    assert uni.post(reverse("reports:submit", args=[report.pk])).status_code == 302
    r = dept.post(reverse("reports:accept", args=[report.pk]), {"comment": "同意"})
    assert r.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
    html = uni.get(reverse("reports:report", args=[report.pk])).content.decode()
    assert 'data-testid="history-return"' in html and "请核对到账金额。" in html
    assert 'data-testid="accept-form"' not in html
    r = dept.post(reverse("reports:accept", args=[report.pk]))
    assert r.status_code == 409


def test_pages_refuse_outsiders(rw, client_for):
    report = filing.save_draft(rw.uni_admin, filing.get_or_start(rw.uni_admin, rw.uni, rw.year), complete_values())
    assert client_for(rw.dept_admin).get(reverse("reports:report", args=[report.pk])).status_code == 404  # a draft
    report = filing.submit(rw.uni_admin, report)
    other = client_for(rw.other_dept_admin)
    assert other.get(reverse("reports:report", args=[report.pk])).status_code == 404
    assert other.post(reverse("reports:accept", args=[report.pk])).status_code == 404
    province = client_for(rw.province_admin)
    assert province.get(reverse("reports:report", args=[report.pk])).status_code == 200
    assert province.post(reverse("reports:accept", args=[report.pk])).status_code == 403
    assert client_for(rw.uni_member).get(reverse("reports:edit", args=[report.pk])).status_code == 403
    assert client_for().get(reverse("reports:index")).status_code == 302  # sign in first
