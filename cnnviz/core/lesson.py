"""Lesson files: a page and its whole state as a small ``.cnnviz`` JSON file.

A lesson is ``{"format": "cnnviz", "kind": "lesson", "version": 1, "page": ..., "presenter":
..., "title": ..., "state": {...}}`` (and a shipped example's ``"description"``); ``state`` is
what the page itself saves (its grids, every parameter, the current step). Reading refuses,
with a sentence a lecturer can act on, anything that is not such a file: damaged JSON, another
program's JSON, a newer version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from cnnviz.core.files import write_text_atomically

FORMAT = "cnnviz"
VERSION = 1
SUFFIX = ".cnnviz"
MIME_TYPE = "application/x-cnnviz"
MAX_BYTES = 2_000_000  # a lesson is a few kilobytes; anything this large is not one


class LessonError(ValueError):
    """A file that cannot be opened as a lesson; the message says why."""


@dataclass
class Lesson:
    """A page title, the page's own state (plain JSON data), the presenter mode, a title and
    (shipped examples) a sentence saying what it shows."""

    page: str
    state: dict = field(default_factory=dict)
    presenter: bool = False
    title: str = ""
    description: str = ""

    def to_json(self) -> str:
        data = {
            "format": FORMAT,
            "kind": "lesson",
            "version": VERSION,
            "page": self.page,
            "title": self.title,
            "presenter": self.presenter,
            "state": self.state,
        }
        if self.description:
            data["description"] = self.description
        return json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False) + "\n"


def parse_file(text: str, name: str = "This file") -> dict:
    """The JSON of a cnnviz file (lesson or deck) whose format and version this cnnviz reads;
    :class:`LessonError` otherwise."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise LessonError(f"{name} is damaged: it is not valid JSON ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise LessonError(f"{name} is not a cnnviz lesson file")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise LessonError(f"{name} is damaged: its format version is missing or not a number")
    if version > VERSION:
        raise LessonError(
            f"{name} was written by a newer cnnviz (lesson format {version}; this version "
            f"reads format {VERSION}). Update cnnviz to open it"
        )
    return data


def lesson_from_data(data: dict, name: str = "This file") -> Lesson:
    """A lesson from its JSON object (``page``, ``state``, ``presenter``, ``title``)."""
    if not isinstance(data, dict):
        raise LessonError(f"{name} is damaged: a lesson in it is not a table")
    page, state = data.get("page"), data.get("state", {})
    if not isinstance(page, str) or not isinstance(state, dict):
        raise LessonError(f"{name} is damaged: it names no page or its state is not a table")
    presenter = data.get("presenter", False)
    title, description = data.get("title", ""), data.get("description", "")
    return Lesson(
        page,
        state,
        presenter is True,
        title if isinstance(title, str) else "",
        description if isinstance(description, str) else "",
    )


def lesson_from_json(text: str, name: str = "This file") -> Lesson:
    """Parse a lesson; :class:`LessonError` for anything else."""
    data = parse_file(text, name)
    if data.get("kind", "lesson") != "lesson":
        raise LessonError(f"{name} is a cnnviz {data.get('kind')!s}, not a lesson")
    return lesson_from_data(data, name)


def read_text(path) -> str:
    """A cnnviz file's text (:class:`LessonError` when it cannot be read or is no text)."""
    path = Path(path)
    name = path.name
    try:
        if path.stat().st_size > MAX_BYTES:
            raise LessonError(f"{name} is too large to be a cnnviz lesson")
        raw = path.read_bytes()
    except OSError as exc:
        raise LessonError(f"Cannot read {name}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise LessonError(f"{name} is not a cnnviz lesson file (it is not text)") from None
    return text


def load_lesson(path) -> Lesson:
    """Read a lesson file (:class:`LessonError` when it cannot be one)."""
    return lesson_from_json(read_text(path), Path(path).name)


def save_lesson(path, lesson: Lesson) -> None:
    """Write a lesson atomically (a temporary file beside it, then one replace)."""
    write_text_atomically(path, lesson.to_json())
