"""What a lesson file's page state may hold, said once per page, and the one validator.

A page's state is described by a :class:`Schema`: its fields (key, default, the words a message
uses for it, and a spec: a type with its range or its allowed values) and the rules between
fields that no single field shows. ``schema.check(state)`` gives the checked values, or raises
``ValueError`` with a sentence naming the first bad value, the way a lecturer can act on it:

    >>> STEP = Field("step", Whole(0, 10**6), default=0, what="its step")
    >>> Schema((STEP,)).check({"step": -1})
    ValueError: its step must be a whole number from 0 to 1000000, not -1

Qt-free and torch-free: the core, the pages and ``cnnviz export`` all check with it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any


def _shown(value) -> str:
    """A bad value as a message shows it (a long one cut short)."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class Spec:
    """One field's type and limits: ``check(value, what)`` gives the value to use (a pair as
    a tuple, a number as a float) or raises ``ValueError`` naming ``what``."""

    def check(self, value, what: str):
        raise NotImplementedError


@dataclass(frozen=True)
class Number(Spec):
    """A finite number in [low, high]; ``out_of_range`` words the range error."""

    low: float = -math.inf
    high: float = math.inf
    out_of_range: str = "{what} must be from {low:g} to {high:g}"

    def check(self, value, what: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{what} is not a number")
        if not math.isfinite(value):
            raise ValueError(f"{what} is not a number")
        if not self.low <= value <= self.high:
            words = self.out_of_range.format(what=what, low=self.low, high=self.high)
            raise ValueError(f"{words}, not {_shown(value)}")
        return float(value)


@dataclass(frozen=True)
class Whole(Spec):
    """A whole number in [low, high]."""

    low: int
    high: int

    def check(self, value, what: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            ok = False
        else:
            ok = self.low <= value <= self.high
        if not ok:
            raise ValueError(
                f"{what} must be a whole number from {self.low} to {self.high}, not {_shown(value)}"
            )
        return value


@dataclass(frozen=True)
class Pair(Spec):
    """Two whole numbers in [low, high] (a list of two in the file), or one of ``words``
    (a convolution's padding may be "same")."""

    low: int = 0
    high: int = 64
    words: tuple[str, ...] = ()

    def check(self, value, what: str):
        if isinstance(value, str) and value in self.words:
            return value
        if not isinstance(value, (list, tuple)) or len(value) != 2:
            raise ValueError(f"{what} must be two whole numbers")
        number = Whole(self.low, self.high)
        return number.check(value[0], what), number.check(value[1], what)


@dataclass(frozen=True)
class Flag(Spec):
    """true or false."""

    def check(self, value, what: str) -> bool:
        if not isinstance(value, bool):
            raise ValueError(f"{what} must be true or false, not {_shown(value)}")
        return value


@dataclass(frozen=True)
class Choice(Spec):
    """One of ``options`` (a tuple, or a function giving them now: the models opened so far)."""

    options: tuple | Callable[[], Sequence]

    def allowed(self) -> tuple:
        return tuple(self.options() if callable(self.options) else self.options)

    def check(self, value, what: str):
        allowed = self.allowed()
        if isinstance(value, (list, dict)) or value not in allowed:
            names = [str(o) if o != "" else '""' for o in allowed]
            said = " or ".join(names) if len(names) == 2 else "one of " + ", ".join(names)
            raise ValueError(f"{what} must be {said}, not {_shown(value)}")
        return value


@dataclass(frozen=True)
class Text(Spec):
    """A string; ``message`` refuses anything else (None: anything else reads as "")."""

    message: str | None = None

    def check(self, value, what: str) -> str:
        if isinstance(value, str):
            return value
        if self.message is None:
            return ""
        raise ValueError(self.message.format(what=what))


@dataclass(frozen=True)
class Table(Spec):
    """A JSON object, kept as it is."""

    def check(self, value, what: str) -> dict:
        if not isinstance(value, dict):
            raise ValueError(f"{what} must be a table")
        return value


@dataclass(frozen=True)
class Grids(Spec):
    """``[C][H][W]`` finite numbers, rectangular: 1..channels grids of 1..side rows and
    columns, every one the same size."""

    channels: int
    side: int

    def check(self, value, what: str) -> list:
        if not isinstance(value, list) or not 1 <= len(value) <= self.channels:
            raise ValueError(f"{what} must hold 1 to {self.channels} grids")
        shape = None
        out = []
        for grid in value:
            rows = self._grid(grid, what)
            here = (len(rows), {len(r) for r in rows})
            if len(here[1]) != 1 or (shape is not None and shape != here):
                raise ValueError(f"{what}: every row and channel must have the same size")
            shape = here
            out.append(rows)
        return out

    def _grid(self, grid, what: str) -> list:
        if not isinstance(grid, list) or not 1 <= len(grid) <= self.side:
            raise ValueError(f"{what} must be grids of 1 to {self.side} rows")
        rows = []
        number = Number()
        for row in grid:
            if not isinstance(row, list) or not 1 <= len(row) <= self.side:
                raise ValueError(f"{what} must be grids of 1 to {self.side} columns")
            rows.append([number.check(v, what) for v in row])
        return rows


@dataclass(frozen=True)
class Grid(Spec):
    """One ``[H][W]`` grid of finite numbers, 1..side each way."""

    side: int

    def check(self, value, what: str) -> list:
        return Grids(1, self.side).check([value], what)[0]


@dataclass(frozen=True)
class ListOf(Spec):
    """``low`` to ``high`` items (called ``noun`` in a message), each checked by ``item``."""

    item: Spec
    low: int
    high: int
    noun: str

    def check(self, value, what: str) -> list:
        if not isinstance(value, list) or not self.low <= len(value) <= self.high:
            raise ValueError(f"{what} must hold {self.low} to {self.high} {self.noun}")
        return [self.item.check(v, what) for v in value]


@dataclass(frozen=True)
class Items(Spec):
    """A list of exactly these items, each with its spec and words (a clicked unit:
    ``[layer, channel, row, column]``); ``message`` refuses another shape."""

    items: tuple[tuple[Spec, str], ...]
    message: str

    def check(self, value, what: str) -> list:
        if not isinstance(value, list) or len(value) != len(self.items):
            raise ValueError(self.message)
        return [spec.check(v, words) for (spec, words), v in zip(self.items, value)]


@dataclass(frozen=True)
class Optional(Spec):
    """``null`` in the file (None), or what ``spec`` allows."""

    spec: Spec

    def check(self, value, what: str):
        return None if value is None else self.spec.check(value, what)


@dataclass(frozen=True)
class Variants(Spec):
    """A table whose key says which schema it follows (a test image's number, or a drawing);
    ``message`` refuses a table with none of the keys."""

    cases: dict[str, Schema]
    message: str

    def check(self, value, what: str) -> dict:
        if isinstance(value, dict):
            for key, schema in self.cases.items():
                if key in value:
                    return schema.check(value)
        raise ValueError(self.message)


@dataclass(frozen=True)
class Check(Spec):
    """What no spec above says: ``function(value, what)`` checks the value (a picture in a
    lesson, a model's source)."""

    function: Callable[[Any, str], Any]

    def check(self, value, what: str):
        return self.function(value, what)


@dataclass(frozen=True)
class Field:
    """One key of a page's state: its spec, the value a state without it takes, and the words
    a message uses for it (the key itself when none)."""

    key: str
    spec: Spec
    default: Any = None
    what: str = ""

    def check(self, state: dict):
        return self.spec.check(state.get(self.key, self.default), self.what or self.key)


@dataclass(frozen=True)
class Schema:
    """A page's state: its fields, then ``rules`` over the checked values (each raises
    ``ValueError`` for what no single field shows: one kernel per input channel, say)."""

    fields: tuple[Field, ...]
    rules: tuple[Callable[[dict], None], ...] = ()

    def check(self, state) -> dict:
        """Every field's checked value by key (``ValueError`` naming the first bad one)."""
        if not isinstance(state, dict):
            raise ValueError("the page's state is not a table")
        values = {f.key: f.check(state) for f in self.fields}
        for rule in self.rules:
            rule(values)
        return values

    def spec(self, key: str) -> Spec:
        """The spec of ``key`` (the pages build their controls' ranges from it)."""
        return next(f.spec for f in self.fields if f.key == key)

    def span(self, key: str) -> tuple:
        """(lowest, highest) of a number field (the pages' spin boxes take their ranges here)."""
        spec = self.spec(key)
        if isinstance(spec, Optional):
            spec = spec.spec
        if not isinstance(spec, (Whole, Number)):
            raise TypeError(f"{key} is not a number")
        return spec.low, spec.high


def whole(value, what: str, low: int, high: int) -> int:
    """A whole number in [low, high] (``ValueError`` naming ``what`` otherwise)."""
    return Whole(low, high).check(value, what)
