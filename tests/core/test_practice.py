"""Practice (Qt-free): answering, the score, the seconds each answer took, the CSV of the
results, and "Show me": each question's lesson at exactly its settings."""

import csv

import numpy as np
import pytest

from cnnviz.core.lesson_presets import conv_preset_from_state, pool_preset_from_state
from cnnviz.core.ops.conv import ConvPlan
from cnnviz.core.ops.pool import PoolPlan
from cnnviz.core.practice import CSV_HEADER, Practice
from cnnviz.core.practice_lessons import lesson_for
from cnnviz.core.quiz import cell_question, output_shape_question, winner_question

X = np.array([[[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]], float)


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def questions():
    conv = {"in_channels": 1, "out_channels": 1, "kernel_size": 2}
    return [
        output_shape_question("Conv2d", conv, [1, 3, 3]),
        cell_question("MaxPool2d", {"kernel_size": 2}, X, (0, 1)),
        output_shape_question("MaxPool2d", {"kernel_size": 2, "stride": 1}, [1, 5, 5]),
    ]


def test_answers_are_checked_timed_and_scored():
    clock = Clock()
    practice = Practice(questions(), "sizes", 7, clock)
    assert (
        practice.progress_text() == "Question 1 of 3" and practice.current().asks == "output_shape"
    )
    clock.now += 12.5
    right = practice.answer(" 2 × 2 ")
    assert right.correct and right.seconds == 12.5 and right.given == "2 × 2"
    assert "Right" in right.explanation
    assert practice.readable("eight") != ""  # not counted: typed again
    assert practice.index == 1
    clock.now += 40  # reading the explanation: not counted
    practice.shown()
    clock.now += 3
    wrong = practice.answer("7")
    assert not wrong.correct and wrong.seconds == 3 and "8" in wrong.explanation
    assert practice.score_text() == "1 of 2 right" and practice.wrong() == [wrong]
    practice.answer("4 × 4")
    assert practice.finished and practice.current() is None
    assert practice.progress_text() == "Done: 2 of 3 right"
    with pytest.raises(ValueError, match="every question has been answered"):
        practice.answer("1")


def test_the_results_are_saved_as_csv_atomically(tmp_path):
    clock = Clock()
    practice = Practice(questions(), "sizes", 7, clock)
    clock.now += 4
    practice.answer("3 × 3")
    clock.now += 61.3
    practice.answer("8")
    path = tmp_path / practice.file_name()
    assert path.name == "practice-sizes-seed-7.csv"
    practice.save_csv(path)
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    assert tuple(rows[0]) == CSV_HEADER
    assert rows[1] == [questions()[0].prompt, "3 × 3", "2 × 2", "no", "4.0"]
    assert rows[2][1:] == ["8", "8", "yes", "61.3"]
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left
    with pytest.raises(OSError):  # no such folder: said, and nothing written
        practice.save_csv(tmp_path / "gone" / "r.csv")


def test_show_me_opens_a_convolution_at_the_question_s_settings_and_cell():
    weight = np.array([[[[1, 0], [0, -1]]], [[[2, 1], [1, 0]]]], float)
    kwargs = {"in_channels": 1, "out_channels": 2, "kernel_size": 2, "stride": 2, "padding": 1}
    question = cell_question("Conv2d", kwargs, X, (1, 2), weight, [0.5, -1.0], channel=1)
    lesson = lesson_for(question)
    assert lesson.page == "Convolution"
    preset, step = conv_preset_from_state(lesson.state)
    assert preset.stride == (2, 2) and preset.padding == (1, 1) and preset.bias == -1.0
    plan = ConvPlan(*preset.arrays(), preset.bias, preset.stride, preset.padding)
    assert (plan[step].row, plan[step].col) == (1, 2)
    assert plan[step].value == pytest.approx(question.answer)


def test_show_me_opens_pooling_at_the_window_asked_and_a_size_at_its_last_step():
    question = winner_question({"kernel_size": 2}, X, (1, 1))
    lesson = lesson_for(question)
    preset, step = pool_preset_from_state(lesson.state)
    assert lesson.page == "Pooling" and preset.stride == (2, 2)
    assert PoolPlan(preset.array(), "max", 2)[step].value == 4
    sized = output_shape_question("AvgPool2d", {"kernel_size": 3, "stride": 2}, [2, 9, 9])
    preset, step = pool_preset_from_state(lesson_for(sized).state)
    plan = PoolPlan(preset.array(), "avg", 3, 2)
    assert preset.kind == "avg" and np.shape(preset.input) == (2, 9, 9)
    assert step == len(plan) - 1 and plan.output.shape[1:] == sized.answer


def test_show_me_finds_the_page_that_fits_or_says_why_none_does():
    transposed = output_shape_question(
        "ConvTranspose2d",
        {"in_channels": 1, "out_channels": 1, "kernel_size": 3, "stride": 2},
        [1, 3, 3],
    )
    assert lesson_for(transposed).page == "Transposed convolution"
    grouped = output_shape_question(
        "Conv2d", {"in_channels": 4, "out_channels": 2, "kernel_size": 3, "groups": 2}, [4, 6, 6]
    )
    assert lesson_for(grouped).page == "Grouped convolution"
    assert lesson_for(grouped).state["groups"] == 2
    wide = output_shape_question(
        "Conv2d", {"in_channels": 64, "out_channels": 64, "kernel_size": 3, "groups": 4}, [64, 8, 8]
    )
    assert "cannot show this layer" in lesson_for(wide)


def test_practice_starts_from_a_topic_and_seed_and_every_lesson_shown_is_the_question_s():
    from cnnviz.core.lesson_presets import backward_preset_from_state
    from cnnviz.core.ops.backward import ConvBackwardPlan
    from cnnviz.core.quiz import topics

    practice = Practice.start("pooling", 3)
    again = Practice.start("pooling", 3)
    assert len(practice.questions) == 10 and practice.questions == again.questions
    assert practice.file_name() == "practice-pooling-seed-3.csv"
    pages = set()
    for topic in topics():
        for seed in range(4):
            for question in Practice.start(topic, seed).questions:
                lesson = lesson_for(question)
                if isinstance(lesson, str):  # said, never a wrong page
                    assert question.settings["layer"] in ("Sequential", "Linear", "Conv2d") or (
                        "cannot show" in lesson
                    )
                    continue
                pages.add(lesson.page)
                if question.asks != "cell":
                    continue
                state = lesson.state
                if lesson.page == "Convolution":
                    preset, step = conv_preset_from_state(state)
                    plan = ConvPlan(
                        *preset.arrays(),
                        preset.bias,
                        preset.stride,
                        preset.padding,
                        preset.dilation,
                        preset.padding_mode,
                    )
                elif lesson.page == "Backward" and state["kind"] == "conv":
                    preset, step = backward_preset_from_state(state)
                    plan = ConvBackwardPlan(
                        [preset.input],
                        [[preset.kernel_array()]],
                        [preset.grad_out],
                        preset.stride,
                        preset.padding,
                    )
                else:
                    continue
                assert plan[step].value == pytest.approx(question.answer, abs=1e-9)
    assert pages == {
        "Convolution",
        "Pooling",
        "Grouped convolution",
        "Transposed convolution",
        "Backward",
    }
