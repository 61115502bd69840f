"""Quiz stops in decks: read, written, refused when malformed, and walked (ask, reveal, on)."""

import json

import pytest

from cnnviz.core.deck import Deck, Stop, lecture_deck, read_file, save_deck
from cnnviz.core.lesson import Lesson, LessonError
from cnnviz.core.quiz_stop import QuizStop, QuizWalk, answer_text, quiz_from_data


def deck_file(tmp_path, stops):
    data = {"format": "cnnviz", "kind": "deck", "version": 1, "title": "t", "stops": stops}
    path = tmp_path / "d.cnnviz"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_quiz_stop_round_trips_through_a_deck_file(tmp_path):
    quiz = QuizStop("What size is the output?", "2 × 2", "(3 − 2) / 1 + 1 = 2", seconds=20)
    deck = Deck("Mine", [Stop("Quiz", Lesson("Pooling"), quiz), Stop("then", Lesson("Train"))])
    save_deck(tmp_path / "d.cnnviz", deck)
    again = read_file(tmp_path / "d.cnnviz")
    assert again == deck
    assert again.stops[0].quiz.seconds == 20 and again.stops[1].quiz is None


def test_a_quiz_stop_may_show_a_shipped_example_and_a_number_answer(tmp_path):
    stop = {"caption": "q", "example": "conv-1", "quiz": {"question": "fc?", "answer": 320}}
    deck = read_file(deck_file(tmp_path, [stop]))
    assert deck.stops[0].lesson.page == "Convolution"
    assert deck.stops[0].quiz == QuizStop("fc?", "320")


@pytest.mark.parametrize(
    "quiz, words",
    [
        ("What?", "stop 1 is damaged: its quiz must be a table with a question"),
        ({"answer": "2"}, "stop 1 is damaged: its quiz has no question"),
        ({"question": "  ", "answer": "2"}, "its quiz has no question"),
        ({"question": "What?"}, "stop 1 is damaged: its quiz question has no answer"),
        ({"question": "What?", "answer": ["2"]}, "its answer must be text"),
        ({"question": "What?", "answer": "2", "arithmetic": 7}, "its arithmetic must be text"),
        (
            {"question": "What?", "answer": "2", "seconds": -5},
            "its countdown must be a whole number from 0 to 3600, not -5",
        ),
        ({"question": "What?", "answer": "2", "seconds": "soon"}, "its countdown must be"),
        ({"question": "x" * 3000, "answer": "2"}, "its quiz is too long"),
    ],
)
def test_a_malformed_quiz_stop_is_refused_with_what_is_wrong(tmp_path, quiz, words):
    stops = [{"caption": "q", "page": "Pooling", "quiz": quiz}]
    with pytest.raises(LessonError, match=words):
        read_file(deck_file(tmp_path, stops))


def test_walking_a_quiz_stop_asks_then_reveals_then_moves_on():
    walk = QuizWalk(QuizStop("What?", "2", seconds=3))
    assert not walk.revealed and walk.counting and walk.clock_text() == "0:03"
    walk.tick()
    walk.tick()
    assert walk.clock_text() == "0:01"
    walk.tick()
    walk.tick()  # never below zero
    assert walk.seconds_left == 0 and not walk.counting and walk.clock_text() == "Time's up"
    assert walk.forward() is True and walk.revealed and walk.clock_text() == ""
    assert walk.forward() is False  # the deck moves on
    assert walk.back() is True and not walk.revealed  # asked again, its countdown anew
    assert walk.clock_text() == "0:03"
    assert walk.back() is False  # the deck goes back a stop


def test_a_stop_entered_backwards_is_revealed_and_without_countdown_shows_no_clock():
    walk = QuizWalk(QuizStop("What?", "2"), revealed=True)
    assert walk.revealed and walk.forward() is False
    assert QuizWalk(QuizStop("What?", "2")).clock_text() == ""


def test_answers_read_as_the_class_reads_them():
    assert answer_text((1, 2, 2)) == "1 × 2 × 2"
    assert answer_text(12443648) == "12,443,648"
    assert answer_text(0.5) == "0.5"
    assert quiz_from_data({"question": "q", "answer": 12443648}).answer == "12,443,648"


def test_the_lecture_deck_asks_the_lecture_s_four_questions_before_showing_them():
    deck = lecture_deck()
    asked = [(i, s) for i, s in enumerate(deck.stops) if s.quiz is not None]
    assert len(asked) >= 4
    answers = {s.quiz.answer.split()[0].rstrip(";") for _, s in asked}
    assert {"2", "6", "320", "120,422,400"} <= answers
    for index, stop in asked:  # each asks before the lesson stop that shows it
        shown = deck.stops[index + 1]
        assert shown.quiz is None and 0 < stop.quiz.seconds <= 120
    by_answer = {s.quiz.answer.split()[0].rstrip(";"): s for _, s in asked}
    assert by_answer["2"].lesson.state["inputs"] == [[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]
    assert by_answer["6"].lesson.state["kernel"] == [2, 2]
    assert by_answer["320"].lesson.state["model"] == "simple"
    assert "12,443,648" in by_answer["120,422,400"].quiz.answer


def test_a_generated_question_is_a_quiz_stop_with_its_own_prompt_answer_and_arithmetic(tmp_path):
    from cnnviz.core.quiz import generate

    question = generate("output_sizes", 4, 3)[2]
    stop = {"caption": "q", "page": "Convolution", "quiz": {"question": question.to_dict()}}
    deck = read_file(deck_file(tmp_path, [stop | {"quiz": stop["quiz"] | {"seconds": 15}}]))
    quiz = deck.stops[0].quiz
    assert quiz.question == question.prompt and quiz.answer == question.answer_text
    assert quiz.arithmetic == question.explanation and quiz.seconds == 15
    save_deck(tmp_path / "again.cnnviz", deck)
    assert read_file(tmp_path / "again.cnnviz") == deck
    broken = {"caption": "q", "page": "Convolution", "quiz": {"question": {"asks": "cell"}}}
    with pytest.raises(LessonError, match="stop 1 is damaged: its quiz question cannot be read"):
        read_file(deck_file(tmp_path, [broken]))


def test_the_lecture_decks_written_answers_are_what_pytorch_computes():
    """The four questions' answers are typed in the deck: each is checked against torch run on
    the stop's own lesson (or, for the 1×1 saving, the question's layers)."""
    import re

    import torch
    from torch import nn
    from torch.utils.flop_counter import FlopCounterMode

    from cnnviz.core.models import build

    def numbers(text):
        return [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", text)]

    asked = {s.lesson.page: s for s in lecture_deck().stops if s.quiz is not None}
    conv = asked["Convolution"].lesson.state
    x = torch.tensor(conv["inputs"], dtype=torch.float32)[None]
    w = torch.tensor(conv["kernels"], dtype=torch.float32)[None]
    out = torch.nn.functional.conv2d(x, w, stride=conv["stride"], padding=conv["padding"])
    assert numbers(asked["Convolution"].quiz.answer) == list(out.shape[2:])

    pool = asked["Pooling"].lesson.state
    x = torch.tensor(pool["inputs"], dtype=torch.float32)[None]
    out = torch.nn.functional.max_pool2d(x, pool["kernel"], pool["stride"])
    assert numbers(asked["Pooling"].quiz.answer) == out.flatten().int().tolist()

    model = build(asked["Architecture"].lesson.state["model"])
    seen = []
    model.fc.register_forward_hook(lambda m, inputs, out: seen.append(inputs[0].shape[1]))
    model(torch.zeros(1, 1, 28, 28))
    assert numbers(asked["Architecture"].quiz.answer) == seen == [320]

    def multiplications(*layers):
        with FlopCounterMode(display=False) as flops:
            nn.Sequential(*layers)(torch.zeros(1, 192, 28, 28, device="meta"))
        return flops.get_total_flops() // 2

    without = multiplications(nn.Conv2d(192, 32, 5, padding=2, bias=False, device="meta"))
    with_1x1 = multiplications(
        nn.Conv2d(192, 16, 1, bias=False, device="meta"),
        nn.Conv2d(16, 32, 5, padding=2, bias=False, device="meta"),
    )
    said = numbers(asked["Grouped convolution"].quiz.answer)
    assert said[:2] == [without, with_1x1]
    assert f"{without / with_1x1:.1f}×" in asked["Grouped convolution"].quiz.answer
