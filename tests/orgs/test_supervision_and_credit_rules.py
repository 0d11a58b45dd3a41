"""Legal form and supervising department (who files annual reports, and to whom), and credit records made and
closed by rules (idempotent by key, kept in history, public ones shown to visitors)."""

from __future__ import annotations

import datetime

import pytest

from techtransfer.accounts.models import Role
from techtransfer.core.errors import DomainError
from techtransfer.orgs import creditcode, services
from techtransfer.orgs.models import CreditRecord, LegalForm, OrgKind, Verification
from tests.conftest import WUHUA

pytestmark = pytest.mark.django_db


def test_legal_form_is_read_from_the_credit_code_when_not_stated(make_org):
    public = make_org(kind=OrgKind.UNIVERSITY, credit_code=creditcode.make("1", "2", WUHUA, "70000001"))
    private = make_org(kind=OrgKind.UNIVERSITY, credit_code=creditcode.make("5", "2", WUHUA, "70000002"))
    assert public.effective_legal_form == LegalForm.PUBLIC_INSTITUTION
    assert private.effective_legal_form == LegalForm.PRIVATE_NON_ENTERPRISE
    private.legal_form = LegalForm.PUBLIC_INSTITUTION
    assert private.effective_legal_form == LegalForm.PUBLIC_INSTITUTION


def test_supervisor_chain_never_circles(make_org, make_user):
    admin = make_user(role=Role.REGION_ADMIN, region=WUHUA)
    ministry = make_org(kind=OrgKind.GOVERNMENT)
    university = make_org(kind=OrgKind.UNIVERSITY)
    services.update(admin, university, {"supervisor_id": ministry.pk, "legal_form": LegalForm.PUBLIC_INSTITUTION})
    university.refresh_from_db()
    assert university.supervisor == ministry
    with pytest.raises(DomainError) as circle:
        services.update(admin, ministry, {"supervisor_id": university.pk})
    assert circle.value.field == "supervisor"
    with pytest.raises(DomainError) as itself:
        services.update(admin, university, {"supervisor_id": university.pk})
    assert itself.value.field == "supervisor"
    with pytest.raises(DomainError) as unknown:
        services.update(admin, university, {"legal_form": "company"})
    assert unknown.value.field == "legal_form"


def test_a_unit_changing_its_supervisor_is_verified_again(make_org, make_user):
    ministry = make_org(kind=OrgKind.GOVERNMENT)
    university = make_org(kind=OrgKind.UNIVERSITY, verification=Verification.VERIFIED)
    unit_admin = make_user(role=Role.ORG_ADMIN, org=university)
    services.update(unit_admin, university, {"supervisor_id": ministry.pk})
    university.refresh_from_db()
    assert university.verification == Verification.PENDING


def test_api_reads_and_writes_the_supervisor(make_org, make_user, client):
    ministry = make_org(kind=OrgKind.GOVERNMENT, name="教育厅")
    university = make_org(kind=OrgKind.UNIVERSITY)
    client.force_login(make_user(role=Role.REGION_ADMIN, region=WUHUA))
    r = client.patch(
        f"/api/v1/organizations/{university.pk}",
        {"supervisor": ministry.pk, "legal_form": "public_institution"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["supervisor"] == ministry.pk and r.json()["supervisor_name"] == "教育厅"
    assert r.json()["effective_legal_form"] == "public_institution"
    r = client.patch(f"/api/v1/organizations/{university.pk}", {"supervisor": 999999}, content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "supervisor"


def test_record_by_rule_is_made_once_and_closed_into_history(make_org, client):
    org = make_org(verification=Verification.VERIFIED)
    args = dict(
        kind="warning",
        cause="reports.not_filed",
        summary="未按规定报送科技成果转化年度报告（2025年度）",
        rule="促进科技成果转化法第二十一条",
        occurred_on=datetime.date(2026, 4, 1),
        year=2025,
    )
    first, created = services.record_by_rule(org, key=f"reports.not_filed:{org.pk}:2025", **args)
    again, created_again = services.record_by_rule(org, key=f"reports.not_filed:{org.pk}:2025", **args)
    assert created and not created_again and first.pk == again.pk
    assert CreditRecord.objects.filter(organization=org).count() == 1
    closed = services.close_by_rule(
        f"reports.not_filed:{org.pk}:2025", on=datetime.date(2026, 5, 1), reason="late report accepted"
    )
    assert closed.closed_on == datetime.date(2026, 5, 1) and not closed.is_open
    assert services.close_by_rule(f"reports.not_filed:{org.pk}:2025", on=datetime.date(2026, 5, 2), reason="x") is None
    assert CreditRecord.objects.filter(organization=org).count() == 1  # kept, not deleted


def test_visitors_see_only_public_records(make_org, client):
    org = make_org(verification=Verification.VERIFIED)
    services.record_by_rule(
        org,
        key="t:hidden",
        kind="warning",
        cause="t",
        summary="hidden-entry",
        rule="r",
        occurred_on=datetime.date(2026, 1, 5),
    )
    services.record_by_rule(
        org,
        key="t:public",
        kind="dishonest",
        cause="t",
        summary="public-entry",
        rule="r",
        occurred_on=datetime.date(2026, 1, 6),
        public=True,
    )
    page = client.get(f"/organizations/{org.pk}/").content.decode()
    assert "public-entry" in page and "hidden-entry" not in page
    api = client.get(f"/api/v1/organizations/{org.pk}/credit-records").json()
    assert [r["summary"] for r in api] == ["public-entry"]
