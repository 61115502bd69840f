"""cnnviz.attribution against its definitions: torch autograd for saliency, occlusion,
Grad-CAM and FGSM, captum's own output where captum does the work, the ε-ball and the pixel
range for the attacks, and clear errors for bad arguments."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from captum.attr import IntegratedGradients, LayerAttribution, LayerGradCam
from captum.attr import Occlusion as CaptumOcclusion
from torch import nn

from cnnviz import attribution
from cnnviz.core.attribution import (
    conv_layers,
    fgsm,
    fgsm_robustness,
    grad_cam,
    integrated_gradients,
    occlusion,
    occlusion_positions,
    pgd,
    saliency,
)
from cnnviz.core.data import load_mnist
from cnnviz.core.inference import MNIST_INFO, InputContract, load_default_model, predict

RGB = InputContract((3, 12, 12), tuple("abcd"), 0.3, 0.2, "colours")


@pytest.fixture(scope="module")
def shipped():
    return load_default_model()


@pytest.fixture(scope="module")
def digits():
    test = load_mnist("test")
    return test.images[:8].float().numpy() / 255.0, test.labels[:8].numpy()


def rgb_model():
    """A small colour network that answers raw logits (no log_softmax)."""
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(3, 4, 3),
        nn.ReLU(),
        nn.Conv2d(4, 6, 3, padding=1),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(6 * 10 * 10, 4),
    ).eval()


def rgb_image(seed=1):
    return np.random.default_rng(seed).random((3, 12, 12), dtype=np.float32)


def simple_logits(model, pixels):
    """The lecture net's forward pass written out, stopping before log_softmax."""
    x = (pixels - MNIST_INFO.mean) / MNIST_INFO.std
    x = F.relu(model.mp(model.conv1(x)))
    x = F.relu(model.mp(model.conv2(x)))
    return model.fc(x.reshape(x.shape[0], -1))


def autograd_of(logits_fn, image, target):
    x = torch.tensor(image[None], requires_grad=True)
    (grad,) = torch.autograd.grad(logits_fn(x)[0, target], x)
    return grad[0].numpy()


# -- saliency -------------------------------------------------------------------------------------
def test_saliency_is_the_largest_absolute_logit_gradient_over_channels():
    model, image = rgb_model(), rgb_image()
    grad = autograd_of(lambda x: model((x - RGB.mean) / RGB.std), image, 2)
    got = saliency(model, image, 2, RGB)
    assert got.shape == (12, 12) and got.dtype == np.float32
    np.testing.assert_allclose(got, np.abs(grad).max(axis=0), rtol=1e-6, atol=1e-12)


def test_saliency_of_the_lecture_net_uses_its_logits_not_its_log_probabilities(shipped, digits):
    images, labels = digits
    for image, label in zip(images[:3], labels[:3]):
        grad = autograd_of(lambda x: simple_logits(shipped, x), image, int(label))
        np.testing.assert_allclose(
            saliency(shipped, image, int(label)), np.abs(grad)[0], rtol=1e-6, atol=1e-12
        )


# -- occlusion ------------------------------------------------------------------------------------
def occlusion_by_hand(model, image, target, info, window, stride):
    """One forward pass per window position."""
    x = torch.tensor(image[None])
    with torch.no_grad():

        def prob(t):
            return torch.softmax(model((t - info.mean) / info.std), 1)[0, target]

        clean = prob(x)
        _, h, w = image.shape
        out = np.zeros(((h - window) // stride + 1, (w - window) // stride + 1), np.float32)
        for i, top in enumerate(range(0, h - window + 1, stride)):
            for j, left in enumerate(range(0, w - window + 1, stride)):
                hidden = x.clone()
                hidden[..., top : top + window, left : left + window] = 0
                out[i, j] = clean - prob(hidden)
    return out


@pytest.mark.parametrize("window,stride", [(7, 7), (5, 3), (4, 1), (28, 1)])
def test_occlusion_is_the_probability_drop_of_each_window(shipped, digits, window, stride):
    image, label = digits[0][0], int(digits[1][0])
    got = occlusion(shipped, image, label, MNIST_INFO, window=window, stride=stride)
    assert got.shape == ((28 - window) // stride + 1,) * 2
    expected = occlusion_by_hand(shipped, image, label, MNIST_INFO, window, stride)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_occlusion_of_every_channel_in_a_colour_model():
    model, image = rgb_model(), rgb_image()
    got = occlusion(model, image, 1, RGB, window=3, stride=2)
    expected = occlusion_by_hand(model, image, 1, RGB, 3, 2)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_occlusion_agrees_with_captum_where_windows_tile_the_image(shipped, digits):
    """With stride = window each pixel lies in one window, whose drop captum gives it."""
    image, label = digits[0][1], int(digits[1][1])
    ours = occlusion(shipped, image, label, MNIST_INFO, window=7, stride=7)

    def prob(t):
        return torch.softmax(shipped((t - MNIST_INFO.mean) / MNIST_INFO.std), 1)

    theirs = CaptumOcclusion(prob).attribute(
        torch.tensor(image[None]),
        sliding_window_shapes=(1, 7, 7),
        strides=(1, 7, 7),
        baselines=0,
        target=label,
    )
    np.testing.assert_allclose(
        np.kron(ours, np.ones((7, 7))), theirs[0, 0].detach().numpy(), rtol=1e-4, atol=1e-6
    )


def test_occlusion_positions_run_row_by_row():
    assert occlusion_positions(5, 5, 3, 2) == [(0, 0), (0, 2), (2, 0), (2, 2)]


# -- integrated gradients -------------------------------------------------------------------------
def test_integrated_gradients_is_captums(shipped, digits):
    image, label = digits[0][2], int(digits[1][2])
    got = integrated_gradients(shipped, image, label, steps=32)
    x = torch.tensor(image[None])
    theirs = IntegratedGradients(lambda t: simple_logits(shipped, t)).attribute(
        x, baselines=torch.zeros_like(x), target=label, n_steps=32
    )
    np.testing.assert_allclose(got, theirs[0].sum(0).detach().numpy(), rtol=1e-5, atol=1e-7)


def test_integrated_gradients_add_up_to_the_change_of_the_logit():
    """Completeness: the map sums to logit(image) − logit(black image)."""
    model, image = rgb_model(), rgb_image(3)
    got = integrated_gradients(model, image, 0, RGB, steps=200)
    with torch.no_grad():
        ends = model((torch.tensor(np.stack([image, np.zeros_like(image)])) - 0.3) / 0.2)[:, 0]
    assert got.shape == (12, 12)
    assert got.sum() == pytest.approx(float(ends[0] - ends[1]), rel=2e-2, abs=1e-3)


# -- Grad-CAM -------------------------------------------------------------------------------------
@pytest.mark.parametrize("layer", ["conv1", "conv2"])
def test_grad_cam_is_activation_times_mean_gradient_upsampled(shipped, digits, layer):
    image, label = digits[0][3], int(digits[1][3])
    saved = {}
    handle = getattr(shipped, layer).register_forward_hook(lambda m, i, o: saved.update(a=o))
    try:
        logit = simple_logits(shipped, torch.tensor(image[None]))[0, label]
    finally:
        handle.remove()
    (grad,) = torch.autograd.grad(logit, saved["a"])
    cam = (grad.mean(dim=(2, 3), keepdim=True) * saved["a"]).sum(1, keepdim=True)
    expected = F.interpolate(cam, size=(28, 28), mode="bilinear", align_corners=False)
    got = grad_cam(shipped, image, label, layer=layer)
    np.testing.assert_allclose(got, expected[0, 0].detach().numpy(), rtol=1e-5, atol=1e-7)


def test_grad_cam_is_captums_and_defaults_to_the_last_convolution():
    model, image = rgb_model(), rgb_image(4)
    assert conv_layers(model) == ["0", "2"]
    x = torch.tensor(image[None])
    theirs = LayerGradCam(lambda t: model((t - 0.3) / 0.2), model[2]).attribute(x, target=3)
    theirs = LayerAttribution.interpolate(theirs, (12, 12), interpolate_mode="bilinear")
    got = grad_cam(model, image, 3, RGB)
    assert got.shape == (12, 12)
    np.testing.assert_allclose(got, theirs[0, 0].detach().numpy(), rtol=1e-5, atol=1e-7)


# -- adversarial digits ---------------------------------------------------------------------------
def test_fgsm_is_one_signed_gradient_step_of_the_loss(shipped, digits):
    image, label = digits[0][4], int(digits[1][4])
    x = torch.tensor(image[None], requires_grad=True)
    loss = F.cross_entropy(shipped((x - MNIST_INFO.mean) / MNIST_INFO.std), torch.tensor([label]))
    (grad,) = torch.autograd.grad(loss, x)
    step = torch.where(grad.abs() > 1e-6, 0.1 * grad.sign(), torch.zeros_like(grad))
    expected = (x + step).clamp(0, 1)[0].detach().numpy()
    np.testing.assert_allclose(fgsm(shipped, image, label, 0.1), expected, atol=1e-6)


@pytest.mark.parametrize("eps", [0.0, 0.05, 0.1, 0.2, 0.3, 1.5])
def test_attacks_stay_in_the_eps_ball_and_the_pixel_range(shipped, digits, eps):
    images, labels = digits
    for image, label in zip(images[:3], labels[:3]):
        for adversarial in (
            fgsm(shipped, image, int(label), eps),
            pgd(shipped, image, (int(label) + 1) % 10, eps, 10),
        ):
            assert adversarial.shape == image.shape and adversarial.dtype == np.float32
            assert np.abs(adversarial - image).max() <= eps + 1e-6
            assert adversarial.min() >= 0.0 and adversarial.max() <= 1.0


def test_targeted_pgd_raises_the_targets_probability(shipped, digits):
    images, labels = digits
    for image, label in zip(images[:4], labels[:4]):
        target = (int(label) + 3) % 10
        adversarial = pgd(shipped, image, target, 0.25, 40)
        assert predict(shipped, adversarial)[0][target] > predict(shipped, image)[0][target]


def test_colour_attacks_keep_their_shape():
    model, image = rgb_model(), rgb_image(5)
    for adversarial in (fgsm(model, image, 0, 0.1, RGB), pgd(model, image, 2, 0.1, 5, RGB)):
        assert adversarial.shape == (3, 12, 12)
        assert np.abs(adversarial - image).max() <= 0.1 + 1e-6


def test_fgsm_robustness_measures_accuracy_and_fooled_share(shipped):
    test = load_mnist("test")
    images, labels = test.images[:300], test.labels[:300]
    seen = []
    result = fgsm_robustness(
        shipped, images, labels, [0.0, 0.3], batch_size=128, progress=lambda d, t: seen.append(d)
    )
    answers = [predict(shipped, im.float().numpy() / 255)[0].argmax() for im in images]
    clean = np.mean(np.array(answers) == labels.numpy())
    assert result.images == 300 and result.eps == (0.0, 0.3)
    assert result.accuracy[0] == pytest.approx(clean) and result.fooled[0] == 0.0
    assert result.accuracy[1] < result.accuracy[0] and 0 < result.fooled[1] <= 1
    assert seen[-1] == 600 and seen == sorted(seen)


def test_fgsm_robustness_stops_when_asked(shipped):
    test = load_mnist("test")
    stop = fgsm_robustness(
        shipped, test.images[:50], test.labels[:50], [0.1], should_stop=lambda: True
    )
    assert stop is None


# -- errors ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "call,message",
    [
        (lambda m, im: saliency(m, im[0], 1), "shape"),
        (lambda m, im: saliency(m, im + 1, 1), r"\[0, 1\]"),
        (lambda m, im: saliency(m, im, 10), "class number"),
        (lambda m, im: integrated_gradients(m, im, -1), "class number"),
        (lambda m, im: integrated_gradients(m, im, 1, steps=1), "steps"),
        (lambda m, im: occlusion(m, im, 1, window=29), "window"),
        (lambda m, im: occlusion(m, im, 1, stride=0), "stride"),
        (lambda m, im: grad_cam(m, im, 1, layer="fc9"), "no layer"),
        (lambda m, im: grad_cam(m, im, 1, layer="fc"), "feature maps"),
        (lambda m, im: fgsm(m, im, 1, -0.1), "eps"),
        (lambda m, im: fgsm(m, im, 1.5, 0.1), "class number"),
        (lambda m, im: pgd(m, im, 1, 0.1, 0), "steps"),
    ],
)
def test_bad_arguments_raise_value_errors(shipped, call, message):
    image = np.full((1, 28, 28), 0.5, np.float32)
    with pytest.raises(ValueError, match=message):
        call(shipped, image)


def test_the_public_facade_is_the_core():
    for name in attribution.__all__:
        assert getattr(attribution, name) is getattr(
            __import__("cnnviz.core.attribution", fromlist=[name]), name
        )
    assert {"saliency", "integrated_gradients", "occlusion", "grad_cam", "fgsm", "pgd"} <= set(
        attribution.__all__
    )


# -- the registry of methods -----------------------------------------------------------------
def test_the_registry_names_the_library_functions_once():
    names = [m.name for m in attribution.METHODS]
    assert names == ["saliency", "integrated_gradients", "occlusion", "grad_cam"]
    assert len({m.label for m in attribution.METHODS}) == len(names)
    for method in attribution.METHODS:
        assert method.function is getattr(attribution, method.name)
        assert method.description and attribution.by_label(method.label) is method
        assert attribution.by_name(method.name) is method
    with pytest.raises(ValueError, match="one of saliency, integrated_gradients"):
        attribution.by_name("astrology")
    with pytest.raises(ValueError, match="one of Saliency, Integrated gradients"):
        attribution.by_label("Astrology")


def test_a_method_computes_with_its_own_options_only():
    model, image = rgb_model(), rgb_image()
    options = {"window": 4, "stride": 2, "layer": "0", "steps": 8}
    expected = {
        "saliency": saliency(model, image, 1, RGB),
        "integrated_gradients": integrated_gradients(model, image, 1, RGB, steps=8),
        "occlusion": occlusion(model, image, 1, RGB, window=4, stride=2),
        "grad_cam": grad_cam(model, image, 1, RGB, layer="0"),
    }
    for method in attribution.METHODS:
        got = method.compute(model, image, 1, RGB, **options)
        np.testing.assert_allclose(got, expected[method.name], rtol=1e-5, atol=1e-7)


def test_a_per_window_map_is_spread_over_the_pixels_it_covers():
    model, image = rgb_model(), rgb_image()
    drops = occlusion(model, image, 2, RGB, window=4, stride=4)  # 3×3 windows that tile it
    spread = attribution.by_name("occlusion").pixel_map(model, image, 2, RGB, window=4, stride=4)
    np.testing.assert_allclose(spread, np.kron(drops, np.ones((4, 4))), rtol=1e-6)
    overlapping = attribution.by_name("occlusion").pixel_map(
        model, image, 2, RGB, window=4, stride=2
    )
    windows = occlusion(model, image, 2, RGB, window=4, stride=2)
    # pixel (3, 3) lies under the windows at rows and columns 0 and 2: their mean
    assert overlapping[3, 3] == pytest.approx(windows[:2, :2].mean(), rel=1e-6)
    assert overlapping.shape == (12, 12)
    np.testing.assert_allclose(
        attribution.by_name("saliency").pixel_map(model, image, 2, RGB),
        saliency(model, image, 2, RGB),
    )


def test_a_menu_entry_says_the_settings_used():
    assert attribution.by_name("occlusion").label_with(window=7, stride=2) == (
        "Occlusion (7×7 window, stride 2)"
    )
    assert attribution.by_name("grad_cam").label_with() == "Grad-CAM (last convolution)"
    assert attribution.by_name("grad_cam").label_with(layer="conv1") == "Grad-CAM (layer conv1)"
    assert attribution.by_name("saliency").label_with(steps=3) == "Saliency"


def test_the_list_of_methods_loads_without_torch():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "for name in ('torch', 'captum'):\n"
        "    sys.modules[name] = None\n"
        "from cnnviz.core.attribution_methods import METHODS\n"
        "print(','.join(m.label for m in METHODS))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "Saliency,Integrated gradients,Occlusion,Grad-CAM"
