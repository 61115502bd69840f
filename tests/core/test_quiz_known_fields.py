"""known_field_question: a receptive-field question whose answer a page has traced already
(its box or its size), checked and explained like the quiz engine's own."""

import pytest

from cnnviz.core.quiz import Question, check, known_field_question


def test_a_traced_box_is_asked_and_checked_counting_from_1():
    # a 3×3 field starting one pixel into the padding: unit (0, 5) sees rows 0–1, columns 4–6
    q = known_field_question(
        "conv1", (1, 28, 28), (0, 4, 1, 6), cell=(0, 5), size=(3, 3), jump=(1, 1), start=(-1, -1)
    )
    assert q.asks == "receptive_field" and q.cell == (0, 5)
    assert "Of conv1, which input pixels does unit row 1, column 6 see?" in q.prompt
    assert check(q, "1, 5 to 2, 7")[0]
    assert check(q, "rows 1 to 2, columns 5 to 7")[0]
    right, words = check(q, (0, 4, 1, 6))
    assert right and "rows 1–2, columns 5–7" in words
    wrong, words = check(q, "0, 5 to 2, 7")  # the layer's field, past the border
    assert not wrong and "past the input's border" in words
    wrong, words = check(q, "0, 4 to 1, 6")  # counted from 0
    assert not wrong and "counted from 0" in words
    assert Question.from_dict(q.to_dict()) == q


def test_a_traced_size_is_asked_for_a_layer():
    q = known_field_question("incept1.branch5x5_2", (1, 28, 28), (7, 7), jump=(1, 1))
    assert q.asks == "receptive_field" and q.cell is None
    assert "receptive field of one unit of incept1.branch5x5_2" in q.prompt
    assert check(q, "7 x 7")[0] and not check(q, "5 x 5")[0]
    assert "7 × 7 input pixels" in q.explanation


@pytest.mark.parametrize("answer, cell", [((7, 7, 7), None), ((1, 2), (0, 0))])
def test_a_malformed_field_is_refused(answer, cell):
    with pytest.raises(ValueError):
        known_field_question("conv1", (1, 28, 28), answer, cell=cell)
