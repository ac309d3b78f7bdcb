"""One access line per request; JSON lines in production, plain text in development."""

from __future__ import annotations

import json
import logging

from shared.web.logs import JsonFormatter, configure_logging


def test_access_line_names_method_path_status_latency_and_user(client, auth_headers, caplog):
    headers = auth_headers()
    with caplog.at_level(logging.INFO, logger="barb.access"):
        client.get("/api/conversations", headers={**headers, "X-Request-Id": "trace-me"})
    (record,) = [r for r in caplog.records if r.name == "barb.access" and r.path == "/api/conversations"]
    assert (record.method, record.status) == ("GET", 200)
    assert record.latency_ms >= 0
    assert record.user_id and len(record.user_id) == 36


def test_json_formatter_emits_one_object_with_request_id_and_extras():
    record = logging.makeLogRecord(
        {"name": "barb.access", "msg": "GET / 200", "levelname": "INFO", "status": 200}
    )
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["message"] == "GET / 200"
    assert entry["status"] == 200
    assert "request_id" in entry
    assert "\n" not in line


def test_configure_logging_replaces_its_own_handler_only():
    root = logging.getLogger()
    foreign = logging.NullHandler()
    root.addHandler(foreign)
    try:
        configure_logging(json_lines=True)
        configure_logging(json_lines=False)
        ours = [h for h in root.handlers if h.get_name() == "barb"]
        assert len(ours) == 1
        assert not isinstance(ours[0].formatter, JsonFormatter)
        assert foreign in root.handlers
    finally:
        root.removeHandler(foreign)


def test_http_clients_log_only_warnings_the_access_line_tells_the_rest():
    configure_logging(json_lines=False, level="INFO")
    assert logging.getLogger("shared.assistant.session").isEnabledFor(logging.INFO)
    for name in ("httpx", "httpx2"):
        assert not logging.getLogger(name).isEnabledFor(logging.INFO)
        assert logging.getLogger(name).isEnabledFor(logging.WARNING)
    configure_logging(json_lines=False, level="ERROR")
    assert not logging.getLogger("httpx2").isEnabledFor(logging.WARNING)
