"""Unified social credit code validation (GB 32100-2015) with its two check characters."""

import pytest

from techtransfer.orgs import creditcode

# Published codes of well-known organizations (from their public registrations).
REAL_CODES = [
    "91350100M000100Y43",  # the example code printed in GB 32100-2015
    "12100000400000624D",  # 清华大学 (public institution)
    "91110000802100433B",  # 中国石油化工股份有限公司
]


@pytest.mark.parametrize("code", REAL_CODES)
def test_published_codes_are_valid(code):
    assert creditcode.validate(code) == code


def test_normalizes_case_and_spaces():
    assert creditcode.validate(" 91350100m000100y43 ") == "91350100M000100Y43"


@pytest.mark.parametrize(
    "code, fragment",
    [
        ("91350100M000100Y4", "18"),  # too short
        ("91350100M000100Y433", "18"),  # too long
        ("91350100M000100Y44", "校验位"),  # wrong check character
        ("91350100M00010OY43", "非法字符"),  # letter O is not in the character set
        ("94350100M000100Y43", "不匹配"),  # authority 9 has no category 4
        ("9135A100M000100Y43", None),  # region part not digits (also breaks the check)
        ("", "18"),
    ],
)
def test_bad_codes_say_what_is_wrong(code, fragment):
    with pytest.raises(creditcode.CreditCodeError) as err:
        creditcode.validate(code)
    if fragment:
        assert fragment in str(err.value)
    assert not creditcode.is_valid(code)


def test_every_single_character_change_is_detected():
    code = "91350100M000100Y43"
    for i in range(17):
        for ch in creditcode.CHARSET:
            if ch == code[i]:
                continue
            changed = code[:i] + ch + code[i + 1 :]
            assert not creditcode.is_valid(changed), changed


def test_make_builds_valid_codes():
    code = creditcode.make("9", "1", "530102", "MA6K0001")
    assert creditcode.is_valid(code) and code[2:8] == "530102"


@pytest.mark.django_db
def test_api_check_and_registration_refuse_bad_codes(client_for, world):
    c = client_for(world.member)
    ok = c.get("/api/v1/organizations/check-credit-code", {"code": "91350100M000100Y43"}).json()
    assert ok["valid"] is True
    bad = c.get("/api/v1/organizations/check-credit-code", {"code": "91350100M000100Y44"}).json()
    assert bad["valid"] is False and "校验位" in bad["message"]
    r = c.post("/api/v1/organizations", {"name": "坏代码公司", "kind": "enterprise", "region": "530102",
                                         "credit_code": "91350100M000100Y44"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "credit_code"
    from techtransfer.orgs.models import Organization

    assert not Organization.objects.filter(name="坏代码公司").exists()
