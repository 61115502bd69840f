"""The inspector: shapes, parameters and multiply-adds by running the model; mismatches."""

import re

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from cnnviz.core.inspect import inspect_model, one_by_one_saving  # noqa: E402
from cnnviz.models import build  # noqa: E402


def test_simple_table():
    table = inspect_model(build("simple"), (1, 28, 28))
    assert [(r.label, r.output_shape) for r in table.rows] == [
        ("conv1", (10, 24, 24)),
        ("mp", (10, 12, 12)),
        ("conv2", (20, 8, 8)),
        ("mp (call 2)", (20, 4, 4)),
        ("fc", (10,)),
    ]
    assert table.total_params == 8490 == sum(r.params for r in table.rows)
    assert table.row("conv1").macs == 10 * 24 * 24 * 5 * 5 * 1
    assert table.row("fc").macs == 320 * 10
    assert table.output_shape == (10,) and table.mismatch is None


def test_known_conv_macs_match_the_formula():
    conv = nn.Conv2d(192, 32, 5, padding=2)
    table = inspect_model(conv_net := nn.Sequential(conv), (192, 28, 28))
    assert table.rows[0].macs == 5**2 * 28**2 * 192 * 32 == 120_422_400
    assert conv_net.training  # the model's mode is restored


def test_broken_lecture_net_explains_320():
    table = inspect_model(build("simple_broken"), (1, 28, 28))
    m = table.mismatch
    assert m.layer == "fc" and m.expected == 100 and m.got == 320
    assert "20 channels × 4 × 4 = 320 features" in m.message
    assert m.suggestion == "nn.Linear(320, 10)"
    assert table.row("fc").failed
    assert "mat1 and mat2" in m.torch_error


def test_channel_mismatch_names_the_previous_layer():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 10, 5)
            self.conv2 = nn.Conv2d(88, 20, 5)

        def forward(self, x):
            return self.conv2(self.conv1(x))

    m = inspect_model(Net(), (1, 28, 28)).mismatch
    assert (m.layer, m.expected, m.got) == ("conv2", 88, 10)
    assert "output of conv1 (Conv2d) of shape 10 × 24 × 24" in m.message
    assert m.suggestion == "nn.Conv2d(10, 20, kernel_size=5)"


def test_kernel_larger_than_the_map():
    net = nn.Sequential(nn.Conv2d(1, 4, 5, stride=4), nn.Conv2d(4, 4, 9))
    m = inspect_model(net, (1, 28, 28)).mismatch
    assert m.layer == "1" and "9×9 kernel but its input is only 6×6" in m.message


@pytest.mark.parametrize("name", ["inception", "resnet", "densenet", "inception_v3", "deeper"])
def test_every_model_adds_up(name):
    model = build(name)
    table = inspect_model(model, (1, 28, 28))
    assert table.mismatch is None
    assert sum(r.params for r in table.rows) == table.total_params
    assert table.total_macs >= sum(r.macs for r in table.rows if r.is_leaf) > 0


def test_one_by_one_calculator_reproduces_the_lecture():
    saving = one_by_one_saving()
    assert saving.naive.multiplications == 120_422_400
    assert saving.reduced_total == 12_443_648
    assert round(saving.ratio, 1) == 9.7
    naive, reduced, ratio = saving.lines()
    assert naive == "Without 1×1 convolution: 5²·28²·192·32 = 120,422,400"
    assert reduced == "With 1×1 convolution: 1²·28²·192·16 + 5²·28²·16·32 = 12,443,648"
    with pytest.raises(ValueError, match="reduced channels must be at least 1"):
        one_by_one_saving(reduced=0)


BROKEN = "fc (Linear) expects 100 input features but gets 320"


def test_explain_forward_failure_gives_the_diagnosis_or_the_raw_error():
    import torch

    from cnnviz.core.inspect import explain_forward_failure

    broken = build("simple_broken")
    with pytest.raises(RuntimeError) as err:
        broken(torch.zeros(64, 1, 28, 28))
    text = explain_forward_failure(broken, (1, 28, 28), err.value)
    assert text.startswith(BROKEN) and "20 channels × 4 × 4 = 320" in text
    assert text.endswith("Use nn.Linear(320, 10).")
    # a model that runs on its input failed elsewhere: the error as it was
    assert (
        explain_forward_failure(build("simple"), (1, 28, 28), ValueError("boom"))
        == "ValueError: boom"
    )


def test_predict_on_a_model_that_does_not_fit_raises_the_diagnosis():
    import numpy as np

    from cnnviz.core.inference import predict
    from cnnviz.core.inspect import ForwardError

    with pytest.raises(ForwardError, match=re.escape(BROKEN)):
        predict(build("simple_broken"), np.zeros((28, 28), np.float32))
