"""class_question: what a network will say about an image, checked by the quiz engine (a
class's name in any case, or its index), explained with the top probabilities."""

from __future__ import annotations

import json

import pytest

from cnnviz.quiz import AnswerError, Question, check, class_question, parse_answer

NAMES = ("cat", "Dog", "bird", "fish")
PROBS = [0.1, 0.62, 0.25, 0.03]


def test_the_answer_is_the_predicted_class_and_its_name_or_index_checks():
    q = class_question(PROBS, NAMES)
    assert q.asks == "class" and q.answer == q.answer_text == "Dog"
    assert q.settings["class_index"] == 1
    for typed in ("Dog", "dog", " DOG ", "1", 1):
        assert check(q, typed)[0], typed
    for typed in ("cat", "0", 2, "bird"):
        assert not check(q, typed)[0], typed


def test_the_explanation_gives_the_top_probabilities():
    q = class_question(PROBS, NAMES)
    assert q.explanation == "The network says Dog: 62.0% (next, bird: 25.0%; cat: 10.0%)."
    correct, why = check(q, "fish")
    assert not correct and "you answered fish" in why and "gives fish 3.0%" in why
    assert "The network says Dog: 62.0%" in why


def test_an_unknown_class_is_no_answer_and_says_what_is_expected():
    q = class_question(PROBS, NAMES)
    for typed in ("horse", "4", "-1", ""):
        with pytest.raises(AnswerError, match="name or its number"):
            parse_answer(q, typed)
        correct, why = check(q, typed)
        assert not correct and "The answer is Dog" in why


def test_digits_name_themselves_and_missing_names_are_indices():
    q = class_question([0.05] * 7 + [0.6, 0.05, 0.0], [str(d) for d in range(10)])
    assert q.answer == "7" and check(q, "7")[0] and not check(q, "1")[0]
    q = class_question([0.2, 0.3, 0.5], ["a"])  # the model has more classes than names
    assert q.answer == "2" and check(q, "2")[0] and check(q, 2)[0]
    assert "next, 1: 30.0%; a: 20.0%" in q.explanation


def test_a_class_question_round_trips_through_json():
    q = class_question(PROBS, NAMES)
    back = Question.from_dict(json.loads(json.dumps(q.to_dict())))
    assert back == q and check(back, "dog")[0]


def test_no_probabilities_no_question():
    with pytest.raises(ValueError):
        class_question([], NAMES)
    with pytest.raises(ValueError):
        class_question([0.5, float("nan")], NAMES)
