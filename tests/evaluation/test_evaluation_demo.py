"""The evaluation part of the demo: one round of the demo province for last year, computed and decided (one
institution recognised, one warned), through the services; nothing without the demo administrators."""

import pytest
from django.utils import timezone

from techtransfer.audit.models import AuditEntry
from techtransfer.demo import foundation
from techtransfer.evaluation import demo
from techtransfer.evaluation.models import Evaluation, IndicatorSet, Status

pytestmark = pytest.mark.django_db


def test_demo_does_nothing_without_the_demo_administrators():
    said = []
    assert demo.load(said.append) == 0
    assert said and not IndicatorSet.objects.exists()


def test_demo_round_computed_and_decided():
    foundation.load(lambda _msg: None)
    assert demo.load(lambda _msg: None) > 0
    r = IndicatorSet.objects.get()
    assert (r.year, r.region_id, r.is_demo) == (timezone.localdate().year - 1, "530000", True)
    evaluations = Evaluation.objects.filter(indicator_set=r)
    assert evaluations.count() >= 3 and not evaluations.exclude(status__in=[Status.SCORED, Status.DECIDED]).exists()
    assert sorted(evaluations.exclude(decision="").values_list("decision", flat=True)) == ["recognise", "warn"]
    recognised = evaluations.get(decision="recognise").organization
    assert recognised.demo_level == "provincial" and recognised.demo_year == r.year
    assert evaluations.filter(flags__isnull=False).exclude(flags=[]).exists()
    assert AuditEntry.objects.filter(action="evaluation.round.compute").exists()
    # loading again adds nothing
    assert demo.load(lambda _msg: None) == 0 and IndicatorSet.objects.count() == 1
