"""Property tests of registration numbers (``contracts.services.next_registration_number``), kept to the public
function's invariants that do not depend on the number's layout: each number is new, names its year, and within
one point and year the numbers keep one length and rise in issue order (so sorting them sorts by issue)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from techtransfer.contracts import services
from techtransfer.orgs.models import OrgKind

pytestmark = pytest.mark.django_db


def test_registration_numbers_are_new_name_their_year_and_rise(make_org):
    points = [make_org(f"登记点{i}", kind=OrgKind.REGISTRATION_POINT) for i in range(2)]
    issued: dict[tuple[int, int], list[str]] = {}
    seen: set[str] = set()

    @given(st.integers(0, 1), st.integers(2000, 2100))
    def issue(which, year):
        point = points[which]
        number = services.next_registration_number(point, year)
        assert isinstance(number, str) and number not in seen
        assert str(year) in number
        series = issued.setdefault((point.pk, year), [])
        if series:
            assert len(number) == len(series[-1]) and number > series[-1]
        series.append(number)
        seen.add(number)

    issue()
    assert len(seen) == sum(len(s) for s in issued.values())
