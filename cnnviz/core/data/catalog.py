"""The datasets cnnviz knows: MNIST (bundled), FashionMNIST, KMNIST and CIFAR-10.

Where each comes from (mirrors, file names, MD5 sums) is taken from ``torchvision.datasets``;
the files are fetched on demand into a data folder the caller chooses (the app uses its
QStandardPaths data folder) and read into the same in-memory :class:`TensorDataset` as MNIST.

A download works in a hidden ``.partial`` folder next to the target and is renamed into place
only when every file has arrived whole (MD5 checked, archives unpacked): a cancelled, failed or
interrupted download leaves nothing half-written behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import socket
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable
from urllib.parse import urlparse

import numpy as np
import torch

from .mnist import CLASS_NAMES as DIGITS
from .mnist import MNIST_MEAN, MNIST_STD, TensorDataset, load_mnist, read_idx

MANIFEST = "cnnviz-dataset.json"
FOLDER_PREFIX = "folder:"
IDX_FILES = {"train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
             "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")}
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


DATASETS: dict[str, DatasetInfo] = {info.key: info for info in (
    DatasetInfo("mnist", "MNIST", (1, 28, 28), DIGITS, MNIST_MEAN, MNIST_STD, 0,
                "Yann LeCun, Corinna Cortes and Christopher J.C. Burges (CC BY-SA 3.0)",
                "idx", "MNIST"),
    DatasetInfo("fashion-mnist", "FashionMNIST", (1, 28, 28),
                ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                 "Sneaker", "Bag", "Ankle boot"), 0.2860, 0.3530, 30_878_645,
                "Zalando Research, Han Xiao, Kashif Rasul and Roland Vollgraf (MIT)",
                "idx", "FashionMNIST"),
    DatasetInfo("kmnist", "KMNIST", (1, 28, 28),
                ("o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"), 0.1918, 0.3483,
                21_240_888, "ROIS-DS Center for Open Data in the Humanities, Clanuwat et al. "
                "(CC BY-SA 4.0)", "idx", "KMNIST"),
    DatasetInfo("cifar10", "CIFAR-10", (3, 32, 32),
                ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
                 "ship", "truck"), 0.4734, 0.2516, 170_498_071,
                "Alex Krizhevsky, Vinod Nair and Geoffrey Hinton (University of Toronto)",
                "cifar", "CIFAR10"),
)}


class DatasetError(ValueError):
    """A dataset that cannot be used: unknown, not downloaded yet, or damaged."""


class DownloadError(RuntimeError):
    """A download that failed; the message says why and what still works."""


class DownloadCancelled(RuntimeError):
    """The user cancelled; nothing was kept."""


@dataclass(frozen=True)
class Source:
    """One file to fetch: the URLs to try in turn, its name and MD5, its size if known."""

    urls: tuple[str, ...]
    filename: str
    md5: str
    size: int | None = None


def info(key: str) -> DatasetInfo:
    if key not in DATASETS:
        raise DatasetError(f"unknown dataset {key!r}; known: {', '.join(DATASETS)}")
    return DATASETS[key]


def sources(key: str) -> list[Source]:
    """The files of ``key`` as ``torchvision.datasets`` names them (mirrors in its order)."""
    import torchvision.datasets as tvd

    data = info(key)
    if data.bundled:
        return []
    cls = getattr(tvd, data.torchvision_name)
    if data.layout == "cifar":
        return [Source((cls.url,), cls.filename, cls.tgz_md5, data.download_bytes)]
    return [Source(tuple(m + name for m in cls.mirrors), name, md5) for name, md5 in cls.resources]


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
    return data.bundled or (root is not None and
                            (dataset_folder(key, root) / MANIFEST).is_file())


# -- fetching -----------------------------------------------------------------------------------
Progress = Callable[[int, "int | None", str], None]  # bytes so far, total if known, file name


def fetch_url(url: str, dest: Path, on_bytes: Callable[[int], None],
              cancelled: Callable[[], bool], timeout: float = 30.0) -> None:
    """Stream ``url`` into ``dest``, reporting each chunk and stopping when ``cancelled()``."""
    request = urllib.request.Request(url, headers={"User-Agent": "cnnviz"})
    with urllib.request.urlopen(request, timeout=timeout) as response, open(dest, "wb") as out:
        while True:
            if cancelled():
                raise DownloadCancelled("cancelled")
            chunk = response.read(1 << 16)
            if not chunk:
                break
            out.write(chunk)
            on_bytes(len(chunk))


def explain_failure(exc: BaseException, url: str) -> str:
    """Why a fetch failed, in words a lecturer can act on."""
    host = urlparse(url).hostname or url
    if isinstance(exc, urllib.error.HTTPError):
        return f"{host} answered {exc.code} {exc.reason} for {Path(urlparse(url).path).name}"
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, socket.gaierror):
        return f"cannot find {host}: this computer seems to be offline"
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return f"{host} did not answer in time"
    if isinstance(reason, ConnectionRefusedError):
        return f"{host} refused the connection"
    return f"cannot download from {host}: {reason}"


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download(key: str, root, *, files: list[Source] | None = None, fetch=None,
             progress: Progress | None = None,
             cancelled: Callable[[], bool] | None = None) -> Path:
    """Fetch dataset ``key`` into ``root/key`` and return that folder.

    ``files`` replaces torchvision's list (tests point it at a local server); ``fetch`` is
    :func:`fetch_url` unless given (same signature: url, dest, on_bytes, cancelled). Raises :class:`DownloadCancelled` or
    :class:`DownloadError` (offline, HTTP error, damaged file) and then leaves nothing behind.
    """
    data = info(key)
    if is_downloaded(key, root):
        return dataset_folder(key, root)
    files = sources(key) if files is None else files
    fetch = fetch or fetch_url
    cancelled = cancelled or (lambda: False)
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{key}-", suffix=".partial", dir=root))
    sizes = [s.size for s in files]
    total = sum(sizes) if all(sizes) else None
    done = 0
    try:
        for source in files:
            def on_bytes(n: int, name=source.filename) -> None:
                nonlocal done
                done += n
                if progress:
                    progress(done, total, name)

            before, failures = done, []
            for url in source.urls:
                done = before
                try:
                    fetch(url, partial / source.filename, on_bytes, cancelled)
                    break
                except DownloadCancelled:
                    raise
                except (OSError, urllib.error.URLError, ValueError) as exc:
                    failures.append(explain_failure(exc, url))
            else:
                raise DownloadError(f"{data.title} could not be downloaded: {failures[-1]}. "
                                    "Nothing was saved; the bundled MNIST still works.")
            if cancelled():
                raise DownloadCancelled("cancelled")
            if _md5(partial / source.filename) != source.md5:
                raise DownloadError(f"{source.filename} arrived damaged (its checksum does not "
                                    f"match); nothing was saved, try again.")
        if data.layout == "cifar":
            _unpack(partial, [s.filename for s in files])
        _check_complete(key, partial)
        (partial / MANIFEST).write_text(json.dumps(
            {"dataset": key, "torchvision": data.torchvision_name,
             "files": {s.filename: s.md5 for s in files}}, indent=1))
        final = dataset_folder(key, root)
        if final.exists():  # an incomplete leftover without a manifest
            shutil.rmtree(final)
        os.replace(partial, final)
        return final
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def _unpack(folder: Path, archives: list[str]) -> None:
    for name in archives:
        with tarfile.open(folder / name, "r:gz") as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(folder, filter="data")
            else:  # pragma: no cover - Python without extraction filters
                for member in tar.getmembers():
                    if member.name.startswith(("/", "..")) or ".." in Path(member.name).parts:
                        raise DownloadError(f"{name} contains an unsafe path {member.name!r}")
                tar.extractall(folder)
        (folder / name).unlink()


def _check_complete(key: str, folder: Path) -> None:
    for split in ("train", "test"):
        for path in _split_files(key, folder, split):
            if not path.is_file():
                raise DownloadError(f"the download of {info(key).title} lacks {path.name}; "
                                    "nothing was saved")


def _split_files(key: str, folder: Path, split: str) -> list[Path]:
    if info(key).layout == "cifar":
        return [folder / CIFAR_FOLDER / name for name in CIFAR_BATCHES[split]]
    return [folder / name for name in IDX_FILES[split]]


# -- loading ------------------------------------------------------------------------------------
def load_dataset(key: str, split: str, root=None) -> TensorDataset:
    """``split`` ("train"/"test") of dataset ``key`` as uint8 tensors; downloaded datasets are
    read from ``root`` (the data folder) and must have been downloaded first."""
    if split not in IDX_FILES:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    data = info(key)
    if data.bundled:
        return load_mnist(split)
    if not is_downloaded(key, root):
        raise DatasetError(f"{data.title} is not on this computer yet: download it first "
                           f"({data.size_text()})")
    return _load_downloaded(key, split, str(dataset_folder(key, root)))


@lru_cache(maxsize=4)
def _load_downloaded(key: str, split: str, folder: str) -> TensorDataset:
    data, base = info(key), Path(folder)
    paths = _split_files(key, base, split)
    try:
        if data.layout == "cifar":
            images, labels = [], []
            for path in paths:
                with open(path, "rb") as handle:
                    batch = pickle.load(handle, encoding="latin1")
                images.append(np.asarray(batch["data"], dtype=np.uint8).reshape(-1, 3, 32, 32))
                labels.extend(batch["labels"])
            x = torch.from_numpy(np.concatenate(images))
            y = torch.tensor(labels, dtype=torch.int64)
        else:
            x = torch.from_numpy(read_idx(paths[0]).copy()).unsqueeze(1)
            y = torch.from_numpy(read_idx(paths[1]).astype(np.int64))
    except (OSError, EOFError, KeyError, ValueError, pickle.UnpicklingError) as exc:
        raise DatasetError(f"{data.title} in {base} is damaged ({exc}); delete that folder and "
                           "download it again") from None
    if x.shape[0] != y.shape[0] or tuple(x.shape[1:]) != data.shape:
        raise DatasetError(f"{data.title} in {base} is damaged: {x.shape[0]} images of "
                           f"{tuple(x.shape[1:])}, {y.shape[0]} labels")
    if y.numel() and (int(y.min()) < 0 or int(y.max()) >= len(data.class_names)):
        raise DatasetError(f"{data.title} in {base} has labels outside 0–"
                           f"{len(data.class_names) - 1}")
    return TensorDataset(data.title, x, y, data.mean, data.std, data.class_names)


def open_dataset(name: str, root=None, options: dict | None = None
                 ) -> tuple[TensorDataset, TensorDataset, str]:
    """(train, test, note) for a dataset key or ``"folder:<path>"`` (an ImageFolder layout,
    read with ``options``: size, channels, test_fraction, seed)."""
    if name.startswith(FOLDER_PREFIX):
        from .folders import load_image_folder

        train, test, report = load_image_folder(name[len(FOLDER_PREFIX):], **(options or {}))
        return train, test, report.message()
    return load_dataset(name, "train", root), load_dataset(name, "test", root), ""


def normalisation(name: str | None) -> tuple[float, float]:
    """(mean, std) of a known dataset; MNIST's for anything else."""
    data = DATASETS.get(name or "mnist")
    return (data.mean, data.std) if data else (MNIST_MEAN, MNIST_STD)
