"""PredictController: what a page asks, once per moment, and what it holds back — and the
short prompts the pages show (no display needed)."""

import pytest

from cnnviz.core.quiz import (
    cell_question,
    check,
    gradient_cell_question,
    output_shape_question,
    parameters_question,
    receptive_field_question,
)
from cnnviz.gui.pages.predict_controller import PredictController, short_prompt


class FakeQuestion:
    prompt, explanation, answer_text = "How many?", "Because.", "3"

    def __init__(self, answer=3):
        self.answer = answer


def test_the_controller_asks_once_per_moment_and_releases():
    controller = PredictController(lambda q, a: (str(a) == str(q.answer), "why"))
    assert not controller.ask("size", [FakeQuestion()])  # off: nothing is held
    controller.set_on(True)
    assert controller.ask(("size", 1), [FakeQuestion(), FakeQuestion(4)])
    assert controller.holds("size") and controller.held
    assert controller.answer("3").correct and controller.held  # the second question waits
    assert not controller.answer("5").correct and not controller.held
    assert controller.score == [1, 2]
    assert not controller.ask(("size", 1), [FakeQuestion()])  # answered already
    assert controller.ask(("step", 0), [FakeQuestion()])
    assert controller.show_me().correct is None and not controller.held
    assert controller.ask(("step", 1), [FakeQuestion()])
    controller.set_on(False)
    assert not controller.held and controller.verdict is None


def test_the_engine_checks_and_a_skipped_question_shows_its_answer():
    controller = PredictController()  # the quiz engine's check
    controller.set_on(True)
    question = output_shape_question(
        "Conv2d", {"in_channels": 1, "out_channels": 1, "kernel_size": 3, "padding": 1}, [1, 5, 5]
    )
    assert controller.ask(("size", 0), [question])
    verdict = controller.answer("3 x 3")
    assert verdict.correct is False and verdict.explanation == check(question, "3 x 3")[1]
    assert "padding forgotten" in verdict.explanation
    assert controller.ask(("size", 1), [question])
    shown = controller.show_me()
    assert shown.correct is None and shown.explanation.startswith("5 × 5")


def test_a_moment_dropped_is_asked_again_and_forget_asks_afresh():
    controller = PredictController(lambda q, a: (True, ""))
    controller.set_on(True)
    assert controller.ask("a", [FakeQuestion()])
    controller.queue = []  # dropped unanswered (the Architecture page's other layer)
    assert controller.ask("a", [FakeQuestion()])
    controller.release()
    assert not controller.ask("a", [FakeQuestion()])
    controller.forget()
    assert controller.ask("a", [FakeQuestion()])


@pytest.mark.parametrize(
    "question, words",
    [
        (output_shape_question("MaxPool2d", {"kernel_size": 2}, [1, 4, 4]), "height × width"),
        (
            output_shape_question(
                "Conv2d", {"in_channels": 1, "out_channels": 2, "kernel_size": 3}, [1, 5, 5], True
            ),
            "channels × height × width",
        ),
        (
            cell_question("MaxPool2d", {"kernel_size": 2}, [[[1, 2], [3, 4]]], (0, 0)),
            "highlighted output cell",
        ),
        (
            gradient_cell_question(
                {"in_channels": 1, "out_channels": 1, "kernel_size": 2},
                [[[1, 2], [3, 4]]],
                [[[[1, 1], [1, 1]]]],
                [[[1]]],
                "grad_input",
                (0, 1),
            ),
            "∂L/∂X",
        ),
        (parameters_question("Linear", {"in_features": 3, "out_features": 2}), "parameters"),
        (
            receptive_field_question(
                [
                    {
                        "layer": "Conv2d",
                        "kwargs": {"in_channels": 1, "out_channels": 1, "kernel_size": 3},
                    }
                ],
                [1, 6, 6],
                (1, 1),
            ),
            "input pixels",
        ),
    ],
)
def test_short_prompts_say_what_is_asked(question, words):
    assert words in short_prompt(question) and len(short_prompt(question)) < 70
