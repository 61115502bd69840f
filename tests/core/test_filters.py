"""What a filter looks for: receptive fields against gradient support, the top patches
against a brute-force search, activation maximisation that does excite its unit."""

import numpy as np
import pytest
import torch
from torch import nn

from cnnviz.core.attribution import (
    ReceptiveField,
    maximise_activation,
    receptive_field,
    top_patches,
)
from cnnviz.core.data import load_mnist
from cnnviz.core.inference import MNIST_INFO, InputContract, load_default_model

GREY16 = InputContract((1, 16, 16), tuple("ab"), 0.0, 1.0, "small")


@pytest.fixture(scope="module")
def shipped():
    return load_default_model()


@pytest.fixture(scope="module")
def test_images():
    return load_mnist("test").images[:300]


def chain():
    """Convolutions and pooling without ReLU: a unit's gradient support is its whole field."""
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 2, 3, stride=2, padding=1),
        nn.AvgPool2d(2, stride=1),
        nn.Conv2d(2, 2, 3, dilation=2),
        nn.Flatten(),
        nn.Linear(2 * 3 * 3, 2),
    ).eval()


def support(model, layer, row, col, shape):
    """Input pixels whose change moves the unit (row, col) of ``layer``'s channel 0."""
    saved = {}
    module = dict(model.named_modules())[layer]
    handle = module.register_forward_hook(lambda m, i, o: saved.update(out=o))
    x = torch.rand(1, *shape, requires_grad=True)
    model(x)
    handle.remove()
    (grad,) = torch.autograd.grad(saved["out"][0, 0, row, col], x)
    rows, cols = np.nonzero(grad[0].abs().sum(0).numpy())
    return rows.min(), cols.min(), rows.max() + 1, cols.max() + 1


@pytest.mark.parametrize("layer,unit", [("0", (3, 5)), ("2", (1, 2)), ("2", (0, 0))])
def test_receptive_field_is_the_gradient_support_of_a_unit(layer, unit):
    model = chain()
    field = receptive_field(model, layer, GREY16)
    top, left, bottom, right = field.box(*unit)
    clipped = (max(top, 0), max(left, 0), min(bottom, 16), min(right, 16))
    assert support(model, layer, *unit, (1, 16, 16)) == clipped


def test_the_lecture_nets_fields(shipped):
    # conv1: 5×5; conv2 after 2×2 pooling: 5 + 1 + 4·2 = 14 pixels, moving 2 at a time
    assert receptive_field(shipped, "conv1") == ReceptiveField((5, 5), (1, 1), (0, 0))
    assert receptive_field(shipped, "conv2") == ReceptiveField((14, 14), (2, 2), (0, 0))
    for unit in ((0, 0), (3, 5), (7, 7)):
        top, left, bottom, right = receptive_field(shipped, "conv2").box(*unit)
        r0, c0, r1, c1 = support(shipped, "conv2", *unit, (1, 28, 28))
        assert top <= r0 and left <= c0 and r1 <= bottom and c1 <= right


@pytest.mark.parametrize("layer", ["conv1", "conv2"])
def test_top_patches_are_the_strongest_units_over_the_images(shipped, test_images, layer):
    seen = []
    result = top_patches(
        shipped, test_images, layer, batch_size=128, progress=lambda d, t: seen.append((d, t))
    )
    saved = {}
    handle = getattr(shipped, layer).register_forward_hook(lambda m, i, o: saved.update(out=o))
    with torch.no_grad():
        shipped((test_images.float() / 255 - MNIST_INFO.mean) / MNIST_INFO.std)
    handle.remove()
    maps = saved["out"]  # [N, channels, h, w]
    strongest = maps.flatten(2).max(2).values.T.numpy()  # [channels, N]
    channels = maps.shape[1]
    assert result.indices.shape == (channels, 9) and seen[-1] == (300, 300)
    for ch in range(channels):
        expected = np.sort(strongest[ch])[::-1][:9]
        np.testing.assert_allclose(result.values[ch], expected, rtol=1e-5)
        np.testing.assert_allclose(strongest[ch, result.indices[ch]], expected, rtol=1e-5)
        for j in range(9):
            row, col = result.units[ch, j]
            unit = maps[result.indices[ch, j], ch, row, col]
            assert float(unit) == pytest.approx(float(result.values[ch, j]), rel=1e-5)
    field = result.field
    ch, j = channels - 1, 0
    top, left, bottom, right = field.box(*result.units[ch, j])
    image = test_images[result.indices[ch, j], 0].numpy() / 255.0
    side = field.size[0]
    padded = np.pad(image, side)
    crop = padded[top + side : bottom + side, left + side : right + side]
    np.testing.assert_allclose(result.patches[ch, j, 0], crop, atol=1e-6)


def test_top_patches_stop_when_asked(shipped, test_images):
    assert top_patches(shipped, test_images, "conv1", should_stop=lambda: True) is None


def test_activation_maximisation_excites_its_unit(shipped):
    steps = []
    image = maximise_activation(
        shipped, "conv2", 4, steps=25, progress=lambda d, t: steps.append(d)
    )
    assert image.shape == (1, 28, 28) and image.min() >= 0 and image.max() <= 1
    assert steps == list(range(1, 26))

    def unit(pixels):
        saved = {}
        handle = shipped.conv2.register_forward_hook(lambda m, i, o: saved.update(out=o))
        with torch.no_grad():
            shipped((torch.tensor(pixels[None]) - MNIST_INFO.mean) / MNIST_INFO.std)
        handle.remove()
        return float(saved["out"][0, 4, 4, 4])

    grey = np.full((1, 28, 28), 0.5, np.float32)
    assert unit(image) > unit(grey) + 1.0
    assert all(p.grad is None for p in shipped.parameters())  # the model's grads untouched


@pytest.mark.parametrize(
    "call,message",
    [
        (lambda m: receptive_field(m, "fc"), "not a convolution"),
        (lambda m: top_patches(m, load_mnist("test").images[:5], "conv1"), "at least 9"),
        (lambda m: maximise_activation(m, "conv1", 10), "channel must be 0–9"),
        (lambda m: maximise_activation(m, "mp", 0), "not a convolution"),
    ],
)
def test_bad_arguments_raise_value_errors(shipped, call, message):
    with pytest.raises(ValueError, match=message):
        call(shipped)


def test_one_receptive_field_class_and_computation_for_filters_and_traces():
    from cnnviz import attribution, explain
    from cnnviz.core.explain import trace_forward

    assert attribution.ReceptiveField is explain.ReceptiveField
    model = chain()
    layer_field = receptive_field(model, "2", GREY16)
    trace = trace_forward(model, np.zeros((1, 16, 16), np.float32))
    for row, col in ((0, 0), (1, 2), (2, 2)):
        unit = trace.receptive_field("2", row, col)
        top, left, bottom, right = layer_field.box(row, col)
        assert unit.pixels == (max(top, 0), max(left, 0), min(bottom, 16), min(right, 16))
        assert (unit.size, unit.jump, unit.start) == (
            layer_field.size,
            layer_field.jump,
            layer_field.start,
        )


def test_a_rectangular_kernel_has_a_rectangular_field_and_patches():
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 2, (3, 5), padding=(1, 0)),
        nn.AvgPool2d(2),
        nn.Conv2d(2, 2, (1, 3)),
        nn.Flatten(),
        nn.Linear(2 * 8 * 4, 2),
    ).eval()
    field = receptive_field(model, "2", GREY16)
    assert field == ReceptiveField((4, 10), (2, 2), (-1, 0))
    for unit in ((0, 0), (3, 2), (7, 3)):
        top, left, bottom, right = field.box(*unit)
        clipped = (max(top, 0), max(left, 0), min(bottom, 16), min(right, 16))
        assert support(model, "2", *unit, (1, 16, 16)) == clipped
    images = torch.randint(0, 256, (12, 1, 16, 16), dtype=torch.uint8)
    patches = top_patches(model, images, "2", GREY16).patches
    assert patches.shape == (2, 9, 1, 4, 10)
