"""Grids as text: what the clipboard and the cells accept, and the messages for the rest."""

import numpy as np
import pytest

from cnnviz.core.grid_text import format_grid, parse_grid, parse_number, resized


@pytest.mark.parametrize(
    "text", ["1\t2\n3\t4", "1 2\n3 4\n", "1,2\n3,4", "[[1, 2], [3, 4]]", "1; 2\n\n3; 4"]
)
def test_separators_and_brackets(text):
    np.testing.assert_array_equal(parse_grid(text), [[1, 2], [3, 4]])


def test_round_trip_keeps_exact_values():
    grid = np.array([[1 / 3, 2.0], [-0.5, 1e-7]])
    np.testing.assert_array_equal(parse_grid(format_grid(grid)), grid)


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "no numbers"),
        ("1 2\n3", "different lengths"),
        ("1 two", "“two” is not a number"),
        ("nan 1", "not a finite number"),
        ("1 " * 65, "the largest is 64×64"),
    ],
)
def test_bad_grids(text, message):
    with pytest.raises(ValueError, match=message):
        parse_grid(text)


def test_cell_numbers_accept_unicode_minus_and_decimal_comma():
    assert parse_number("−2") == -2 and parse_number("1,5") == 1.5
    with pytest.raises(ValueError, match="cannot be empty"):
        parse_number("  ")


def test_resized_keeps_the_top_left_corner():
    np.testing.assert_array_equal(resized(np.array([[1.0, 2], [3, 4]]), 3, 1), [[1], [3], [0]])
