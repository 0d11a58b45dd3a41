"""core.actions.perform: the POST/redirect/GET shape of page actions."""

from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import HttpResponse
from django.test import RequestFactory

from techtransfer.core.actions import perform
from techtransfer.core.errors import DomainError


def _request():
    request = RequestFactory().post("/x/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_success_adds_the_message_and_redirects():
    request = _request()
    response = perform(request, lambda: 7, lambda n: f"done {n}", "/somewhere/")
    assert response.status_code == 302 and response["Location"] == "/somewhere/"
    assert [(m.level_tag, str(m)) for m in get_messages(request)] == [("success", "done 7")]


def test_domain_error_becomes_an_error_message_or_the_callers_response():
    def fails():
        raise DomainError("not now", field="x")

    request = _request()
    response = perform(request, fails, "never shown", "/back/")
    assert response.status_code == 302 and response["Location"] == "/back/"
    assert [(m.level_tag, str(m)) for m in get_messages(request)] == [("error", "not now")]
    request = _request()
    response = perform(
        request, fails, "never shown", "/back/", on_error=lambda exc: HttpResponse(exc.message, status=400)
    )
    assert response.status_code == 400 and response.content == b"not now"
    assert list(get_messages(request)) == []
