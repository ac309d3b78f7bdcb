"""Functions by the name written in a query, and the hints for a name that is not one.

A suggestion only ever names a function that exists: an exact name in another case (``SMA``), a declared
synonym (``avg`` → ``mean``, ``shift`` → ``prev``) or the closest declared name, alias or synonym.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from shared.script.declarations import FunctionSpec
from shared.script.registry import function_spec, library

_CUTOFF = 0.6
GENERIC_CALL_EXAMPLE = "sma(close, 20)"
_MAP_NAMES = {"dayofweek": "dow", "day_of_month": "dom", "month": "mo", "date": "d", "time": "t", "hour": "h"}


def map_name_for(function: str) -> str:
    """A ``map`` name for the value of ``function()`` that is not itself a function name (``hour`` → ``h``)."""
    if function in _MAP_NAMES:
        return _MAP_NAMES[function]
    return f"{function}_value" if function_spec(function) is not None else function


def close_match(word: str, options: Iterable[str], cutoff: float = _CUTOFF) -> str | None:
    """The option closest to ``word``, or None when none is close (``cutoff``: 0…1, how alike at least)."""
    match = difflib.get_close_matches(word, list(options), n=1, cutoff=cutoff)
    return match[0] if match else None


def did_you_mean(word: str, options: Iterable[str], cutoff: float = _CUTOFF) -> str:
    """``"Did you mean `x`? "`` for the closest option, or an empty string: the one wording of every such hint."""
    match = close_match(word, options, cutoff)
    return f"Did you mean `{match}`? " if match else ""


def suggest_function(name: str) -> tuple[str, FunctionSpec] | None:
    """The function an unknown name most likely means, with the name to call it by, or None.

    The name is the one matched when it is callable (an alias stays an alias: ``rolling_mean``), and the
    function's own name for a synonym from elsewhere (``avg`` → ``mean``).
    """
    functions, synonyms = library().functions, library().synonyms
    key = name.lower()
    if key not in functions and key not in synonyms:
        key = close_match(key, sorted({*functions, *synonyms})) or ""
    if key in functions:
        return key, functions[key]
    if key in synonyms:
        return synonyms[key].name, synonyms[key]
    return None


def unknown_function_hint(name: str) -> str:
    """The hint for a call of a function that does not exist."""
    found = suggest_function(name)
    if found is None:
        return "See the function list for the available functions."
    called, spec = found
    return f"Did you mean `{called}`? Usage: `{spec.signature_as(called)}`."


def method_call_hint(method: str, args: tuple[str, ...]) -> str:
    """The hint for ``x.method(a)``: the same call written as a function that exists, ``f(x, a)``.

    ``args`` are the owner and then the method's arguments, as source text. A function without a column
    argument (``atr(n)``) is shown without the owner.
    """
    found = suggest_function(method)
    if found is None:
        return (
            f"Barb Script has no `{method}` function; call functions by name with the column as the first "
            f"argument, e.g. `{GENERIC_CALL_EXAMPLE}`."
        )
    called, spec = found
    renamed = f" (`{method}` is `{called}` in Barb Script)" if method.lower() in library().synonyms else ""
    if spec.args and spec.args[0].kind == "column":
        call = f"{called}({', '.join(args)})"
        return f"Call functions by name with the column as the first argument: `{call}`{renamed}."
    return f"Call functions by name: `{called}({', '.join(args[1:])})`{renamed}."
