"""JSON log lines (TECHTRANSFER_LOG_FORMAT=json): one object a line with time, level, logger, message and the id
of the request being served."""

from __future__ import annotations

import io
import json
import logging
import logging.config

import pytest
from django.conf import settings

from tests.core.settings_probe import probe


@pytest.fixture
def json_lines():
    """The settings' JSON formatter and request-id filter on a logger of the test's own, writing into a buffer."""
    stream = io.StringIO()
    logging.config.dictConfig({
        "version": 1, "disable_existing_loggers": False,
        "filters": settings.LOGGING["filters"],
        "formatters": {"json": settings.LOGGING["formatters"]["json"]},
        "handlers": {"buffer": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"],
                                "stream": stream}},
        "loggers": {name: {"handlers": ["buffer"], "level": "INFO", "propagate": False}
                    for name in ("tt.ops.test", "django.request")},
    })

    def read() -> list[dict]:
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield read
    for name in ("tt.ops.test", "django.request"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True


def test_a_line_is_one_json_object_with_time_level_logger_message(json_lines):
    logging.getLogger("tt.ops.test").warning("成果 %s 已发布", 42)
    (line,) = json_lines()
    assert line["level"] == "WARNING" and line["logger"] == "tt.ops.test" and line["message"] == "成果 42 已发布"
    assert line["time"].startswith("20") and "T" in line["time"]
    assert "request_id" not in line  # written outside a request


@pytest.mark.django_db
def test_lines_written_while_serving_carry_the_request_id(json_lines, client):
    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="nginx-0123abcd")
    assert response.status_code == 404 and response["X-Request-ID"] == "nginx-0123abcd"
    (line,) = [entry for entry in json_lines() if entry["logger"] == "django.request"]
    assert line["request_id"] == "nginx-0123abcd" and line["level"] == "WARNING"
    # Without (or with a malformed) id from the proxy the platform makes one.
    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="bad id\n{json}")
    made = response["X-Request-ID"]
    assert len(made) == 32 and json_lines()[-1]["request_id"] == made
    logging.getLogger("tt.ops.test").info("after")
    assert "request_id" not in json_lines()[-1]


def test_the_format_is_chosen_by_the_environment(tmp_path):
    assert probe(tmp_path, {"TECHTRANSFER_LOG_FORMAT": "json"}, "LOGGING['handlers']['console']['formatter']") == "json"
    assert probe(tmp_path, {}, "LOGGING['handlers']['console']['formatter']") == "plain"
    with pytest.raises(RuntimeError, match="TECHTRANSFER_LOG_FORMAT"):
        probe(tmp_path, {"TECHTRANSFER_LOG_FORMAT": "xml"}, "LOG_FORMAT")
