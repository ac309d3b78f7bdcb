"""The SAM template: lints clean (as written and after SAM expansion) and declares every function's routes."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cfnlint.decode import decode_str
from samtranslator.translator.transform import transform

from functions import all_routes
from tests.platform.test_lambda import FUNCTIONS

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"


class _NoManagedPolicies:
    """Policy loader for the translator that never calls IAM (our policies are SAM policy templates)."""

    def load(self) -> dict[str, str]:
        return {}


def _template() -> dict:
    template, matches = decode_str(TEMPLATE.read_text())
    assert not matches, matches
    return template


def _cfn_lint(path: Path) -> subprocess.CompletedProcess:
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    return subprocess.run([str(cfn_lint), str(path)], capture_output=True, text=True)


def test_template_lints_clean():
    result = _cfn_lint(TEMPLATE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_expanded_template_lints_clean(tmp_path, monkeypatch):
    """cfn-lint does not enum-check nested SAM values (e.g. InvokeMode); the translated template catches them."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    template = _template()
    parameters = {name: spec.get("Default", "placeholder") for name, spec in template["Parameters"].items()}
    for resource in template["Resources"].values():
        if resource["Properties"].get("PackageType") == "Image":
            resource["Properties"]["ImageUri"] = "123456789012.dkr.ecr.eu-central-1.amazonaws.com/barb:lint"
    expanded = tmp_path / "expanded.json"
    expanded.write_text(json.dumps(transform(template, parameters, _NoManagedPolicies()), default=str))
    result = _cfn_lint(expanded)
    assert result.returncode == 0, result.stdout + result.stderr


def _function_resources() -> dict[str, dict]:
    """Buffered (Mangum) functions by their folder name."""
    found = {}
    for resource in _template()["Resources"].values():
        command = resource.get("Properties", {}).get("ImageConfig", {}).get("Command", [])
        if command and command[0].endswith(".handler.handler"):
            found[command[0].split(".")[1]] = resource
    return found


def _pattern(path: str) -> re.Pattern[str]:
    regex = re.sub(r"\{[^/}]+\+\}", ".+", path)
    regex = re.sub(r"\{[^/}]+\}", "[^/]+", regex)
    return re.compile(f"^{regex}$")


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_function_is_declared_with_each_of_its_routes(function):
    resources = _function_resources()
    assert function in resources, (
        f"template.yaml has no function running functions.{function}.handler.handler"
    )
    events = [e["Properties"] for e in resources[function]["Properties"]["Events"].values()]
    for route in importlib.import_module(f"functions.{function}.app").routes:
        concrete = re.sub(r"\{[^}]+\}", "x", route.path)
        for method in route.methods - {"HEAD"}:
            assert any(
                _pattern(e["Path"]).match(concrete) and e["Method"] in ("ANY", method) for e in events
            ), f"{method} {route.path} of functions/{function} is not routed to it in template.yaml"


def test_no_route_is_claimed_by_two_functions():
    owners: dict[str, str] = {}
    for function, resource in _function_resources().items():
        for event in resource["Properties"]["Events"].values():
            key = f"{event['Properties']['Method']} {event['Properties']['Path']}"
            assert key not in owners, f"{key} is routed to both {owners[key]} and {function}"
            owners[key] = function
    assert {r.path for r in all_routes()} >= {"/api/conversations", "/api/instruments"}


def _functions() -> dict[str, dict]:
    return {
        name: resource["Properties"]
        for name, resource in _template()["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }


def _env(properties: dict) -> dict:
    shared = _template()["Globals"]["Function"]["Environment"]["Variables"]
    return shared | properties.get("Environment", {}).get("Variables", {})


def test_the_routes_every_app_serves_are_routed(barb_env):
    """/health, /api/config and /api/openapi.json reach a function on the HTTP API like any other route."""
    from shared.web.app import common_routes

    events = [
        e["Properties"] for p in _function_resources().values() for e in p["Properties"]["Events"].values()
    ]
    for route in common_routes([]):
        if route.path.startswith(("/api/auth/local", "/auth/")):
            continue  # local sign-in: never on a production deployment
        assert any(e["Path"] == route.path for e in events), f"{route.path} is not routed in template.yaml"


def test_each_chat_run_fits_its_function_and_front_door():
    """A run is cut by CHAT_RUN_TIMEOUT_S before the function's own timeout (and API Gateway's 30 s)."""
    from shared.settings import Settings

    default_run = Settings.model_fields["chat_run_timeout_s"].default
    timeout = _template()["Globals"]["Function"]["Timeout"]
    for name, properties in _functions().items():
        limit = properties.get("Timeout", timeout)
        run = float(_env(properties).get("CHAT_RUN_TIMEOUT_S", default_run))
        behind_http_api = any(e["Type"] == "HttpApi" for e in properties.get("Events", {}).values())
        if name.startswith("Chat"):
            assert run + 5 <= limit, (name, run, limit)
        if behind_http_api:
            assert limit <= 29, (name, limit)
            if name.startswith("Chat"):
                assert run <= 25, (name, run)


def test_the_spa_is_told_the_streaming_url_and_may_call_it():
    functions = _functions()
    stream = functions["ChatStreamFunction"]["FunctionUrlConfig"]
    assert stream["InvokeMode"] == "RESPONSE_STREAM"
    assert stream["Cors"]["AllowOrigins"] == [{"Ref": "AllowedOrigin"}]
    assert {"authorization", "content-type"} <= set(stream["Cors"]["AllowHeaders"])
    config_function = next(p for p in _function_resources().values() if "Config" in p["Properties"]["Events"])
    assert _env(config_function["Properties"])["CHAT_STREAM_URL"] == {
        "Fn::GetAtt": ["ChatStreamFunctionUrl", "FunctionUrl"]
    }


def test_secrets_are_read_from_secrets_manager_not_set_in_the_environment():
    for name, properties in _functions().items():
        env = _env(properties)
        assert not {"ANTHROPIC_API_KEY", "ADMIN_TOKEN", "SUPABASE_SERVICE_KEY"} & set(env), name
        readable = {
            policy["AWSSecretsManagerGetSecretValuePolicy"]["SecretArn"]["Ref"]
            for policy in properties.get("Policies", [])
            if isinstance(policy, dict) and "AWSSecretsManagerGetSecretValuePolicy" in policy
        }
        needs = {"AdminTokenSecretArn"} if name == "AdminFunction" else set()
        needs |= {"AnthropicApiKeySecretArn"} if name.startswith("Chat") else set()
        assert readable == needs, (name, readable)
