import datetime

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from techtransfer.core import tasks
from tests.cli.test_cli import run


@pytest.mark.django_db
def test_nightly_task_drops_only_expired_sessions():
    now = timezone.now()
    Session.objects.create(session_key="old", session_data="", expire_date=now - datetime.timedelta(days=1))
    Session.objects.create(session_key="live", session_data="", expire_date=now + datetime.timedelta(days=1))
    result = tasks.clear_expired_sessions.call_local()
    assert result == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]


def test_queue_status_reports_the_backend():
    status = tasks.queue_status()
    assert status["immediate"] is True and status["pending"] == 0


def test_worker_refuses_immediate_mode(tmp_path):
    out = run(["worker"], tmp_path, TECHTRANSFER_TASKS="immediate")
    assert out.returncode == 2 and "immediate" in out.stderr


def test_bad_tasks_setting_is_a_clear_error(tmp_path):
    out = run(["check"], tmp_path, TECHTRANSFER_TASKS="sometimes")
    assert out.returncode == 2 and "TECHTRANSFER_TASKS" in out.stderr
