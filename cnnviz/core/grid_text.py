"""Reading and writing grids of numbers as text (clipboard, cells), with clear errors."""

from __future__ import annotations

import math
import re

import numpy as np

MAX_SIDE = 64
_SPLIT = re.compile(r"[,\t; ]+")


def parse_number(text: str, where: str = "") -> float:
    """One cell's text as a finite float, or ``ValueError`` saying what is wrong."""
    at = f" ({where})" if where else ""
    cleaned = text.strip().replace("−", "-").replace(",", ".")
    if not cleaned:
        raise ValueError(f"a cell cannot be empty{at}: type 0 to clear it")
    try:
        value = float(cleaned)
    except ValueError:
        raise ValueError(f"“{text.strip()}” is not a number{at}") from None
    if not math.isfinite(value):
        raise ValueError(f"“{text.strip()}” is not a finite number{at}")
    return value


def parse_grid(text: str, max_side: int = MAX_SIDE) -> np.ndarray:
    """Tab-, space-, comma- or semicolon-separated rows into a float grid.

    Brackets are ignored, so ``[[1, 2], [3, 4]]`` pastes too. Raises ``ValueError`` for
    ragged rows, non-numbers, empty text and grids larger than ``max_side``.
    """
    rows = []
    for line in text.replace("],", "]\n").splitlines():
        line = line.strip().strip("[]() ").strip(",")
        if not line:
            continue
        cells = [c for c in _SPLIT.split(line) if c]
        rows.append(cells)
    if not rows:
        raise ValueError("the clipboard holds no numbers")
    widths = {len(r) for r in rows}
    if len(widths) != 1:
        raise ValueError(
            f"rows have different lengths ({', '.join(str(w) for w in sorted(widths))})"
        )
    h, w = len(rows), widths.pop()
    if h > max_side or w > max_side:
        raise ValueError(f"the grid is {h}×{w}; the largest is {max_side}×{max_side}")
    return np.array(
        [
            [parse_number(c, f"row {i + 1}, column {j + 1}") for j, c in enumerate(r)]
            for i, r in enumerate(rows)
        ],
        dtype=np.float64,
    )


def format_grid(values: np.ndarray) -> str:
    """A 2-D grid as tab-separated text (spreadsheets paste it as cells)."""
    return "\n".join("\t".join(repr_number(v) for v in row) for row in np.atleast_2d(values))


def repr_number(value: float) -> str:
    """Exact, short: ``3`` for 3.0, ``1.6666666666666667`` for 5/3."""
    value = float(value)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def resized(grid: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """``grid`` cut or grown (with zeros) to rows×cols, keeping the top-left corner."""
    out = np.zeros((rows, cols), dtype=np.float64)
    h, w = min(rows, grid.shape[0]), min(cols, grid.shape[1])
    out[:h, :w] = grid[:h, :w]
    return out
