"""The quiz counts rows and columns from 1 in every text a student reads and in a typed answer,
as the pages do, while ``Question.cell`` and ``.answer`` stay PyTorch's indices (from 0); and
a typed minus is a sign, never a separator."""

from __future__ import annotations

import numpy as np
import pytest

from cnnviz.quiz import (
    GRAD_INPUT,
    GRAD_WEIGHT,
    AnswerError,
    cell_question,
    check,
    details,
    generate,
    gradient_cell_question,
    output_shape_question,
    parse_answer,
    receptive_field_question,
    route_question,
    topics,
    winner_question,
)

CONV = {"in_channels": 1, "out_channels": 2, "kernel_size": 2, "bias": False}


def test_a_cells_prompt_and_explanation_count_from_one_and_its_cell_from_zero():
    x = np.arange(9.0).reshape(1, 3, 3)
    w = np.ones((2, 1, 2, 2))
    q = cell_question("Conv2d", CONV, x, (0, 1), w, None, channel=1)
    assert q.cell == (0, 1)
    assert "row 1, column 2 of output channel 2" in q.prompt
    assert q.explanation.startswith("Output row 1, column 2 of output channel 2 is")
    assert "row 0" not in q.prompt + q.explanation
    assert "Weight of filter 2:" in details(q) and "Weight of filter 0" not in details(q)


def test_a_winner_counts_from_one_in_its_texts_and_its_typed_answers():
    x = [[[0.0, 1.0, 2.0, 3.0], [4.0, 9.0, 5.0, 6.0], [0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 8.0]]]
    q = winner_question({"kernel_size": 2, "stride": 2}, x, (0, 0))
    assert q.cell == (0, 0) and q.answer == (1, 1)  # PyTorch's indices
    assert "output row 1, column 1" in q.prompt
    assert q.answer_text == "row 2, column 2"
    assert "starts at input row (1 − 1) × 2 − 0 + 1 = 1" in q.explanation
    assert "found at row 2, column 2" in q.explanation
    for typed in ("2, 2", "row 2, column 2", "(2,2)", "column 2, row 2"):
        assert check(q, typed)[0], typed
    assert check(q, (1, 1))[0]  # ints, as the API gives them: from 0, like .answer
    correct, why = check(q, "1, 1")  # the answer counted from 0
    assert not correct and "counted from 0" in why and "row 1, column 1" in why
    q = winner_question({"kernel_size": 2, "stride": 2}, x, (1, 1))
    assert q.answer == (3, 3) and "output row 2, column 2" in q.prompt
    assert "(2 − 1) × 2 − 0 + 1 = 3" in q.explanation and check(q, "4, 4")[0]


def test_a_fields_box_counts_from_one():
    layers = [("Conv2d", {"in_channels": 1, "out_channels": 1, "kernel_size": 3, "stride": 2})]
    q = receptive_field_question(layers, [1, 9, 9], (1, 2))
    assert q.cell == (1, 2) and q.answer == (2, 4, 4, 6)
    assert "output unit row 2, column 3 see" in q.prompt
    assert q.answer_text == "rows 3–5, columns 5–7"
    assert "rows 2 → 3–5; columns 3 → 5–7" in q.explanation
    for typed in ("rows 3 to 5, columns 5 to 7", "rows 3–5, cols 5–7", "3,5 to 5,7", "3 5 5 7"):
        assert check(q, typed)[0], typed
    assert check(q, "columns 5 to 7, rows 3 to 5")[0]
    assert not check(q, "2, 4, 4, 6")[0] and "counted from 0" in check(q, "2 4 4 6")[1]
    assert "field's size" in check(q, "3x3")[1]  # its size, typed, is not shifted


def test_gradient_and_route_texts_count_from_one():
    x = np.arange(16.0).reshape(1, 4, 4)
    w = np.ones((1, 1, 2, 2))
    g = np.ones((1, 3, 3))
    kwargs = {"in_channels": 1, "out_channels": 1, "kernel_size": 2, "bias": False}
    q = gradient_cell_question(kwargs, x, w, g, GRAD_WEIGHT, (0, 1))
    assert q.cell == (0, 1) and "∂L/∂W at row 1, column 2 of filter 1, input channel 1" in q.prompt
    q = gradient_cell_question(kwargs, x, w, g, GRAD_INPUT, (3, 0))
    assert "∂L/∂X at row 4, column 1 of input channel 1" in q.prompt
    x = [[[1.0, 2.0, 0.0], [0.0, 1.0, 9.0], [0.0, 0.0, 0.0]]]
    q = route_question({"kernel_size": 2, "stride": 1}, x, [[[1.0, 2.0], [3.0, 4.0]]], (1, 2))
    assert "∂L/∂X at input row 2, column 3" in q.prompt
    assert "∂L/∂Y row 1, column 2 sends 2" in q.explanation
    assert "∂L/∂Y row 2, column 2 sends 4" in q.explanation


@pytest.mark.parametrize("topic", topics())
def test_every_generated_text_counts_from_one_and_its_answer_text_checks(topic):
    for seed in range(20):
        for q in generate(topic, seed, 10):
            assert check(q, q.answer_text)[0], (q.prompt, q.answer_text)
            if q.cell is not None:  # an output, input, kernel or field cell: named from 1
                row, col = q.cell
                assert f"row {row + 1}, column {col + 1}" in q.prompt, q.prompt


# -- a minus is a sign ------------------------------------------------------------------------
def size_question():
    return output_shape_question("Conv2d", {**CONV, "kernel_size": 3}, [1, 5, 5])


@pytest.mark.parametrize(
    "typed, numbers",
    [
        ("-1, 0", (-1, 0)),
        ("−1, 0", (-1, 0)),  # U+2212
        ("(-1,2)", (-1, 2)),
        ("6 x -6", (6, -6)),
        ("3x−3", (3, -3)),
        ("-3 -3", (-3, -3)),
        ("3 to 3", (3, 3)),
        ("3–3", (3, 3)),  # an en dash: a range
        ("3-3", (3, 3)),  # a hyphen touching two numbers: a range, as students type it
        ("3 - 3", (3, 3)),
    ],
)
def test_a_minus_before_a_digit_is_a_sign(typed, numbers):
    assert parse_answer(size_question(), typed) == numbers


@pytest.mark.parametrize("typed", ["3 −", "- 3, 3", "3--3", "3 x 3-", "3 -"])
def test_a_minus_that_is_no_sign_is_not_read_as_a_separator(typed):
    with pytest.raises(AnswerError, match="height × width"):
        parse_answer(size_question(), typed)


def test_a_negative_answer_is_wrong_not_read_as_its_positive():
    q = size_question()
    assert q.answer == (3, 3) and check(q, "3, 3")[0]
    correct, why = check(q, "-3, 3")
    assert not correct and "you answered -3 × 3" in why
    x = np.arange(16.0).reshape(1, 4, 4)
    q = winner_question({"kernel_size": 2}, x, (0, 0))
    assert q.answer == (1, 1) and check(q, "2, 2")[0]
    assert not check(q, "-2, 2")[0] and not check(q, "2, −2")[0]
