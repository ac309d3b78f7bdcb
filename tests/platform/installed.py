"""Barb installed the way the images install it: a wheel built from only the files the image copies, put into
a fresh environment from the runtime lock, with nothing of the checkout on the import path."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.platform.dockerfile import DOCKERFILE, stages

ROOT = DOCKERFILE.parent
UV = str(Path(sys.executable).with_name("uv"))
RUNTIME_LOCK = ROOT / "requirements.lock"
BASE_PYTHON = getattr(sys, "_base_executable", sys.executable)
"""The interpreter the project's venv was made from: a plain Python with no project packages."""


def _run(*command: str | Path, cwd: Path | None = None) -> None:
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True, cwd=cwd)
    assert result.returncode == 0, f"{' '.join(map(str, command))}\n{result.stdout}\n{result.stderr}"


def build_wheel(workdir: Path) -> Path:
    """The project's wheel, built (as the ``wheel`` stage does) from a context of only what that stage copies."""
    context = workdir / "context"
    for _, sources, _ in stages()["wheel"].copies:
        for source in sources:
            origin, target = ROOT / source, context / source
            if origin.is_dir():
                shutil.copytree(origin, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(origin, target)
    _run(UV, "build", "--wheel", "--quiet", "--out-dir", workdir / "wheels", context)
    (wheel,) = (workdir / "wheels").glob("barb-*.whl")
    return wheel


def install_venv(venv: Path, wheel: Path) -> Path:
    """A fresh virtual environment with exactly the runtime lock, then the wheel without dependencies."""
    _run(UV, "venv", "--quiet", "--python", BASE_PYTHON, venv)
    python = venv / "bin" / "python"
    _run(UV, "pip", "sync", "--quiet", "--python", python, RUNTIME_LOCK)
    _run(UV, "pip", "install", "--quiet", "--no-deps", "--python", python, wheel)
    return python


def install_target(target: Path, wheel: Path) -> None:
    """The Lambda layout: the runtime lock and the wheel installed into one folder (``pip --target``)."""
    for requirement in (["-r", RUNTIME_LOCK], [wheel]):
        _run(
            UV,
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--python",
            BASE_PYTHON,
            "--target",
            target,
            *requirement,
        )


def in_image(env: dict[str, str], image_root: str, here: Path) -> dict[str, str]:
    """The stage's ENV with its absolute paths under ``image_root`` moved to ``here``."""
    return {k: v.replace(image_root, str(here)) if v.startswith(image_root) else v for k, v in env.items()}
