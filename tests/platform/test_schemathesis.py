"""Every operation of the OpenAPI document, fuzzed by schemathesis against the app on a real socket.

Signed in, bounded and derandomized: for each operation, generated requests (valid and not) must never get a
5xx, every status must be documented, and every response must match its documented content type and schema.
Path parameters that name things (an instrument, a conversation, a message) are drawn from real ones as well as
from random strings, so the operations are exercised past their 404s.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import checks

from tests.assistant.support import write_sample
from tests.fake_anthropic import FakeAnthropic, demo
from tests.platform.servers import app_in_thread

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
QUERIES = [
    {"period": "2024-01", "map": {"r": "range()"}, "select": "mean(r)"},
    {"select": "count()"},
    {"period": "2024", "group_by": "dayofweek()", "select": "mean(close - open)"},
    {"from": "1h", "period": "2024-03", "where": "volume > 0"},
    {"period": "2024-02", "map": {"up": "close > open"}, "select": ["count()", "mean(close)"]},
]
STRATEGIES = [
    {
        "entry": "streak(red()) >= 2",
        "direction": "long",
        "stop_loss": "1%",
        "take_profit": "2%",
        "exit_bars": 3,
    },
    {"entry": "close > sma(close, 20)", "direction": "short", "stop_loss": 30, "from": "daily"},
]
_CLEARED = ("CORS_ORIGINS", "SUPABASE_URL", "SUPABASE_PUBLISHABLE_KEY", "SUPABASE_SERVICE_KEY", "ADMIN_TOKEN")


class Target:
    """The app under test: its URL, a signed-in user's header, and real ids to put in paths."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        http = httpx.Client(base_url=base_url, timeout=30)
        token = http.post("/api/auth/local/sign-in", json={"email": "fuzz@example.com"}).json()[
            "access_token"
        ]
        self.headers = {"Authorization": f"Bearer {token}"}
        created = http.post("/api/conversations", json={"instrument": "NQ"}, headers=self.headers).json()
        self.conversation = created["id"]
        self.doomed = http.post("/api/conversations", json={"instrument": "ES"}, headers=self.headers).json()[
            "id"
        ]
        question = http.post(
            "/api/chat/stream",
            json={"conversation_id": self.conversation, "message": "How did NQ close?"},
            headers=self.headers,
        )
        assert question.status_code == 200, question.text
        listed = http.get(f"/api/conversations/{self.conversation}/messages", headers=self.headers).json()
        self.messages = [m["id"] for m in listed["messages"]]


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    root = tmp_path_factory.mktemp("fuzz")
    with FakeAnthropic(script=demo) as fake:
        env = {
            "ENV": "test",
            "VAR_DIR": str(root / "var"),
            "DATA_DIR": str(write_sample(root / "data")),
            "SAMPLE_DATA": "false",
            "ANTHROPIC_API_KEY": "test-key",
            "ANTHROPIC_BASE_URL": fake.base_url,
            # Generous limits: the fuzzer sends hundreds of requests as one user.
            "QUERY_RATE_PER_MINUTE": "100000",
            "CHAT_RATE_PER_MINUTE": "100000",
            "BACKTEST_RATE_PER_MINUTE": "100000",
            # Configured, so the admin endpoint answers a user's token with 401/403, not 503 "disabled".
            "ADMIN_TOKEN": "fuzz-admin-token-0123456789abcdef",
        }
        with app_in_thread(env, _CLEARED) as base_url:
            yield Target(base_url)


def _real_ids(target: Target, method: str) -> dict[str, st.SearchStrategy[str]]:
    """Values for the parameters and body fields that name things: real ones and near misses."""
    symbols = st.sampled_from(["NQ", "NQ", "ES", "nq", "6A", "ZZZ"])
    # A DELETE gets a conversation of its own: deleting the shared one would turn every later call into a 404.
    conversation = target.doomed if method == "DELETE" else target.conversation
    return {
        "symbol": symbols,
        "instrument": symbols,
        "conversation_id": st.just(conversation),
        "message_id": st.sampled_from(target.messages),
        "revises": st.sampled_from(target.messages),
        # Generated queries and strategies are almost never valid: real ones reach the result objects.
        "query": st.sampled_from(QUERIES),
        "strategy": st.sampled_from(STRATEGIES),
    }


def _use_real(
    values: dict[str, Any] | None, real: dict[str, st.SearchStrategy[str]], data: st.DataObject
) -> None:
    """Replace some of ``values``' naming fields with real values (in place)."""
    for name in list(values or {}):
        if name in real and data.draw(st.booleans(), label=f"real {name}"):
            values[name] = data.draw(real[name], label=name)  # type: ignore[index]


def test_every_operation_holds_under_generated_requests(target: Target) -> None:
    schema = schemathesis.openapi.from_url(f"{target.base_url}/api/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20  # every function's routes are in the document
    failures: list[str] = []
    for operation in operations:

        @settings(
            max_examples=25,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(), data=st.data())
        def run(case: Any, data: st.DataObject) -> None:
            real = _real_ids(target, case.method.upper())
            _use_real(case.path_parameters, real, data)
            if isinstance(case.body, dict):
                _use_real(case.body, real, data)
            case.call_and_validate(base_url=target.base_url, headers=target.headers, checks=CHECKS)

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # every operation's failures, reported together
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert failures == [], "\n\n".join(failures)
