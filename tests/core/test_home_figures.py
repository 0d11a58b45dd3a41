"""Headline figures: the foundation's and the apps' providers, equal to direct counts, on the page and the API."""

from decimal import Decimal

import pytest
from django.utils import timezone

from techtransfer.catalog.models import Achievement, Status
from techtransfer.contracts.models import Status as ContractStatus
from techtransfer.contracts.models import TechContract
from techtransfer.core.services import headline_figures
from techtransfer.demo.services import load_demo

pytestmark = pytest.mark.django_db


def test_figures_equal_direct_counts_on_the_demo(client):
    load_demo()
    figures = {f["key"]: f["value"] for f in headline_figures()}
    # public ones only: published and marked public (restricted and controlled dual-use records are not counted)
    assert figures["achievements"] == Achievement.objects.filter(
        status__in=(Status.PUBLISHED, Status.IN_NEGOTIATION, Status.TRANSFERRED), classification="public"
    ).count() > 1000
    year = timezone.localdate().year
    this_year = [c for c in TechContract.objects.filter(status=ContractStatus.CERTIFIED)
                 if c.registered_on and c.registered_on.year == year]
    assert figures["contracts_this_year"] == len(this_year)
    expected = (sum((c.tech_amount or Decimal(0)) for c in this_year) / Decimal(10_000)).quantize(Decimal(1))
    assert figures["tech_amount_this_year"] == expected
    api = client.get("/api/v1/figures").json()
    assert api["achievements"] == figures["achievements"] and api["organizations"] == figures["organizations"]
    page = client.get("/").content.decode()
    assert 'data-figure="achievements"' in page and 'data-figure="tech_amount_this_year"' in page



def test_figures_are_reused_for_a_minute_then_counted_again(make_org, settings, django_assert_num_queries):
    from django.core.cache import cache

    first = {f["key"]: f["value"] for f in headline_figures()}
    make_org()
    with django_assert_num_queries(0):  # within the minute: from the cache, the new organization not yet counted
        again = {f["key"]: f["value"] for f in headline_figures()}
    assert again == first
    cache.clear()  # the minute is over
    assert {f["key"]: f["value"] for f in headline_figures()}["organizations"] == first["organizations"] + 1
    settings.HEADLINE_FIGURES_SECONDS = 0  # off: every call counts
    make_org()
    assert {f["key"]: f["value"] for f in headline_figures()}["organizations"] == first["organizations"] + 2
