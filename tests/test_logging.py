"""Request logging: one line per request with its id, and errors as JSON with their traceback."""

import json
import logging
import re

import pytest
from django.test import Client

from ops.logging import JsonFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_log(caplog):
    caplog.set_level(logging.INFO, logger="ocop.request")
    return caplog


def request_lines(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "ocop.request"]


def test_each_request_logs_one_line_with_its_fields(client, request_log):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a9c.42")
    assert response["X-Request-ID"] == "lb-7f3a9c.42"
    [line] = request_lines(request_log)
    assert line.levelno == logging.INFO
    assert (line.request_id, line.method, line.path, line.status) == (
        "lb-7f3a9c.42",
        "GET",
        "/healthz",
        200,
    )
    assert isinstance(line.duration_ms, float) and line.duration_ms >= 0


def test_a_request_without_an_id_gets_a_new_one(client, request_log):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second
    assert [line.request_id for line in request_lines(request_log)] == [first, second]


@pytest.mark.parametrize(
    "unsafe",
    ["x" * 129, "id with spaces", 'id"},{"level":"CRITICAL', "<script>", "ünïcode", "a\nb"],
)
def test_an_unsafe_request_id_is_replaced(client, request_log, unsafe):
    returned = client.get("/healthz", HTTP_X_REQUEST_ID=unsafe)["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", returned)
    assert request_lines(request_log)[0].request_id == returned


def test_a_page_that_fails_logs_an_error_with_its_traceback(request_log, monkeypatch):
    """A 500 is logged by Django with the exception; as JSON it carries the request id."""

    def broken(*args, **kwargs):
        raise RuntimeError("the page broke")

    monkeypatch.setattr("catalogue.views.render", broken)
    response = Client(raise_request_exception=False).get("/", HTTP_X_REQUEST_ID="req-500")
    assert response.status_code == 500
    assert response["X-Request-ID"] == "req-500"
    [error] = [record for record in request_log.records if record.name == "django.request"]
    RequestIdFilter().filter(error)
    logged = json.loads(JsonFormatter().format(error))
    assert logged["level"] == "ERROR"
    assert logged["request_id"] == "req-500"
    assert logged["exc_type"] == "RuntimeError"
    assert "Traceback (most recent call last)" in logged["traceback"]
    assert "the page broke" in logged["traceback"]
    [line] = request_lines(request_log)
    assert (line.status, line.levelno) == (500, logging.ERROR)


def test_json_lines_are_one_object_per_line():
    record = logging.makeLogRecord(
        {
            "name": "ocop.request",
            "levelno": logging.INFO,
            "levelname": "INFO",
            "msg": "GET %s",
            "args": ("/sản-phẩm/\n",),
            "status": 200,
        }
    )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    assert json.loads(line) | {"time": None} == {
        "time": None,
        "level": "INFO",
        "logger": "ocop.request",
        "message": "GET /sản-phẩm/\n",
        "status": 200,
    }
