"""The compose files read as data, merged as ``docker compose -f docker-compose.yml -f docker-compose.prod.yml``
merges them (the parts of the merge rules these files use), so tests see what production runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
BASE, PROD = ROOT / "docker-compose.yml", ROOT / "docker-compose.prod.yml"


class _Tagged:
    """A value carrying compose's ``!reset`` (drop the base's) or ``!override`` (replace it) tag."""

    def __init__(self, tag: str, value: Any) -> None:
        self.tag, self.value = tag, value


class _Loader(yaml.SafeLoader):
    pass


def _tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> _Tagged:
    if isinstance(node, yaml.SequenceNode):
        value: Any = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    else:
        value = loader.construct_scalar(node)  # type: ignore[arg-type]
    return _Tagged(suffix, value)


_Loader.add_multi_constructor("!", _tagged)


def load(path: Path) -> dict[str, Any]:
    """One compose file, tags kept."""
    return yaml.load(path.read_text(), _Loader)


# Sequences compose adds to (the others, e.g. ``command``, the later file replaces).
_APPENDED = {"ports", "volumes", "expose", "dns", "extra_hosts", "env_file"}


def _merge(base: Any, override: Any, key: str = "") -> Any:
    if isinstance(override, _Tagged):
        return type(override.value)() if override.tag == "reset" else override.value
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for name, value in override.items():
            merged[name] = _merge(base.get(name), value, name) if name in base else _plain(value)
        return merged
    if isinstance(base, list) and isinstance(override, list) and key in _APPENDED:
        return base + [v for v in override if v not in base]
    return override


def _plain(value: Any) -> Any:
    return _merge(None, value) if isinstance(value, _Tagged) else value


def production() -> dict[str, Any]:
    """The services as production runs them: the base file with the prod file merged over it."""
    return _merge(load(BASE), load(PROD))["services"]
