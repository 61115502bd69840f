"""Property tests against torch for the layer arithmetic: grouped/depthwise convolution,
transposed convolution (both of its pictures), and the backward passes of convolution and
pooling. Whenever torch accepts a combination our numbers equal its numbers; whenever torch
rejects one we raise ValueError naming the parameter."""

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cnnviz.ops import (
    conv2d,
    conv2d_backward,
    conv2d_backward_steps,
    conv2d_steps,
    conv_transpose2d,
    conv_transpose2d_conv_steps,
    conv_transpose2d_steps,
    pool2d_backward,
    pool2d_backward_steps,
)

torch = pytest.importorskip("torch")
F = torch.nn.functional

SOME = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PARAMETERS = ("stride", "padding", "dilation", "groups", "output_padding", "kernel", "weight")
PARAMETERS += ("input", "grad_out", "bias", "channels")

ints_or_pairs = lambda lo, hi: st.one_of(  # noqa: E731
    st.integers(lo, hi), st.tuples(st.integers(lo, hi), st.integers(lo, hi))
)


def mostly(good, bad):
    """Valid values three times in four: the accepted cases need examples too."""
    return st.one_of(good, good, good, bad)


def numbers(draw, shape):
    n = int(np.prod(shape))
    return np.array(draw(st.lists(st.integers(-4, 4), min_size=n, max_size=n)), float).reshape(
        shape
    )


def assert_rejected(call):
    """A ValueError whose message names the parameter at fault."""
    with pytest.raises(ValueError) as info:
        call()
    message = str(info.value)
    assert any(p in message for p in PARAMETERS), message


def torch_accepts(call):
    try:
        result = call()
    except Exception:
        event("torch rejects")
        return None
    event("torch accepts")
    return result


@SOME
@given(data=st.data())
def test_layer_conv2d_with_groups_matches_torch_or_both_reject(data):
    groups = data.draw(mostly(st.integers(1, 3), st.integers(0, 3)))
    per_group = data.draw(st.integers(1, 3))
    if groups and data.draw(st.integers(0, 3)):  # channels that fit the groups, mostly
        c_in, c_out = groups * per_group, groups * data.draw(st.integers(1, 2))
    else:
        c_in, c_out = data.draw(st.integers(1, 6)), data.draw(st.integers(1, 6))
    h, w = data.draw(st.integers(1, 6)), data.draw(st.integers(1, 6))
    kh, kw = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    x, weight = numbers(data.draw, (c_in, h, w)), numbers(data.draw, (c_out, per_group, kh, kw))
    bias = numbers(data.draw, (c_out,))
    stride = data.draw(ints_or_pairs(1, 3))
    padding = data.draw(st.one_of(ints_or_pairs(0, 2), st.sampled_from(["same", "valid"])))
    dilation = data.draw(ints_or_pairs(1, 2))
    mode = data.draw(st.sampled_from(["zeros", "reflect", "circular"]))
    args = dict(stride=stride, padding=padding, dilation=dilation, padding_mode=mode, groups=groups)

    def reference():
        layer = torch.nn.Conv2d(
            c_in,
            c_out,
            (kh, kw),
            stride=stride,
            padding=padding,
            dilation=dilation,
            groups=groups,
            padding_mode=mode,
            dtype=torch.float64,
        )
        if tuple(layer.weight.shape) != weight.shape:  # copy_ would broadcast, F.conv2d rejects
            raise RuntimeError("weight shape does not fit the layer")
        with torch.no_grad():
            layer.weight.copy_(torch.from_numpy(weight))
            layer.bias.copy_(torch.from_numpy(bias))
            return layer(torch.from_numpy(x)[None])[0].numpy()

    expected = torch_accepts(reference)
    if expected is None:
        assert_rejected(lambda: conv2d(x, weight, bias, **args))
        return
    got = conv2d(x, weight, bias, **args)
    np.testing.assert_allclose(got, expected, atol=1e-9)
    steps = list(conv2d_steps(x, weight, bias, **args))
    assert len(steps) == got.size
    for k, s in enumerate(steps):
        assert (s.out_channel, s.row, s.col) == np.unravel_index(k, got.shape)
        assert s.value == got[s.out_channel, s.row, s.col]
        g = s.out_channel // (c_out // groups)
        assert {ch for ch, _, _ in s.cells} == set(range(g * per_group, (g + 1) * per_group))


def test_depthwise_is_groups_equal_to_the_input_channels():
    x = np.arange(2 * 3 * 3, dtype=float).reshape(2, 3, 3)
    weight = np.stack([np.ones((1, 2, 2)), -np.ones((1, 2, 2))])
    got = conv2d(x, weight, groups=2)
    np.testing.assert_array_equal(got[0], conv2d(x[0], np.ones((2, 2))))
    np.testing.assert_array_equal(got[1], -conv2d(x[1], np.ones((2, 2))))


@SOME
@given(data=st.data())
def test_conv_transpose2d_matches_torch_or_both_reject(data):
    c_in, c_out = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    h, w = data.draw(st.integers(1, 5)), data.draw(st.integers(1, 5))
    kh, kw = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    x, weight = numbers(data.draw, (c_in, h, w)), numbers(data.draw, (c_in, c_out, kh, kw))
    bias = data.draw(st.one_of(st.none(), st.just(numbers(data.draw, (c_out,)))))
    stride = data.draw(mostly(ints_or_pairs(1, 3), ints_or_pairs(0, 3)))
    padding = data.draw(mostly(ints_or_pairs(0, 1), ints_or_pairs(-1, 3)))
    output_padding = data.draw(mostly(st.just(0), ints_or_pairs(0, 3)))
    dilation = data.draw(mostly(ints_or_pairs(1, 2), ints_or_pairs(0, 3)))
    args = dict(stride=stride, padding=padding, output_padding=output_padding, dilation=dilation)

    def reference():
        b = None if bias is None else torch.from_numpy(bias)
        out = F.conv_transpose2d(
            torch.from_numpy(x)[None], torch.from_numpy(weight), b, groups=1, **args
        )
        return out[0].numpy()

    expected = torch_accepts(reference)
    if expected is None or expected.size == 0:
        assert_rejected(lambda: conv_transpose2d(x, weight, bias, **args))
        return
    got = conv_transpose2d(x, weight, bias, **args)
    np.testing.assert_allclose(got, expected, atol=1e-9)
    # the convolution picture gives the same numbers, cell by cell
    conv_steps = list(conv_transpose2d_conv_steps(x, weight, bias, **args))
    assert len(conv_steps) == got.size
    for k, s in enumerate(conv_steps):
        assert (s.out_channel, s.row, s.col) == np.unravel_index(k, got.shape)
        assert s.value == pytest.approx(got[s.out_channel, s.row, s.col], abs=1e-9)
    # the scatter picture: one step per input cell, adding value × kernel where it lands
    scatter = list(conv_transpose2d_steps(x, weight, bias, **args))
    assert len(scatter) == x.size
    assert all(len(s.cells) == c_out * kh * kw for s in scatter)


def test_transposed_2x2_upsamples_to_4x4_with_its_formula():
    from cnnviz.ops import TransposedConvPlan

    plan = TransposedConvPlan([[1, 2], [3, 4]], np.ones((2, 2)), stride=2)
    assert plan.output.shape == (1, 4, 4)
    assert plan.out_h.formula() == "(2−1)·2 − 2·0 + 1·(2−1) + 0 + 1 = 4"
    zero_inserted = plan.as_convolution.grid[0]
    assert zero_inserted.shape == (5, 5) and zero_inserted[1, 1] == 1 and zero_inserted[1, 2] == 0


@SOME
@given(data=st.data())
def test_conv2d_backward_equals_autograd_or_both_reject(data):
    c_in, c_out = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    h, w = data.draw(st.integers(1, 6)), data.draw(st.integers(1, 6))
    kh, kw = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    form = data.draw(st.sampled_from(["2d", "3d", "4d"]))
    if form == "2d":
        c_in = c_out = 1
    if form == "3d":
        c_out = 1
    x, weight = numbers(data.draw, (c_in, h, w)), numbers(data.draw, (c_out, c_in, kh, kw))
    stride = data.draw(mostly(ints_or_pairs(1, 3), ints_or_pairs(0, 3)))
    padding = data.draw(
        mostly(
            ints_or_pairs(0, 2), st.one_of(st.integers(-1, 0), st.sampled_from(["same", "valid"]))
        )
    )
    dilation = data.draw(ints_or_pairs(1, 2))
    args = dict(stride=stride, padding=padding, dilation=dilation)
    xt = torch.from_numpy(x)[None].requires_grad_()
    wt = torch.from_numpy(weight).requires_grad_()
    bt = torch.zeros(c_out, dtype=torch.float64, requires_grad=True)
    out = torch_accepts(lambda: F.conv2d(xt, wt, bt, **args))
    ours_x = x[0] if form == "2d" else x
    ours_w = {"2d": weight[0, 0], "3d": weight[0], "4d": weight}[form]
    if out is None or out.numel() == 0:
        assert_rejected(lambda: conv2d_backward(ours_x, ours_w, np.zeros((1, 1)), **args))
        return
    grad_out = numbers(data.draw, tuple(out.shape[1:]))
    out.backward(torch.from_numpy(grad_out)[None])
    ours_g = grad_out[0] if form != "4d" and data.draw(st.booleans()) else grad_out
    gi, gw, gb = conv2d_backward(ours_x, ours_w, ours_g, **args)
    np.testing.assert_allclose(gi, xt.grad[0].numpy().reshape(gi.shape), atol=1e-9)
    np.testing.assert_allclose(gw, wt.grad.numpy().reshape(gw.shape), atol=1e-9)
    np.testing.assert_allclose(gb, bt.grad.numpy(), atol=1e-9)
    assert gi.shape == np.shape(ours_x) and gw.shape == np.shape(ours_w)
    plan = conv2d_backward_steps(ours_x, ours_w, ours_g, **args)
    assert len(plan) == weight.size + c_out + x.size
    for s in plan:
        if s.target == "bias":
            assert sum(s.right) == pytest.approx(s.value)
            continue
        assert sum(a * b for a, b in zip(s.left, s.right)) == pytest.approx(s.value, abs=1e-9)
        if s.target == "input":  # the flipped kernel's cells are the weight's
            assert s.right == tuple(weight[c] for c in s.right_cells)
            assert s.value == pytest.approx(plan.grad_input[s.cell], abs=1e-9)
        else:
            assert s.value == pytest.approx(plan.grad_weight[s.cell], abs=1e-9)
    wrong = (c_out, out.shape[2] + 1, out.shape[3])  # never the output's shape
    with pytest.raises(ValueError, match="grad_out"):
        conv2d_backward(ours_x, ours_w, np.zeros(wrong), **args)


@SOME
@given(data=st.data())
def test_pool2d_backward_equals_autograd_or_both_reject(data):
    c, h, w = (
        data.draw(st.integers(1, 2)),
        data.draw(st.integers(1, 6)),
        data.draw(st.integers(1, 6)),
    )
    # distinct values in a max-pooling window keep torch's tie rule out of the question, but
    # ties are kept too: both pick the first maximum in reading order
    x = numbers(data.draw, (c, h, w))
    kind = data.draw(st.sampled_from(["max", "avg"]))
    kernel = data.draw(ints_or_pairs(1, 3))
    stride = data.draw(mostly(st.one_of(st.none(), ints_or_pairs(1, 3)), ints_or_pairs(0, 3)))
    padding = data.draw(mostly(ints_or_pairs(0, 1), ints_or_pairs(-1, 2)))
    ceil_mode, include_pad = data.draw(st.booleans()), data.draw(st.booleans())
    args = dict(stride=stride, padding=padding, ceil_mode=ceil_mode, count_include_pad=include_pad)
    xt = torch.from_numpy(x)[None].requires_grad_()

    def forward():
        if kind == "max":
            return F.max_pool2d(xt, kernel, stride, padding, 1, ceil_mode)
        return F.avg_pool2d(xt, kernel, stride, padding, ceil_mode, include_pad)

    out = torch_accepts(forward)
    if out is None:
        assert_rejected(lambda: pool2d_backward(x, kind, kernel, np.zeros((c, 1, 1)), **args))
        return
    grad_out = numbers(data.draw, tuple(out.shape[1:]))
    out.backward(torch.from_numpy(grad_out)[None])
    got = pool2d_backward(x, kind, kernel, grad_out, **args)
    np.testing.assert_allclose(got, xt.grad[0].numpy(), atol=1e-9)
    plan = pool2d_backward_steps(x, kind, kernel, grad_out, **args)
    assert len(plan) == grad_out.size
    np.testing.assert_allclose(plan.grad_after(len(plan) - 1), got, atol=1e-9)
    for s in plan:
        assert s.grad == grad_out[s.channel, s.row, s.col]
        if kind == "max":
            assert len(s.cells) <= 1 and s.share == s.grad
        else:
            assert s.share == pytest.approx(s.grad / s.divisor)


def test_pool_backward_lecture_slice():
    """2×2 max pooling of the lecture's slice: each gradient lands on its window's maximum."""
    lecture = [[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]
    got = pool2d_backward(lecture, "max", 2, [[1, 2], [3, 4]])
    expected = np.zeros((4, 4))
    expected[1, 1], expected[1, 3], expected[2, 0], expected[3, 3] = 1, 2, 3, 4
    np.testing.assert_array_equal(got, expected)
    spread = pool2d_backward(lecture, "avg", 2, [[4, 4], [4, 4]])
    np.testing.assert_array_equal(spread, np.ones((4, 4)))


@pytest.mark.parametrize(
    "call, names",
    [
        (
            lambda: conv2d(np.ones((3, 4, 4)), np.ones((2, 1, 2, 2)), groups=2),
            "groups 2 must divide the input channels",
        ),
        (
            lambda: conv2d(np.ones((4, 4, 4)), np.ones((3, 2, 2, 2)), groups=2),
            "groups 2 must divide the output channels",
        ),
        (
            lambda: conv2d(np.ones((4, 4, 4)), np.ones((2, 1, 2, 2)), groups=2),
            "weight has 1 input channel(s) per group",
        ),
        (
            lambda: conv2d(np.ones((2, 4, 4)), np.ones((2, 2, 2, 2)), groups=0),
            "groups must be at least 1",
        ),
        (
            lambda: conv_transpose2d(np.ones((3, 3)), np.ones((2, 2)), stride=2, output_padding=2),
            "output_padding 2 must be smaller than the stride (2) or the dilation (1)",
        ),
        (
            lambda: conv_transpose2d(np.ones((1, 1)), np.ones((1, 1)), padding=1),
            "padding 1 is too large",
        ),
        (
            lambda: conv_transpose2d(np.ones((3, 3)), np.ones((2, 2)), padding="same"),
            "padding must be a number",
        ),
        (
            lambda: conv2d_backward(np.ones((3, 3)), np.ones((2, 2)), np.ones((3, 3))),
            "grad_out must have the output's shape [1, 2, 2]",
        ),
        (
            lambda: pool2d_backward(np.ones((4, 4)), "max", 2, np.ones((3, 3))),
            "grad_out must have the output's shape [2, 2]",
        ),
    ],
)
def test_rejections_name_the_parameter_and_the_rule(call, names):
    with pytest.raises(ValueError) as info:
        call()
    assert names in str(info.value)
