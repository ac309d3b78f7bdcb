"""The compose files as production merges them: nothing of the development setup reaches the server."""

from __future__ import annotations

import re

from tests.platform.compose import BASE, load, production


def test_production_keeps_nothing_of_the_development_setup():
    api = production()["api"]
    assert api["env_file"] == ".env"
    # The app reads its configuration from .env; `environment` would win over it, so it sets ENV alone.
    assert api["environment"] == {"ENV": "production"}
    assert api["ports"] == [] and api["volumes"] == ["barb-var:/app/var"]
    assert "--reload" not in api["command"] and api["command"][-2:] == ["--workers", "2"]
    assert api["restart"] == "unless-stopped"


def test_development_runs_the_mounted_source():
    api = load(BASE)["services"]["api"]
    assert api["environment"]["PYTHONPATH"] == "/app" and "--reload" in api["command"]
    assert "./shared:/app/shared" in api["volumes"]


def test_caddy_is_pinned_and_gets_only_the_domain():
    caddy = production()["caddy"]
    assert re.fullmatch(r"caddy:2\.\d+\.\d+", caddy["image"]), caddy["image"]
    assert caddy["environment"] == {"BARB_DOMAIN": "${BARB_DOMAIN:-api.getbarb.trade}"}
    assert "env_file" not in caddy  # .env holds the app's secrets
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in caddy["volumes"]
