"""Own image folders: ImageFolder layout, resizing, gray/RGB, splits, skipped files, refusals."""

import pytest

pytest.importorskip("torch")
Image = pytest.importorskip("PIL.Image")

from cnnviz.core.data import load_image_folder  # noqa: E402
from cnnviz.core.training import Engine, TrainConfig, events  # noqa: E402
from fake_data import make_folder  # noqa: E402


def test_gray_folder_is_read_resized_and_split(tmp_path):
    root = make_folder(tmp_path / "shapes", ["circle", "square"], n=10)
    train, test, report = load_image_folder(root, size=28, test_fraction=0.2)
    assert train.images.shape == (16, 1, 28, 28) and train.images.dtype.is_floating_point is False
    assert test.images.shape == (4, 1, 28, 28)
    assert train.class_names == ("circle", "square") and report.channels == 1
    assert report.counts == {"circle": 10, "square": 10} and not report.skipped
    assert sorted(test.labels.tolist()) == [0, 0, 1, 1]  # stratified


def test_rgb_folder_keeps_three_channels(tmp_path):
    root = make_folder(tmp_path / "rgb", ["a", "b", "c"], n=5, rgb=True)
    train, test, report = load_image_folder(root, size=32)
    assert report.channels == 3 and train.images.shape[1:] == (3, 32, 32)
    assert len(train) + len(test) == 15


def test_unreadable_files_are_skipped_and_counted(tmp_path):
    root = make_folder(tmp_path / "mixed", ["a", "b"], n=4)
    (root / "a" / "broken.png").write_bytes(b"not a png at all")
    (root / "b" / "notes.txt").write_text("ignored: not an image name")
    train, test, report = load_image_folder(root)
    assert len(report.skipped) == 1 and report.skipped[0][0].endswith("broken.png")
    assert "1 file(s) skipped as unreadable" in report.message()
    assert len(train) + len(test) == 8


@pytest.mark.parametrize(
    "classes, message",
    [
        ([], "has no class sub-folders with images"),
        (["only"], "has only one class (only)"),
    ],
)
def test_empty_or_one_class_folders_are_refused(tmp_path, classes, message):
    root = make_folder(tmp_path / "data", classes, n=3) if classes else tmp_path
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_image_folder(root)


def test_missing_folder_and_bad_sizes(tmp_path):
    with pytest.raises(ValueError, match="is not a folder"):
        load_image_folder(tmp_path / "nowhere")
    root = make_folder(tmp_path / "d", ["a", "b"], n=2)
    with pytest.raises(ValueError, match="image size must be between 4 and 512"):
        load_image_folder(root, size=2)


def test_models_adapt_to_the_folder_channels_and_classes(tmp_path):
    root = make_folder(tmp_path / "rgb", ["a", "b", "c"], n=8, rgb=True)
    train, test, _ = load_image_folder(root, size=32)
    engine = Engine(
        TrainConfig(model="simple", epochs=1, batch_size=8, device="cpu", snapshot_every=0),
        train=train,
        test=test,
    )
    done = []
    engine.on(events.EPOCH_DONE, done.append)
    engine.run()
    assert done and done[0]["confusion"].shape == (3, 3)
    assert engine.model.conv1.in_channels == 3 and engine.model.fc.out_features == 3
