"""The datasets cnnviz knows: MNIST (bundled), FashionMNIST, KMNIST and CIFAR-10 — what they
are and where they live, without importing torch or numpy (the Data menu and About read this).

Fetching them is :mod:`cnnviz.core.data.download`; reading them into tensors is
:mod:`cnnviz.core.data.loading`.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081
DIGITS = tuple(str(d) for d in range(10))
MANIFEST = "cnnviz-dataset.json"
FOLDER_PREFIX = "folder:"
IDX_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
CIFAR_FOLDER = "cifar-10-batches-py"
CIFAR_BATCHES = {"train": tuple(f"data_batch_{i}" for i in range(1, 6)), "test": ("test_batch",)}


@dataclass(frozen=True)
class DatasetInfo:
    """What the pages need to know about a dataset before (or without) downloading it."""

    key: str
    title: str
    shape: tuple[int, int, int]  # C, H, W
    class_names: tuple[str, ...]
    mean: float
    std: float
    download_bytes: int  # 0: ships with the app
    credit: str
    layout: str  # "idx" (MNIST-like gzip files) or "cifar" (pickled batches in a tar.gz)
    torchvision_name: str

    @property
    def bundled(self) -> bool:
        return self.download_bytes == 0

    def size_text(self) -> str:
        return "bundled" if self.bundled else f"{self.download_bytes / 1e6:.0f} MB download"


DATASETS: dict[str, DatasetInfo] = {
    info.key: info
    for info in (
        DatasetInfo(
            "mnist",
            "MNIST",
            (1, 28, 28),
            DIGITS,
            MNIST_MEAN,
            MNIST_STD,
            0,
            "Yann LeCun, Corinna Cortes and Christopher J.C. Burges (CC BY-SA 3.0)",
            "idx",
            "MNIST",
        ),
        DatasetInfo(
            "fashion-mnist",
            "FashionMNIST",
            (1, 28, 28),
            (
                "T-shirt/top",
                "Trouser",
                "Pullover",
                "Dress",
                "Coat",
                "Sandal",
                "Shirt",
                "Sneaker",
                "Bag",
                "Ankle boot",
            ),
            0.2860,
            0.3530,
            30_878_645,
            "Zalando Research, Han Xiao, Kashif Rasul and Roland Vollgraf (MIT)",
            "idx",
            "FashionMNIST",
        ),
        DatasetInfo(
            "kmnist",
            "KMNIST",
            (1, 28, 28),
            ("o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"),
            0.1918,
            0.3483,
            21_240_888,
            "ROIS-DS Center for Open Data in the Humanities, Clanuwat et al. (CC BY-SA 4.0)",
            "idx",
            "KMNIST",
        ),
        DatasetInfo(
            "cifar10",
            "CIFAR-10",
            (3, 32, 32),
            (
                "airplane",
                "automobile",
                "bird",
                "cat",
                "deer",
                "dog",
                "frog",
                "horse",
                "ship",
                "truck",
            ),
            0.4734,
            0.2516,
            170_498_071,
            "Alex Krizhevsky, Vinod Nair and Geoffrey Hinton (University of Toronto)",
            "cifar",
            "CIFAR10",
        ),
    )
}


class DatasetError(ValueError):
    """A dataset that cannot be used: unknown, not downloaded yet, or damaged."""


def info(key: str) -> DatasetInfo:
    if key not in DATASETS:
        raise DatasetError(f"unknown dataset {key!r}; known: {', '.join(DATASETS)}")
    return DATASETS[key]


def default_data_dir() -> Path:
    """Where downloaded datasets live: ``$CNNVIZ_DATA_DIR``, else the folder the app's
    QStandardPaths.AppDataLocation names, plus ``datasets`` (computed here without Qt)."""
    if os.environ.get("CNNVIZ_DATA_DIR"):
        return Path(os.environ["CNNVIZ_DATA_DIR"])
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "cnnviz" / "cnnviz" / "datasets"


def dataset_folder(key: str, root) -> Path:
    return Path(root) / key


def is_downloaded(key: str, root) -> bool:
    data = info(key)
    return data.bundled or (root is not None and (dataset_folder(key, root) / MANIFEST).is_file())


def split_files(key: str, folder: Path, split: str) -> list[Path]:
    """The files of ``split`` ("train"/"test") of a downloaded dataset in ``folder``."""
    if info(key).layout == "cifar":
        return [folder / CIFAR_FOLDER / name for name in CIFAR_BATCHES[split]]
    return [folder / name for name in IDX_FILES[split]]


def normalisation(name: str | None) -> tuple[float, float]:
    """(mean, std) of a known dataset; MNIST's for anything else."""
    data = DATASETS.get(name or "mnist")
    return (data.mean, data.std) if data else (MNIST_MEAN, MNIST_STD)


# The GUI still reaches downloading and loading through this module (``catalog.download``,
# ``catalog.open_dataset``); they are looked up here on first use so that importing the
# catalogue stays free of torch. New code imports them from .download and .loading.
