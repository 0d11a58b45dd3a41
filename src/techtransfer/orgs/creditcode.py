"""Unified social credit code (统一社会信用代码) validation — GB 32100-2015.

Layout of the 18 characters:
  1      registration authority code (登记管理部门代码)
  2      organization category code (机构类别代码)
  3-8    administrative division code of the registration authority (GB/T 2260)
  9-17   organization code (主体标识码, GB 11714-1997: 8 body characters + 1 check character)
  18     check character, computed over characters 1-17 with weights 3^i mod 31 (i = 0..16), modulus 31.

The character set is the digits and the capital letters without I, O, Z, S, V.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {c: i for i, c in enumerate(CHARSET)}
WEIGHTS = [pow(3, i, 31) for i in range(17)]
ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
# Registration authority → allowed category codes (GB 32100 table 1).
AUTHORITIES = {
    "1": "1239",  # 机构编制: 机关, 事业单位, 中央编办直接管理机构编制的群众团体, 其他
    "2": "19",  # 外交
    "3": "19",  # 司法行政
    "4": "19",  # 文化
    "5": "1239",  # 民政: 社会团体, 民办非企业单位, 基金会, 其他
    "6": "129",  # 旅游
    "7": "19",  # 宗教
    "8": "129",  # 工会
    "9": "123",  # 工商 / 市场监管: 企业, 个体工商户, 农民专业合作社
    "A": "19",  # 中央军委改革和编制办公室
    "N": "1239",  # 农业: 农村集体经济组织
    "Y": "1",  # 其他
}


class CreditCodeError(ValueError):
    """A credit code problem; ``str()`` is a message for the user."""


def check_character(first17: str) -> str:
    total = sum(VALUES[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def org_code_check(body8: str) -> str:
    """GB 11714 check character of the 8-character organization code body."""
    total = 0
    for ch, w in zip(body8, ORG_CODE_WEIGHTS, strict=True):
        total += (int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10) * w
    c = 11 - total % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def normalize(code: str) -> str:
    return (code or "").strip().upper().replace(" ", "")


def validate(code: str) -> str:
    """Return the normalized code or raise ``CreditCodeError`` saying what is wrong."""
    code = normalize(code)
    if len(code) != 18:
        raise CreditCodeError(
            _("The unified social credit code must have 18 characters, not %(n)s.") % {"n": len(code)}
        )
    bad = sorted({c for c in code if c not in VALUES})
    if bad:
        raise CreditCodeError(
            _("The unified social credit code contains invalid characters: %(chars)s (I, O, Z, S and V are not used).")
            % {"chars": "".join(bad)}
        )
    authority, category = code[0], code[1]
    if authority not in AUTHORITIES or category not in AUTHORITIES[authority]:
        raise CreditCodeError(
            _("Registration authority code %(authority)s does not go with organization category code %(category)s.")
            % {"authority": authority, "category": category}
        )
    if not code[2:8].isdigit():
        raise CreditCodeError(_("Characters 3 to 8 of the unified social credit code must be a region code."))
    expected = check_character(code[:17])
    if code[17] != expected:
        raise CreditCodeError(
            _("The check character of the unified social credit code is wrong (expected %(expected)s).")
            % {"expected": expected}
        )
    return code


def is_valid(code: str) -> bool:
    try:
        validate(code)
    except CreditCodeError:
        return False
    return True


def make(authority: str, category: str, region: str, body8: str) -> str:
    """Build a valid code (used by demo data and tests): both check characters are computed."""
    org9 = body8 + org_code_check(body8)
    first17 = authority + category + region + org9
    return first17 + check_character(first17)
