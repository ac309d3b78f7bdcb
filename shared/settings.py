"""One settings object, read from the environment once.

Every option has an embedded default so the app runs on one machine with no configuration: SQLite under
``var/``, bars from ``data/``, local sign-in. ``ENV=production`` turns on the checks that make a
misconfigured deployment refuse to start instead of running insecurely.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.lazy import singleton
from shared.secrets import read_secret

SecretName = Literal["anthropic_api_key", "admin_token"]


def _lambda_memory_bytes() -> int | None:
    """The memory of the Lambda function this process runs in (None outside Lambda)."""
    megabytes = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
    return int(megabytes) * 1024**2 if megabytes and megabytes.isdigit() else None


def _default_memory_cache_bytes() -> int:
    # On Lambda the bars kept in memory must leave room for the query itself (a day's frames, the result)
    # inside the function's memory; a server has room for 3 GiB.
    memory = _lambda_memory_bytes()
    return memory * 3 // 8 if memory else 3 * 1024**3


def _default_disk_cache_bytes() -> int:
    # Lambda's /tmp is the function's ephemeral storage, also holding the numba cache and temporary files:
    # the bar cache takes three quarters of it.
    if _lambda_memory_bytes():
        tmp = os.statvfs("/tmp")
        return tmp.f_blocks * tmp.f_frsize * 3 // 4
    return 4 * 1024**3


class Settings(BaseSettings):
    """Barb's configuration (environment variables of the same name, case-insensitive)."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    env: Literal["development", "production", "test"] = "development"
    version: str = "0.1.0"
    cors_origins: str = "*"
    """Comma-separated origins allowed to call the API from a browser; ``*`` only outside production."""
    var_dir: Path = Path("var")
    """Where the embedded mode keeps its state (database, local signing key, cache)."""
    max_body_bytes: int = 64 * 1024
    log_level: str = "INFO"
    shutdown_grace_s: float = 30.0
    """On shutdown, how long to wait for answers still running in the background before cancelling them."""

    # Auth
    supabase_url: str | None = None
    supabase_publishable_key: str | None = None
    supabase_service_key: str | None = None
    jwt_audience: str = "authenticated"
    jwt_leeway_s: int = 30
    jwks_ttl_s: int = 600
    jwks_refetch_cooldown_s: int = 30
    jwks_timeout_s: float = 3.0
    local_token_ttl_s: int = 12 * 3600
    admin_token: str | None = None
    admin_token_secret_arn: str | None = None
    """AWS Secrets Manager secret holding the admin token, read on first use when ``admin_token`` is unset."""

    # Store
    database_path: Path | None = None
    """SQLite file for the embedded store; defaults to ``{var_dir}/barb.sqlite3``."""

    # Bars
    data_bucket: str | None = None
    data_prefix: str = ""
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    """Region for SigV4 signing (Hetzner: the location, e.g. ``fsn1``; R2: ``auto``); default ``us-east-1``."""
    data_dir: Path = Path("data")
    data_cache_dir: Path | None = None
    """Local cache of bucket files; defaults to ``{var_dir}/cache``."""
    data_cache_max_bytes: int = Field(default_factory=_default_disk_cache_bytes)
    """4 GiB; on Lambda, three quarters of ``/tmp``."""
    manifest_ttl_s: float = 60.0
    sample_data: bool = True
    """Generate synthetic sample bars on first start when ``data_dir`` is empty (embedded mode only)."""
    spa_dir: Path = Path("front/dist")
    """The built SPA served at ``/`` when it holds an ``index.html`` (the image sets an absolute path)."""

    # LLM
    anthropic_api_key: str | None = None
    anthropic_api_key_secret_arn: str | None = None
    """AWS Secrets Manager secret holding the Anthropic key, read on first use when the key itself is unset."""
    anthropic_base_url: str | None = None
    anthropic_model: str = "claude-sonnet-4-6"
    anthropic_max_tokens: int = 4096
    anthropic_temperature: float = 0.2
    chat_max_rounds: int = 6
    chat_run_timeout_s: float = 300.0
    chat_rate_per_minute: int = 20
    chat_run_stale_s: float = 20.0
    """A run that has not beaten for this long died with its worker (it beats every quarter of this): it no
    longer blocks the conversation, cannot be stopped, and its question gets an ``INTERRUPTED`` answer."""
    chat_stream_url: str | None = None
    """Where the SPA opens the chat stream when it is not this API (AWS: the streaming Function URL)."""

    # Query
    query_timeout_s: float = 10.0
    query_rate_per_minute: int = 120
    query_memory_cache_bytes: int = Field(default_factory=_default_memory_cache_bytes)
    """Bar files each process keeps in memory for queries (least recently used out): 3 GiB; on Lambda, 3/8 of
    the function's memory."""
    backtest_rate_per_minute: int = 30
    """Backtests per user per minute (heavier than queries; they share ``query_timeout_s``)."""

    @model_validator(mode="after")
    def _check_production(self) -> Settings:
        if self.env == "production":
            if self.auth_mode == "local":
                raise ValueError("ENV=production needs SUPABASE_URL: local sign-in is for development only")
            if "*" in self.cors_origin_list:
                raise ValueError("ENV=production refuses CORS_ORIGINS='*': list the allowed origins")
        return self

    @property
    def cors_origin_list(self) -> list[str]:
        return [origin.strip() for origin in self.cors_origins.split(",") if origin.strip()]

    @property
    def auth_mode(self) -> Literal["local", "supabase"]:
        return "supabase" if self.supabase_url else "local"

    @property
    def jwt_issuer(self) -> str:
        """``{SUPABASE_URL}/auth/v1``; in local mode the server issues tokens under the same path."""
        return f"{(self.supabase_url or 'local').rstrip('/')}/auth/v1"

    @property
    def sqlite_path(self) -> Path:
        return self.database_path or self.var_dir / "barb.sqlite3"

    @property
    def cache_dir(self) -> Path:
        return self.data_cache_dir or self.var_dir / "cache"

    @property
    def llm_configured(self) -> bool:
        return bool(self.anthropic_api_key or self.anthropic_api_key_secret_arn)

    def secret(self, name: SecretName) -> str | None:
        """A secret setting: its own variable, else the Secrets Manager secret its ``*_SECRET_ARN`` names.

        Read on first use, not at start, so a function that never needs a secret never fetches it.
        """
        arn: str | None = getattr(self, f"{name}_secret_arn")
        return getattr(self, name) or (read_secret(arn) if arn else None)


@singleton
def get_settings() -> Settings:
    """The process-wide settings (read once; ``reset_singletons()`` rereads them)."""
    return Settings()
