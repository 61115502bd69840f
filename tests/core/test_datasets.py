"""Datasets on demand: download through a local file server (never the network), cancel,
offline and damaged downloads leave nothing behind, and loading the files a test writes."""

from __future__ import annotations

import gzip
import socket
import urllib.error

import numpy as np
import pytest
import torchvision.datasets as tvd

from cnnviz.core.data import download as fetching
from cnnviz.core.data.catalog import DATASETS, DatasetError, is_downloaded
from cnnviz.core.data.download import DownloadCancelled, DownloadError, Source, download
from cnnviz.core.data.loading import load_dataset, open_dataset
from fake_data import fake_cifar_archive, fake_idx_files, publish


def leftovers(root) -> list[str]:
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


def test_catalogue_agrees_with_torchvision():
    assert DATASETS["fashion-mnist"].class_names == tuple(tvd.FashionMNIST.classes)
    assert DATASETS["kmnist"].class_names == tuple(tvd.KMNIST.classes)
    for key in ("fashion-mnist", "kmnist"):
        files = fetching.sources(key)
        assert [s.filename for s in files] == [
            name for name, _ in getattr(tvd, DATASETS[key].torchvision_name).resources
        ]
        assert all(s.urls and len(s.md5) == 32 for s in files)
    (cifar,) = fetching.sources("cifar10")
    assert cifar.filename == tvd.CIFAR10.filename and cifar.md5 == tvd.CIFAR10.tgz_md5
    assert fetching.sources("mnist") == [] and is_downloaded("mnist", None)


def test_download_from_a_local_server_then_load(server, tmp_path):
    www, base = server
    files = fake_idx_files()
    seen = []
    root = tmp_path / "data"
    folder = download(
        "fashion-mnist",
        root,
        files=publish(www, files, base),
        progress=lambda done, total, name: seen.append((done, total, name)),
    )
    assert folder == root / "fashion-mnist" and is_downloaded("fashion-mnist", root)
    assert leftovers(root) == ["fashion-mnist"]  # no .partial folder remains
    total = sum(len(b) for b in files.values())
    assert seen[-1][:2] == (total, total)
    assert [d for d, _, _ in seen] == sorted(d for d, _, _ in seen)
    train, test = (
        load_dataset("fashion-mnist", "train", root),
        load_dataset("fashion-mnist", "test", root),
    )
    assert (len(train), len(test)) == (50, 20) and train.shape == (1, 28, 28)
    assert train.class_names[0] == "T-shirt/top" and train.name == "FashionMNIST"
    expected = np.frombuffer(gzip.decompress(files["train-images-idx3-ubyte.gz"])[16:], np.uint8)
    assert np.array_equal(train.images.numpy().ravel(), expected)
    # downloading again is a no-op
    assert download("fashion-mnist", root, files=[], fetch=None) == folder


def test_a_failing_mirror_falls_through_to_the_next(server, tmp_path):
    www, base = server
    files = publish(www, fake_idx_files(), base, extra_urls=(base + "missing/",))
    download("kmnist", tmp_path / "data", files=files)
    assert load_dataset("kmnist", "train", tmp_path / "data").class_names[1] == "ki"


def test_cancel_leaves_nothing_behind(server, tmp_path):
    www, base = server
    files = fake_idx_files(n_train=3000)  # a few chunks
    chunks = []
    root = tmp_path / "data"
    with pytest.raises(DownloadCancelled):
        download(
            "fashion-mnist",
            root,
            files=publish(www, files, base),
            progress=lambda done, total, name: chunks.append(done),
            cancelled=lambda: len(chunks) >= 2,
        )
    assert leftovers(root) == [] and not is_downloaded("fashion-mnist", root)
    with pytest.raises(DatasetError, match="not on this computer yet"):
        load_dataset("fashion-mnist", "train", root)


def test_offline_gives_a_clear_message_and_keeps_mnist(tmp_path):
    def offline(url, dest, on_bytes, cancelled):
        dest.write_bytes(b"half")  # something written before the failure
        raise urllib.error.URLError(socket.gaierror(-3, "Temporary failure in name resolution"))

    root = tmp_path / "data"
    with pytest.raises(DownloadError) as err:
        download("cifar10", root, fetch=offline)
    assert "offline" in str(err.value) and "the bundled MNIST still works" in str(err.value)
    assert "www.cs.toronto.edu" in str(err.value)
    assert leftovers(root) == []
    assert len(load_dataset("mnist", "test")) == 10000


def test_refused_connection_and_http_errors_are_explained(server, tmp_path):
    www, base = server
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    source = Source((f"http://127.0.0.1:{port}/x.gz",), "x.gz", "0" * 32)
    with pytest.raises(DownloadError, match="refused the connection"):
        download("kmnist", tmp_path / "a", files=[source])
    with pytest.raises(DownloadError, match="404"):
        download("kmnist", tmp_path / "b", files=[Source((base + "nope.gz",), "nope.gz", "0" * 32)])
    assert leftovers(tmp_path / "a") == [] and leftovers(tmp_path / "b") == []


def test_a_damaged_file_is_refused(server, tmp_path):
    www, base = server
    files = publish(www, fake_idx_files(), base)
    files[1] = Source(files[1].urls, files[1].filename, "f" * 32, files[1].size)
    with pytest.raises(DownloadError, match="arrived damaged"):
        download("fashion-mnist", tmp_path / "data", files=files)
    assert leftovers(tmp_path / "data") == []


def test_cifar_archive_is_unpacked_and_loaded(server, tmp_path):
    www, base = server
    root = tmp_path / "data"
    download(
        "cifar10", root, files=publish(www, {"cifar-10-python.tar.gz": fake_cifar_archive()}, base)
    )
    assert not (root / "cifar10" / "cifar-10-python.tar.gz").exists()  # archive not kept
    train, test, note = open_dataset("cifar10", root)
    assert train.images.shape == (20, 3, 32, 32) and test.images.shape == (4, 3, 32, 32)
    assert train.class_names[0] == "airplane" and note == ""


def test_damaged_files_on_disk_are_reported(server, tmp_path):
    www, base = server
    root = tmp_path / "data"
    download("kmnist", root, files=publish(www, fake_idx_files(seed=3), base))
    (root / "kmnist" / "t10k-labels-idx1-ubyte.gz").write_bytes(
        gzip.compress(b"\0\0\x08\x01" + b"\0\0\0\x09")
    )
    with pytest.raises(DatasetError, match="damaged"):
        load_dataset("kmnist", "test", root)


def test_unknown_datasets_and_folders(tmp_path):
    with pytest.raises(DatasetError, match="unknown dataset"):
        load_dataset("imagenet", "train", tmp_path)
    with pytest.raises(ValueError, match="not a folder"):
        open_dataset(f"folder:{tmp_path / 'nothing'}")


def test_training_on_a_missing_dataset_fails_with_the_reason(tmp_path):
    from cnnviz.core.training import Engine, TrainConfig, events

    engine = Engine(TrainConfig(dataset="kmnist", data_dir=str(tmp_path), epochs=1, device="cpu"))
    failures = []
    engine.on(events.FAILED, lambda p: failures.append(p["message"]))
    engine.run()
    assert failures == [
        "Cannot train on this dataset: KMNIST is not on this computer yet: "
        "download it first (21 MB download)"
    ]
    with pytest.raises(ValueError, match="dataset must be one of mnist, fashion-mnist"):
        TrainConfig(dataset="imagenet").validate()
