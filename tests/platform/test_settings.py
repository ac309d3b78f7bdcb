"""Settings come from the environment; production refuses insecure configurations."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.settings import Settings


def test_embedded_defaults_need_no_configuration(barb_env):
    settings = Settings()
    assert settings.auth_mode == "local"
    assert settings.sqlite_path == barb_env / "var" / "barb.sqlite3"
    assert settings.cache_dir == barb_env / "var" / "cache"
    assert not settings.llm_configured


def test_production_refuses_local_auth(barb_env, monkeypatch):
    monkeypatch.setenv("ENV", "production")
    monkeypatch.setenv("CORS_ORIGINS", "https://getbarb.trade")
    with pytest.raises(ValidationError, match="SUPABASE_URL"):
        Settings()


def test_production_refuses_wildcard_cors(barb_env, monkeypatch):
    monkeypatch.setenv("ENV", "production")
    monkeypatch.setenv("SUPABASE_URL", "https://project.supabase.co")
    monkeypatch.setenv("CORS_ORIGINS", "https://getbarb.trade, *")
    with pytest.raises(ValidationError, match="CORS_ORIGINS"):
        Settings()


def test_production_with_supabase_and_listed_origins_starts(barb_env, monkeypatch):
    monkeypatch.setenv("ENV", "production")
    monkeypatch.setenv("SUPABASE_URL", "https://project.supabase.co/")
    monkeypatch.setenv("CORS_ORIGINS", "https://getbarb.trade,http://localhost:3000")
    settings = Settings()
    assert settings.cors_origin_list == ["https://getbarb.trade", "http://localhost:3000"]
    assert settings.jwt_issuer == "https://project.supabase.co/auth/v1"


def test_config_endpoint_tells_the_spa_which_sign_in_to_show(client):
    body = client.get("/api/config").json()
    assert body["auth"] == "local"
    assert body["llm_configured"] is False
    assert "supabase_url" not in body
