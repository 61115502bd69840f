"""The model zoo: every model on MNIST and CIFAR-sized inputs, the lecture's exact numbers."""

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from cnnviz.models import available, build, info  # noqa: E402

WORKING = [name for name in available() if name != "simple_broken"]


def params(model):
    return sum(p.numel() for p in model.parameters())


def test_registry_lists_the_lecture_and_exercise_models():
    for name in (
        "simple",
        "simple_broken",
        "deeper",
        "inception",
        "inception_v3",
        "resnet",
        "plain",
        "densenet",
    ):
        assert name in available()
        entry = info(name)
        assert entry.description and entry.slide


@pytest.mark.parametrize("name", WORKING)
@pytest.mark.parametrize("channels, size", [(1, 28), (3, 32)])
def test_forward_gives_n_by_classes(name, channels, size):
    model = build(name, in_channels=channels, num_classes=10, input_size=size)
    model.eval()
    with torch.no_grad():
        out = model(torch.zeros(3, channels, size, size))
    assert out.shape == (3, 10)


def test_num_classes_is_honoured():
    model = build("resnet", num_classes=7, depth=8)
    assert model(torch.zeros(2, 1, 28, 28)).shape == (2, 7)


def test_simple_is_the_lecture_net_with_8490_parameters():
    model = build("simple")
    # by hand: conv1 10·1·5·5 + 10, conv2 20·10·5·5 + 20, fc 320·10 + 10
    assert params(model) == (250 + 10) + (5000 + 20) + (3200 + 10) == 8490
    assert model.fc.in_features == 320 == 20 * 4 * 4
    out = model(torch.zeros(2, 1, 28, 28))
    assert torch.allclose(out.exp().sum(1), torch.ones(2))  # log-probabilities


def test_inception_is_the_lecture_net_with_97298_parameters():
    model = build("inception")

    def inception_a(c):  # branch1x1, 5x5 (1x1 + 5x5), 3x3dbl (1x1 + 3x3 + 3x3), pool 1x1
        return (
            (c * 16 + 16)
            + (c * 16 + 16)
            + (16 * 24 * 25 + 24)
            + (c * 16 + 16)
            + (16 * 24 * 9 + 24)
            + (24 * 24 * 9 + 24)
            + (c * 24 + 24)
        )

    by_hand = (
        (10 * 25 + 10) + inception_a(10) + (20 * 88 * 25 + 20) + inception_a(20) + (1408 * 10 + 10)
    )
    assert params(model) == by_hand == 97298
    assert model.fc.in_features == 1408
    x = model.incept1(torch.zeros(1, 10, 12, 12))
    assert x.shape == (1, 88, 12, 12)


def test_simple_broken_fails_like_the_lecture():
    with pytest.raises(RuntimeError, match="320"):
        build("simple_broken")(torch.zeros(64, 1, 28, 28))


@pytest.mark.parametrize("depth, blocks", [(8, 1), (20, 3), (56, 9)])
def test_resnet_stages_halve_the_map_and_double_the_filters(depth, blocks):
    model = build("resnet", depth=depth).eval()
    x = model.conv1(torch.zeros(1, 1, 28, 28))
    shapes = []
    for stage in (model.layer1, model.layer2, model.layer3):
        assert len(stage) == blocks
        x = stage(x)
        shapes.append(tuple(x.shape[1:]))
    assert shapes == [(16, 28, 28), (32, 14, 14), (64, 7, 7)]
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d) and m.kernel_size == (3, 3)]
    assert len(convs) + 1 == depth  # 3×3 convolutions + the fc layer


def test_resnet_basic_block_matches_torchvision_structure():
    from torchvision.models.resnet import BasicBlock as TvBlock

    ours = build("resnet").layer1[0]
    theirs = TvBlock(16, 16)
    kinds = lambda m: [type(c).__name__ for c in m.children() if type(c).__name__ != "Sequential"]  # noqa
    assert [k for k in kinds(ours)] == [k for k in kinds(theirs) if k != "ReLU"]
    assert params(ours) == params(theirs)


def test_plain_is_resnet_without_shortcuts():
    plain, res = build("plain", depth=20), build("resnet", depth=20)
    assert all(
        not b.use_shortcut for stage in (plain.layer1, plain.layer2, plain.layer3) for b in stage
    )
    # same layers but the projection shortcuts
    projections = sum(params(b.shortcut) for s in (res.layer2, res.layer3) for b in s)
    assert params(res) - params(plain) == projections


def test_preact_resnet_puts_the_identity_after_the_addition():
    model = build("resnet", depth=8, preact=True).eval()
    block = model.layer1[0]
    x = torch.randn(1, 16, 8, 8)
    with torch.no_grad():
        residual = block.conv2(torch.relu(block.bn2(block.conv1(torch.relu(block.bn1(x))))))
        assert torch.allclose(block(x), x + residual)


def test_densenet_blocks_grow_by_the_growth_rate():
    model = build("densenet", depth=40, growth=12).eval()
    x = model.conv1(torch.zeros(1, 1, 28, 28))
    assert x.shape[1] == 24
    y = model.block1(x)
    assert y.shape == (1, 24 + 6 * 12, 28, 28)
    assert model.trans1(y).shape == (1, 48, 14, 14)


def test_densenet_layer_matches_torchvision_dense_layer():
    from torchvision.models.densenet import _DenseLayer

    ours = build("densenet").block1.layers[0]
    theirs = _DenseLayer(24, growth_rate=12, bn_size=4, drop_rate=0)
    assert params(ours) == params(theirs)


def test_inception_v3_factorises_and_reduces():
    model = build("inception_v3", aux_logits=True)
    assert model.mixed_a1.branch5x5_2.conv.kernel_size == (3, 3)
    assert model.mixed_b1.branch7_2.conv.kernel_size == (1, 5)
    assert model.mixed_b1.branch7_3.conv.kernel_size == (5, 1)
    model.train()
    out = model(torch.zeros(2, 1, 28, 28))
    assert out.shape == (2, 10) and model.aux_output.shape == (2, 10)
    model.eval()
    model(torch.zeros(2, 1, 28, 28))
    assert model.aux_output is None


def test_bad_options_are_refused():
    with pytest.raises(ValueError, match="depth must be 6n"):
        build("resnet", depth=10)
    with pytest.raises(ValueError, match="has no option"):
        build("simple", depth=3)
    with pytest.raises(ValueError, match="unknown model"):
        build("alexnet")
