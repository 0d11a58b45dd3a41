"""The back office of subsidy policies: scoped to the issuing region, published versions read-only, drafts
validated and audited, publishing and new drafts as actions."""

from __future__ import annotations

import json

import pytest

from techtransfer.audit.models import AuditEntry
from techtransfer.subsidies.models import Policy, PolicyVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(world):
    for u in (world.kunming_admin, world.platform_admin):
        u.is_staff = True
        u.save()
    return world


def test_lists_and_read_only_published_versions(client_for, staff):
    page = client_for(staff.platform_admin).get("/admin/subsidies/policyversion/").content.decode()
    assert "yn-absorb" in page and "tj-broker" in page
    v1 = PolicyVersion.objects.get(policy__code="yn-absorb", number=1)
    change = client_for(staff.platform_admin).post(
        f"/admin/subsidies/policyversion/{v1.pk}/change/", {"effective_from": "2030-01-01"})
    assert change.status_code in (302, 403)
    v1.refresh_from_db()
    assert str(v1.effective_from) == "2000-01-01"


def test_region_admin_sees_only_policies_of_its_region(client_for, staff):
    # A city administrator of Kunming does not administer Yunnan's provincial policies.
    page = client_for(staff.kunming_admin).get("/admin/subsidies/policyversion/")
    assert "yn-absorb" not in page.content.decode()


def test_new_draft_edit_and_publish_through_the_actions(client_for, staff):
    c = client_for(staff.platform_admin)
    v1 = PolicyVersion.objects.get(policy__code="yn-local", number=1)
    c.post("/admin/subsidies/policyversion/", {"action": "new_drafts", "_selected_action": [v1.pk]})
    draft = PolicyVersion.objects.get(policy__code="yn-local", number=2)
    assert not draft.published
    url = f"/admin/subsidies/policyversion/{draft.pk}/change/"
    bad = c.post(url, {"policy": draft.policy_id, "effective_from": "2026-01-01", "rules": '{"base": "x"}',
                       "note": "", "budget_per_year": "", "effective_to": ""})
    assert bad.status_code == 200 and "beneficiaries" in bad.content.decode()
    rules = {**v1.rules, "formula": {"kind": "percentage", "rate": "0.10"}}
    ok = c.post(url, {"policy": draft.policy_id, "effective_from": "2026-01-01", "rules": json.dumps(rules),
                      "note": "rate halved", "budget_per_year": "", "effective_to": ""})
    assert ok.status_code == 302
    c.post("/admin/subsidies/policyversion/", {"action": "publish_versions", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.published and draft.rules["formula"]["rate"] == "0.10"
    actions = set(AuditEntry.objects.filter(object_type__startswith="subsidies").values_list("action", flat=True))
    assert {"subsidies.new_draft", "subsidies.policyversion.admin_change", "subsidies.publish_version"} <= actions
    assert Policy.objects.get(code="yn-local").versions.count() == 2
