"""Who sees what: public states, protected details behind NDA approval, demand contacts, version history."""

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.serializers.json import DjangoJSONEncoder

from techtransfer.accounts.models import Role
from techtransfer.catalog import browse, services
from techtransfer.catalog.models import Achievement, NdaStatus, Status
from techtransfer.core.errors import Conflict, DomainError, Forbidden, NotFound
from tests.catalog.factories import CONTACT_PHONE, SECRET

pytestmark = pytest.mark.django_db


def dump(data) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)


def listed(user, **filters) -> str:
    """What a list page, search or export would show the user: one view per visible achievement."""
    qs = browse.search_achievements(user, **filters)
    readable = services.protected_readable_ids(user, [a.pk for a in qs])
    return dump([services.achievement_view(user, a, a.pk in readable) for a in qs])


@pytest.fixture
def outsider(make_user, make_org):
    company = make_org("曲靖需求方有限公司", region="530302")
    return make_user("outsider", Role.ORG_ADMIN, org=company)


def test_only_published_in_negotiation_and_transferred_are_public(world, make_achievement):
    by_status = {s: make_achievement(s, title=f"成果-{s}") for s in Status.values}
    seen = set(browse.search_achievements(world.visitor).values_list("status", flat=True))
    assert seen == {Status.PUBLISHED, Status.IN_NEGOTIATION, Status.TRANSFERRED}
    assert set(Achievement.objects.filter(Achievement.public_q()).values_list("status", flat=True)) == seen
    with pytest.raises(NotFound):
        services.get_achievement(world.visitor, by_status[Status.DRAFT].pk)
    # The owner's members see all of their organization's records.
    assert browse.search_achievements(world.member).count() == len(Status.values)
    assert services.get_achievement(world.member, by_status[Status.DRAFT].pk)


def test_public_view_never_contains_protected_details(world, make_achievement):
    ach = make_achievement(Status.PUBLISHED)
    view = services.public_view(ach)
    assert "protected_details" not in view
    assert SECRET not in dump(view)


@pytest.mark.parametrize("name", ["visitor", "panlong_admin"])
def test_protected_text_absent_for_others(world, make_achievement, name):
    make_achievement(Status.PUBLISHED)
    user = getattr(world, name)
    text = listed(user)
    assert "高安全锂离子电池正极材料" in text  # the record is listed ...
    assert SECRET not in text  # ... without its protected details
    ach = services.get_achievement(user, Achievement.objects.get().pk)
    assert not services.can_read_protected(user, ach)
    view = services.achievement_view(user, ach)
    assert view["protected"] is True and SECRET not in dump(view)


def test_protected_text_absent_for_anonymous(world, make_achievement):
    make_achievement(Status.PUBLISHED)
    assert SECRET not in listed(AnonymousUser())


@pytest.mark.parametrize("name", ["member", "org_admin", "wuhua_admin", "kunming_admin", "platform_admin"])
def test_protected_text_shown_to_owner_and_administrators_in_scope(world, make_achievement, name):
    make_achievement(Status.PUBLISHED)
    assert SECRET in listed(getattr(world, name))


def test_search_text_does_not_match_protected_details(world, make_achievement):
    make_achievement(Status.PUBLISHED)
    assert browse.search_achievements(world.visitor, q="正极材料").count() == 1
    assert browse.search_achievements(world.visitor, q="掺杂比例").count() == 0
    with pytest.raises(DomainError):
        browse.search_achievements(world.visitor, region="999999")


def test_nda_request_approve_and_revoke(world, make_achievement, outsider):
    ach = make_achievement(Status.PUBLISHED)
    req = services.request_nda(outsider, ach, "评估引进可行性")
    assert req.status == NdaStatus.PENDING
    assert SECRET not in listed(outsider)
    # Only the owner's administrator decides.
    for name in ("member", "wuhua_admin", "platform_admin", "visitor"):
        with pytest.raises(Forbidden):
            services.approve_nda(getattr(world, name), req)
    with pytest.raises(Forbidden):
        services.approve_nda(outsider, req)
    assert SECRET not in listed(outsider)
    services.approve_nda(world.org_admin, req)
    assert req.status == NdaStatus.APPROVED and req.decided_by == world.org_admin
    assert services.can_read_protected(outsider, ach)
    assert SECRET in listed(outsider)
    # An approved requester still sees only this achievement's details.
    other = make_achievement(Status.PUBLISHED, title="另一项成果", protected_details="另一个秘密")
    assert "另一个秘密" not in listed(outsider)
    assert not services.can_read_protected(outsider, other)
    with pytest.raises(Conflict):
        services.request_nda(outsider, ach)
    with pytest.raises(Conflict):
        services.approve_nda(world.org_admin, req)
    with pytest.raises(DomainError) as exc:
        services.revoke_nda(world.org_admin, req, "")
    assert exc.value.field == "reason"
    assert SECRET in listed(outsider)
    services.revoke_nda(world.org_admin, req, "合作终止")
    assert req.status == NdaStatus.REVOKED
    assert not services.can_read_protected(outsider, ach)
    assert SECRET not in listed(outsider)
    assert _nda_actions(req) == ["catalog.nda.request", "catalog.nda.approve", "catalog.nda.revoke"]


def _nda_actions(req):
    from techtransfer.audit.services import entries_for

    return [e.action for e in entries_for(req).order_by("at", "id")]


def test_nda_rejection_needs_reason_and_allows_a_new_request(world, make_achievement, outsider):
    ach = make_achievement(Status.PUBLISHED)
    req = services.request_nda(outsider, ach)
    with pytest.raises(DomainError):
        services.reject_nda(world.org_admin, req, " ")
    services.reject_nda(world.org_admin, req, "非目标行业")
    assert req.status == NdaStatus.REJECTED and req.reason == "非目标行业"
    assert SECRET not in listed(outsider)
    again = services.request_nda(outsider, ach)
    assert again.status == NdaStatus.PENDING and again.pk != req.pk


def test_nda_requests_only_for_public_achievements_and_by_outsiders(world, make_achievement, outsider):
    with pytest.raises(NotFound):
        services.request_nda(outsider, make_achievement(Status.ORG_REVIEWED))
    ach = make_achievement(Status.PUBLISHED)
    with pytest.raises(Forbidden):
        services.request_nda(AnonymousUser(), ach)
    with pytest.raises(Conflict):
        services.request_nda(world.member, ach)  # already reads them


def test_nda_request_lists(world, make_achievement, outsider, make_user):
    ach = make_achievement(Status.PUBLISHED)
    mine = services.request_nda(outsider, ach)
    third = make_user("third")
    services.request_nda(third, ach)
    assert list(services.nda_requests(outsider, ach)) == [mine]
    assert services.nda_requests(world.org_admin, ach).count() == 2
    assert services.nda_requests(world.visitor, ach).count() == 0


def test_version_history_is_for_owner_and_administrators(world, make_achievement, outsider):
    ach = make_achievement(Status.PUBLISHED)
    assert SECRET in dump([v.data for v in services.versions(world.member, ach)])
    for user in (world.visitor, world.panlong_admin, outsider):
        with pytest.raises(Forbidden):
            services.versions(user, ach)


def test_demand_contact_restricted(world, make_demand):
    demand = make_demand(Status.PUBLISHED)
    public = services.demand_view(world.visitor, demand)
    assert public["restricted"] is True and CONTACT_PHONE not in dump(public)
    assert "高原果蔬保鲜技术需求" in dump(public)
    assert CONTACT_PHONE not in dump(services.demand_view(world.panlong_admin, demand))
    assert services.demand_view(world.member, demand)["contact_phone"] == CONTACT_PHONE
    assert services.demand_view(world.kunming_admin, demand)["contact_phone"] == CONTACT_PHONE
    with pytest.raises(NotFound):
        services.get_demand(world.visitor, make_demand().pk)
