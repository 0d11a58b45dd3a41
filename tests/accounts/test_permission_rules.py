"""Named permission rules: one registry the apps write their predicates into."""

import pytest

from techtransfer.accounts import permissions
from techtransfer.core.errors import DomainError, Forbidden


@pytest.mark.django_db
def test_rule_registry_allows_requires_and_refuses_duplicates(django_user_model):
    name = "tests.may_touch"
    permissions.RULES.pop(name, None)

    @permissions.rule(name)
    def may_touch(user, obj):
        return obj == "mine"

    try:
        user = django_user_model.objects.create_user("rules-user", password="x-Long-pass-1")
        assert permissions.allowed(name, user, "mine") and not permissions.allowed(name, user, "theirs")
        permissions.require(name, user, "mine")
        with pytest.raises(Forbidden):
            permissions.require(name, user, "theirs")
        from django.contrib.auth.models import AnonymousUser

        with pytest.raises(Forbidden, match="Sign in|登录"):
            permissions.require(name, AnonymousUser(), "mine")
        with pytest.raises(DomainError) as info:
            permissions.require_signed_in(AnonymousUser())
        assert info.value.status == 401
        with pytest.raises(ValueError):
            permissions.rule(name)(lambda user, obj: True)
    finally:
        permissions.RULES.pop(name, None)
