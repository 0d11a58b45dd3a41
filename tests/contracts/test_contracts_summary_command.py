"""``techtransfer contracts-summary``: reports whether the statistics summary equals the ledger; --rebuild fixes it."""

import pytest

from techtransfer.cli import main
from techtransfer.contracts.models import LedgerSummary

pytestmark = pytest.mark.django_db


def test_check_and_rebuild(cw, capsys):
    cw.certified()
    assert main(["contracts-summary"]) == 0
    LedgerSummary.objects.filter(dimension="total", side="o").update(count=5)
    assert main(["contracts-summary"]) == 1
    assert "--rebuild" in capsys.readouterr().out
    assert main(["contracts-summary", "--rebuild"]) == 0
    assert LedgerSummary.objects.get(dimension="total", side="o").count == 1
