"""The lecture's own numbers, the step details and every rejection rule."""

import numpy as np
import pytest

from cnnviz.ops import conv2d, conv2d_steps, output_size, pool2d, pool2d_steps

SLICE = [[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]
GRID5 = [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]]
IMAGE3 = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
ONES2 = [[1, 1], [1, 1]]


def test_lecture_max_pool_2x2_stride_2():
    np.testing.assert_array_equal(pool2d(SLICE, "max", 2, 2), [[6, 8], [3, 4]])


def test_lecture_max_pool_3x3_stride_1():
    expected = np.full((3, 3), 3.0)
    expected[2, 1] = 2.0
    np.testing.assert_array_equal(pool2d(GRID5, "max", 3, 1), expected)


def test_lecture_avg_pool_3x3_stride_1_to_one_decimal():
    out = pool2d(GRID5, "avg", 3, 1)
    shown = [[f"{v:.1f}" for v in row] for row in out]
    assert shown == [["1.7", "1.7", "1.7"], ["1.0", "1.2", "1.8"], ["1.1", "0.8", "1.3"]]
    assert out[0, 0] == pytest.approx(15 / 9)


def test_lecture_simple_convolution_without_and_with_padding():
    np.testing.assert_array_equal(conv2d(IMAGE3, ONES2), [[12, 16], [24, 28]])
    np.testing.assert_array_equal(
        conv2d(IMAGE3, ONES2, padding="same"), [[12, 16, 9], [24, 28, 15], [15, 17, 9]]
    )


def test_conv_step_lays_out_the_arithmetic():
    first = next(conv2d_steps([[1, 5, 0], [6, 1, 2], [0, 0, 0]], [[1, 0], [1, 1]]))
    assert (first.row, first.col) == (0, 0)
    assert first.cells == ((0, 0, 0), (0, 0, 1), (0, 1, 0), (0, 1, 1))
    assert first.products == (1, 0, 6, 1)
    assert first.expression() == "1×1 + 5×0 + 6×1 + 1×1 + bias 0 = 8"


def test_conv_step_cells_are_in_padded_coordinates_and_show_dilation_gaps():
    steps = list(
        conv2d_steps(
            np.arange(25.0).reshape(5, 5), np.ones((2, 2)), padding=1, dilation=2, stride=2
        )
    )
    assert steps[0].cells == ((0, 0, 0), (0, 0, 2), (0, 2, 0), (0, 2, 2))
    assert steps[1].cells == ((0, 0, 2), (0, 0, 4), (0, 2, 2), (0, 2, 4))
    # the padded cell (0, 0) is zero padding: its product is 0
    assert steps[0].inputs[0] == 0


def test_negative_weights_are_parenthesised():
    step = next(conv2d_steps([[2, 3]], [[1, -1]], bias=-0.5))
    assert step.expression() == "2×1 + 3×(-1) + bias -0.5 = -1.5"


def test_max_step_names_the_winner_and_avg_step_the_divisor():
    max_step = next(pool2d_steps(SLICE, "max", 2, 2))
    assert max_step.winner == (0, 1, 1) and max_step.value == 6
    assert max_step.expression() == "max(1, 1, 5, 6) = 6"
    avg = list(pool2d_steps(GRID5, "avg", 3, 1))
    assert avg[3].total == 9 and avg[3].divisor == 9 and avg[3].value == 1
    assert avg[0].expression() == "(3 + 3 + 2 + 0 + 0 + 1 + 3 + 1 + 2) / 9 = 15 / 9 = 1.6667"


def test_avg_divisor_with_and_without_padding():
    with_pad = next(pool2d_steps([[4, 4], [4, 4]], "avg", 2, 2, padding=1))
    without = next(pool2d_steps([[4, 4], [4, 4]], "avg", 2, 2, padding=1, count_include_pad=False))
    assert (with_pad.divisor, with_pad.value) == (4, 1)
    assert (without.divisor, without.value) == (1, 4)


def test_pooling_over_channels_goes_channel_by_channel():
    x = np.stack([np.array(SLICE, float), -np.array(SLICE, float)])
    steps = list(pool2d_steps(x, "max", 2))
    assert [s.channel for s in steps] == [0] * 4 + [1] * 4
    assert pool2d(x, "max", 2).shape == (2, 2, 2)


def test_output_size_formula_text():
    size = output_size(4, 3, stride=2, padding=1)
    assert size.size == 2 and size == 2 and int(size) == 2
    assert size.formula() == "⌊(4 + 2·1 − 1·(3−1) − 1) / 2⌋ + 1 = 2"


def test_output_size_ceil_mode_drops_a_window_starting_in_the_padding():
    size = output_size(5, 2, stride=2, padding=1, ceil_mode=True)
    assert size.size == 3 and size.last_window_dropped
    assert "⌈" in size.formula() and size.formula().endswith("= 3")
    assert output_size(5, 2, stride=2, ceil_mode=True).size == 3


def test_readers_of_an_input_cell():
    from cnnviz.core.ops import ConvPlan

    plan = ConvPlan(IMAGE3, ONES2)
    assert plan.readers(1, 1) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert plan.readers(0, 0) == [(0, 0)]


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: conv2d(np.ones((4, 4)), np.ones((5, 5))),
            r"kernel 5 is larger than the padded input \(4\)",
        ),
        (
            lambda: conv2d(np.ones((4, 4)), np.ones((3, 3)), dilation=2),
            r"dilated kernel 5 \(kernel 3, dilation 2\) is larger than the padded input \(4\)",
        ),
        (lambda: conv2d(np.ones((4, 4)), np.ones((2, 2)), stride=0), "stride must be at least 1"),
        (
            lambda: conv2d(np.ones((4, 4)), np.ones((2, 2)), dilation=0),
            "dilation must be at least 1",
        ),
        (
            lambda: conv2d(np.ones((4, 4)), np.ones((2, 2)), padding=-1),
            "padding must not be negative",
        ),
        (
            lambda: conv2d(np.ones((4, 4)), np.ones((2, 2)), padding="same", stride=2),
            "padding 'same' needs stride 1",
        ),
        (lambda: conv2d(np.ones((4, 4)), np.ones((2, 2)), padding="full"), "padding must be"),
        (
            lambda: conv2d(np.ones((4, 4)), np.ones((2, 2)), padding=4, padding_mode="reflect"),
            "must be smaller than the input height",
        ),
        (
            lambda: conv2d(np.ones((4, 4)), np.ones((2, 2)), padding=5, padding_mode="circular"),
            "must not exceed the input height",
        ),
        (
            lambda: conv2d(np.ones((4, 4)), np.ones((2, 2)), padding_mode="mirror"),
            "padding_mode must be",
        ),
        (lambda: conv2d(np.ones((2, 4, 4)), np.ones((3, 2, 2))), "kernel has 3 channel"),
        (
            lambda: conv2d(np.ones((4, 4)), np.ones((2, 2)), stride=1.5),
            "stride must be a whole number",
        ),
        (lambda: conv2d(np.ones((0, 4)), np.ones((2, 2))), "input must not be empty"),
        (
            lambda: conv2d(np.ones((2, 2, 2, 2)), np.ones((2, 2))),
            r"input must be \[H, W\] or \[C, H, W\]",
        ),
        (lambda: conv2d([["a"]], np.ones((1, 1))), "input must be a grid of numbers"),
        (
            lambda: pool2d(np.ones((4, 4)), "max", 5),
            r"kernel 5 is larger than the padded input \(4\)",
        ),
        (
            lambda: pool2d(np.ones((4, 4)), "max", 2, padding=2),
            "padding 2 must be at most half the kernel",
        ),
        (
            lambda: pool2d(np.ones((4, 4)), "avg", 2, dilation=2),
            "dilation is not supported by average",
        ),
        (lambda: pool2d(np.ones((4, 4)), "max", 2, stride=0), "stride must be at least 1"),
        (lambda: pool2d(np.ones((4, 4)), "max", 0), "kernel_size must be at least 1"),
        (lambda: pool2d(np.ones((4, 4)), "min", 2), "kind must be 'max' or 'avg'"),
        (lambda: output_size(4, 5), r"kernel 5 is larger than the padded input \(4\)"),
        (lambda: output_size(4, 2, stride=0), "stride must be at least 1"),
        (lambda: output_size(0, 1), "input size must be at least 1"),
    ],
)
def test_rejections_name_the_parameter_and_the_rule(call, message):
    with pytest.raises(ValueError, match=message):
        call()
