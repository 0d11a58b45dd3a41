"""Trading's named permission rules: registered with the platform's permission layer and asked by name."""

import pytest

from techtransfer.accounts import permissions
from techtransfer.core.errors import Forbidden
from techtransfer.trading import permissions as rules
from techtransfer.trading import services

RULES = ("trading.manage_lot", "trading.offer_achievement", "trading.register_as_buyer", "trading.act_for_org",
         "trading.file_objection", "trading.file_deal_contract")


def test_the_rules_are_registered():
    assert set(RULES) <= set(permissions.RULES)
    assert permissions.RULES["trading.manage_lot"] is services.may_manage  # the old name still answers


@pytest.mark.django_db
def test_who_manages_offers_and_acts_for_whom(tw):
    ach = tw.achievement()
    listing = tw.listing(ach)
    for user, manages in [(tw.seller_admin, True), (tw.region_admin, True), (tw.seller_member, False),
                          (tw.other_admin, False), (tw.user_a, False), (None, False)]:
        assert permissions.allowed("trading.manage_lot", user, listing) is manages
    assert permissions.allowed("trading.offer_achievement", tw.seller_admin, ach)
    assert not permissions.allowed("trading.offer_achievement", tw.seller_member, ach)
    assert permissions.allowed("trading.act_for_org", tw.user_a, tw.buyer_a)
    assert not permissions.allowed("trading.act_for_org", tw.user_a, tw.buyer_b)
    assert not permissions.allowed("trading.register_as_buyer", tw.visitor, listing)
    assert permissions.allowed("trading.file_deal_contract", tw.seller_member, listing)
    assert not permissions.allowed("trading.file_deal_contract", tw.user_a, listing)
    with pytest.raises(Forbidden):
        rules.require_manager(tw.other_admin, listing)
    published = tw.achievement()
    assert published in rules.offerable_achievements(tw.seller_admin)
    assert published in rules.offerable_achievements(tw.region_admin)
    assert published not in rules.offerable_achievements(tw.user_a)
    assert ach not in rules.offerable_achievements(tw.seller_admin)  # listed: in negotiation, not offerable again
