"""Settings come from the environment; production refuses insecure configurations."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import ValidationError

from shared.secrets import read_secret
from shared.settings import Settings
from tests.data_store.conftest import start_moto


def test_embedded_defaults_need_no_configuration(barb_env):
    settings = Settings()
    assert settings.auth_mode == "local"
    assert settings.sqlite_path == barb_env / "var" / "barb.sqlite3"
    assert settings.cache_dir == barb_env / "var" / "cache"
    assert not settings.llm_configured


def _production(monkeypatch: pytest.MonkeyPatch, **variables: str) -> None:
    """Set ``ENV=production`` and ``variables`` in the environment ``Settings`` reads."""
    for name, value in {"ENV": "production", **variables}.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        pytest.param({"CORS_ORIGINS": "https://getbarb.trade"}, "SUPABASE_URL", id="local auth"),
        pytest.param(
            {"SUPABASE_URL": "https://project.supabase.co", "CORS_ORIGINS": "https://getbarb.trade, *"},
            "CORS_ORIGINS",
            id="wildcard CORS",
        ),
    ],
)
def test_production_refuses_an_insecure_configuration(barb_env, monkeypatch, variables, named):
    _production(monkeypatch, **variables)
    with pytest.raises(ValidationError, match=named):
        Settings()


def test_production_with_supabase_and_listed_origins_starts(barb_env, monkeypatch):
    _production(
        monkeypatch,
        SUPABASE_URL="https://project.supabase.co/",
        CORS_ORIGINS="https://getbarb.trade,http://localhost:3000",
    )
    settings = Settings()
    assert settings.cors_origin_list == ["https://getbarb.trade", "http://localhost:3000"]
    assert settings.jwt_issuer == "https://project.supabase.co/auth/v1"


def test_config_endpoint_tells_the_spa_which_sign_in_to_show(client):
    body = client.get("/api/config").json()
    assert body["auth"] == "local"
    assert body["llm_configured"] is False
    assert "supabase_url" not in body
    assert "chat_stream_url" not in body  # the stream is served by this API


def test_config_names_the_chat_stream_url_and_the_key_by_its_secret(barb_env, monkeypatch):
    """On AWS the stream has its own origin (the Function URL), and the key is named only by its secret."""
    from starlette.testclient import TestClient

    import server
    from shared.lazy import reset_singletons

    monkeypatch.setenv("CHAT_STREAM_URL", "https://abc.lambda-url.eu-central-1.on.aws/")
    monkeypatch.setenv("ANTHROPIC_API_KEY_SECRET_ARN", "arn:aws:secretsmanager:eu-central-1:1:secret:k")
    reset_singletons()
    with TestClient(server.create_app()) as client:
        body = client.get("/api/config").json()
    assert body["chat_stream_url"] == "https://abc.lambda-url.eu-central-1.on.aws"
    assert body["llm_configured"] is True


def test_cache_sizes_fit_a_lambda_function(barb_env, monkeypatch):
    """On Lambda the caches follow the function's memory and its /tmp, not a server's defaults."""
    import os

    assert Settings().query_memory_cache_bytes == 3 * 1024**3
    assert Settings().data_cache_max_bytes == 4 * 1024**3
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "2048")
    tmp = os.statvfs("/tmp")
    assert Settings().query_memory_cache_bytes == 768 * 1024**2
    assert Settings().data_cache_max_bytes == tmp.f_blocks * tmp.f_frsize * 3 // 4
    monkeypatch.setenv("QUERY_MEMORY_CACHE_BYTES", "1000")
    assert Settings().query_memory_cache_bytes == 1000


@pytest.fixture
def secrets_manager(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """AWS Secrets Manager served by moto on loopback, reached through the standard AWS variables."""
    server, endpoint = start_moto()
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-central-1",
        "AWS_ENDPOINT_URL_SECRETS_MANAGER": endpoint,
    }.items():
        monkeypatch.setenv(name, value)
    yield
    server.stop()
    read_secret.cache_clear()


def test_secrets_are_read_from_secrets_manager_once(barb_env, monkeypatch, secrets_manager):
    import boto3

    secrets = boto3.client("secretsmanager")
    arn = secrets.create_secret(Name=f"barb/admin-{barb_env.name}", SecretString="s3cr3t-admin")["ARN"]
    monkeypatch.setenv("ADMIN_TOKEN_SECRET_ARN", arn)
    settings = Settings()
    assert settings.admin_token is None and settings.secret("admin_token") == "s3cr3t-admin"
    secrets.put_secret_value(SecretId=arn, SecretString="rotated")
    assert settings.secret("admin_token") == "s3cr3t-admin"  # one read per process
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ADMIN_TOKEN", "from-env")
        assert Settings().secret("admin_token") == "from-env"


def test_an_unreadable_secret_is_a_503_not_a_500(client, monkeypatch, secrets_manager):
    from shared.lazy import reset_singletons

    monkeypatch.setenv(
        "ADMIN_TOKEN_SECRET_ARN", "arn:aws:secretsmanager:eu-central-1:123456789012:secret:gone"
    )
    reset_singletons()
    response = client.post("/api/admin/reload-data", headers={"Authorization": "Bearer x"})
    assert response.status_code == 503 and response.json()["code"] == "SECRET_UNAVAILABLE"
    assert "arn:" not in response.json()["error"]
