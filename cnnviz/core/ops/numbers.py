"""How numbers are written in step arithmetic and grids."""

from __future__ import annotations

import math


def format_number(value: float, decimals: int = 4) -> str:
    """Short form: whole numbers without a point, others with at most ``decimals`` decimals."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "−∞" if value < 0 else "∞"
    rounded = round(value)
    if abs(value - rounded) < 1e-9 * max(1.0, abs(value)) and abs(value) < 1e15:
        return str(int(rounded)) if rounded != 0 else "0"
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_fixed(value: float, decimals: int) -> str:
    """Fixed number of decimals (used when a grid mixes whole and fractional values)."""
    if math.isinf(value) or math.isnan(value):
        return format_number(value)
    text = f"{value:.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def operand(value: float) -> str:
    """A number as a factor in a written product: negatives are put in parentheses."""
    text = format_number(value)
    return f"({text})" if text.startswith("-") else text
