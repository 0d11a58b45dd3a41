"""Registration numbers: by default the 14 digits of the model-contract instructions (技术合同示范文本 填写说明:
2-digit year, 2-digit province, city and registration-point codes, 6-digit sequence), or the full-year layout
``{year}{point code}{seq:06d}`` when the installation sets ``TECHTRANSFER_REGISTRATION_NUMBER_FORMAT=full-year``;
sequential and gapless per registration point and year (《技术合同认定登记管理办法》), also when reviewers
certify at the same moment."""

import datetime
import threading

import pytest
from django.db import OperationalError, connection, transaction
from django.test import override_settings
from django.utils import timezone

from techtransfer.accounts.models import Role
from techtransfer.contracts import services
from techtransfer.contracts.models import PointProfile, RegistrationCounter, Status, TechContract
from techtransfer.core.errors import Conflict, DomainError

QUJING_SELLER_REGION = "530302"


def certify(cw, contract, reviewer=None):
    return services.certify(reviewer or cw.reviewer, contract, contract.category_id, contract.subcategory_id, [])


@pytest.fixture(params=["national", "full-year"])
def layout(request, settings):
    settings.CONTRACTS_NUMBER_FORMAT = request.param
    return request.param


def prefix(layout: str, year: int, city: str = "5301", full_code: str = "53010001") -> str:
    return f"{year % 100:02d}{city}01" if layout == "national" else f"{year:04d}{full_code}"


@pytest.mark.django_db
def test_default_numbers_are_the_model_contract_instructions_14_digits(cw):
    """The model-contract instructions (技术合同示范文本 填写说明): 2-digit year, 2-digit province (53 云南), 2-digit
    city (01 昆明市), 2-digit registration point (01), 6-digit sequence — 14 digits."""
    contract = cw.certified()
    year = timezone.localdate().year
    assert contract.registration_number == f"{year % 100:02d}530101000001"
    assert len(contract.registration_number) == 14 and contract.registration_number.isdigit()
    profile = services.point_profile(cw.kunming_point)
    assert (profile.area, profile.serial) == ("5301", "01")


@pytest.mark.django_db
@override_settings(CONTRACTS_NUMBER_FORMAT="full-year")
def test_the_full_year_layout_stays_available(cw):
    """The layout used before (4-digit year + point code + sequence) is an installation setting."""
    contract = cw.certified()
    year = timezone.localdate().year
    assert contract.registration_number == f"{year}53010001000001"
    assert len(contract.registration_number) == 4 + 8 + 6


@pytest.mark.django_db
def test_points_of_one_city_get_distinct_two_digit_numbers(cw, make_org):
    """Two points in 昆明市 (a city point and a district point): the 2-digit point code tells them apart."""
    from techtransfer.orgs.models import OrgKind

    district = make_org("五华区技术合同登记点", region=cw.wuhua, kind=OrgKind.REGISTRATION_POINT)
    first, second = services.point_profile(cw.kunming_point), services.point_profile(district)
    assert (first.area, first.serial) == ("5301", "01")
    assert (second.area, second.serial) == ("5301", "02")
    assert services.format_number(second, 2027, 7, "national") == "27530102000007"


@pytest.mark.django_db
def test_a_point_without_its_digits_or_a_full_sequence_gets_a_clear_error(cw):
    profile = services.point_profile(cw.kunming_point)
    with pytest.raises(Conflict):
        services.format_number(profile, 2026, 1_000_000, "national")
    PointProfile.objects.filter(pk=profile.pk).update(serial="")
    profile.refresh_from_db()
    with pytest.raises(Conflict):
        services.format_number(profile, 2026, 1, "national")


@pytest.mark.django_db
def test_numbers_are_sequential_per_point_and_refusals_take_none(cw, make_org, make_user, layout):
    first = cw.certified(name="合同一")
    refused = cw.submitted(name="合同二")
    services.refuse(cw.reviewer, refused, ["no_tech_content"])
    second = cw.certified(name="合同三")
    assert [first.registration_number[-6:], second.registration_number[-6:]] == ["000001", "000002"]
    assert TechContract.objects.get(pk=refused.pk).registration_number is None

    # Another point counts on its own.
    seller = make_org("麒麟卖方公司", region=QUJING_SELLER_REGION)
    member = make_user("qilin_member", Role.ORG_MEMBER, org=seller)
    data = cw.data(name="曲靖合同", registration_point=cw.qujing_point.pk, seller={"organization": seller.pk})
    contract = services.submit(member, services.file_contract(member, data))
    certify(cw, contract, cw.qujing_reviewer)
    contract.refresh_from_db()
    year = timezone.localdate().year
    assert contract.registration_number == prefix(layout, year, "5303", "53030001") + "000001"


@pytest.mark.django_db
def test_a_failed_certification_uses_no_number(cw):
    contract = cw.submitted(name="失败的认定")
    with pytest.raises(DomainError):
        services.certify(cw.reviewer, contract, "development", "dev_commissioned", [{"kind": "parts", "amount": "9e9"}])
    ok = cw.certified(name="成功的认定")
    assert ok.registration_number.endswith("000001")


@pytest.mark.django_db
def test_numbering_restarts_each_year(cw, monkeypatch, layout):
    tz = timezone.get_current_timezone()
    monkeypatch.setattr(services.clock, "now", lambda: datetime.datetime(2025, 12, 31, 23, 0, tzinfo=tz))
    a = cw.certified(name="年末合同", signed_on="2025-12-01", term_start="2025-12-01")
    monkeypatch.setattr(services.clock, "now", lambda: datetime.datetime(2026, 1, 1, 9, 0, tzinfo=tz))
    b = cw.certified(name="年初合同", signed_on="2025-12-01", term_start="2025-12-01")
    c = cw.certified(name="年初合同二", signed_on="2025-12-01", term_start="2025-12-01")
    p25, p26 = prefix(layout, 2025), prefix(layout, 2026)
    assert a.registration_number == f"{p25}000001"
    assert (b.registration_number, c.registration_number) == (f"{p26}000001", f"{p26}000002")
    assert a.registered_on == datetime.date(2025, 12, 31)
    assert set(RegistrationCounter.objects.values_list("year", "last")) == {(2025, 1), (2026, 2)}


@pytest.mark.django_db(transaction=True)
def test_concurrent_certification_gives_no_duplicates_and_no_gaps(cw, layout):
    n_threads, per_thread = 6, 5
    contracts = [cw.submitted(name=f"并发合同{i}") for i in range(n_threads * per_thread)]
    services.point_profile(cw.kunming_point)
    reviewers = [cw.reviewer, cw.reviewer2]
    barrier = threading.Barrier(n_threads)
    errors: list[BaseException] = []

    def work(index: int):
        try:
            barrier.wait()
            for contract in contracts[index::n_threads]:
                for attempt in range(400):
                    try:
                        with transaction.atomic():
                            services.certify(
                                reviewers[index % 2], contract, contract.category_id, contract.subcategory_id, []
                            )
                        break
                    except OperationalError as exc:
                        # The in-memory SQLite test database uses a shared cache, which reports a table held by
                        # another writer at once ("database table is locked") instead of waiting like a file
                        # database does; the whole certification rolled back, so trying again is safe. A
                        # certification also writes its outbox event (contracts.changed), so writers hold the
                        # tables longer: back off a little more each time.
                        if "locked" not in str(exc):
                            raise
                        threading.Event().wait(0.005 * min(attempt + 1, 10))
                else:
                    raise AssertionError("database stayed locked")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = list(TechContract.objects.filter(status=Status.CERTIFIED).values_list("registration_number", flat=True))
    total = n_threads * per_thread
    assert len(numbers) == total and len(set(numbers)) == total
    start = prefix(layout, timezone.localdate().year)
    assert all(n.startswith(start) and len(n) == len(start) + 6 for n in numbers)
    assert sorted(int(n[-6:]) for n in numbers) == list(range(1, total + 1))
    assert RegistrationCounter.objects.get(point=cw.kunming_point).last == total
