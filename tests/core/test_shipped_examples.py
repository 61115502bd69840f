"""The shipped examples are lesson files: every one parses into its page's preset, the ids
are stable, the transposed / grouped / backward states refuse malformed values, and a missing
or damaged shipped file is reported in a sentence instead of breaking everything else."""

import json
import sys
from pathlib import Path

import pytest

from cnnviz.core import examples as shipped
from cnnviz.core.deck import deck_from_data, lecture_deck
from cnnviz.core.examples import (
    EXAMPLE_SOURCES,
    example_presets,
    example_problems,
    examples,
    forget_examples,
)
from cnnviz.core.lesson import LessonError, load_lesson
from cnnviz.core.lesson_presets import (
    backward_preset_from_state,
    backward_state,
    grouped_preset_from_state,
    grouped_state,
    transposed_preset_from_state,
    transposed_state,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser from PyPI (the test extra installs it there)
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "cnnviz" / "resources" / "lessons"
STATE_OF = {
    "tconv": transposed_state,
    "group": grouped_state,
    "back": backward_state,
}


@pytest.fixture
def folder(monkeypatch, tmp_path):
    """A copy of the shipped lessons folder that a test may damage."""
    for path in FOLDER.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    monkeypatch.setattr(shipped, "FOLDER", tmp_path)
    forget_examples()
    yield tmp_path
    monkeypatch.undo()
    forget_examples()


def test_the_ids_are_stable():
    counts = {"conv": 8, "pool": 6, "tconv": 4, "group": 4, "back": 4}
    expected = [f"{prefix}-{n}" for prefix, count in counts.items() for n in range(1, count + 1)]
    assert list(examples()) == expected
    assert [prefix for prefix, _, _ in EXAMPLE_SOURCES] == list(counts)
    assert example_problems() == {}
    title = "Transposed convolution: Checkerboard overlap (kernel 3, stride 2)"
    assert examples()["tconv-2"].title == title
    assert examples()["back-3"].page == "Backward"


@pytest.mark.parametrize("path", sorted(FOLDER.iterdir()), ids=lambda p: p.stem)
def test_every_shipped_file_is_a_lesson_of_its_page(path):
    lesson = load_lesson(path)
    prefix = path.stem.split("-")[0]
    _, page, preset_of_state = next(s for s in EXAMPLE_SOURCES if s[0] == prefix)
    assert lesson.page == page and lesson.title and lesson.description
    preset, step = preset_of_state(lesson.state)
    assert (preset.name, step) == (lesson.title, 0)
    if prefix in STATE_OF:  # the state written back is the file's, value for value
        assert json.loads(json.dumps(STATE_OF[prefix](preset, step))) == lesson.state
    presets = example_presets(prefix)
    index = int(path.stem.split("-")[1]) - 1
    assert presets[index].name == preset.name
    assert presets[index].description == lesson.description


def test_the_bottleneck_example_quotes_the_cost_arithmetic():
    from cnnviz.core.inspect.cost import one_by_one_saving

    note = examples()["group-4"].description
    assert all(line in note for line in one_by_one_saving().lines())


def test_the_package_ships_the_lesson_and_deck_files():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = data["tool"]["setuptools"]["package-data"]["cnnviz.resources"]
    assert {"lessons/*.cnnviz", "decks/*.cnnviz"} <= set(patterns)


def test_the_lecture_deck_is_a_file_whose_examples_are_the_shipped_ones():
    text = (ROOT / "cnnviz" / "resources" / "decks" / "lecture-10.cnnviz").read_text()
    stops = json.loads(text)["stops"]
    named = [s["example"] for s in stops if "example" in s and "quiz" not in s]
    assert named == ["conv-1", "conv-2", "conv-5", "pool-1"]
    deck = lecture_deck()
    lessons = [stop for stop in deck.stops if stop.quiz is None]
    assert lessons[2].lesson == examples()["conv-5"]


def test_a_damaged_shipped_file_is_reported_and_the_rest_still_open(folder):
    (folder / "tconv-2.cnnviz").write_text("{ broken")
    (folder / "back-4.cnnviz").unlink()
    (folder / "group-1.cnnviz").write_text(
        (folder / "group-1.cnnviz").read_text().replace('"groups": 3', '"groups": 2')
    )
    problems = example_problems()
    assert list(problems) == ["tconv-2", "group-1"]
    assert "tconv-2 cannot be opened" in problems["tconv-2"] and "damaged" in problems["tconv-2"]
    assert "groups (2) must divide" in problems["group-1"]
    assert all(text.endswith("Reinstall cnnviz to restore it") for text in problems.values())
    assert [p.name for p in example_presets("tconv")] == [
        examples()[f"tconv-{n}"].title.split(": ", 1)[1] for n in (1, 3, 4)
    ]
    assert "back-4" not in examples() and "back-3" in examples()  # a missing last file: gone
    (folder / "conv-3.cnnviz").unlink()
    forget_examples()
    assert "conv-3.cnnviz is missing" in example_problems("conv")["conv-3"]


def test_a_deck_stop_naming_a_damaged_or_unknown_example_says_so(folder):
    (folder / "conv-1.cnnviz").write_text("[]")
    forget_examples()
    with pytest.raises(LessonError, match="lecture deck cannot be opened.*conv-1 cannot be opened"):
        lecture_deck()
    data = {"kind": "deck", "title": "t", "stops": [{"caption": "x", "example": "conv-99"}]}
    with pytest.raises(LessonError, match="stop 1 names the example 'conv-99'"):
        deck_from_data(data, "d.cnnviz")


def test_no_shipped_files_at_all_is_one_sentence_per_page(folder):
    for path in folder.iterdir():
        path.unlink()
    forget_examples()
    assert examples() == {}
    assert "The shipped Pooling examples are missing" in example_problems("pool")["pool-1"]


# -- malformed states of the transposed, grouped and backward pages ------------------------------
def good(prefix):
    return dict(examples()[f"{prefix}-1"].state)


@pytest.mark.parametrize(
    "change, words",
    [
        ({"inputs": [[[1, "x"]]]}, "not a number"),
        ({"inputs": [[[1]], [[2]]]}, "1 to 1 grids"),
        ({"kernel": [[1] * 8]}, "kernel must be grids of 1 to 7 columns"),
        ({"kernel": 3}, "kernel must be grids"),
        ({"output_padding": [1, 9]}, "output_padding must be a whole number from 0 to 6"),
        ({"bias": 1e6}, "bias must be from -999 to 999"),
        ({"bias": True}, "bias is not a number"),
        ({"view": "sideways"}, "scatter or convolution"),
        ({"step": 1.5}, "step"),
    ],
)
def test_malformed_transposed_states_are_refused(change, words):
    with pytest.raises(ValueError, match=words):
        transposed_preset_from_state({**good("tconv"), **change})


@pytest.mark.parametrize(
    "change, words",
    [
        ({"inputs": [[[1]]] * 5}, "1 to 4 grids"),
        ({"weights": []}, "1 to 4 filters"),
        ({"weights": [[[[1]]], [[[1, 2]]]]}, "every filter must have the same shape"),
        ({"weights": [[[[1] * 6]]]}, "1 to 5 columns"),
        ({"groups": 0}, "groups must be a whole number from 1 to 4"),
        ({"groups": 2}, r"groups \(2\) must divide the input channels \(3\)"),
        ({"weights": [[[[1]], [[1]]]] * 3}, "one kernel per input channel of its group"),
        ({"padding": [5, 5]}, "padding must be a whole number from 0 to 4"),
        ("not a table", "not a table"),
    ],
)
def test_malformed_grouped_states_are_refused(change, words):
    state = {**good("group"), **change} if isinstance(change, dict) else change
    with pytest.raises(ValueError, match=words):
        grouped_preset_from_state(state)


@pytest.mark.parametrize(
    "change, words",
    [
        ({"kind": "min"}, "conv, max, avg"),
        ({"kernel_size": [0, 2]}, "kernel size must be a whole number from 1 to 7"),
        ({"grad_out": [[1, None]]}, r"∂L/∂Y \(grad_out\) is not a number"),
        ({"grad_out": "ones"}, r"∂L/∂Y \(grad_out\) must be grids"),
        ({"lr": -0.5}, "lr must be from 0 to 10"),
        ({"lr": "fast"}, r"learning rate \(lr\) is not a number"),
        ({"ceil_mode": "yes"}, "ceil_mode must be true or false"),
        ({"stride": [1, 2, 3]}, "stride must be two whole numbers"),
        ({"inputs": [[[1, 2], [3]]]}, "same size"),
    ],
)
def test_malformed_backward_states_are_refused(change, words):
    with pytest.raises(ValueError, match=words):
        backward_preset_from_state({**good("back"), **change})


def test_a_backward_state_keeps_a_chosen_gradient_and_learning_rate():
    state = {**good("back"), "grad_out": [[1, -2], [0, 3]], "lr": 0.25, "kind": "avg"}
    preset, _ = backward_preset_from_state(state)
    assert (preset.grad_out, preset.lr, preset.kind) == ([[1, -2], [0, 3]], 0.25, "avg")
    assert json.loads(json.dumps(backward_state(preset))) == {**state, "example": preset.name}
