"""The one lesson validator: each spec's checks and words, defaults, rules between fields, and
the pages' schemas (the Train page's ranges are the form's)."""

import math

import pytest

from cnnviz.core.lesson_presets import CONV, TRAIN
from cnnviz.core.lesson_schema import (
    Choice,
    Field,
    Flag,
    Grid,
    Grids,
    Items,
    ListOf,
    Number,
    Optional,
    Pair,
    Schema,
    Table,
    Text,
    Variants,
    Whole,
)


@pytest.mark.parametrize(
    "spec, value, expected",
    [
        (Number(0, 2), 1, 1.0),
        (Whole(0, 3), 3, 3),
        (Pair(1, 4), [1, 4], (1, 4)),
        (Pair(0, 4, words=("same",)), "same", "same"),
        (Flag(), False, False),
        (Choice(("a", "b")), "b", "b"),
        (Choice(lambda: ["x"]), "x", "x"),
        (Text(), 7, ""),
        (Table(), {"k": 1}, {"k": 1}),
        (Grids(2, 3), [[[1, 2]], [[3, 4]]], [[[1.0, 2.0]], [[3.0, 4.0]]]),
        (Grid(2), [[1], [2]], [[1.0], [2.0]]),
        (ListOf(Whole(0, 9), 1, 2, "digits"), [4, 5], [4, 5]),
        (Optional(Whole(0, 1)), None, None),
        (Items(((Text("bad"), "name"), (Whole(0, 9), "n")), "bad"), ["a", 2], ["a", 2]),
    ],
)
def test_a_good_value_is_kept(spec, value, expected):
    assert spec.check(value, "it") == expected


@pytest.mark.parametrize(
    "spec, value, words",
    [
        (Number(), "1", "it is not a number"),
        (Number(), math.inf, "it is not a number"),
        (Number(), True, "it is not a number"),
        (Number(0, 2), 3, "it must be from 0 to 2, not 3"),
        (Number(0, 2, "{what} must be a number from {low:g} to {high:g}"), -1, "a number from 0"),
        (Whole(0, 3), 4, "it must be a whole number from 0 to 3, not 4"),
        (Whole(0, 3), 1.5, "not 1.5"),
        (Whole(0, 3), True, "not True"),
        (Pair(), [1], "it must be two whole numbers"),
        (Pair(0, 2), [1, 3], "it must be a whole number from 0 to 2"),
        (Flag(), "yes", "it must be true or false, not 'yes'"),
        (Choice(("a", "b")), "c", "it must be a or b, not 'c'"),
        (Choice(("a", "b", "c")), ["a"], "it must be one of a, b, c, not"),
        (Text("{what} must be a name"), 3, "it must be a name"),
        (Table(), [], "it must be a table"),
        (Grids(2, 3), [], "it must hold 1 to 2 grids"),
        (Grids(1, 3), [[[1, 2], [3]]], "every row and channel must have the same size"),
        (Grids(2, 3), [[[1]], [[1, 2]]], "every row and channel must have the same size"),
        (Grids(1, 2), [[[1, 2, 3]]], "grids of 1 to 2 columns"),
        (Grid(2), [[1]] * 3, "grids of 1 to 2 rows"),
        (ListOf(Whole(0, 9), 1, 2, "digits"), [], "it must hold 1 to 2 digits"),
        (Items(((Whole(0, 9), "n"),), "one number in a list"), 3, "one number in a list"),
        (Items(((Whole(0, 9), "its n"),), "one number"), [10], "its n must be"),
    ],
)
def test_a_bad_value_is_refused_in_words(spec, value, words):
    with pytest.raises(ValueError, match=words.replace("[", r"\[")):
        spec.check(value, "it")


def test_a_long_bad_value_is_cut_short():
    with pytest.raises(ValueError) as refused:
        Choice(("a",)).check("x" * 500, "it")
    assert len(str(refused.value)) < 80


def test_a_schema_fills_defaults_then_applies_its_rules():
    def ordered(values):
        if values["low"] > values["high"]:
            raise ValueError("low must not pass high")

    schema = Schema(
        (Field("low", Whole(0, 9), 0), Field("high", Whole(0, 9), 9, "the top")), (ordered,)
    )
    assert schema.check({}) == {"low": 0, "high": 9}
    assert schema.check({"low": 3, "other": 1}) == {"low": 3, "high": 9}
    with pytest.raises(ValueError, match="the top must be a whole number"):
        schema.check({"high": 10})
    with pytest.raises(ValueError, match="low must not pass high"):
        schema.check({"low": 5, "high": 4})
    with pytest.raises(ValueError, match="the page's state is not a table"):
        schema.check([])
    assert schema.span("high") == (0, 9)


def test_variants_follow_the_key_they_hold():
    spec = Variants(
        {"n": Schema((Field("n", Whole(0, 9)),)), "s": Schema((Field("s", Text("no")),))},
        "one of n or s",
    )
    assert spec.check({"n": 3}, "it") == {"n": 3}
    assert spec.check({"s": "x"}, "it") == {"s": "x"}
    for bad in ({"m": 1}, "n"):
        with pytest.raises(ValueError, match="one of n or s"):
            spec.check(bad, "it")


def test_the_pages_schemas_say_their_ranges_once():
    assert TRAIN.span("epochs") == (1, 500) and TRAIN.span("limit_train") == (1, 10**7)
    assert CONV.check({"inputs": [[[1]]], "kernels": [[[2]]]})["padding"] == (0, 0)
    with pytest.raises(TypeError):
        TRAIN.span("optimizer")
