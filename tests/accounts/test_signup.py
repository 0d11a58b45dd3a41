import pytest

from techtransfer.accounts.models import User
from techtransfer.audit.models import AuditEntry


@pytest.mark.django_db
def test_signup_creates_a_visitor_account_and_signs_in(client):
    r = client.post("/accounts/signup/", {
        "username": "newcomer", "email": "New@Example.cn", "display_name": "新用户",
        "password1": "Kunming-Lake-2026", "password2": "Kunming-Lake-2026",
    })
    assert r.status_code == 302 and r["Location"] == "/accounts/me/"
    user = User.objects.get(username="newcomer")
    assert user.email == "new@example.cn"
    assert user.password.startswith("argon2")
    assert not user.role_assignments.exists()
    assert AuditEntry.objects.filter(action="accounts.signup", object_id=str(user.pk)).exists()
    assert client.get("/accounts/me/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(("data", "field"), [
    ({"username": "a1", "email": "x@example.cn", "password1": "short", "password2": "short"}, "password2"),
    ({"username": "a2", "email": "not-an-email", "password1": "Kunming-Lake-2026",
      "password2": "Kunming-Lake-2026"}, "email"),
    ({"username": "a3", "email": "y@example.cn", "password1": "Kunming-Lake-2026",
      "password2": "Different-Lake-2026"}, "password2"),
])
def test_signup_rejects_bad_input_and_creates_nothing(client, data, field):
    r = client.post("/accounts/signup/", data)
    assert r.status_code == 200
    assert field in r.context["form"].errors
    assert not User.objects.filter(username=data["username"]).exists()


@pytest.mark.django_db
def test_duplicate_email_is_refused(client, make_user):
    make_user("first", email="dup@example.cn")
    r = client.post("/accounts/signup/", {"username": "second", "email": "DUP@example.cn",
                                          "password1": "Kunming-Lake-2026", "password2": "Kunming-Lake-2026"})
    assert r.status_code == 200 and "email" in r.context["form"].errors
