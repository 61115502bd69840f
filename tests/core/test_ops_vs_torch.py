"""Property tests: cnnviz.ops against torch, the oracle, over thousands of random cases.

Whenever torch accepts a combination our numbers must equal its numbers; whenever torch
rejects one we must raise ValueError (never anything else, never a silent result).
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnnviz.ops import conv2d, conv2d_steps, pool2d, pool2d_steps

torch = pytest.importorskip("torch")
F = torch.nn.functional

MANY = settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ints_or_pairs = lambda lo, hi: st.one_of(  # noqa: E731
    st.integers(lo, hi), st.tuples(st.integers(lo, hi), st.integers(lo, hi))
)


@st.composite
def grids(draw, max_c=3, max_side=7):
    c = draw(st.integers(1, max_c))
    h, w = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    integral = draw(st.booleans())
    if integral:
        values = draw(st.lists(st.integers(-9, 9), min_size=c * h * w, max_size=c * h * w))
    else:
        values = draw(
            st.lists(
                st.floats(-10, 10, allow_nan=False, width=64),
                min_size=c * h * w,
                max_size=c * h * w,
            )
        )
    return np.array(values, dtype=np.float64).reshape(c, h, w)


def _pair(v):
    return v if isinstance(v, tuple) else (v, v)


def torch_conv(x, w, bias, stride, padding, dilation, mode):
    c, kh, kw = w.shape
    layer = torch.nn.Conv2d(
        c,
        1,
        (kh, kw),
        stride=stride,
        padding=padding,
        dilation=dilation,
        padding_mode=mode,
        dtype=torch.float64,
    )
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(w)[None])
        layer.bias.fill_(bias)
        return layer(torch.from_numpy(x)[None])[0, 0].numpy()


@MANY
@given(x=grids(), data=st.data())
def test_conv2d_matches_torch_or_both_reject(x, data):
    c = x.shape[0]
    kh, kw = data.draw(st.integers(1, 5)), data.draw(st.integers(1, 5))
    w = np.array(
        data.draw(st.lists(st.integers(-3, 3), min_size=c * kh * kw, max_size=c * kh * kw)),
        dtype=np.float64,
    ).reshape(c, kh, kw)
    bias = data.draw(st.sampled_from([0.0, 1.0, -2.5]))
    stride = data.draw(ints_or_pairs(0, 3))
    padding = data.draw(st.one_of(ints_or_pairs(-1, 3), st.sampled_from(["same", "valid"])))
    dilation = data.draw(ints_or_pairs(0, 3))
    mode = data.draw(st.sampled_from(["zeros", "reflect", "replicate", "circular"]))
    args = dict(bias=bias, stride=stride, padding=padding, dilation=dilation, padding_mode=mode)
    if not isinstance(padding, str) and min(_pair(padding)) < 0:
        # torch's zero mode rejects negative padding; its other modes crop instead (F.pad
        # with a negative amount). Cropping is not padding: cnnviz rejects it in every mode.
        with pytest.raises(ValueError):
            conv2d(x, w, **args)
        return
    try:
        expected = torch_conv(x, w, bias, stride, padding, dilation, mode)
    except Exception:  # torch rejects: so must we, with a ValueError
        with pytest.raises(ValueError):
            conv2d(x, w, **args)
        return
    got = conv2d(x, w, **args)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9)
    steps = list(conv2d_steps(x, w, **args))
    assert len(steps) == got.size
    for k, s in enumerate(steps):
        assert (s.row, s.col) == divmod(k, got.shape[1])
        assert s.value == got[s.row, s.col]
        assert sum(s.products) + s.bias == pytest.approx(s.value, abs=1e-9)


@MANY
@given(x=grids(), data=st.data())
def test_pool2d_matches_torch_or_both_reject(x, data):
    kind = data.draw(st.sampled_from(["max", "avg"]))
    kernel = data.draw(ints_or_pairs(1, 4))
    stride = data.draw(st.one_of(st.none(), ints_or_pairs(0, 3)))
    padding = data.draw(ints_or_pairs(-1, 2))
    dilation = data.draw(st.one_of(st.just(1), ints_or_pairs(0, 3)))
    ceil_mode = data.draw(st.booleans())
    include_pad = data.draw(st.booleans())
    args = dict(
        stride=stride,
        padding=padding,
        dilation=dilation,
        ceil_mode=ceil_mode,
        count_include_pad=include_pad,
    )
    xt = torch.from_numpy(x)[None]
    try:
        if kind == "max":
            expected = F.max_pool2d(xt, kernel, stride, padding, dilation, ceil_mode)
        else:
            if _pair(dilation) != (1, 1):
                raise NotImplementedError("avg_pool2d has no dilation")
            expected = F.avg_pool2d(xt, kernel, stride, padding, ceil_mode, include_pad)
        expected = expected[0].numpy()
    except Exception:
        with pytest.raises(ValueError):
            pool2d(x, kind, kernel, **args)
        return
    got = pool2d(x, kind, kernel, **args)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9)
    steps = list(pool2d_steps(x, kind, kernel, **args))
    assert len(steps) == got.size
    for k, s in enumerate(steps):
        assert (s.channel, s.row, s.col) == np.unravel_index(k, got.shape)
        assert s.value == got[s.channel, s.row, s.col]
        if kind == "max" and s.winner is not None:
            assert s.winner in s.cells
        if kind == "avg":
            assert s.total / s.divisor == pytest.approx(s.value, abs=1e-9)


@settings(max_examples=300, deadline=None)
@given(x=grids(max_c=1), kernel=st.integers(1, 3), stride=st.integers(1, 3))
def test_max_winner_is_torchs_index(x, kernel, stride):
    """The winning cell is the one torch's return_indices points at (first maximum)."""
    xt = torch.from_numpy(x)[None]
    try:
        _, idx = F.max_pool2d(xt, kernel, stride, return_indices=True)
    except Exception:
        return
    w = x.shape[2]
    for s in pool2d_steps(x, "max", kernel, stride):
        flat = int(idx[0, 0, s.row, s.col])
        assert s.winner[1:] == divmod(flat, w)
