"""Choosing datasets in the app: downloads in the background with progress and Cancel, offline
and failed downloads explained, image folders, and the Train / Draw / Architecture pages
following the choice. No test touches the network: a 127.0.0.1 server or a fake fetch."""

import socket
import time
import urllib.error

import numpy as np
import pytest

pytest.importorskip("torch")

from cnnviz.core.data import (
    catalog,  # noqa: E402
    loading,  # noqa: E402
)
from cnnviz.core.data import download as fetching  # noqa: E402
from cnnviz.core.training import TrainConfig  # noqa: E402
from fake_data import fake_idx_files, install_fake, make_folder, publish  # noqa: E402

ARCH, TRAIN, DRAW = 2, 3, 4


@pytest.fixture
def data(tmp_path, monkeypatch):
    """A data folder of this test's own."""
    folder = tmp_path / "data"
    monkeypatch.setenv("CNNVIZ_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def pages(main_window, data):
    return tuple(main_window.show_page(i) for i in (TRAIN, DRAW, ARCH))


def finished(main_window):
    return (
        main_window.datasets.download is not None
        and not main_window.datasets.download.is_running()
        and not main_window.datasets.panel.active
    )


def test_download_shows_progress_then_every_page_follows(
    qtbot, main_window, pages, data, server, monkeypatch
):
    train, draw, arch = pages
    www, base = server
    files = publish(www, fake_idx_files(n_train=3000, n_test=100), base)
    monkeypatch.setattr(fetching, "sources", lambda key: files)
    asked = []
    main_window.datasets.confirm_download = lambda info: asked.append(info.title) or True
    progress = []
    train.form.dataset_box.setCurrentIndex(train.form.dataset_box.findData("fashion-mnist"))
    assert "31 MB" in train.form.dataset_box.currentText()  # not here yet: its size is shown
    train.form._on_dataset_activated(train.form.dataset_box.currentIndex())
    assert asked == ["FashionMNIST"]
    main_window.datasets.download.worker.progress.connect(lambda *a: progress.append(a))
    assert main_window.datasets.panel.isVisible()
    assert "Downloading FashionMNIST" in main_window.datasets.panel.label.text()
    qtbot.waitUntil(lambda: finished(main_window), timeout=20000)
    assert main_window.datasets.panel.label.text() == "FashionMNIST downloaded."
    assert progress and progress[-1][0] == progress[-1][1] == sum(f.size for f in files)
    assert (
        main_window.datasets.panel.bar.value() == 1000
        or not main_window.datasets.panel.bar.isVisible()
    )
    assert sorted(p.name for p in data.iterdir()) == ["fashion-mnist"]
    # every page follows
    assert main_window.datasets.choice.name == "fashion-mnist"
    assert train.form.dataset_box.currentText() == "FashionMNIST"
    assert train.config().dataset == "fashion-mnist"
    assert arch.input_shape() == (1, 28, 28) and "FashionMNIST" in arch.shape_box.itemText(0)
    assert not draw.dataset_note.isHidden() and "trained on MNIST" in draw.dataset_note.text()


def test_cancel_leaves_nothing_and_the_dataset_stays(qtbot, main_window, pages, data, monkeypatch):
    train = pages[0]

    def endless(url, dest, on_bytes, cancelled):
        with open(dest, "wb") as out:
            while not cancelled():
                out.write(b"x" * 1024)
                on_bytes(1024)
                time.sleep(0.005)
        raise fetching.DownloadCancelled("cancelled")

    monkeypatch.setattr(fetching, "fetch_url", endless)
    main_window.datasets.confirm_download = lambda info: True
    assert not main_window.datasets.choose("cifar10")
    qtbot.waitUntil(lambda: main_window.datasets.panel.bar.maximum() == 1000, timeout=10000)
    assert main_window.datasets.panel.button.text() == "Cancel"
    main_window.datasets.panel.button.click()
    qtbot.waitUntil(lambda: finished(main_window), timeout=10000)
    assert "cancelled; nothing was kept" in main_window.datasets.panel.label.text()
    assert list(data.iterdir()) == []
    assert main_window.datasets.choice.name == "mnist"
    assert train.form.dataset_box.currentData() == "mnist"
    main_window.datasets.panel.button.click()  # "Close"
    assert not main_window.datasets.panel.isVisible()


def test_offline_is_explained_and_mnist_still_trains(qtbot, main_window, pages, data, monkeypatch):
    train = pages[0]

    def offline(url, dest, on_bytes, cancelled):
        raise urllib.error.URLError(socket.gaierror(-3, "Temporary failure in name resolution"))

    monkeypatch.setattr(fetching, "fetch_url", offline)
    main_window.datasets.confirm_download = lambda info: True
    main_window.datasets.choose("kmnist")
    qtbot.waitUntil(lambda: finished(main_window), timeout=10000)
    text = main_window.datasets.panel.label.text()
    assert "offline" in text and "the bundled MNIST still works" in text
    assert "offline" in train.message.text() and not train.message.isHidden()
    assert not data.exists() or list(data.iterdir()) == []
    assert train.form.dataset_box.currentData() == "mnist"
    assert train.start(TrainConfig(epochs=1, limit_train=128, limit_test=64, device="cpu"))
    qtbot.waitUntil(lambda: train.ended, timeout=60000)
    assert train.accs


def test_declining_the_download_changes_nothing(main_window, pages):
    train = pages[0]
    main_window.datasets.confirm_download = lambda info: False
    train.form.dataset_box.setCurrentIndex(train.form.dataset_box.findData("kmnist"))
    train.form._on_dataset_activated(train.form.dataset_box.currentIndex())
    assert main_window.datasets.download is None
    assert train.form.dataset_box.currentData() == "mnist"


def test_a_downloaded_dataset_trains_and_draw_shows_its_class_names(
    qtbot, main_window, pages, data
):
    train, draw, arch = pages
    install_fake("fashion-mnist", data, n_train=256, n_test=64)
    assert main_window.datasets.choose("fashion-mnist")  # here already: no question
    assert train.start(
        TrainConfig(epochs=1, device="cpu", dataset="fashion-mnist", data_dir=str(data))
    )
    qtbot.waitUntil(lambda: train.ended, timeout=60000)
    log = train.views.log.toPlainText()
    assert "simple on FashionMNIST (1×28×28, 10 classes): 256 training and 64 test images" in log
    assert draw.use_training_run()
    qtbot.waitUntil(lambda: not draw.awaiting_snapshot, timeout=10000)  # between batches
    assert draw.bars.class_names[0] == "T-shirt/top" and draw.dataset_note.isHidden()
    draw.rng = np.random.default_rng(0)
    label = draw.try_test_digit()  # from the chosen dataset, exactly as the model takes it
    assert label is not None and draw.exact_input.shape == (1, 28, 28)
    qtbot.waitUntil(lambda: draw.bars.probabilities is not None, timeout=10000)
    name = draw.bars.class_names[draw.bars.top()]
    assert draw.prediction.text().startswith(f"It is {name} (")  # no "a" before a class name


def test_an_image_folder_reaches_every_page(qtbot, main_window, pages, tmp_path):
    train, draw, arch = pages
    folder = make_folder(tmp_path / "shapes", ["circle", "square", "star"], n=8, rgb=True)
    assert main_window.datasets.choose(f"folder:{folder}", {"size": 32, "channels": 3})
    assert not train.form.folder_row.isHidden()
    assert train.form.dataset_box.currentText() == "Folder: shapes"
    assert train.form.folder_size.value() == 32 and train.form.folder_colour.currentIndex() == 1
    qtbot.waitUntil(lambda: not arch.busy, timeout=30000)  # built in the page's worker
    assert arch.input_shape() == (3, 32, 32) and arch.table.output_shape == (3,)
    assert "shapes: 3×32×32, 3 classes" in arch.shape_box.itemText(0)
    # the size box re-reads the folder with the new size
    train.form.folder_size.setValue(20)
    train.form.folder_size.editingFinished.emit()
    assert arch.input_shape() == (3, 20, 20)
    assert train.start(TrainConfig(**{**train.config().to_dict(), "epochs": 1, "device": "cpu"}))
    qtbot.waitUntil(lambda: train.ended, timeout=60000)
    assert "24 images in 3 classes (circle: 8, square: 8, star: 8)" in train.views.log.toPlainText()
    train.views.show_snapshot(train.engine.probe.snapshot(0, train.engine.model))
    probe = train.views.probe_image.title.text()
    assert probe.startswith("Probe: ") and probe.split(": ")[1].split(",")[0] in (
        "circle",
        "square",
        "star",
    )  # class names, not numbers
    assert draw.use_training_run()
    qtbot.waitUntil(lambda: not draw.awaiting_snapshot, timeout=10000)  # between batches
    assert draw.bars.class_names == ("circle", "square", "star")
    assert draw.seen.title.text() == "What the network sees (3×20×20)"


def test_a_folder_that_cannot_be_a_dataset_is_refused(main_window, pages, tmp_path):
    train = pages[0]
    make_folder(tmp_path / "one", ["only"], n=3)
    assert not main_window.datasets.choose(f"folder:{tmp_path / 'one'}")
    assert "only one class (only)" in train.message.text()
    assert "The dataset stays MNIST" in train.message.text()
    assert not main_window.datasets.choose(f"folder:{tmp_path / 'missing'}")
    assert "is not a folder" in train.message.text()
    assert main_window.datasets.choice.name == "mnist"


def test_the_dataset_is_remembered(qtbot, main_window, pages, data, tmp_path, new_window):
    install_fake("kmnist", data)
    assert main_window.datasets.choose("kmnist")
    main_window.save_settings()
    again = new_window()
    assert again.datasets.choice.name == "kmnist"
    assert again.show_page(TRAIN).form.dataset_box.currentText() == "KMNIST"


def test_the_data_menu_lists_every_dataset(main_window, data):
    install_fake("cifar10", data)
    main_window.datasets.fill_menu(main_window.menus.data)
    texts = [a.text() for a in main_window.menus.data.actions() if a.text()]
    assert texts[:4] == [
        "MNIST",
        "FashionMNIST — 31 MB download",
        "KMNIST — 21 MB download",
        "CIFAR-10",
    ]
    assert "Image &folder…" in texts
    cifar = main_window.menus.data.actions()[3]
    cifar.trigger()
    assert main_window.datasets.choice.shape == (3, 32, 32)
    main_window.datasets.fill_menu(main_window.menus.data)
    assert main_window.menus.data.actions()[3].isChecked()


def test_closing_mid_download_cancels_and_cleans_up(qtbot, main_window, data, monkeypatch):
    def slow(url, dest, on_bytes, cancelled):
        with open(dest, "wb") as out:
            while not cancelled():
                out.write(b"x")
                time.sleep(0.01)
        raise fetching.DownloadCancelled("cancelled")

    monkeypatch.setattr(fetching, "fetch_url", slow)
    main_window.datasets.confirm_download = lambda info: True
    main_window.datasets.choose("fashion-mnist")
    qtbot.waitUntil(lambda: data.exists() and any(data.iterdir()), timeout=10000)
    main_window.close()  # cancels; the window closes once the download thread has ended
    qtbot.waitUntil(lambda: not main_window.isVisible(), timeout=10000)
    assert not main_window.datasets.download.is_running()
    assert list(data.iterdir()) == []


def test_the_cli_and_the_app_keep_datasets_in_the_same_folder(qapp, monkeypatch, tmp_path):
    """catalog.default_data_dir() (no Qt, for `cnnviz train`) is the folder QStandardPaths
    gives the app."""
    from cnnviz.gui.app import create_app
    from cnnviz.gui.data.datasets import data_dir

    create_app()  # the application and organisation names that QStandardPaths uses
    monkeypatch.delenv("CNNVIZ_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    assert (
        data_dir()
        == catalog.default_data_dir()
        == tmp_path / "share" / "cnnviz" / "cnnviz" / "datasets"
    )
    monkeypatch.setenv("CNNVIZ_DATA_DIR", str(tmp_path / "elsewhere"))
    assert data_dir() == catalog.default_data_dir() == tmp_path / "elsewhere"


def test_test_images_of_a_folder_are_read_once_per_choice(
    qtbot, main_window, pages, tmp_path, monkeypatch
):
    train, draw, _ = pages
    folder = make_folder(tmp_path / "shapes", ["circle", "square"], n=6)
    assert main_window.datasets.choose(f"folder:{folder}", {"size": 28, "channels": 1})
    assert train.start(TrainConfig(**{**train.config().to_dict(), "epochs": 1, "device": "cpu"}))
    qtbot.waitUntil(lambda: train.ended, timeout=60000)
    assert draw.use_training_run()
    qtbot.waitUntil(lambda: not draw.awaiting_snapshot, timeout=10000)  # between batches
    reads = []
    real = loading.open_dataset
    monkeypatch.setattr(loading, "open_dataset", lambda *a, **k: reads.append(a) or real(*a, **k))
    labels = {draw.try_test_digit() for _ in range(5)}
    assert len(reads) == 1 and labels <= {0, 1}
