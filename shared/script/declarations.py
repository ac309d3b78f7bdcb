"""How a Barb Script function is declared: its arguments, its specification, its category.

Each function is declared exactly once, with ``@category.function(...)`` on its implementation, in the module of
its :class:`Category` (which carries the category's title). Everything about a function is on its declaration:
the name (the Python name unless given), arguments, description, example, and for a look-ahead function what a
trading rule should use instead. The validator, the LLM's tool reference, ``docs/functions.md`` and the
backtest's look-ahead hints are all generated from these declarations, so they cannot drift apart.

Declaring fills only the category's own list; ``shared.script.registry.library()`` gathers the categories of
``shared.script.functions`` into the lookups on first use — importing a module changes no shared table.

An implementation receives an :class:`EvalContext` and then its arguments, already checked and converted:
``column`` arguments arrive as ``pl.Expr`` (a number literal is broadcast with ``pl.lit``), ``int`` and
``number`` arguments as Python numbers, ``string`` as ``str``, ``bool`` as ``bool``. It returns a
``pl.Expr`` evaluated over the current bar frame.

The bar frame an expression runs on has the columns ``date`` (trade date, ``pl.Date``), ``minute``
(minutes since midnight in the display time zone, bar open; intraday frames only), ``open high low close
volume`` and the ``map`` columns defined so far. In later steps it is the previous step's output.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict

import polars as pl
from typing_extensions import Unpack

ArgKind = Literal["column", "int", "number", "string", "bool"]
FunctionKind = Literal["series", "aggregate", "resolved"]
"""``series``: a value per bar; ``aggregate``: one per group; ``resolved``: replaced by the validator before
anything is compiled (``on()``, whose value comes from other bars)."""
ReturnType = Literal["number", "integer", "boolean", "date", "time", "text"]
Scale = Literal["level", "distance", "args"]
"""How a value relates to prices: a price ``level`` (``vwap()``), a ``distance`` between prices (``atr()``), or
the scale of its column ``args`` (``prev(x)``, ``sma(x, n)``: a level of a level, a distance of a distance)."""
CategoryKey = Literal[
    "core",
    "lag",
    "window",
    "cumulative",
    "pattern",
    "aggregate",
    "time",
    "price",
    "oscillator",
    "volatility",
    "trend",
    "volume",
    "session",
    "calendar",
    "events",
    "series",
]


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()
"""Marks an argument without a default."""


@dataclass(frozen=True)
class Arg:
    """One parameter of a function: its kind, default and allowed range (inclusive)."""

    name: str
    kind: ArgKind
    default: Any = REQUIRED
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()
    """The values a ``string`` argument accepts (lower case; the query's text is matched ignoring case), checked
    before any data is read; empty for any text."""
    refused: tuple[tuple[str, str], ...] = ()
    """Values that name something real but cannot be used, each with the reason (``("earnings", "has no
    computable dates")``): the check says why instead of calling them unknown."""

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


@dataclass(frozen=True)
class EvalContext:
    """What an implementation may know about the frame it runs on."""

    timeframe: str = "daily"
    """Bar size of the frame (``1m`` … ``yearly``), or ``step`` for a later step's table."""
    intraday: bool = False
    session_keys: tuple[str, ...] = ("date",)
    """Columns that identify one session; session-anchored functions reset on each new key."""
    date_col: str | None = "date"
    """The frame's date column (the first date-typed column in later steps), or None if it has none."""
    extras: dict[str, Any] = field(default_factory=dict)
    """Engine-provided data some functions need (for example the trading calendar)."""


@dataclass(frozen=True)
class FunctionSpec:
    """The declaration of one function."""

    name: str
    category: CategoryKey
    description: str
    example: str
    impl: Callable[..., pl.Expr]
    args: tuple[Arg, ...] = ()
    kind: FunctionKind = "series"
    returns: ReturnType = "number"
    lookahead: str | None = None
    """For a value that depends on later bars (never allowed in backtest rules), what a rule should use
    instead (``"Look back instead, e.g. `prev(close)`."``); None for a value known at the bar's close."""
    format: str | None = None
    """Display format of the result (``weekday``, ``month``), kept when the value is numeric."""
    aliases: tuple[str, ...] = ()
    """Other names the function may be called by (``day`` for ``day_of_month``)."""
    synonyms: tuple[str, ...] = ()
    """Names the function has elsewhere (pandas, Pine, spreadsheets: ``avg``, ``shift``). They are not callable:
    an unknown function or method call with one of these names gets a hint naming this function."""
    intraday: bool = False
    """True when the value needs bars shorter than a day (the time of day): an error on daily and longer bars."""
    scale: Scale | None = None
    """How the value relates to prices (:data:`Scale`); None for anything else (oscillators, percentages,
    counts). It tells a backtest distance from a price level."""
    known_in_advance: bool = False
    """Set from the category (:attr:`Category.known_in_advance`): the value depends only on the calendar."""

    @property
    def signature(self) -> str:
        """``sma(col, n)``: the call with its parameters, defaults shown."""
        return self.signature_as(self.name)

    def signature_as(self, name: str) -> str:
        """The signature under another of its names (an alias)."""
        parts = []
        for arg in self.args:
            parts.append(arg.name if arg.required else f"{arg.name}={arg.default!r}".replace("'", '"'))
        return f"{name}({', '.join(parts)})"


Implementation = Callable[..., pl.Expr]


class Declaration(TypedDict, total=False):
    """The optional fields of a declaration (see :class:`FunctionSpec`)."""

    args: tuple[Arg, ...]
    kind: FunctionKind
    returns: ReturnType
    lookahead: str | None
    format: str | None
    aliases: tuple[str, ...]
    synonyms: tuple[str, ...]
    intraday: bool
    scale: Scale | None


@dataclass(frozen=True)
class Category:
    """A group of functions (one module of ``shared.script.functions``) with its title for references."""

    key: CategoryKey
    title: str
    known_in_advance: bool = False
    """Its values depend only on the trade date and the time of day, which the calendar fixes in advance: a
    backtest rule may read them at a later bar (``next(is_month_end())``), see ``shared.backtest.strategy``."""
    specs: list[FunctionSpec] = field(default_factory=list, compare=False, repr=False)
    """Its declarations, in the order of the module."""

    def function(
        self, *, description: str, example: str, name: str | None = None, **declaration: Unpack[Declaration]
    ) -> Callable[[Implementation], FunctionSpec]:
        """Declare a function of this category; use as a decorator on its implementation.

        ``name`` defaults to the implementation's name without a trailing underscore (``range_`` → ``range``);
        ``declaration`` sets any other field of :class:`FunctionSpec` (their defaults are the spec's).
        """

        def declare(impl: Implementation) -> FunctionSpec:
            spec = FunctionSpec(
                name=name or impl.__name__.rstrip("_"),
                category=self.key,
                description=description,
                example=example,
                impl=impl,
                known_in_advance=self.known_in_advance,
                **declaration,
            )
            self.specs.append(spec)
            return spec

        return declare
