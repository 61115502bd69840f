"""cnnviz.explain's backward pass equals torch autograd: every traced output's gradient, every
parameter's, every term list's sum, max pooling's ties, and the optimiser's step.

The reference gradients come from another route than the library's: a zero tensor added to
each operation's output (∂L/∂zero = ∂L/∂output), or forward hooks on the modules, with the
loss written here as the lecture writes it (``F.nll_loss`` after log_softmax, else
``F.cross_entropy``)."""

import copy
import doctest
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.fx as fx  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

from cnnviz.core.explain.graph import graph_of  # noqa: E402
from cnnviz.core.inference import MNIST_INFO, InputContract, load_default_model  # noqa: E402
from cnnviz.explain import (  # noqa: E402
    TraceError,
    batch_shares,
    explain_gradient,
    gradients,
    losses,
    num,
    sgd_step,
    trace_forward,
)
from cnnviz.models import build, load_model_file  # noqa: E402

ZOO = ["simple", "inception", "deeper", "resnet", "plain", "densenet", "inception_v3"]
FILES = Path(__file__).parent / "model_files"
NO_RULE = ("other", "unrecorded")  # kinds of reader shown by autograd's sum


SIZE = {"simple": 28, "inception": 28}  # the lecture's nets at their size; the others smaller


def _model(name, size=28):
    torch.manual_seed(0)
    model = build(name, input_size=size).eval()
    for m in model.modules():  # trained batch norms have statistics other than 0 and 1
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.2, 0.2)
    return model


def _pixels(seed=1, shape=(1, 28, 28)):
    return np.random.default_rng(seed).random(shape).astype(np.float32)


def _normalised(image, info=MNIST_INFO):
    return torch.from_numpy((image - info.mean) / info.std).float()[None]


def _loss(out, target, log_softmax: bool):
    y = torch.tensor([target])
    return F.nll_loss(out, y) if log_softmax else F.cross_entropy(out, y)


class _Probe(fx.Interpreter):
    """Adds a zero tensor to every operation's output: its gradient is the output's."""

    def __init__(self, graph):
        super().__init__(graph)
        self.zeros = {}

    def run_node(self, n):
        out = super().run_node(n)
        if n.op not in ("output", "get_attr") and isinstance(out, torch.Tensor):
            if out.is_floating_point():
                self.zeros[n.name] = torch.zeros_like(out, requires_grad=True)
                out = out + self.zeros[n.name]
        return out


@pytest.fixture(autouse=True)
def _denormals_flushed():
    """The references run as the library does: denormals flushed (else a fresh net's tiny
    numbers slow the CPU down a hundredfold)."""
    torch.set_flush_denormal(True)
    yield
    torch.set_flush_denormal(False)


def _reference(model, image, target, info, log_softmax: bool):
    """torch's gradients: {fx node name: ∂L/∂output}, {parameter: ∂L/∂p}, the loss."""
    probe = _Probe(graph_of(model))
    out = probe.run(_normalised(image, info))
    loss = _loss(out, target, log_softmax)
    names = list(probe.zeros)
    params = dict(model.named_parameters())
    tensors = [probe.zeros[n] for n in names] + list(params.values())
    grads = torch.autograd.grad(loss, tensors, allow_unused=True)
    grads = [torch.zeros_like(t) if g is None else g for t, g in zip(tensors, grads)]
    nodes = {n: g[0].numpy() for n, g in zip(names, grads)}
    params = {k: g.numpy() for k, g in zip(params, grads[len(names) :])}
    return nodes, params, float(loss.detach())


def _close(got, want, what):
    scale = float(np.abs(want).max()) if want.size else 0.0
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5 * scale + 1e-12, err_msg=what)


def _units(node, rng, count=2):
    if not node.is_map:
        n = node.value.size
        return [(0, None, None), (n - 1, None, None), (int(rng.integers(n)), None, None)]
    c, h, w = node.shape
    units = [(0, 0, 0), (c - 1, h - 1, w - 1)]
    return units + [
        (int(rng.integers(c)), int(rng.integers(h)), int(rng.integers(w))) for _ in range(count)
    ]


def _check_terms(back, rng, count=2):
    """Every node's units: the terms sum to the value, by a written rule where one exists."""
    nodes = back.trace.nodes
    for node in nodes:
        for unit in _units(node, rng, count):
            e = back.explain(node.index, *unit)
            scale = sum(abs(t.contribution) for t in e.terms) + abs(e.value)
            assert abs(e.total - e.value) <= 1e-5 * scale + 1e-12, (node.label, unit)
            for reader in e.fallback:  # only operations without a rule use autograd's sum
                kind = next((n.kind for n in nodes if n.label == reader), "outside")
                assert kind in NO_RULE, (node.label, reader, kind)
            for t in e.terms:
                if t.exact_rule:
                    assert t.contribution == pytest.approx(t.upstream * t.local, rel=1e-12)
            # the step bar's walk ends at the value
            assert abs(e.steps[-1].total - e.value) <= 1e-5 * scale + 1e-12, (node.label, unit)


def _holds_torch(obj, seen=None) -> bool:
    """Whether ``obj`` holds a torch object anywhere (attributes, containers)."""
    seen = set() if seen is None else seen
    if id(obj) in seen or isinstance(obj, (str, bytes, int, float, np.ndarray, type(None))):
        return False
    seen.add(id(obj))
    if type(obj).__module__.startswith("torch"):
        return True
    if isinstance(obj, dict):
        return any(_holds_torch(k, seen) or _holds_torch(v, seen) for k, v in obj.items())
    if isinstance(obj, (list, tuple, set)):
        return any(_holds_torch(v, seen) for v in obj)
    return hasattr(obj, "__dict__") and _holds_torch(vars(obj), seen)


def _check_against_autograd(model, image, target, info=MNIST_INFO):
    back = gradients(model, image, target, info)
    trace = trace_forward(model, _normalised(image, info)[0].numpy())
    assert [n.label for n in back.trace.nodes] == [n.label for n in trace.nodes]
    log_softmax = trace.nodes[-2].kind == "log_softmax"
    nodes, params, loss = _reference(model, image, target, info, log_softmax)
    assert back.loss == pytest.approx(loss, rel=1e-5)
    for node in back.trace.nodes[:-1]:
        _close(back.layers[node.label], nodes[node.name], node.label)
    assert set(back.parameters) == set(params)
    for name, want in params.items():
        _close(back.parameters[name], want, name)
    assert all(p.grad is None for p in model.parameters())  # nothing left on the model
    assert not model.training
    return back


@pytest.mark.parametrize("name", ZOO)
def test_every_gradient_equals_autograd_on_every_model_of_the_zoo(name):
    size = SIZE.get(name, 16)
    model = _model(name, size)
    info = InputContract((1, size, size), MNIST_INFO.class_names, MNIST_INFO.mean, MNIST_INFO.std)
    back = _check_against_autograd(model, _pixels(shape=(1, size, size)), 3, info)
    assert back.loss_kind == ("nll" if name in ("simple", "inception") else "cross_entropy")
    _check_terms(back, np.random.default_rng(0), count=1)


def test_the_trained_net_its_loss_written_out_and_every_term_list():
    model = load_default_model().eval()
    image = _pixels(4)
    back = _check_against_autograd(model, image, 7)
    p = float(back.probabilities[7])
    assert back.loss == pytest.approx(-np.log(p), rel=1e-5)
    assert back.loss_text == f"L = −log p₇ = −log {num(p)} = {num(back.loss)}"
    np.testing.assert_allclose(back.layers["probabilities"][7], -1 / p, rtol=1e-6)
    # log_softmax: p − one-hot on the logits; the NLL's −1 at the label
    np.testing.assert_allclose(back.layers["log_softmax"], -np.eye(10)[7])
    np.testing.assert_allclose(back.layers["fc"], back.probabilities - np.eye(10)[7], atol=1e-6)
    _check_terms(back, np.random.default_rng(1), count=4)
    assert not _holds_torch(back)  # numpy only: it may cross threads
    one = losses(model, image[None], [7], MNIST_INFO)
    assert one.loss == pytest.approx(back.loss, rel=1e-5) and one.loss_kind == "nll"
    np.testing.assert_allclose(one.probabilities[0], back.probabilities, rtol=1e-5, atol=1e-7)
    assert back.layers["conv1"].shape == (10, 24, 24)
    assert back.layers["mp (call 2)"].shape == (20, 4, 4)


def test_an_opened_lecture_script():
    model = load_model_file(FILES / "lecture_cnn_script.py").build().eval()
    back = _check_against_autograd(model, _pixels(5), 2)
    assert back.loss_kind == "nll"
    _check_terms(back, np.random.default_rng(2), count=3)


class EveryLayerNet(nn.Module):
    """Strides, dilation, groups, 'same' and reflect padding, ceil mode, average pooling
    without the padding, batch norm, leaky ReLU, sigmoid, dropout, adaptive pooling, a
    concatenation, a product (no written rule) and a final softmax."""

    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 6, 3, stride=2, padding=1)
        self.b = nn.Conv2d(6, 6, 3, padding="same", groups=3, dilation=2)
        self.c = nn.Conv2d(6, 4, 2, padding=1, padding_mode="reflect")
        self.bn = nn.BatchNorm2d(4)
        self.act = nn.LeakyReLU(0.1)
        self.drop = nn.Dropout(0.3)
        self.gap = nn.AdaptiveAvgPool2d(3)
        self.flat = nn.Flatten()
        self.fc = nn.Linear(72, 5)

    def forward(self, x):
        x = torch.sigmoid(self.a(x))
        x = F.max_pool2d(self.b(x), 3, stride=2, padding=1, ceil_mode=True)
        x = F.avg_pool2d(x, 2, stride=1, padding=1, count_include_pad=False)
        x = self.drop(self.act(self.bn(self.c(x))))
        x = torch.cat([x, x * x], dim=1)
        return F.softmax(self.fc(self.flat(self.gap(x))), dim=1)


def test_every_kind_of_layer_and_its_settings():
    torch.manual_seed(3)
    model = EveryLayerNet().eval()
    with torch.no_grad():
        model.bn.running_mean.uniform_(-0.5, 0.5)
        model.bn.running_var.uniform_(0.5, 2.0)
    info = InputContract((3, 17, 15), tuple("abcde"), 0.5, 0.25, "colour")
    back = _check_against_autograd(model, _pixels(5, (3, 17, 15)), 2, info)
    assert back.loss_kind == "cross_entropy"  # softmax outputs are not log-probabilities
    p = float(torch.softmax(torch.from_numpy(back.trace.nodes[-2].value), 0)[2])
    assert back.loss_text == f"L = −log softmax(z)₂ = −log p₂ = −log {num(p)} = {num(back.loss)}"
    assert back.loss == pytest.approx(-np.log(p), rel=1e-5)
    _check_terms(back, np.random.default_rng(4), count=5)
    e = back.explain("drop", 1, 2, 2)  # read by the product and the concatenation
    assert e.fallback == ["mul"] and set(e.rules) == {"mul", "cat"}
    assert {t.layer for t in e.terms} == {"mul", "cat"} and "mul" not in e.depends_on
    for name, index in [("a.weight", (5, 2, 0, 1)), ("b.weight", (3, 1, 2, 0)), ("c.bias", (2,))]:
        e = back.explain_parameter(name, index)
        assert not e.fallback and e.total == pytest.approx(e.value, rel=1e-5, abs=1e-9)


class TutorialNet(nn.Module):
    """PyTorch's tutorial net: its flatten loops over the size, which torch.fx refuses."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 3)
        self.conv2 = nn.Conv2d(6, 16, 3)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(-1, self.num_flat_features(x))
        x = F.relu(self.fc1(x))
        return self.fc2(x)

    def num_flat_features(self, x):
        num = 1
        for s in x.size()[1:]:
            num *= s
        return num


def test_a_model_torch_fx_cannot_follow():
    torch.manual_seed(4)
    model = TutorialNet().eval()
    with pytest.raises(TraceError):
        graph_of(model)
    image = _pixels(6)
    back = gradients(model, image, 5, MNIST_INFO)
    assert [n.label for n in back.trace.nodes] == [
        n.label for n in trace_forward(model, _normalised(image)[0].numpy()).nodes
    ]
    # the reference: forward hooks on the modules, the input's gradient
    outputs, inputs = {}, {}
    hooks = [
        m.register_forward_hook(lambda m, a, o, n=n: outputs.update({n: o}))
        for n, m in model.named_children()
    ] + [
        m.register_forward_pre_hook(lambda m, a, n=n: inputs.update({n: a[0]}))
        for n, m in model.named_children()
    ]
    x = _normalised(image).requires_grad_(True)
    loss = F.cross_entropy(model(x), torch.tensor([5]))
    for h in hooks:
        h.remove()
    names = list(outputs)
    params = dict(model.named_parameters())
    tensors = [x] + [outputs[n] for n in names] + [inputs[n] for n in names] + list(params.values())
    grads = torch.autograd.grad(loss, tensors)
    assert back.loss == pytest.approx(float(loss.detach()), rel=1e-5)
    _close(back.layers["input"], grads[0][0].numpy(), "input")
    for i, name in enumerate(names):
        _close(back.layers[name], grads[1 + i][0].numpy(), name)
        before = back.trace.nodes[back.trace.node(name).parents[0]]
        _close(back.layers[before.label], grads[1 + len(names) + i][0].numpy(), before.label)
    for name, g in zip(params, grads[1 + 2 * len(names) :]):
        _close(back.parameters[name], g.numpy(), name)
    with pytest.raises(TraceError, match="gradient is exact, but its terms cannot be written"):
        back.explain("conv2", 0, 1, 1)
    assert not back.explainable
    e = back.explain_parameter("conv2.weight", (3, 2, 1, 0))  # a module's own arithmetic
    assert not e.fallback and e.total == pytest.approx(e.value, rel=1e-5, abs=1e-9)


class ChainNet(nn.Module):
    """A chain of modules with an in-place ReLU and a skip, and a loop torch.fx refuses."""

    def __init__(self, inplace=True):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 4, 3), nn.ReLU(inplace=inplace), nn.MaxPool2d(2), nn.Conv2d(4, 4, 3)
        )
        self.skip = nn.Conv2d(4, 4, 1)
        self.fc = nn.Linear(4 * 11 * 11, 10)

    def forward(self, x):
        x = self.features(x)
        x = x + self.skip(x)
        n = 1
        for s in x.size()[1:]:
            n *= s
        return F.log_softmax(self.fc(x.view(-1, n)), dim=1)


def test_a_chain_of_modules_fx_cannot_follow_has_no_gaps_and_keeps_each_output():
    torch.manual_seed(6)
    model = ChainNet().eval()
    twin = ChainNet(inplace=False).eval()  # the reference: no in-place ReLU
    twin.load_state_dict(model.state_dict())
    image = _pixels(7)
    back = gradients(model, image, 8, MNIST_INFO)
    labels = [n.label for n in back.trace.nodes]
    assert labels == [n.label for n in trace_forward(model, _normalised(image)[0].numpy()).nodes]
    assert labels[:6] == ["input", "features.0", "features.1", "features.2", "features.3", "skip"]
    outputs = {}
    hooks = [
        m.register_forward_hook(lambda m, a, o, n=n: outputs.update({n: o}))
        for n, m in twin.named_modules()
        if n and not list(m.children())
    ]
    x = _normalised(image).requires_grad_(True)
    loss = F.nll_loss(twin(x), torch.tensor([8]))
    for h in hooks:
        h.remove()
    names = list(outputs)
    grads = torch.autograd.grad(loss, [outputs[n] for n in names] + list(twin.parameters()))
    assert back.loss == pytest.approx(float(loss.detach()), rel=1e-5)
    for name, g in zip(names, grads):
        node = back.trace.node(name)  # the value before the in-place ReLU, and its gradient
        _close(node.value, outputs[name][0].detach().numpy(), name)
        _close(back.layers[name], g[0].numpy(), name)
    for (name, _), g in zip(twin.named_parameters(), grads[len(names) :]):
        _close(back.parameters[name], g.numpy(), name)


class TieNet(nn.Module):
    """A ReLU before max pooling: zeros tie in every window the ReLU blocks; overlapping
    windows with padding, and adaptive max pooling, tie too."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3, padding=1)
        self.conv2 = nn.Conv2d(2, 3, 1)
        self.fc = nn.Linear(3 * 2 * 2, 4)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv(x)), 3, stride=1, padding=1)
        x = F.max_pool2d(x, 2)
        x = F.adaptive_max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc(x.flatten(1))


def test_max_pooling_ties_go_where_torch_sends_them():
    torch.manual_seed(5)
    model = TieNet().eval()
    with torch.no_grad():
        model.conv.weight[0] = 0.0  # channel 0: the bias everywhere, a tie in every window
        model.conv.bias[0] = 0.5
        model.conv.bias[1] = -0.2  # channel 1: ReLU blocks much, zeros tie
    image = np.zeros((1, 8, 8), np.float32)
    image[0, 2:5, 3:6] = 1.0
    info = InputContract((1, 8, 8), tuple("abcd"), 0.0, 1.0, "ties")
    back = _check_against_autograd(model, image, 1, info)
    relu = back.trace.node("relu").value
    assert (relu[0] == 0.5).all() and (relu[1] == 0).sum() > 10  # the ties are there
    _check_terms(back, np.random.default_rng(3), count=6)
    # every unit of the tied channel: the terms that won are exactly where torch sent it
    g = back.layers["relu"][0]
    for r in range(8):
        for c in range(8):
            e = back.explain("relu", 0, r, c)
            won = [t for t in e.terms if t.layer == "max_pool2d" and t.local == 1.0]
            assert (g[r, c] != 0) == any(t.upstream != 0 for t in won)


def test_what_a_unit_depends_on_is_what_torch_moves():
    """A unit's readers: every window that reads it (the convolution), and where its value
    moves the output (the max pooling's won windows), as a jvp through the op says."""
    model = load_default_model().eval()
    back = gradients(model, _pixels(8), 4, MNIST_INFO)
    relu = torch.from_numpy(back.trace.node("relu").value)[None]
    conv1 = torch.from_numpy(back.trace.node("conv1").value)[None]
    for unit in [(3, 5, 7), (0, 0, 0), (9, 11, 11)]:
        tangent = torch.zeros_like(relu)
        tangent[(0,) + unit] = 1.0
        moved = torch.func.jvp(model.conv2, (relu,), (tangent,))[1].detach()
        want = {tuple(int(i) for i in u[1:]) for u in moved.nonzero()}
        e = back.explain("relu", *unit)
        assert set(e.depends_on["conv2"]) == want
        for t in e.terms:
            assert t.local == pytest.approx(float(moved[(0, t.channel, t.row, t.col)]), abs=1e-7)
        tangent = torch.zeros_like(conv1)
        tangent[(0,) + unit] = 1.0
        moved = torch.func.jvp(model.mp, (conv1,), (tangent,))[1].detach()
        e = back.explain("conv1", *unit)
        won = {t.unit() for t in e.terms if t.local != 0}
        assert won == {tuple(int(i) for i in u[1:]) for u in moved.nonzero()}


def test_a_convolution_and_a_linear_layer_write_out_their_rules():
    model = load_default_model().eval()
    back = gradients(model, _pixels(9), 1, MNIST_INFO)
    e = back.explain("relu", 2, 6, 6)
    assert "full convolution of ∂L/∂Y with the flipped kernel" in e.rule
    assert len(e.depends_on["conv2"]) == 20 * 5 * 5
    e = back.explain("mp", 2, 6, 6)
    assert "ReLU" in e.rule and ("passes" in e.rule or "blocks" in e.rule)
    e = back.explain("fc", 4)
    assert "p − one-hot" in e.rule
    assert e.value == pytest.approx(float(back.probabilities[4]), abs=1e-6)
    e = explain_gradient(model, _pixels(9), 1, MNIST_INFO, "conv1", 4, 10, 3)
    assert "max pooling" in e.rule and e.total == pytest.approx(e.value, abs=1e-9)
    for name, index in [
        ("conv1.weight", (4, 0, 2, 3)),
        ("conv2.weight", (7, 9, 0, 4)),
        ("conv2.bias", (11,)),
        ("fc.weight", (1, 200)),
        ("fc.bias", (1,)),
    ]:
        e = back.explain_parameter(name, index)
        assert not e.fallback, name
        assert e.total == pytest.approx(e.value, rel=1e-5, abs=1e-9), name
    e = back.explain_parameter("conv2.weight", (7, 9, 0, 4))
    assert "correlation of the input with ∂L/∂Y" in e.rule and len(e.terms) == 64
    (step,) = e.steps  # the input under the kernel cell, ∂L/∂Y: two 8×8 grids
    x = back.trace.node("relu").value[9]
    np.testing.assert_array_equal(step.window, x[0:8, 4:12])
    np.testing.assert_array_equal(step.kernel, back.layers["conv2"][7])
    assert step.total == pytest.approx(e.value, rel=1e-5, abs=1e-9)
    e = back.explain("relu", 2, 6, 6)  # a step per output channel of conv2: ∂L/∂Y × kernel
    assert len(e.steps) == 20 and e.steps[3].window.shape == (5, 5)
    np.testing.assert_array_equal(e.steps[3].kernel, model.conv2.weight[3, 2].detach().numpy())
    g = back.layers["conv2"][3]  # x at (6, 6) is read by output (6 − i, 6 − j) through (i, j)
    np.testing.assert_array_equal(e.steps[3].window, g[6 - np.arange(5)][:, 6 - np.arange(5)])
    top, rest = e.top(8)
    assert len(top) == 8 and sum(t.contribution for t in top) + rest == pytest.approx(e.total)
    assert back.backward_order()[0] == "log_softmax" and back.backward_order()[-1] == "input"
    # the same numbers on the Backward page: its conv2d_backward gives torch's gradients
    from cnnviz.core.ops.backward import conv2d_backward

    n = back.conv_numbers("conv2", 7, 9)
    _, grad_w, grad_b = conv2d_backward(
        n["x"], n["weight"], n["grad_out"], n["stride"], n["padding"], n["dilation"]
    )
    _close(grad_w, back.parameters["conv2.weight"][7, 9], "conv2.weight[7, 9]")
    _close(grad_b, back.parameters["conv2.bias"][7:8], "conv2.bias[7]")
    with pytest.raises(ValueError, match="mp is not a convolution"):
        back.conv_numbers("mp", 0, 0)
    deeper = _model("deeper")
    back = gradients(deeper, _pixels(2), 6, MNIST_INFO)
    bn = next(n for n, m in deeper.named_modules() if isinstance(m, nn.BatchNorm2d))
    for attr in ("weight", "bias"):
        e = back.explain_parameter(f"{bn}.{attr}", (1,))
        assert not e.fallback and e.total == pytest.approx(e.value, rel=1e-5, abs=1e-9)


class AfterNet(nn.Module):
    """Computes something after the output it returns: the loss starts at what it returns."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(16, 3)
        self.extra = nn.Linear(3, 3)

    def forward(self, x):
        z = self.fc(x.flatten(1))
        self.extra(z)
        return z


def test_the_loss_starts_at_the_output_the_forward_returns():
    torch.manual_seed(2)
    info = InputContract((1, 4, 4), tuple("abc"), 0.0, 1.0, "tiny")
    back = _check_against_autograd(AfterNet().eval(), _pixels(2, (1, 4, 4)), 1, info)
    assert not back.layers["extra"].any()  # not on the way to the loss
    e = back.explain("fc", 0)
    assert "loss" in e.rules and not e.fallback
    assert e.total == pytest.approx(e.value, rel=1e-6)


def test_the_model_given_is_left_as_it_was():
    model = _model("deeper", 16)
    model.train()
    model.features[0][0].weight.requires_grad_(False)  # a frozen layer has its gradient too
    before = {k: v.clone() for k, v in model.state_dict().items()}
    info = InputContract((1, 16, 16), MNIST_INFO.class_names, MNIST_INFO.mean, MNIST_INFO.std)
    image = _pixels(3, (1, 16, 16))
    back = gradients(model, image, 4, info)
    assert model.training and not model.features[0][0].weight.requires_grad
    assert all(p.grad is None for p in model.parameters())
    for key, value in model.state_dict().items():  # batch norm statistics included
        assert torch.equal(value, before[key]), key
    model.eval()  # the gradients were those of eval mode (dropout off, running statistics)
    model.features[0][0].weight.requires_grad_(True)
    nodes, params, loss = _reference(model, image, 4, info, False)
    assert back.loss == pytest.approx(loss, rel=1e-5)
    for name, want in params.items():
        _close(back.parameters[name], want, name)
    assert np.abs(back.parameters["features.0.0.weight"]).max() > 0


def test_bad_arguments_are_refused_clearly():
    model = load_default_model()
    with pytest.raises(ValueError, match="target must be a class number 0–9"):
        gradients(model, _pixels(), 10, MNIST_INFO)
    with pytest.raises(ValueError, match="values must lie in"):
        gradients(model, _pixels() * 2, 1, MNIST_INFO)
    with pytest.raises(ValueError, match=r"shape \[1, 28, 28\]"):
        gradients(model, _pixels(shape=(28, 28)), 1, MNIST_INFO)
    back = gradients(model, _pixels(), 1, MNIST_INFO)
    with pytest.raises(ValueError, match="no layer 'conv9'"):
        back.explain("conv9", 0, 0, 0)
    with pytest.raises(ValueError, match="outside conv1's 10×24×24"):
        back.explain("conv1", 0, 24, 0)
    with pytest.raises(ValueError, match="no parameter 'conv3.weight'"):
        back.explain_parameter("conv3.weight", (0, 0, 0, 0))
    with pytest.raises(ValueError, match=r"outside conv1.weight's shape \(10, 1, 5, 5\)"):
        back.explain_parameter("conv1.weight", (0, 0, 5, 0))


def _batch(n, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, 1, 28, 28)).astype(np.float32), rng.integers(0, 10, n)


def _torch_steps(model, batches, lr, momentum, log_softmax):
    """The reference: torch.optim.SGD on a copy in train mode, one step per batch."""
    twin = copy.deepcopy(model).train()
    opt = torch.optim.SGD(twin.parameters(), lr=lr, momentum=momentum)
    for images, labels in batches:
        x = torch.cat([_normalised(i) for i in images])
        opt.zero_grad()
        out = twin(x)
        y = torch.from_numpy(labels).long()
        (F.nll_loss(out, y) if log_softmax else F.cross_entropy(out, y)).backward()
        opt.step()
    return twin.state_dict()


@pytest.mark.parametrize("name, momentum", [("simple", 0.0), ("simple", 0.5), ("deeper", 0.9)])
def test_two_steps_equal_torch_optim_sgd(name, momentum):
    model = load_default_model().eval() if name == "simple" else _model(name)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    n = 4 if name == "deeper" else 8
    batches = [_batch(n, 1), _batch(n, 2)]
    torch.manual_seed(1)  # dropout draws the same masks in both runs
    first = sgd_step(model, *batches[0], MNIST_INFO, lr=0.05, momentum=momentum)
    twin = copy.deepcopy(model)
    twin.load_state_dict({k: torch.from_numpy(v) for k, v in first.state_dict.items()})
    second = sgd_step(
        twin, *batches[1], MNIST_INFO, 0.05, momentum, momentum_buffer=first.momentum_buffer
    )
    torch.manual_seed(1)
    want = _torch_steps(model, batches, 0.05, momentum, name == "simple")
    for key, value in want.items():
        np.testing.assert_allclose(second.state_dict[key], value.numpy(), rtol=1e-5, atol=1e-6)
    assert (first.momentum_buffer is None) == (momentum == 0)
    for key, value in model.state_dict().items():  # the model given is left as it was
        assert torch.equal(value, before[key]), key
    assert all(p.grad is None for p in model.parameters()) and not model.training
    assert first.loss_kind == ("nll" if name == "simple" else "cross_entropy")
    with torch.no_grad():  # the losses: the batch's mean in eval mode, before and after
        x = torch.cat([_normalised(i) for i in batches[0][0]])
        y = torch.from_numpy(batches[0][1]).long()
        out = model(x)
        want_before = F.nll_loss(out, y) if name == "simple" else F.cross_entropy(out, y)
    assert first.loss_before == pytest.approx(float(want_before), rel=1e-5)
    if name == "simple":  # the same losses, measured apart, on the model and on the step's state
        assert losses(model, *batches[0], MNIST_INFO).loss == pytest.approx(first.loss_before)
        after = losses(model, *batches[0], MNIST_INFO, state_dict=first.state_dict)
        assert after.loss == pytest.approx(first.loss_after, rel=1e-6)
    small = sgd_step(model, *batches[0], MNIST_INFO, lr=1e-3)
    assert small.loss_before == first.loss_before
    assert small.loss_after < small.loss_before  # a small step down the gradient lowers it


def test_each_images_share_of_a_batch_gradient():
    model = load_default_model().eval()
    images, labels = _batch(6, 3)
    shares = batch_shares(model, images, labels, MNIST_INFO, "conv2.weight", (5, 3, 2, 1))
    x = torch.cat([_normalised(i) for i in images])
    loss = F.nll_loss(model(x), torch.from_numpy(labels).long())
    (g,) = torch.autograd.grad(loss, model.conv2.weight)
    assert shares.gradient == pytest.approx(float(g[5, 3, 2, 1]), rel=1e-5, abs=1e-9)
    assert float(shares.shares.sum()) == pytest.approx(shares.gradient, rel=1e-12)
    for n in range(6):  # each share is that image's own gradient ÷ N
        own = gradients(model, images[n], int(labels[n]), MNIST_INFO).parameters["conv2.weight"]
        assert shares.per_image[n] == pytest.approx(float(own[5, 3, 2, 1]), rel=1e-5, abs=1e-9)
        assert shares.shares[n] == pytest.approx(shares.per_image[n] / 6)
    assert all(p.grad is None for p in model.parameters())
    with pytest.raises(ValueError, match="no parameter 'conv9.weight'"):
        batch_shares(model, images, labels, MNIST_INFO, "conv9.weight", (0,))
    with pytest.raises(ValueError, match="6 images need 6 targets"):
        sgd_step(model, images, labels[:5], MNIST_INFO, 0.01)


def test_the_documentation_example_runs():
    page = Path(__file__).resolve().parents[2] / "docs" / "library" / "gradients.md"
    result = doctest.testfile(str(page), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 10 and result.failed == 0


def test_a_nested_flush_of_denormals_leaves_its_callers_on():
    """The training engine, attribution and the step's gradients flush denormals in their own
    thread; one inside another must not turn the flush off for the rest of the outer one."""
    import torch

    from cnnviz.core.denormals import denormals_flushed

    def flushed() -> bool:  # whether a product that should be a denormal float32 comes out 0
        return (torch.tensor([1e-38]) * 1e-3).item() == 0.0

    if not torch.set_flush_denormal(True):
        pytest.skip("this CPU cannot flush denormals")
    torch.set_flush_denormal(False)
    assert not flushed()
    with denormals_flushed():
        with denormals_flushed():
            assert flushed()
        assert flushed()  # the inner use ended; the outer one still flushes
    assert not flushed()
