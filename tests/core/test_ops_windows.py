"""cnnviz.core.ops.windows: the window arithmetic of receptive fields, against positions
counted one by one, and the quiz's fields against the Trace page's (explain) for the same
stacks: both call this module, so they agree by construction; the test guards against a
second copy."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from torch import nn

from cnnviz.core.explain import trace_forward
from cnnviz.core.ops.windows import Field, Window, reads, span, stack_field, stack_reads
from cnnviz.quiz import generate, receptive_field_question

WINDOWS = [
    Window(k, s, p, d)
    for k, s, p, d in itertools.product((1, 2, 3, 5), (1, 2, 3), (0, 1, 2, 4), (1, 2, 3))
]


def counted(positions, w: Window, size: int) -> set[int]:
    """Each tap of each window, one by one, kept where it lies inside the input."""
    return {
        i * w.stride - w.padding + t * w.dilation
        for i in positions
        for t in range(w.kernel)
        if 0 <= i * w.stride - w.padding + t * w.dilation < size
    }


@pytest.mark.parametrize("size", (1, 4, 9))
def test_reads_and_span_are_the_taps_inside_the_input(size):
    for w in WINDOWS:
        for lo in range(5):
            for hi in range(lo + 1, lo + 5):
                want = counted(range(lo, hi), w, size)
                assert reads(range(lo, hi), w, size) == want, (w, lo, hi)
                first, end = span(lo, hi, w, size)
                if want:
                    assert (first, end) == (min(want), max(want) + 1), (w, lo, hi)
                else:  # only padding: an empty span inside the input
                    assert first == end and 0 <= first <= size, (w, lo, hi)


def test_a_dilated_window_in_the_padding_starts_at_its_first_tap_inside():
    # taps at −1, 1, 3: pixel 0 lies between two taps, so the span starts at 1
    assert span(0, 1, Window(3, 1, 1, 2), 8) == (1, 4)


def test_a_stack_walked_back_and_its_field_composed_forwards():
    stack = [Window(5), Window(2, 2), Window(5), Window(2, 2)]  # the lecture's net
    assert stack_field(stack) == Field(16, 4, 0)
    # unit 1 of the second pooling, back through conv 5, pool 2, conv 5 (as the Trace page's
    # "mp (call 2)" unit (1, 1): rows 4–19)
    found = stack_reads(1, stack, [28, 24, 12, 8])
    assert [(min(p), max(p)) for p in found] == [(2, 3), (2, 7), (4, 15), (4, 19)]
    assert Field().then(Window(3, 2, 1)) == Field(3, 2, -1)


def _model(layers) -> nn.Sequential:
    return nn.Sequential(*(getattr(nn, i["layer"])(**i["kwargs"]) for i in layers)).eval()


def _explain_answer(q):
    """The Trace page's field of the question's unit (or the size of its last layer's)."""
    shape = q.settings["input_shape"]
    trace = trace_forward(_model(q.settings["layers"]), np.zeros(shape, np.float32))
    last = str(len(q.settings["layers"]) - 1)
    if q.cell is None:
        return trace.layer_field(last).size
    f = trace.receptive_field(last, *q.cell)
    return f.top, f.left, f.bottom - 1, f.right - 1  # inclusive, as the quiz's box


STACKS = [
    # a strided convolution, then a padded one: the second's border windows reach the padding
    (
        [
            ("Conv2d", {"in_channels": 1, "out_channels": 2, "kernel_size": 3, "stride": 2}),
            ("ReLU", {}),
            ("Conv2d", {"in_channels": 2, "out_channels": 2, "kernel_size": 3, "padding": 1}),
        ],
        [1, 15, 13],
    ),
    # dilation and padding together, then pooling with padding
    (
        [
            (
                "Conv2d",
                {
                    "in_channels": 1,
                    "out_channels": 2,
                    "kernel_size": 3,
                    "padding": 1,
                    "dilation": 2,
                },
            ),
            ("MaxPool2d", {"kernel_size": 3, "stride": 2, "padding": 1}),
            ("AvgPool2d", {"kernel_size": 2}),
        ],
        [1, 16, 11],
    ),
    # two dilated convolutions: the first's taps leave gaps, so the second's border windows
    # reach no further than those taps (a box walked back would reach the gap's far side)
    (
        [
            (
                "Conv2d",
                {
                    "in_channels": 1,
                    "out_channels": 3,
                    "kernel_size": 3,
                    "padding": 1,
                    "dilation": 2,
                },
            ),
            ("Conv2d", {"in_channels": 3, "out_channels": 2, "kernel_size": 3, "dilation": 2}),
        ],
        [1, 14, 8],
    ),
]


def _gradient_box(layers, shape, cell) -> tuple[int, int, int, int]:
    """The box of the input pixels the unit's gradient reaches (positive weights, so that no
    sum cancels; average pooling passes every pixel of its window)."""
    torch.manual_seed(0)
    model = _model(layers).double()
    for m in model:
        if isinstance(m, nn.Conv2d):
            with torch.no_grad():
                m.weight.uniform_(0.5, 1.5)
    x = torch.ones([1, *shape], dtype=torch.float64, requires_grad=True)
    model(x)[0, 0, cell[0], cell[1]].backward()
    rows, cols = np.nonzero(x.grad[0].abs().sum(0).numpy())
    return int(rows.min()), int(cols.min()), int(rows.max()), int(cols.max())


@pytest.mark.parametrize("layers, shape", STACKS)
def test_the_quizs_field_is_the_trace_pages_for_every_unit(layers, shape):
    q = receptive_field_question(layers, shape)
    assert q.answer == _explain_answer(q)
    trace = trace_forward(_model(q.settings["layers"]), np.zeros(shape, np.float32))
    _, ho, wo = trace.node(str(len(layers) - 1)).shape
    for cell in itertools.product(range(ho), range(wo)):
        q = receptive_field_question(layers, shape, cell)
        assert q.answer == _explain_answer(q), cell
        if not any(i["layer"] == "MaxPool2d" for i in q.settings["layers"]):
            assert q.answer == _gradient_box(q.settings["layers"], shape, cell), cell


def test_the_quizs_generated_fields_are_the_trace_pages():
    # seeds 26 and 62 ask about units behind two dilated convolutions (a field with gaps)
    for seed in range(80):
        for q in generate("receptive_fields", seed, 10):
            assert q.answer == _explain_answer(q), q.prompt
