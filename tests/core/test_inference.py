"""Inference: MNIST-style preprocessing, prediction with activations, the default model."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from cnnviz.core.data import load_mnist  # noqa: E402
from cnnviz.core.inference import load_model  # noqa: E402
from cnnviz.core.training import CheckpointError, Engine, TrainConfig  # noqa: E402
from cnnviz.inference import load_default_model, predict, preprocess  # noqa: E402


@pytest.fixture(scope="module")
def default_model():
    return load_default_model()


def test_preprocess_crops_scales_to_20_and_centres_by_mass():
    canvas = np.zeros((300, 200), dtype=np.uint8)
    canvas[50:250, 90:110] = 255  # a tall bar, 200 × 20 pixels
    image = preprocess(canvas)
    assert image.shape == (28, 28) and image.dtype == np.float32
    rows, cols = np.nonzero(image > 0.05)
    assert rows.max() - rows.min() + 1 == 20  # the long side becomes 20
    assert cols.max() - cols.min() + 1 <= 3  # aspect ratio kept
    ys, xs = np.indices(image.shape)
    assert abs((ys * image).sum() / image.sum() - 14) < 1
    assert abs((xs * image).sum() / image.sum() - 14) < 1


def test_preprocess_accepts_floats_and_keeps_grey_levels():
    canvas = np.zeros((100, 100), dtype=np.float32)
    canvas[20:80, 20:80] = 0.5
    image = preprocess(canvas)
    assert 0.45 < image.max() <= 0.5 + 1e-6


def test_empty_canvas_gives_an_empty_image():
    assert not preprocess(np.zeros((64, 64), np.uint8)).any()
    with pytest.raises(ValueError, match="2-D grayscale"):
        preprocess(np.zeros((2, 3, 4, 5)))


def test_predict_gives_probabilities_and_activations(default_model):
    test = load_mnist("test")
    image = test.images[0, 0].numpy().astype(np.float32) / 255
    probabilities, activations = predict(default_model, image)
    assert probabilities.shape == (10,) and abs(probabilities.sum() - 1) < 1e-5
    assert int(probabilities.argmax()) == int(test.labels[0])
    assert activations["conv1"].shape == (10, 24, 24)
    assert activations["conv2"].shape == (20, 8, 8)
    only, acts = predict(default_model, image, layers=["conv2"])
    assert list(acts) == ["conv2"] and np.allclose(only, probabilities)


def test_default_model_reaches_98_percent_on_the_test_set(default_model):
    test = load_mnist("test")
    with torch.inference_mode():
        x = (test.images.float() / 255 - 0.1307) / 0.3081
        accuracy = (default_model(x).argmax(1) == test.labels).float().mean().item()
    assert accuracy >= 0.98


def test_mnist_digits_drawn_on_a_canvas_keep_their_accuracy(default_model):
    """MNIST test images rendered at canvas resolution and preprocessed like a drawing."""
    test = load_mnist("test")
    n, correct = 300, 0
    for i in range(n):
        canvas = np.kron(test.images[i, 0].numpy(), np.ones((10, 10), dtype=np.uint8))
        probabilities, _ = predict(default_model, preprocess(canvas), layers=[])
        correct += int(probabilities.argmax() == int(test.labels[i]))
    assert correct / n >= 0.97


def test_checkpoints_that_do_not_fit_are_refused(tmp_path):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"\x00" * 100)
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        load_model(bad)
    engine = Engine(TrainConfig(limit_train=64, limit_test=64, epochs=1, device="cpu"))
    engine.run()
    path = tmp_path / "run.pt"
    payload = engine.checkpoint_payload()
    payload["input_shape"] = [3, 32, 32]
    from cnnviz.core.training import save_checkpoint

    save_checkpoint(path, payload)
    with pytest.raises(CheckpointError, match="weights do not fit 'simple'"):
        load_model(path)
    payload["input_shape"] = [1, 28, 20]
    save_checkpoint(path, payload)
    with pytest.raises(CheckpointError, match="square images"):
        load_model(path)
    payload["input_shape"] = [1, 28, 28]
    payload["model"] = "inception"
    save_checkpoint(path, payload)
    with pytest.raises(CheckpointError, match="weights do not fit 'inception'"):
        load_model(path)


def test_a_model_of_another_dataset_gets_its_shape_names_and_normalisation(tmp_path):
    from cnnviz.core.inference import fit_to_frame, load_classifier, prepare
    from fake_data import install_fake

    install_fake("cifar10", tmp_path / "data", n_test=8)
    engine = Engine(
        TrainConfig(dataset="cifar10", data_dir=str(tmp_path / "data"), epochs=1, device="cpu")
    )
    engine.run()
    assert engine.failure is None
    engine.save(tmp_path / "cifar.pt")
    model, info = load_classifier(tmp_path / "cifar.pt")
    assert info.input_shape == (3, 32, 32) and info.class_names[-1] == "truck"
    assert info.dataset == "CIFAR-10" and (info.mean, info.std) == (0.4734, 0.2516)
    assert not info.centred_like_mnist
    canvas = np.zeros((280, 280), np.uint8)
    canvas[40:240, 130:150] = 255  # a tall bar
    image = prepare(canvas, info)
    assert image.shape == (3, 32, 32) and np.array_equal(image[0], image[2])
    rows = np.flatnonzero(image[0].max(axis=1) > 0.05)
    assert rows[-1] - rows[0] + 1 >= 27  # fitted to 90% of the frame, not MNIST's 20×20
    assert np.array_equal(image[0], fit_to_frame(canvas, 32, 32))
    probabilities, activations = predict(model, image, None, info)
    assert probabilities.shape == (10,) and probabilities.sum() == pytest.approx(1, abs=1e-5)
    assert activations["conv1"].shape[0] == 10
    # MNIST's recipe stays for MNIST models
    assert np.array_equal(prepare(canvas)[0], preprocess(canvas))


def test_the_default_model_is_built_from_a_checkpoint_read_once():
    from cnnviz.core import inference

    first, second = load_default_model(), load_default_model()
    assert inference.default_checkpoint() is inference.default_checkpoint()
    with torch.no_grad():  # each model has weights of its own: the cache stays as read
        next(first.parameters()).add_(1.0)
    state = inference.default_checkpoint()["model_state"]
    name = next(iter(first.state_dict()))
    assert torch.equal(second.state_dict()[name], state[name])
    assert not torch.equal(first.state_dict()[name], state[name])
