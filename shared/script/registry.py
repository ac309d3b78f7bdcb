"""The Barb Script function library's lookups: every declared function by the names a query may use.

Built on first use from ``shared.script.functions.CATEGORIES`` (the declarations are
``shared.script.declarations``'); nothing is registered as a side effect of importing a module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from shared.lazy import singleton
from shared.script.declarations import Category, FunctionSpec
from shared.script.expressions import IF_NAME
from shared.script.functions import CATEGORIES


@dataclass(frozen=True)
class Library:
    """Every declared function, by the names a query may call it by and by its synonyms elsewhere."""

    categories: tuple[Category, ...]
    functions: Mapping[str, FunctionSpec]
    """Callable names (aliases included) → declaration."""
    synonyms: Mapping[str, FunctionSpec]
    """The declared :attr:`FunctionSpec.synonyms` (names that are not callable) → the function they mean."""

    @classmethod
    def of(cls, categories: tuple[Category, ...]) -> Library:
        """The library of ``categories``; ``ValueError`` when a name is declared twice."""
        functions: dict[str, FunctionSpec] = {}
        synonyms: dict[str, FunctionSpec] = {}
        for spec in (spec for category in categories for spec in category.specs):
            for key in (spec.name, *spec.aliases):
                if key in functions:
                    raise ValueError(f"Barb Script function {key!r} is declared twice")
                functions[key] = spec
            for key in spec.synonyms:
                if key in synonyms or key != key.lower():
                    raise ValueError(f"Barb Script synonym {key!r} is declared twice or not lower case")
                synonyms[key] = spec
        clash = set(functions) & set(synonyms)
        if clash:
            raise ValueError(f"Barb Script synonyms {sorted(clash)} are also function names")
        return cls(categories, functions, synonyms)

    def unique(self) -> list[FunctionSpec]:
        """Every function once (aliases folded), by category and in declaration order."""
        return [spec for category in self.categories for spec in category.specs]


@singleton
def library() -> Library:
    """The Barb Script function library, gathered from ``shared.script.functions`` on first use."""
    return Library.of(CATEGORIES)


def function_spec(name: str) -> FunctionSpec | None:
    """The declaration of a function by the name written in a query (``if`` included), or None."""
    return library().functions.get("if" if name == IF_NAME else name)
