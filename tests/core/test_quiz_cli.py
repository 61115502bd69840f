"""``cnnviz quiz``: questions asked in the terminal, answers read from stdin, the score."""

from __future__ import annotations

import io
import sys

import pytest

from cnnviz.cli import main
from cnnviz.quiz import generate, topics


def quiz(monkeypatch, capsys, argv, answers: str):
    monkeypatch.setattr(sys, "stdin", io.StringIO(answers))
    code = main(["quiz", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_right_and_wrong_answers_are_marked_and_scored(monkeypatch, capsys):
    questions = generate("output_sizes", 5, 3)
    h, w = questions[0].answer
    answers = f"{h}x{w}\n{questions[1].answer[0] + 1} × 1\nsix\n"
    code, out, _ = quiz(monkeypatch, capsys, ["output_sizes", "-n", "3", "--seed", "5"], answers)
    assert code == 0
    for q in questions:
        assert q.prompt in out
    assert out.count("Right:") == 1 and out.count("Not quite:") == 1
    assert "I could not read 'six'" in out
    assert "Score: 1 of 3" in out
    assert "--seed 5" in out


def test_a_value_question_shows_its_grids_and_end_of_input_stops(monkeypatch, capsys):
    q = generate("convolution_cells", 2, 4)[0]
    code, out, _ = quiz(
        monkeypatch, capsys, ["convolution_cells", "-n", "4", "--seed", "2"], q.answer_text + "\n"
    )
    assert code == 0
    assert "Input:" in out and "Weight of filter 1:" in out  # filters count from 1
    assert "Right:" in out and "Score: 1 of 1 (3 not answered)" in out


def test_unknown_topic_lists_the_topics(monkeypatch, capsys):
    code, out, err = quiz(monkeypatch, capsys, ["sizes"], "")
    assert code == 2
    assert "unknown topic 'sizes'" in err
    for topic in topics():
        assert topic in err


def test_help_lists_the_topics(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["quiz", "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "--seed" in out
    for topic in topics():
        assert topic in out


def test_the_cnnviz_help_mentions_the_quiz(capsys):
    assert main(["--help"]) == 0
    assert "cnnviz quiz" in capsys.readouterr().out
