"""Lecture decks: an ordered list of lesson stops, each with a caption, in one ``.cnnviz`` file
(``"kind": "deck"``), and the deck cnnviz ships for the lecture (a deck file too).

A stop is a lesson (``page``, ``title``, ``state``...) or names a shipped example by its id
(``{"caption": ..., "example": "conv-1"}``), so the shipped deck holds no copy of an example.
A stop with a ``"quiz"`` table asks a question over its page first
(:mod:`cnnviz.core.quiz_stop`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from cnnviz.core.files import write_text_atomically
from cnnviz.core.lesson import (
    FORMAT,
    VERSION,
    Lesson,
    LessonError,
    lesson_from_data,
    parse_file,
    read_text,
)
from cnnviz.core.quiz_stop import QuizStop, quiz_from_data

MAX_CAPTION = 200
LECTURE_DECK = resources.files("cnnviz.resources") / "decks" / "lecture-10.cnnviz"


@dataclass
class Stop:
    """One stop of a deck: a caption (a few words, as on a slide), the lesson it opens and,
    for a quiz stop, the question it asks over that lesson's page."""

    caption: str
    lesson: Lesson
    quiz: QuizStop | None = None


@dataclass
class Deck:
    """A title and its stops, in order."""

    title: str
    stops: list[Stop] = field(default_factory=list)

    def to_json(self) -> str:
        stops = [
            {
                "caption": stop.caption,
                "page": stop.lesson.page,
                "title": stop.lesson.title,
                "presenter": stop.lesson.presenter,
                "state": stop.lesson.state,
            }
            | ({"description": stop.lesson.description} if stop.lesson.description else {})
            | ({"quiz": stop.quiz.to_data()} if stop.quiz is not None else {})
            for stop in self.stops
        ]
        data = {"format": FORMAT, "kind": "deck", "version": VERSION, "title": self.title}
        data["stops"] = stops
        return json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False) + "\n"


def deck_from_data(data: dict, name: str = "This file") -> Deck:
    """A deck from a parsed cnnviz file (:class:`LessonError` when it is not a valid one)."""
    if data.get("kind") != "deck":
        raise LessonError(f"{name} is a cnnviz {data.get('kind', 'lesson')}, not a deck")
    title, stops = data.get("title", ""), data.get("stops")
    if not isinstance(stops, list) or not isinstance(title, str):
        raise LessonError(f"{name} is damaged: its stops are not a list")
    deck = Deck(title)
    for number, stop in enumerate(stops, start=1):
        where = f"{name}, stop {number}"
        caption = stop.get("caption") if isinstance(stop, dict) else None
        if not isinstance(caption, str) or len(caption) > MAX_CAPTION:
            raise LessonError(f"{where} is damaged: its caption is missing or too long")
        quiz = quiz_from_data(stop["quiz"], where) if "quiz" in stop else None
        deck.stops.append(Stop(caption, _stop_lesson(stop, where), quiz))
    return deck


def _stop_lesson(stop: dict, where: str) -> Lesson:
    """A stop's lesson: its own, or the shipped example it names."""
    if "example" not in stop:
        return lesson_from_data(stop, where)
    from cnnviz.core.examples import example_problems, examples

    key = stop["example"]
    found = examples()
    if isinstance(key, str) and key in found:
        return found[key]
    problem = example_problems().get(key) if isinstance(key, str) else None
    if problem:
        raise LessonError(f"{where} cannot be opened: {problem}")
    raise LessonError(f"{where} names the example {key!r}, which this cnnviz does not ship")


def read_file(path) -> Lesson | Deck:
    """A cnnviz file, lesson or deck (:class:`LessonError` when it is neither)."""
    name = Path(path).name
    data = parse_file(read_text(path), name)
    if data.get("kind") == "deck":
        return deck_from_data(data, name)
    if data.get("kind", "lesson") != "lesson":
        raise LessonError(f"{name} is a cnnviz {data.get('kind')!s}, which this cnnviz cannot open")
    return lesson_from_data(data, name)


def save_deck(path, deck: Deck) -> None:
    """Write a deck atomically."""
    write_text_atomically(path, deck.to_json())


def lecture_deck() -> Deck:
    """The seed lecture (Sung Kim's lecture 10, CNN) as a deck, in its order: the deck file
    cnnviz ships (:class:`LessonError` saying so when it is missing or damaged)."""
    name = LECTURE_DECK.name
    try:
        text = LECTURE_DECK.read_text(encoding="utf-8")
        return deck_from_data(parse_file(text, name), name)
    except (OSError, UnicodeDecodeError, LessonError) as exc:
        raise LessonError(
            f"The shipped lecture deck cannot be opened: {exc}. Reinstall cnnviz to restore it"
        ) from None
