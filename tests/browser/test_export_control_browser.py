"""Export control in the browser: a contract with a foreign buyer, screened at submission against the catalogue
(restricted: a recommendation-algorithm technology), waits in the registration point's screenings queue; the
reviewer opens it, confirms the proposal, is refused certification on the contract page for want of the export
licence, enters the licence number there and certifies; the licence number becomes a registration condition."""

import re

import pytest

from techtransfer.audit.models import AuditEntry
from techtransfer.contracts.models import Screening, ScreeningOutcome, ScreeningStatus, Status
from tests.browser.test_contracts_browser import _sign_in
from tests.contracts.conftest import cw  # noqa: F401  (fixture)
from tests.contracts.test_export_control import FOREIGN_BUYER, catalogue  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LICENCE = "2024XK0001"


def test_confirm_restricted_screening_enter_licence_and_certify(live_server, new_page, cw, catalogue):  # noqa: F811
    contract = cw.submitted(
        name="个性化推荐系统技术出口合同", buyer=FOREIGN_BUYER, technical_summary="基于推荐算法的个性化推荐系统开发。"
    )
    screening = Screening.objects.get(subject_kind="contract", subject_id=contract.pk)
    assert screening.proposed_outcome == ScreeningOutcome.RESTRICTED

    base = live_server.url
    reviewer = new_page()
    _sign_in(reviewer, base, cw.reviewer, "/contracts/screenings/")
    queue = reviewer.get_by_test_id("screening-queue")
    assert "Battery GmbH" in queue.inner_text()
    queue.locator(f"a[href='/contracts/screenings/{screening.pk}/']").click()
    reviewer.wait_for_url(f"**/contracts/screenings/{screening.pk}/")
    assert "086501X" in reviewer.get_by_test_id("screening-matches").inner_text()

    # Confirm the proposal as it stands: restricted, with the matched catalogue item.
    confirm = reviewer.get_by_test_id("screening-confirm")
    assert confirm.locator("#sc-outcome").input_value() == "restricted"
    assert confirm.locator(f"input[name=items][value='{catalogue.restricted.pk}']").is_checked()
    confirm.locator("button[type=submit]").click()
    reviewer.wait_for_url(re.compile(rf"/contracts/{contract.pk}/#screening$"))
    panel = reviewer.get_by_test_id("screening")
    panel.get_by_test_id("screening-outcome").wait_for()
    assert reviewer.get_by_test_id("screening-confirm").count() == 0
    screening.refresh_from_db()
    assert screening.status == ScreeningStatus.CONFIRMED and screening.outcome == ScreeningOutcome.RESTRICTED
    assert screening.confirmed_by == cw.reviewer and not screening.licence_number

    # Without the licence number certification is refused, naming the catalogue item.
    reviewer.get_by_test_id("certify").click()
    error = reviewer.get_by_test_id("form-error")
    error.wait_for()
    assert "086501X" in error.inner_text()
    assert reviewer.get_by_test_id("status").get_attribute("class").startswith("badge status-submitted")
    contract.refresh_from_db()
    assert contract.status == Status.SUBMITTED and not contract.registration_number

    # The licence number entered on the contract page: certification is no longer blocked.
    licence = reviewer.get_by_test_id("screening-licence")
    licence.locator("#sc-licence").fill(LICENCE)
    licence.locator("button[type=submit]").click()
    reviewer.wait_for_url(re.compile(rf"/contracts/{contract.pk}/#screening$"))
    assert reviewer.get_by_test_id("licence-number").inner_text().strip() == LICENCE
    assert reviewer.get_by_test_id("screening-licence").count() == 0
    reviewer.get_by_test_id("certify").click()
    reviewer.get_by_test_id("registration-number").wait_for()
    assert reviewer.get_by_test_id("form-error").count() == 0
    assert LICENCE in reviewer.get_by_test_id("conditions").inner_text()
    contract.refresh_from_db()
    assert contract.status == Status.CERTIFIED and LICENCE in contract.conditions
    assert reviewer.get_by_test_id("registration-number").inner_text().strip() == contract.registration_number
    actions = set(AuditEntry.objects.filter(object_id=str(screening.pk)).values_list("action", flat=True))
    assert {"contracts.screening.confirm", "contracts.screening.licence"} <= actions
