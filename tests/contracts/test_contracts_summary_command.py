"""``techtransfer contracts-summary``: reports whether the statistics summary equals the ledger; --rebuild fixes it."""

from argparse import Namespace

import pytest

from techtransfer.contracts import commands
from techtransfer.contracts.models import LedgerSummary

pytestmark = pytest.mark.django_db


def test_check_and_rebuild(cw, capsys):
    cw.certified()
    assert commands.cmd_summary(Namespace(rebuild=False)) == 0
    LedgerSummary.objects.filter(dimension="total", side="o").update(count=5)
    assert commands.cmd_summary(Namespace(rebuild=False)) == 1
    assert "--rebuild" in capsys.readouterr().out
    assert commands.cmd_summary(Namespace(rebuild=True)) == 0
    assert LedgerSummary.objects.get(dimension="total", side="o").count == 1
