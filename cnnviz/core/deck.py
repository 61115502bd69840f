"""Lecture decks: an ordered list of lesson stops, each with a caption, in one ``.cnnviz`` file
(``"kind": "deck"``), and the deck cnnviz ships for the lecture."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
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

MAX_CAPTION = 200


@dataclass
class Stop:
    """One stop of a deck: a caption (a few words, as on a slide) and the lesson it opens."""

    caption: str
    lesson: Lesson


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
        deck.stops.append(Stop(caption, lesson_from_data(stop, where)))
    return deck


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


def architecture(model: str, shape="dataset") -> Lesson:
    """A lesson stop on the Architecture page showing ``model`` on an input ``shape``
    ("dataset": the chosen dataset's, or [C, H, W])."""
    return Lesson("Architecture", {"model": model, "input": shape}, title=model)


def lecture_deck() -> Deck:
    """The seed lecture (Sung Kim's lecture 10, CNN) as a deck, in its order."""
    from cnnviz.core.examples import examples

    ex = examples()
    stops = [
        ("A convolution on the 3×3 image: a 2×2 filter, stride 1", ex["conv-1"]),
        ("Padding: the output keeps the input's size", ex["conv-2"]),
        ("Stride 2: the window jumps two cells", ex["conv-5"]),
        ("Max pooling: the largest number of each 2×2 slice", ex["pool-1"]),
        ("The simple net: 20 × 4 × 4 = 320 numbers into the fc layer", architecture("simple")),
        ("The mismatch: fc expects a size the convolutions do not make",
         architecture("simple_broken")),
        ("1×1 convolutions: the same output for a fraction of the multiplications",
         architecture("inception")),
        ("Inception: four branches side by side, concatenated", architecture("inception")),
        ("Exercise: a deeper network", architecture("deeper")),
        ("Exercise: ResNet — blocks that add their input back", architecture("resnet")),
        ("Exercise: the same depth without the shortcuts (plain)", architecture("plain")),
        ("Exercise: DenseNet — every layer sees all before it", architecture("densenet")),
    ]  # fmt: skip
    return Deck("Lecture 10: CNN", [Stop(caption, lesson) for caption, lesson in stops])
