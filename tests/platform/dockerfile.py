"""The Dockerfile read as data, so tests replay what each image stage installs, copies, sets and runs."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

DOCKERFILE = Path(__file__).resolve().parents[2] / "Dockerfile"


@dataclass
class Stage:
    name: str
    base: str
    """The image or earlier stage this one starts from."""
    env: dict[str, str] = field(default_factory=dict)
    workdir: str = "/"
    copies: list[tuple[str | None, list[str], str]] = field(default_factory=list)
    """(``--from`` stage or image, sources, destination) per COPY."""
    runs: list[str] = field(default_factory=list)
    cmd: list[str] = field(default_factory=list)


def _instructions(text: str) -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n\s*", " ", text)
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def stages(text: str | None = None) -> dict[str, Stage]:
    """Every stage by name; a stage built ``FROM`` another starts with that one's ENV, WORKDIR and CMD."""
    result: dict[str, Stage] = {}
    current: Stage | None = None
    for keyword, rest in _instructions(text if text is not None else DOCKERFILE.read_text()):
        if keyword == "FROM":
            base, _, name = rest.partition(" AS ")
            parent = result.get(base.strip())
            current = Stage(name.strip(), base.strip())
            if parent:
                current.env, current.workdir, current.cmd = dict(parent.env), parent.workdir, list(parent.cmd)
            result[current.name] = current
        elif current is None:
            continue
        elif keyword == "ENV":
            current.env |= dict(pair.split("=", 1) for pair in shlex.split(rest))
        elif keyword == "WORKDIR":
            current.workdir = rest
        elif keyword == "COPY":
            words = shlex.split(rest)
            source = next((w.removeprefix("--from=") for w in words if w.startswith("--from=")), None)
            paths = [w for w in words if not w.startswith("--")]
            current.copies.append((source, paths[:-1], paths[-1]))
        elif keyword == "RUN":
            current.runs.append(rest)
        elif keyword == "CMD":
            current.cmd = json.loads(rest)
    return result


def root_stage(stage: Stage, all_stages: dict[str, Stage]) -> Stage:
    """The first stage of the chain ``stage`` is built on (the one whose base is an image)."""
    while stage.base in all_stages:
        stage = all_stages[stage.base]
    return stage
