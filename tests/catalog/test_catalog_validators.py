"""Identifier formats: Chinese patent numbers, IPC symbols, industry codes, and the TRL self-assessment."""

import pytest
from django.core.exceptions import ValidationError

from techtransfer.catalog import validators as v
from techtransfer.catalog.models import IPItem, IPKind
from techtransfer.catalog.validators import proposed_trl
from tests.catalog.factories import FULL_EVIDENCE


def test_check_digit_uses_weights_2_to_9_then_2_to_5_mod_11():
    # 2*2+0*3+2*4+1*5+1*6+0*7+1*8+2*9+3*2+4*3+5*4+6*5 = 117; 117 % 11 = 7
    assert v.patent_check_digit("202110123456") == "7"
    # 8-digit numbers (before 2003) use the first eight weights: 9*2+8*3+1*4+2*5+3*6+4*7+5*8+6*9 = 196 -> 9
    assert v.patent_check_digit("98123456") == "9"


def test_check_digit_ten_is_written_x():
    # find a serial whose check digit is 10 and make sure it renders as X
    for serial in range(1000):
        digits = f"20211{serial:07d}"
        total = sum(int(d) * w for d, w in zip(digits, v.CHECK_WEIGHTS))
        if total % 11 == 10:
            assert v.patent_check_digit(digits) == "X"
            assert v.parse_patent_number(f"ZL{digits}.X").normalized == f"ZL{digits}.X"
            return
    pytest.fail("no serial with check digit X found")


@pytest.mark.parametrize(
    "raw, normalized, form, kind",
    [
        ("ZL202110123456.7", "ZL202110123456.7", "application", "invention"),
        ("CN202110123456.7", "CN202110123456.7", "application", "invention"),
        ("202110123456.7", "202110123456.7", "application", "invention"),
        ("zl 2021 1 0123456.7", "ZL202110123456.7", "application", "invention"),
        ("2021101234567", "202110123456.7", "application", "invention"),
        ("98123456.9", "98123456.9", "application", "invention"),
        ("CN117151122A", "CN117151122A", "publication", "invention"),
        ("CN215123456U", "CN215123456U", "publication", "utility_model"),
        ("CN306123456S", "CN306123456S", "publication", "design"),
    ],
)
def test_valid_patent_numbers(raw, normalized, form, kind):
    parsed = v.parse_patent_number(raw)
    assert (parsed.normalized, parsed.form, parsed.patent_type) == (normalized, form, kind)


def test_utility_model_type_digit():
    digits = "202120123456"
    number = f"ZL{digits}.{v.patent_check_digit(digits)}"
    assert v.parse_patent_number(number).patent_type == "utility_model"


@pytest.mark.parametrize(
    "raw",
    [
        "ZL202110123456.8",  # wrong check digit
        "ZL202140123456.5",  # type digit 4 does not exist
        "ZL200210123456.3",  # 12-digit form before 2003
        "ZL20211012345.7",  # 11 digits
        "CN117151122Q",  # unknown kind code
        "US1234567A",
        "",
        "专利",
    ],
)
def test_invalid_patent_numbers(raw):
    with pytest.raises(ValidationError):
        v.parse_patent_number(raw)


def test_wrong_check_digit_message_names_expected_digit():
    with pytest.raises(ValidationError) as exc:
        v.parse_patent_number("ZL202110123456.8")
    assert "7" in exc.value.messages[0]


@pytest.mark.django_db
def test_ip_item_number_must_match_its_kind():
    utility = "202120123456"
    item = IPItem(kind=IPKind.INVENTION, title="x", number=f"ZL{utility}.{v.patent_check_digit(utility)}")
    with pytest.raises(ValidationError) as exc:
        item.clean()
    assert "number" in exc.value.message_dict
    item.kind = IPKind.UTILITY_MODEL
    item.clean()
    assert item.number.startswith("ZL202120123456.")


def test_ip_item_software_and_secret_numbers():
    sw = IPItem(kind=IPKind.SOFTWARE, title="x", number="2021sr0123456")
    sw.clean()
    assert sw.number == "2021SR0123456"
    with pytest.raises(ValidationError):
        IPItem(kind=IPKind.SOFTWARE, title="x", number="软著123").clean()
    secret = IPItem(kind=IPKind.TECHNICAL_SECRET, title="工艺诀窍", number="INTERNAL-7")
    secret.clean()
    assert secret.number == ""
    with pytest.raises(ValidationError):
        IPItem(kind=IPKind.DESIGN, title="外观", number="").clean()


@pytest.mark.parametrize(
    "raw, normalized",
    [("H01M 10/0525", "H01M 10/0525"), ("A61K31/00", "A61K 31/00"), ("g06f", "G06F"), ("C12N 15 / 82", "C12N 15/82")],
)
def test_valid_ipc(raw, normalized):
    assert v.validate_ipc(raw) == normalized


@pytest.mark.parametrize("raw", ["Z01M 10/00", "H01M 10/5", "H1M 10/00", "H01M10", "H01M 12345/00", ""])
def test_invalid_ipc(raw):
    with pytest.raises(ValidationError):
        v.validate_ipc(raw)


def test_industry_codes():
    assert v.validate_industry_code("c3911") == "C3911"
    assert v.validate_industry_code("A") == "A"
    for bad in ("Z01", "C1", "C39111", "3911"):
        with pytest.raises(ValidationError):
            v.validate_industry_code(bad)


def test_trl_proposal_is_highest_level_with_all_evidence():
    assert proposed_trl(FULL_EVIDENCE) == 6
    partial = dict(FULL_EVIDENCE)
    del partial["6b"]  # level 6 needs both a prototype and its test report
    assert proposed_trl(partial) == 5
    assert proposed_trl({}) is None


def test_trl_missing_lower_level_caps_the_proposal():
    gap = dict(FULL_EVIDENCE)
    gap["2a"] = "   "
    assert proposed_trl(v.clean_trl_answers(gap)) == 1


def test_trl_answers_are_validated():
    with pytest.raises(ValidationError):
        v.clean_trl_answers({"10a": "x"})
    with pytest.raises(ValidationError):
        v.clean_trl_answers(["1a"])
    with pytest.raises(ValidationError):
        v.clean_trl_answers({"1a": 5})
    assert v.clean_trl_answers({"1a": "  论文  ", "2a": ""}) == {"1a": "论文"}
