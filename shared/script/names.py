"""Functions by the name written in a query, and the hints for a name that is not one.

A suggestion only ever names a function that exists: an exact name in another case (``SMA``), a declared
synonym (``avg`` → ``mean``, ``shift`` → ``prev``) or the closest declared name, alias or synonym.
"""

from __future__ import annotations

import difflib

from shared.script.parse import IF_NAME
from shared.script.registry import REGISTRY, SYNONYMS, FunctionSpec

_CUTOFF = 0.6
GENERIC_CALL_EXAMPLE = "sma(close, 20)"
_MAP_NAMES = {"dayofweek": "dow", "day_of_month": "dom", "month": "mo", "date": "d", "time": "t", "hour": "h"}


def load_functions() -> dict[str, FunctionSpec]:
    """The registry, with the function library imported (it registers itself on import)."""
    import shared.script.functions  # noqa: F401  (import fills REGISTRY)

    return REGISTRY


def function_spec(name: str) -> FunctionSpec | None:
    """The declaration of a function by the name written in a query (``if`` included)."""
    return load_functions().get("if" if name == IF_NAME else name)


def map_name_for(function: str) -> str:
    """A ``map`` name for the value of ``function()`` that is not itself a function name (``hour`` → ``h``)."""
    if function in _MAP_NAMES:
        return _MAP_NAMES[function]
    return f"{function}_value" if function_spec(function) is not None else function


def close_match(word: str, options: list[str] | tuple[str, ...]) -> str | None:
    """The option closest to ``word``, or None when none is close."""
    match = difflib.get_close_matches(word, list(options), n=1, cutoff=_CUTOFF)
    return match[0] if match else None


def did_you_mean(word: str, options: list[str] | tuple[str, ...]) -> str:
    """``"Did you mean `x`? "`` for the closest option, or an empty string."""
    match = close_match(word, options)
    return f"Did you mean `{match}`? " if match else ""


def suggest_function(name: str) -> FunctionSpec | None:
    """The declared function an unknown name most likely means, or None."""
    functions = load_functions()
    key = name.lower()
    exact = functions.get(key) or SYNONYMS.get(key)
    if exact is not None:
        return exact
    candidates = {**SYNONYMS, **functions}
    match = close_match(key, sorted(candidates))
    return candidates[match] if match else None


def unknown_function_hint(name: str) -> str:
    """The hint for a call of a function that does not exist."""
    spec = suggest_function(name)
    if spec is None:
        return "See the function list for the available functions."
    return f"Did you mean `{spec.name}`? Usage: `{spec.signature}`."


def method_call_hint(method: str, args: tuple[str, ...]) -> str:
    """The hint for ``x.method(a)``: the same call written as a function that exists, ``f(x, a)``.

    ``args`` are the owner and then the method's arguments, as source text. A function without a column
    argument (``atr(n)``) is shown without the owner.
    """
    spec = suggest_function(method)
    if spec is None:
        return (
            f"Barb Script has no `{method}` function; call functions by name with the column as the first "
            f"argument, e.g. `{GENERIC_CALL_EXAMPLE}`."
        )
    renamed = f" (`{method}` is `{spec.name}` in Barb Script)" if method.lower() in SYNONYMS else ""
    if spec.args and spec.args[0].kind == "column":
        call = f"{spec.name}({', '.join(args)})"
        return f"Call functions by name with the column as the first argument: `{call}`{renamed}."
    return f"Call functions by name: `{spec.name}({', '.join(args[1:])})`{renamed}."
