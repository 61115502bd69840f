"""cnnviz.quiz: every generated answer against PyTorch (the layer built from the question's
settings), check() on right, typed, wrong and malformed answers, and each named mistake."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from cnnviz.quiz import (
    GRAD_INPUT,
    GRAD_WEIGHT,
    Question,
    cell_question,
    check,
    generate,
    gradient_cell_question,
    level_of,
    multiply_adds_question,
    output_shape_question,
    parameters_question,
    receptive_field_question,
    route_question,
    topics,
    winner_question,
)

SEEDS = range(200)  # × 10 questions: 2,000 a topic
PER_SET = 10


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Thousands of tiny layers: one thread spends no time waiting for another (on a shared
    machine a second thread's barrier costs more than these layers' arithmetic)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _questions(topic: str) -> list[Question]:
    return [q for seed in SEEDS for q in generate(topic, seed, PER_SET)]


def make(layer: str, kwargs: dict) -> nn.Module:
    return getattr(nn, layer)(**kwargs)


def build(settings: dict) -> nn.Module:
    if settings["layer"] == "Sequential":
        return nn.Sequential(*(make(i["layer"], i["kwargs"]) for i in settings["layers"]))
    return make(settings["layer"], settings["kwargs"]).double()


def tensor(values) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64)


def load(layer: nn.Module, settings: dict) -> None:
    with torch.no_grad():
        if settings.get("weight") is not None:
            layer.weight.copy_(tensor(settings["weight"]))
        if settings.get("bias_values") is not None:
            layer.bias.copy_(tensor(settings["bias_values"]))


# -- every generated answer is PyTorch's ------------------------------------------------------


def torch_shape(q: Question) -> tuple[int, ...]:
    with torch.no_grad():
        out = build(q.settings)(torch.zeros([1, *q.settings["input_shape"]], dtype=torch.float64))
    return tuple(out.shape[1:]) if len(q.answer) == 3 else tuple(out.shape[2:])


def torch_cell(q: Question) -> float:
    s = q.settings
    x = tensor(s["input"]).unsqueeze(0)
    layer = build(s)
    load(layer, s)
    if s.get("of") is None:
        with torch.no_grad():
            return float(layer(x)[0, s["channel"], q.cell[0], q.cell[1]])
    x.requires_grad_(True)
    layer(x).backward(tensor(s["grad_output"]).unsqueeze(0))
    o, c = s["channels"]
    if s["of"] == GRAD_WEIGHT:
        return float(layer.weight.grad[o, c, q.cell[0], q.cell[1]])
    return float(x.grad[0, c, q.cell[0], q.cell[1]])


def torch_winner(q: Question) -> tuple[int, int]:
    s = q.settings
    layer = nn.MaxPool2d(**s["kwargs"], return_indices=True)
    _, indices = layer(tensor(s["input"]).unsqueeze(0))
    flat = int(indices[0, s["channel"], q.cell[0], q.cell[1]])
    return divmod(flat, s["input_shape"][2])


def on_meta(settings: dict) -> nn.Module:
    """The layer with shapes only (no numbers): counting costs nothing to compute."""
    return make(settings["layer"], {**settings["kwargs"], "device": "meta"})


def torch_macs(q: Question) -> int:
    x = torch.zeros([1, *q.settings["input_shape"]], device="meta")
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        on_meta(q.settings)(x)
    return counter.get_total_flops() // 2  # a multiply-add is two floating-point operations


def field_stack(settings: dict) -> nn.Sequential:
    """The stack with positive weights, so that no sum cancels and every ReLU passes. Max
    pooling's field is its window, but autograd routes only to the window's winner: it is
    measured as a depthwise convolution of ones over the same window (stride, padding,
    dilation)."""
    layers, channels = [], settings["input_shape"][0]
    for item in settings["layers"]:
        layer, kwargs = item["layer"], item["kwargs"]
        if layer == "MaxPool2d":
            assert not kwargs.get("ceil_mode"), "the stand-in convolution has no ceil_mode"
            module = nn.Conv2d(
                channels,
                channels,
                kwargs["kernel_size"],
                kwargs.get("stride") or kwargs["kernel_size"],
                kwargs.get("padding", 0),
                kwargs.get("dilation", 1),
                groups=channels,
                bias=False,
            )
            nn.init.ones_(module.weight)
        else:
            module = make(layer, kwargs)
        if layer == "Conv2d":
            channels = kwargs["out_channels"]
            with torch.no_grad():
                module.weight.uniform_(0.5, 1.5)
                module.bias.zero_()
        layers.append(module)
    return nn.Sequential(*layers).double()


def field_box(settings: dict, row: int, col: int, stack=None) -> tuple[int, int, int, int]:
    """The box of the input pixels the unit's gradient reaches."""
    stack = stack or field_stack(settings)
    x = torch.ones([1, *settings["input_shape"]], dtype=torch.float64, requires_grad=True)
    stack(x)[0, 0, row, col].backward()
    rows, cols = np.nonzero(x.grad[0].abs().sum(0).numpy())
    return int(rows.min()), int(cols.min()), int(rows.max()), int(cols.max())


def torch_field(q: Question):
    s = q.settings
    if q.cell is not None:
        with torch.no_grad():
            build(s)(torch.zeros([1, *s["input_shape"]]))  # PyTorch accepts the stack
        return field_box(s, *q.cell)
    stack = field_stack(s)
    with torch.no_grad():
        _, _, ho, wo = stack(torch.zeros([1, *s["input_shape"]], dtype=torch.float64)).shape
        # the stack as the settings build it runs too, to the same size
        assert build(s)(torch.zeros([1, *s["input_shape"]])).shape[2:] == (ho, wo)
    top, left, bottom, right = field_box(s, ho // 2, wo // 2, stack)
    return bottom - top + 1, right - left + 1


def torch_answer(q: Question):
    if q.asks == "output_shape":
        return torch_shape(q)
    if q.asks == "cell":
        return torch_cell(q)
    if q.asks == "winner":
        return torch_winner(q)
    if q.asks == "parameters":
        return sum(p.numel() for p in on_meta(q.settings).parameters())
    if q.asks == "multiply_adds":
        return torch_macs(q)
    return torch_field(q)


# torch warns that it copies the input for an even kernel with padding "same"
@pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")
@pytest.mark.parametrize("topic", topics())
def test_every_generated_answer_is_pytorchs(topic):
    questions = _questions(topic)
    assert len(questions) == len(SEEDS) * PER_SET
    for q in questions:
        want = torch_answer(q)  # PyTorch builds and runs the settings: none is rejected
        if q.asks == "cell":
            assert q.answer == pytest.approx(want, abs=1e-9), q.prompt
        else:
            assert q.answer == tuple(want) if isinstance(q.answer, tuple) else q.answer == want, (
                q.prompt
            )
        assert check(q, q.answer)[0], q.prompt
        assert check(q, q.answer_text)[0], (q.prompt, q.answer_text)  # typed as shown
        assert not check(q, off_by_one(q))[0], q.prompt


def off_by_one(q: Question):
    """A wrong answer next to the right one: one more, or a unit of the shown precision
    beyond the tolerance."""
    if q.asks == "cell":
        return q.answer + 3 * 10.0 ** (-q.decimals)
    if isinstance(q.answer, tuple):
        return (q.answer[0] + 1, *q.answer[1:])
    return q.answer + 1


@pytest.mark.parametrize("topic", topics())
def test_generated_sets_are_seeded_and_vary(topic):
    first = generate(topic, 7, PER_SET)
    assert first == generate(topic, 7, PER_SET)
    assert first != generate(topic, 8, PER_SET)
    assert all(q.topic == topic for q in first)
    assert len({q.prompt for q in first}) > PER_SET // 2


def test_difficulty_rises_through_a_set():
    levels = [level_of(i, 10) for i in range(10)]
    assert levels == sorted(levels) and levels[0] == 0 and levels[-1] == 3
    # the later questions of a set use more of the layer's settings
    sizes = [q for seed in range(40) for q in generate("output_sizes", seed, 8)]
    early = np.mean([len(q.settings["kwargs"]) for q in sizes[0::8] + sizes[1::8]])
    late = np.mean([len(q.settings["kwargs"]) for q in sizes[6::8] + sizes[7::8]])
    assert late > early + 1


def test_unknown_topic_and_negative_count():
    with pytest.raises(ValueError, match="output_sizes"):
        generate("nope", 0, 3)
    with pytest.raises(ValueError):
        generate("pooling", 0, -1)


def test_the_builders_answer_what_a_page_shows():
    q = cell_question(
        "MaxPool2d", {"kernel_size": 2, "padding": 1}, [[[-1.0, -2.0], [-3.0, -4.0]]], (0, 0)
    )
    assert q.answer == torch_cell(q) == -1.0
    q = receptive_field_question(
        [("Conv2d", {"in_channels": 1, "out_channels": 2, "kernel_size": 3, "dilation": 2})],
        [1, 9, 9],
        (0, 0),
    )
    assert q.answer == field_box(q.settings, 0, 0) == (0, 0, 4, 4)
    q = multiply_adds_question("Linear", {"in_features": 320, "out_features": 50}, [320])
    assert q.answer == torch_macs(q) == 16_000
    for layer, kwargs, shape in (
        ("AvgPool2d", {"kernel_size": 2, "padding": 2}, [1, 6, 6]),  # padding > kernel / 2
        ("Conv2d", {"in_channels": 1, "out_channels": 1, "kernel_size": 5}, [1, 4, 4]),
        (
            "ConvTranspose2d",
            {"in_channels": 1, "out_channels": 1, "kernel_size": 2, "padding": 3},
            [1, 2, 2],
        ),
    ):
        with pytest.raises(ValueError):
            output_shape_question(layer, kwargs, shape)
        with pytest.raises((RuntimeError, ValueError)):
            make(layer, kwargs)(torch.zeros([1, *shape]))


def test_a_question_round_trips_through_json():
    for topic in topics():
        for q in generate(topic, 3, PER_SET):
            again = Question.from_dict(json.loads(json.dumps(q.to_dict())))
            assert again == q and hash(again) == hash(q)
    with pytest.raises(ValueError):
        Question.from_dict({"prompt": "?"})


# -- check ---------------------------------------------------------------------------------

CONV = {"in_channels": 1, "out_channels": 4, "kernel_size": 3, "padding": 1}


def test_check_reads_typed_sizes():
    q = output_shape_question("Conv2d", CONV, [1, 6, 6])
    assert q.answer == (6, 6)
    for typed in ("6x6", "6 × 6", "6,6", " 6 X 6 ", "(6, 6)", "6 by 6", [6, 6], (6, 6)):
        correct, text = check(q, typed)
        assert correct, typed
        assert text.startswith("Right: 6 × 6") and "⌊(6 + 2·1 − 1·(3−1) − 1) / 1⌋ + 1 = 6" in text
    for wrong in ("7x6", "6x7", "5 × 5", [6, 5]):
        assert not check(q, wrong)[0]


def test_check_explains_a_malformed_answer():
    q = output_shape_question("Conv2d", CONV, [1, 6, 6])
    correct, text = check(q, "six by six")
    assert not correct
    assert "could not read 'six by six'" in text and "like 6x6" in text and "6 × 6" in text
    correct, text = check(q, "6")
    assert not correct and "2 numbers" in text
    q = parameters_question("Conv2d", CONV)
    assert not check(q, "forty")[0] and "whole number" in check(q, "forty")[1]
    assert not check(q, "40.5")[0]
    q = cell_question("AvgPool2d", {"kernel_size": 2}, [[[1.0, 2.0], [3.0, 4.0]]], (0, 0))
    correct, text = check(q, "2.5.1")
    assert not correct and "give a number" in text and "2.5" in text


def test_check_reads_typed_counts():
    q = parameters_question("Conv2d", {"in_channels": 10, "out_channels": 20, "kernel_size": 5})
    assert q.answer == 5020
    for typed in ("5020", "5,020", "5 020", "5_020", 5020, 5020.0):
        assert check(q, typed)[0], typed
    assert not check(q, "5021")[0]


def test_real_numbers_count_as_shown_give_or_take_one_unit_of_the_last_digit():
    # (1 + 2 + 4 + 6) / 4 = 3.25
    q = cell_question("AvgPool2d", {"kernel_size": 2}, [[[1.0, 2.0], [4.0, 6.0]]], (0, 0))
    assert q.answer == 3.25 and q.answer_text == "3.25"
    for typed in ("3.25", "3,25", "3.24", "3.26", "13/4", " 3.250 ", 3.25):
        assert check(q, typed)[0], typed
    for typed in ("3.23", "3.27", "3.3", "3"):
        assert not check(q, typed)[0], typed
    # 10 / 3 is shown as 3.33
    q = cell_question(
        "AvgPool2d", {"kernel_size": 3}, [[[1.0, 1, 1], [1, 1, 1], [1, 1, 2]]], (0, 0)
    )
    assert q.answer_text == "1.11"
    assert check(q, "1.11")[0] and check(q, "1.12")[0] and not check(q, "1.13")[0]
    q = cell_question("MaxPool2d", {"kernel_size": 2}, [[[-1.0, -2.0], [-3.0, -4.0]]], (0, 0))
    assert check(q, "−1")[0] and check(q, "-1")[0] and not check(q, "1")[0]


# -- named mistakes ------------------------------------------------------------------------


def named(q: Question, answer) -> str:
    correct, text = check(q, answer)
    assert not correct
    return text


def test_padding_forgotten_is_named():
    q = output_shape_question("Conv2d", CONV, [1, 7, 7])
    assert "padding forgotten" in named(q, "5x5")
    assert "padding forgotten" not in named(q, "4x4")


def test_the_plus_one_forgotten_is_named():
    q = output_shape_question(
        "Conv2d", {"in_channels": 1, "out_channels": 1, "kernel_size": 3, "stride": 2}, [1, 9, 9]
    )
    assert q.answer == (4, 4)
    assert "without its + 1" in named(q, "3x3")
    q = output_shape_question(
        "ConvTranspose2d",
        {"in_channels": 1, "out_channels": 1, "kernel_size": 2, "stride": 2},
        [1, 3, 3],
    )
    assert q.answer == (6, 6) and "without its + 1" in named(q, "5 x 5")


def test_floor_against_ceil_mode_is_named():
    q = output_shape_question("MaxPool2d", {"kernel_size": 2}, [1, 7, 7])
    assert q.answer == (3, 3) and "ceil_mode=True" in named(q, "4x4")
    q = output_shape_question("MaxPool2d", {"kernel_size": 2, "ceil_mode": True}, [1, 7, 7])
    assert q.answer == (4, 4) and "rounded down" in named(q, "3x3")


def test_dilation_gaps_forgotten_is_named():
    q = output_shape_question(
        "Conv2d", {"in_channels": 1, "out_channels": 1, "kernel_size": 3, "dilation": 2}, [1, 9, 9]
    )
    assert q.answer == (5, 5) and "dilation's gaps" in named(q, "7x7")
    x = np.arange(25.0).reshape(1, 5, 5)
    w = np.ones((1, 1, 2, 2))
    q = cell_question(
        "Conv2d",
        {"in_channels": 1, "out_channels": 1, "kernel_size": 2, "dilation": 2, "bias": False},
        x,
        (0, 0),
        w,
    )
    assert q.answer == 0 + 2 + 10 + 12
    assert "dilation's gaps" in named(q, 0 + 1 + 5 + 6)


def test_bias_not_counted_is_named():
    q = parameters_question("Conv2d", {"in_channels": 10, "out_channels": 20, "kernel_size": 5})
    assert "bias was not counted" in named(q, "5,000")
    x = [[[1.0, 2.0], [3.0, 4.0]]]
    q = cell_question(
        "Conv2d",
        {"in_channels": 1, "out_channels": 1, "kernel_size": 2},
        x,
        (0, 0),
        [[[[1.0, 0.0], [0.0, 1.0]]]],
        [0.5],
    )
    assert q.answer == 5.5 and "without the bias" in named(q, "5")


def test_kernel_flipped_is_named():
    x = [[[1.0, 2.0], [3.0, 4.0]]]
    q = cell_question(
        "Conv2d",
        {"in_channels": 1, "out_channels": 1, "kernel_size": 2, "bias": False},
        x,
        (0, 0),
        [[[[1.0, 0.0], [0.0, 0.0]]]],
    )
    assert q.answer == 1 and "kernel flipped" in named(q, "4")
    assert "kernel flipped" not in named(q, "3")


def test_gradient_mistakes_are_named():
    x = np.arange(16.0).reshape(1, 4, 4)
    w = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    g = np.arange(9.0).reshape(1, 3, 3)
    kwargs = {"in_channels": 1, "out_channels": 1, "kernel_size": 2, "bias": False}
    q = gradient_cell_question(kwargs, x, w, g, GRAD_INPUT, (1, 1))
    assert q.answer == torch_cell(q) == 0 * 4 + 1 * 3 + 3 * 2 + 4 * 1
    assert "not flipped" in named(q, 0 * 1 + 1 * 2 + 3 * 3 + 4 * 4)
    q = gradient_cell_question(kwargs, x, w, g, GRAD_WEIGHT, (0, 0))
    assert q.answer == torch_cell(q)
    assert "kernel flipped" in named(q, q.mistakes[0][0])
    x = np.array([[[1.0, 2.0, 0.0], [0.0, 1.0, 9.0], [0.0, 0.0, 0.0]]])
    q = route_question({"kernel_size": 2, "stride": 1}, x, [[[1.0, 2.0], [3.0, 4.0]]], (1, 2))
    assert q.answer == torch_cell(q) == 6
    assert "one window's gradient" in named(q, "4")


def test_a_tie_is_named_and_pytorch_takes_the_first():
    q = winner_question({"kernel_size": 2}, [[[0.0, 5.0], [5.0, 1.0]]], (0, 0))
    assert q.answer == (0, 1) == torch_winner(q)
    # typed rows and columns count from 1, as the question's words and the pages do
    assert check(q, "1, 2")[0] and check(q, "row 1 col 2")[0]
    assert "first maximum in reading order" in named(q, "2,1")


def test_receptive_field_mistakes_are_named():
    layers = [
        ("Conv2d", {"in_channels": 1, "out_channels": 1, "kernel_size": 3, "stride": 2}),
        ("Conv2d", {"in_channels": 1, "out_channels": 1, "kernel_size": 3}),
    ]
    q = receptive_field_question(layers, [1, 16, 16])
    assert q.answer == (7, 7) == torch_field(q)
    assert "jump" in named(q, "5x5")
    # unit (0, 0) of the padded second layer reads rows −1…1 of the first's output: 0…1
    q = receptive_field_question(
        layers[:1] + [("Conv2d", {**layers[1][1], "padding": 1})], [1, 16, 16], (0, 0)
    )
    assert q.answer == (0, 0, 4, 4) == torch_field(q)
    assert check(q, "rows 1 to 5, columns 1 to 5")[0] and check(q, "1 1 5 5")[0]
    assert "padding forgotten" in named(q, "rows 1–7, cols 1–7")
    assert "field's size" in named(q, "5x5")


def test_every_generated_mistake_is_named_when_made():
    for topic in topics():
        for q in generate(topic, 11, 2 * PER_SET):
            for wrong, text in q.mistakes:
                correct, explanation = check(q, wrong)
                assert not correct and text in explanation, (q.prompt, wrong)


def test_the_quiz_runs_without_torch_or_qt():
    """Answers come from the project's own arithmetic: no torch in the GUI thread."""
    code = (
        "import sys\n"
        "for name in ('PySide6', 'pyqtgraph', 'torch', 'torchvision'):\n"
        "    sys.modules[name] = None  # any import of them now fails\n"
        "from cnnviz.quiz import check, generate, topics\n"
        "for topic in topics():\n"
        "    q = generate(topic, 1, 3)[-1]\n"
        "    assert check(q, q.answer_text)[0]\n"
        "print('ok')\n"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_pooling_mistakes_are_named():
    q = cell_question("MaxPool2d", {"kernel_size": 2, "padding": 1}, [[[-1.0, -2.0]]], (0, 0))
    assert q.answer == -1 and "padding never wins" in named(q, "0")
    # the corner window holds one input cell: 1 / 4 with the padding counted, 1 / 1 without
    x = [[[1.0, 2.0], [3.0, 4.0]]]
    q = cell_question("AvgPool2d", {"kernel_size": 2, "padding": 1}, x, (0, 0))
    assert q.answer == torch_cell(q) == 0.25 and "count_include_pad" in named(q, "1")
    q = output_shape_question("MaxPool2d", {"kernel_size": 2}, [1, 8, 8])
    assert "defaults to its kernel size" in named(q, "7x7")


def test_cost_mistakes_are_named():
    kwargs = {"in_channels": 4, "out_channels": 8, "kernel_size": 3, "groups": 2}
    q = parameters_question("Conv2d", kwargs)
    assert q.answer == 8 * 2 * 3 * 3 + 8
    assert "groups 1" in named(q, 8 * 4 * 3 * 3 + 8)
    q = parameters_question("Linear", {"in_features": 320, "out_features": 50, "bias": False})
    assert q.answer == 16_000 and "bias=False" in named(q, "16,050")
    q = multiply_adds_question("Conv2d", kwargs, [4, 10, 10])
    assert q.answer == torch_macs(q) == 8 * 8 * 8 * 2 * 3 * 3
    assert "input's size" in named(q, 8 * 10 * 10 * 2 * 3 * 3)
    assert "groups 1" in named(q, 8 * 8 * 8 * 4 * 3 * 3)


def test_a_field_passes_through_activations_and_normalisation():
    layers = [
        ("Conv2d", {"in_channels": 1, "out_channels": 2, "kernel_size": 3}),
        ("BatchNorm2d", {"num_features": 2}),
        ("ReLU", {}),
        ("MaxPool2d", {"kernel_size": 2}),
    ]
    q = receptive_field_question(layers, [1, 12, 12])
    assert q.answer == (4, 4)
    with pytest.raises(ValueError, match="Flatten"):
        receptive_field_question(layers + [("Flatten", {})], [1, 12, 12])


def test_a_pages_numpy_settings_make_plain_json():
    """A page may hold its settings as numpy numbers and tuples: the question is JSON all
    the same."""
    kwargs = {
        "in_channels": np.int64(1),
        "out_channels": np.int32(2),
        "kernel_size": (np.int64(3), 2),
        "bias": np.bool_(True),
    }
    x = np.ones((1, 5, 5), dtype=np.float32)
    questions = [
        output_shape_question("Conv2d", kwargs, np.array([1, 5, 5])),
        parameters_question("Conv2d", kwargs),
        multiply_adds_question("Conv2d", kwargs, (np.int64(1), 5, 5)),
        cell_question("Conv2d", kwargs, x, (np.int64(1), 0), np.ones((2, 1, 3, 2)), [0, 1]),
        winner_question({"kernel_size": np.int64(2)}, x, (0, 0)),
    ]
    for q in questions:
        assert Question.from_dict(json.loads(json.dumps(q.to_dict()))) == q
    assert questions[0].settings["kwargs"]["kernel_size"] == [3, 2]
    assert questions[2].answer == 2 * 3 * 4 * 1 * 3 * 2


def test_a_set_never_asks_the_same_question_twice():
    for topic in topics():
        for seed in range(50):
            questions = generate(topic, seed, 10)
            prompts = [repr(q.to_dict()) for q in questions]
            assert len(set(prompts)) == len(prompts), (topic, seed)
