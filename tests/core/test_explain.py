"""cnnviz.explain: every traced number equals torch's, on every model of the zoo.

Values are checked against forward-hook outputs, partial sums against a convolution of one
input channel, and receptive fields against an independent computation: the support of the
input gradient through a copy of the model whose weights are all positive and whose max
pooling is average pooling over the same windows (every pixel a window reads then has a
non-zero gradient, and no other pixel has one).
"""

import copy

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.fx as fx  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

from cnnviz.core.explain.graph import graph_of  # noqa: E402
from cnnviz.explain import (  # noqa: E402
    TraceError,
    explain_unit,
    layer_fields,
    receptive_field,
    trace_forward,
)
from cnnviz.models import build  # noqa: E402

ZOO = ["simple", "inception", "deeper", "resnet", "plain", "densenet", "inception_v3"]


def _model(name):
    torch.manual_seed(0)
    model = build(name).eval()
    # trained batch norms have statistics other than 0 and 1: so must the tests
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.0)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.2, 0.2)
    return model


def _image(seed=1, shape=(1, 28, 28)):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def _hooked_outputs(model, image):
    """Each module call's output as forward hooks see it: {(path, call): array}."""
    outputs, calls = {}, {}
    names = {m: n for n, m in model.named_modules() if n}

    def hook(module, args, out):
        name = names[module]
        calls[name] = calls.get(name, 0) + 1
        outputs[(name, calls[name])] = out[0].detach().numpy().copy()

    handles = [m.register_forward_hook(hook) for m in names]
    with torch.no_grad():
        model(torch.from_numpy(image)[None])
    for h in handles:
        h.remove()
    return outputs


@pytest.mark.parametrize("name", ZOO)
def test_every_traced_value_equals_the_forward_hooks(name):
    model, image = _model(name), _image()
    trace = trace_forward(model, image)
    hooked = _hooked_outputs(model, image)
    calls = {}
    checked = 0
    for node in trace.nodes:
        if node.module is None:
            continue
        calls[node.module] = calls.get(node.module, 0) + 1
        expected = hooked[(node.module, calls[node.module])]
        np.testing.assert_allclose(node.value, expected, rtol=1e-5, atol=1e-6)
        checked += 1
    for (path, call), expected in hooked.items():  # a block: its output is its last node's
        if call == 1 and not any(n.module == path for n in trace.nodes):
            inside = [n for n in trace.nodes if path in n.scopes]
            if not inside:  # an empty nn.Sequential (ResNet's identity shortcut): no operation
                assert not list(model.get_submodule(path).children())
                checked += 1
                continue
            last = inside[-1]
            np.testing.assert_allclose(last.value, expected, rtol=1e-5, atol=1e-6)
            checked += 1
    assert checked == len(hooked)  # every module call is in the trace
    with torch.no_grad():
        probs = torch.softmax(model(torch.from_numpy(image)[None])[0], 0).numpy()
    np.testing.assert_allclose(trace.probabilities, probs, rtol=1e-5, atol=1e-7)


def _units(node, rng, count=3):
    """Corners (padding at the borders) and random inner units of a node."""
    if not node.is_map:
        n = node.value.size
        return [(0, None, None), (n - 1, None, None), (int(rng.integers(n)), None, None)]
    c, h, w = node.shape
    units = [(0, 0, 0), (c - 1, h - 1, w - 1)]
    units += [
        (int(rng.integers(c)), int(rng.integers(h)), int(rng.integers(w))) for _ in range(count)
    ]
    return units


def _result_step(e):
    """The step that gives the unit's value (a convolution may add its activation after)."""
    if e.kind == "conv":
        return next(s for s in e.steps if s.title == "Add the bias")
    return e.steps[-1]


@pytest.mark.parametrize("name", ZOO)
def test_every_explained_value_is_the_traced_value_and_partials_add_up(name):
    model, image = _model(name), _image(2)
    trace = trace_forward(model, image)
    rng = np.random.default_rng(0)
    for node in trace.nodes:
        for channel, row, col in _units(node, rng, 2):
            e = trace.explain(node.index, channel, row, col)
            expected = node.value[channel, row, col] if node.is_map else node.value[channel]
            assert e.value == pytest.approx(float(expected))
            assert e.steps, node.label
            assert not e.cannot, (node.label, e.cannot)  # the zoo uses only explained layers
            last = _result_step(e).total
            scale = max(1.0, abs(float(expected)))
            assert last == pytest.approx(float(expected), abs=2e-5 * scale), (node.label, e)
            if node.kind == "conv":
                assert len(e.partials) == len(e.input_channels)
                total = float(e.partials.sum()) + e.bias
                assert total == pytest.approx(float(expected), abs=2e-5 * scale)


@pytest.mark.parametrize("name", ["simple", "inception", "resnet", "densenet"])
def test_partial_sums_equal_a_convolution_of_each_input_channel(name):
    model, image = _model(name), _image(3)
    trace = trace_forward(model, image)
    modules = dict(model.named_modules())
    rng = np.random.default_rng(1)
    for node in trace.nodes:
        if node.kind != "conv":
            continue
        conv = modules[node.module]
        x = torch.from_numpy(trace.nodes[node.parents[0]].value)[None]
        for channel, row, col in _units(node, rng, 1):
            e = trace.explain(node.index, channel, row, col)
            for partial, ch in zip(e.partials, e.input_channels):
                g = ch // (conv.in_channels // conv.groups)
                inner = ch - g * (conv.in_channels // conv.groups)
                w = conv.weight[channel : channel + 1, inner : inner + 1]
                with torch.no_grad():
                    one = F.conv2d(
                        x[:, ch : ch + 1], w, None, conv.stride, conv.padding, conv.dilation
                    )
                assert partial == pytest.approx(float(one[0, 0, row, col]), abs=1e-5)


def _positive_copy(model):
    """All weights positive, batch norm statistics neutral, max pooling → average pooling."""
    twin = copy.deepcopy(model).eval()
    with torch.no_grad():
        for p in twin.parameters():
            p.copy_(p.abs() + 0.05)
        for m in twin.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.running_mean.zero_()
                m.running_var.fill_(1.0)
    for name, m in list(twin.named_modules()):
        if isinstance(m, nn.MaxPool2d):
            avg = nn.AvgPool2d(m.kernel_size, m.stride, m.padding, m.ceil_mode)
            parent = twin.get_submodule(name.rpartition(".")[0]) if "." in name else twin
            setattr(parent, name.rpartition(".")[2], avg)
    return twin


def _gradient_boxes(graph, shape):
    """A function giving, for one unit of a node, the bounding box of the input pixels with
    a non-zero gradient (one forward pass serves every unit)."""
    x = torch.ones((1,) + shape, requires_grad=True)
    recorded = {}

    class Recorder(fx.Interpreter):
        def run_node(self, n):
            out = super().run_node(n)
            recorded[n.name] = out
            return out

    Recorder(graph).run(x)

    def box(node_name, unit):
        (grad,) = torch.autograd.grad(recorded[node_name][0][unit], x, retain_graph=True)
        support = (grad[0].abs() > 0).any(axis=0).numpy()
        rows, cols = np.flatnonzero(support.any(axis=1)), np.flatnonzero(support.any(axis=0))
        return int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1

    return box


@pytest.mark.parametrize("name", ZOO)
def test_receptive_fields_equal_the_support_of_the_input_gradient(name):
    model = _model(name)
    shape = (1, 28, 28)
    trace = trace_forward(model, np.zeros(shape, np.float32))
    gradient_box = _gradient_boxes(fx.symbolic_trace(_positive_copy(model)), shape)
    rng = np.random.default_rng(2)
    nodes = [n for n in trace.nodes if n.kind != "input" and n.name != "probabilities"]
    if len(nodes) > 30:  # the big nets: a sample of their layers, all kinds included
        picked = rng.choice(len(nodes), 30, replace=False)
        nodes = [nodes[i] for i in sorted(picked)]
    for node in nodes:
        for channel, row, col in _units(node, rng, 1):
            field = trace.receptive_field(node.index, row, col, channel)
            unit = (channel, row, col) if node.is_map else (channel,)
            got = (field.top, field.left, field.bottom, field.right)
            assert got == gradient_box(node.name, unit), (node.label, unit)


def test_the_lecture_nets_fields_and_jumps():
    model = _model("simple")
    assert receptive_field(model, (1, 28, 28), "conv1", 0, 0).size == (5, 5)
    rf = receptive_field(model, (1, 28, 28), "mp (call 2)", 1, 1)
    assert (rf.top, rf.left, rf.bottom, rf.right) == (4, 4, 20, 20)
    assert rf.size == (16, 16) and rf.jump == (4, 4)
    assert receptive_field(model, (1, 28, 28), "fc", 0, 0).size is None
    fields = layer_fields(model, (1, 28, 28))
    assert fields[("conv2", 1)] == ((14, 14), (2, 2))
    assert fields[("mp", 2)] == ((16, 16), (4, 4))
    inception = layer_fields(_model("inception"), (1, 28, 28))
    # the 5×5 branch of incept1 sees 6 + 4·2 = 14 pixels; the block the largest branch
    assert inception[("incept1.branch5x5_2", 1)] == ((14, 14), (2, 2))
    assert inception[("incept1", 1)] == ((14, 14), (2, 2))


def test_the_lecture_nets_flatten_and_probability_read_as_the_lecture_says():
    model, image = _model("simple"), _image(4)
    trace = trace_forward(model, image)
    e = trace.explain("reshape", 137)
    assert e.origin == (8, 2, 1)
    # torch's index in brackets, the words counted from 1 as the grid lessons count
    assert (
        "reshape[137] = relu (call 2)[8, 2, 1] (channel 9, row 3, column 2 of its 20×4×4)"
        in e.steps[0].text
    )
    z = trace.logits.value.astype(np.float64)
    p = trace.explain("probabilities", 3)
    assert p.value == pytest.approx(np.exp(z[3]) / np.exp(z).sum(), rel=1e-5)
    assert "e^z[3] / Σ e^z" in p.steps[-1].text
    logit = trace.explain("fc", 7)
    assert logit.steps[-1].total == pytest.approx(logit.value, abs=1e-5)
    assert len(logit.steps) == 8 + 1 + 1  # 8 largest terms, the other 312 summed, the bias


def test_a_user_model_of_standard_layers_and_functions_is_explained_exactly():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Conv2d(3, 6, 3, stride=2, padding=1, dilation=1)
            self.b = nn.Conv2d(6, 6, 3, padding="same", groups=3, dilation=2)
            self.c = nn.Conv2d(6, 4, 2, padding=1, padding_mode="reflect")
            self.bn = nn.BatchNorm2d(4)
            self.act = nn.LeakyReLU(0.1)
            self.drop = nn.Dropout(0.3)
            self.gap = nn.AdaptiveAvgPool2d(3)
            self.flat = nn.Flatten()
            self.fc = nn.Linear(36, 5)

        def forward(self, x):
            x = torch.sigmoid(self.a(x))
            x = F.max_pool2d(self.b(x), 3, stride=2, padding=1, ceil_mode=True)
            x = F.avg_pool2d(x, 2, stride=1, padding=1, count_include_pad=False)
            x = self.drop(self.act(self.bn(self.c(x))))
            return F.softmax(self.fc(self.flat(self.gap(x))), dim=1)

    torch.manual_seed(3)
    model = Net().eval()
    image = _image(5, (3, 17, 15))
    trace = trace_forward(model, image)
    kinds = [n.kind for n in trace.nodes]
    for kind in ("conv", "max_pool", "avg_pool", "batch_norm", "activation", "identity"):
        assert kind in kinds
    rng = np.random.default_rng(5)
    for node in trace.nodes:
        for channel, row, col in _units(node, rng, 3):
            e = trace.explain(node.index, channel, row, col)
            expected = float(node.value[channel, row, col] if node.is_map else node.value[channel])
            step = _result_step(e)
            assert not e.cannot and step.total == pytest.approx(expected, abs=2e-5), node.label


def test_a_layer_it_cannot_write_out_still_has_its_value_and_field():
    class Odd(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 2, 3)
            self.fc = nn.Linear(2 * 26 * 26, 3)

        def forward(self, x):
            x = torch.cumsum(self.conv(x), dim=3)  # nothing a lesson covers
            return self.fc(x.flatten(1))

    model = Odd().eval()
    trace = trace_forward(model, _image(6))
    e = trace.explain("cumsum", 1, 4, 7)
    assert "cumsum" in e.cannot and "value and receptive field are exact" in e.cannot
    assert e.value == pytest.approx(float(trace.node("cumsum").value[1, 4, 7]))
    # conservative: an unknown operation is taken to read all of its input
    assert (e.receptive_field.top, e.receptive_field.bottom) == (0, 28)


def test_names_and_bad_units_are_refused_clearly():
    model = _model("simple")
    trace = trace_forward(model, _image())
    assert trace.node("mp (call 2)").shape == (20, 4, 4)
    assert trace.node("conv1").label == "conv1"
    with pytest.raises(ValueError, match="no layer 'conv9'.*conv1, mp"):
        trace.node("conv9")
    with pytest.raises(ValueError, match="outside conv1's 10×24×24"):
        trace.explain("conv1", 0, 24, 0)
    with pytest.raises(ValueError, match="give a row and a column"):
        trace.explain("conv1", 0)
    with pytest.raises(ValueError, match=r"\[C, H, W\]"):
        trace_forward(model, np.zeros((28, 28)))


class TutorialNet(nn.Module):
    """PyTorch's own tutorial net: its flatten loops over the size, which torch.fx refuses."""

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


def _hooked_gradient_box(model, layer, unit, shape=(1, 28, 28)):
    """The input-gradient support of one unit of a module's output (hooks, no torch.fx)."""
    twin = _positive_copy(model)
    x = torch.ones((1,) + shape, requires_grad=True)
    seen = {}
    handle = twin.get_submodule(layer).register_forward_hook(lambda m, a, o: seen.update(out=o))
    twin(x)
    handle.remove()
    (grad,) = torch.autograd.grad(seen["out"][0][unit], x)
    support = (grad[0].abs() > 0).any(axis=0).numpy()
    rows, cols = np.flatnonzero(support.any(axis=1)), np.flatnonzero(support.any(axis=0))
    return int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1


def test_a_forward_torch_fx_cannot_follow_is_recorded_module_by_module(monkeypatch):
    torch.manual_seed(4)
    model = TutorialNet().eval()
    with pytest.raises(TraceError):  # the reason for the fallback: symbolic tracing refuses
        graph_of(model)
    image = _image(8)
    trace = trace_forward(model, image)
    labels = [n.label for n in trace.nodes]
    assert labels[:3] == ["input", "conv1", "(between conv1 and conv2)"]
    assert labels[-1] == "probabilities" and "fc2" in labels
    hooked = _hooked_outputs(model, image)
    for node in trace.nodes:
        if node.module:
            np.testing.assert_allclose(node.value, hooked[(node.module, 1)], rtol=1e-5, atol=1e-6)
    gap = trace.node("(between conv1 and conv2)")
    assert "F.max_pool2d(F.relu(x), 2), recognised from its numbers" in gap.op_text
    e = trace.explain("(between conv1 and conv2)", 2, 3, 4)
    assert "its arithmetic cannot be shown" in e.cannot
    assert e.value == pytest.approx(float(gap.value[2, 3, 4]))
    conv2 = trace.explain("conv2", 5, 4, 6)  # a module's arithmetic is exact all the same
    assert float(conv2.partials.sum()) + conv2.bias == pytest.approx(conv2.value, abs=1e-5)
    # the independent check: average pooling over the same windows spreads the gradient
    avg = F.avg_pool2d
    monkeypatch.setattr(F, "max_pool2d", lambda t, k, *args, **kw: avg(t, k))
    for unit in [(5, 4, 6), (0, 0, 0), (15, 10, 10)]:
        rf = trace.receptive_field("conv2", unit[1], unit[2], unit[0])
        got = (rf.top, rf.left, rf.bottom, rf.right)
        assert got == _hooked_gradient_box(model, "conv2", unit)
    # an entry of the flattened, pooled maps fc1 reads: its field through the recognised pooling
    twin = _positive_copy(model)
    x = torch.ones((1, 1, 28, 28), requires_grad=True)
    seen = {}
    handle = twin.fc1.register_forward_pre_hook(lambda m, a: seen.update(x=a[0]))
    twin(x)
    handle.remove()
    for index in (0, 137, 399):
        (grad,) = torch.autograd.grad(seen["x"][0, index], x, retain_graph=True)
        support = (grad[0, 0].abs() > 0).numpy()
        rows, cols = np.flatnonzero(support.any(axis=1)), np.flatnonzero(support.any(axis=0))
        rf = trace.receptive_field("(between conv2 and fc1)", None, None, index)
        assert (rf.top, rf.left, rf.bottom, rf.right) == (
            rows[0],
            cols[0],
            rows[-1] + 1,
            cols[-1] + 1,
        )
    monkeypatch.undo()
    assert trace.field_size("conv2") == ((8, 8), (2, 2))
    np.testing.assert_allclose(
        trace.probabilities,
        torch.softmax(model(torch.from_numpy(image)[None]), 1)[0].detach().numpy(),
        rtol=1e-5,
    )


def test_explain_unit_in_one_call_equals_the_trace():
    model, image = _model("inception"), _image(7)
    e = explain_unit(model, image, "incept1.branch5x5_2", 3, 5, 6)
    same = trace_forward(model, image).explain("incept1.branch5x5_2", 3, 5, 6)
    assert e.value == same.value and np.array_equal(e.partials, same.partials)
    assert len(e.partials) == 16  # reads the 16 channels of the 1×1 reduction before it


def test_a_model_run_in_another_thread_while_one_is_traced_is_left_alone():
    """torch.fx patches nn.Module for the whole process while it traces; a model run in
    another thread meanwhile (a prediction, a training step) must not go through it."""
    import threading

    from cnnviz.core.explain.graph import graph_of

    started, release = threading.Event(), threading.Event()

    class Hold(nn.Module):  # a block whose forward runs during the trace, and waits there
        def forward(self, x):
            started.set()
            release.wait(10)
            return x

    class Held(nn.Module):
        def __init__(self):
            super().__init__()
            self.hold, self.conv = Hold(), nn.Conv2d(1, 2, 3)

        def forward(self, x):
            return self.conv(self.hold(x))

    torch.manual_seed(0)
    traced, other = Held(), nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU())
    x = torch.ones(1, 1, 5, 5)
    expected_other, expected_conv = other(x), traced.conv(x)
    tracing = threading.Thread(target=graph_of, args=(traced,))
    tracing.start()
    try:
        assert started.wait(10)  # the trace is under way, its patches in place
        during_other = other(x)
        during_conv = traced.conv(x)  # the very model being traced, called from here
    finally:
        release.set()
        tracing.join(10)
    for got, expected in ((during_other, expected_other), (during_conv, expected_conv)):
        assert isinstance(got, torch.Tensor)
        torch.testing.assert_close(got, expected)
    assert [n.op for n in graph_of(traced).graph.nodes] == [
        "placeholder",
        "call_module",
        "output",
    ]


def test_traces_in_two_threads_at_once_leave_nn_module_as_it_was():
    """Two torch.fx traces at once (the Trace page's worker, an export's copy of the page)
    restored each other's patches in the wrong order: nn.Module.__call__ stayed patched and
    every later model call failed. Trace A waits inside for B to start; B's model must not
    be traced until A is done."""
    import threading

    from cnnviz.core.explain.graph import graph_of

    original_call, original_getattr = nn.Module.__call__, nn.Module.__getattr__
    a_in, b_in, a_done = threading.Event(), threading.Event(), threading.Event()

    class HoldA(nn.Module):
        def forward(self, x):
            a_in.set()
            b_in.wait(0.5)  # B's trace would start now, were two allowed at once
            return x

    class HoldB(nn.Module):
        def forward(self, x):
            b_in.set()
            a_done.wait(5)  # A finishes first: the order that broke the patches
            return x

    graphs = {}

    def trace_a():
        graphs["a"] = graph_of(nn.Sequential(HoldA(), nn.Conv2d(1, 1, 3)))
        a_done.set()

    def trace_b():
        a_in.wait(5)
        graphs["b"] = graph_of(nn.Sequential(HoldB(), nn.Conv2d(1, 1, 3)))

    threads = [threading.Thread(target=trace_a), threading.Thread(target=trace_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert nn.Module.__call__ is original_call and nn.Module.__getattr__ is original_getattr
    assert sorted(graphs) == ["a", "b"]
    out = nn.Conv2d(1, 1, 3)(torch.ones(1, 1, 4, 4))  # a plain call, after both
    assert isinstance(out, torch.Tensor) and out.shape == (1, 1, 2, 2)


def _beside_a_trace(trace) -> tuple[list, object]:
    """Run ``trace()`` in a thread of its own, held inside the traced forward while this
    thread runs another model (the training run's, say) ten times; (the other model's
    outputs, what ``trace`` returned or raised)."""
    import threading

    started, release = threading.Event(), threading.Event()

    class Hold(nn.Module):
        def forward(self, x):
            started.set()
            release.wait(10)
            return x

    traced = nn.Sequential(Hold(), nn.Conv2d(1, 2, 3), nn.ReLU())
    other = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(18, 3))
    x = torch.ones(1, 1, 5, 5)
    result: list = []

    def run():
        try:
            result.append(trace(traced))
        except Exception as exc:  # noqa: BLE001 - reported to the test
            result.append(exc)

    tracing = threading.Thread(target=run)
    tracing.start()
    outputs = []
    try:
        assert started.wait(10)  # the trace is under way: torch.fx's patches are in place
        for _ in range(10):
            try:
                outputs.append(other(x))
            except Exception as exc:  # noqa: BLE001
                outputs.append(exc)
    finally:
        release.set()
        tracing.join(10)
    return outputs, result[0]


def test_another_models_forward_in_a_loop_beside_a_trace_is_left_alone():
    """The training thread runs its own model while the compute thread traces another: no
    module is shared, yet torch.fx patches ``nn.Module.__call__`` for the whole process while
    it traces. Both must succeed, and no proxy may reach the other thread."""
    from cnnviz.core.explain.graph import graph_of

    original_call = nn.Module.__call__
    outputs, graph = _beside_a_trace(graph_of)
    assert all(isinstance(out, torch.Tensor) and out.shape == (1, 3) for out in outputs)
    assert [n.target for n in graph.graph.nodes if n.op == "call_module"] == ["1", "2"]
    assert nn.Module.__call__ is original_call


def test_torch_fx_alone_would_break_another_threads_forward_beside_a_trace():
    """Why graph_of keeps a tracer of its own (Tracer's documented ``call_module`` and
    ``getattr`` overridden, nothing of torch patched): with torch.fx's own Tracer, the other
    thread's module calls go through the trace in progress and fail. Should torch.fx ever
    keep its patches to the tracing thread, this fails: the tracer of graph_of can then go."""
    import torch.fx as fx

    outputs, _ = _beside_a_trace(lambda model: fx.Tracer().trace(model))
    assert outputs and all(isinstance(out, NameError) for out in outputs)
    assert "not installed as a submodule" in str(outputs[0])
