"""Reading a dataset of the catalogue, or an image folder, into in-memory tensors."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from .catalog import (
    FOLDER_PREFIX,
    IDX_FILES,
    DatasetError,
    dataset_folder,
    info,
    is_downloaded,
    split_files,
)
from .mnist import LoadCancelled, TensorDataset, load_mnist, read_idx, remembered

StopAsked = Callable[[], bool]

__all__ = ["DatasetError", "LoadCancelled", "load_dataset", "open_dataset"]


def load_dataset(
    key: str, split: str, root=None, should_stop: StopAsked | None = None
) -> TensorDataset:
    """``split`` ("train"/"test") of dataset ``key`` as uint8 tensors; downloaded datasets are
    read from ``root`` (the data folder) and must have been downloaded first.

    ``should_stop()`` is asked while reading and ends it with :class:`LoadCancelled`."""
    if split not in IDX_FILES:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    data = info(key)
    if data.bundled:
        return load_mnist(split, should_stop=should_stop)
    if not is_downloaded(key, root):
        raise DatasetError(
            f"{data.title} is not on this computer yet: download it first ({data.size_text()})"
        )
    folder = str(dataset_folder(key, root))
    return remembered(
        (key, split, folder), lambda: _load_downloaded(key, split, folder, should_stop)
    )


def _load_downloaded(
    key: str, split: str, folder: str, should_stop: StopAsked | None
) -> TensorDataset:
    data, base = info(key), Path(folder)
    paths = split_files(key, base, split)
    try:
        if data.layout == "cifar":
            images, labels = [], []
            for path in paths:
                if should_stop is not None and should_stop():
                    raise LoadCancelled(f"reading {data.title} was stopped")
                with open(path, "rb") as handle:
                    batch = pickle.load(handle, encoding="latin1")
                images.append(np.asarray(batch["data"], dtype=np.uint8).reshape(-1, 3, 32, 32))
                labels.extend(batch["labels"])
            x = torch.from_numpy(np.concatenate(images))
            y = torch.tensor(labels, dtype=torch.int64)
        else:
            x = torch.from_numpy(read_idx(paths[0], should_stop).copy()).unsqueeze(1)
            y = torch.from_numpy(read_idx(paths[1], should_stop).astype(np.int64))
    except (OSError, EOFError, KeyError, ValueError, pickle.UnpicklingError) as exc:
        raise DatasetError(
            f"{data.title} in {base} is damaged ({exc}); delete that folder and download it again"
        ) from None
    if x.shape[0] != y.shape[0] or tuple(x.shape[1:]) != data.shape:
        raise DatasetError(
            f"{data.title} in {base} is damaged: {x.shape[0]} images of "
            f"{tuple(x.shape[1:])}, {y.shape[0]} labels"
        )
    if y.numel() and (int(y.min()) < 0 or int(y.max()) >= len(data.class_names)):
        raise DatasetError(
            f"{data.title} in {base} has labels outside 0–{len(data.class_names) - 1}"
        )
    return TensorDataset(data.title, x, y, data.mean, data.std, data.class_names)


def open_dataset(
    name: str, root=None, options: dict | None = None, should_stop: StopAsked | None = None
) -> tuple[TensorDataset, TensorDataset, str]:
    """(train, test, note) for a dataset key or ``"folder:<path>"`` (an ImageFolder layout,
    read with ``options``: size, channels, test_fraction, seed). ``should_stop()`` is asked
    while reading and ends it with :class:`LoadCancelled`."""
    if name.startswith(FOLDER_PREFIX):
        from .folders import load_image_folder

        train, test, report = load_image_folder(
            name[len(FOLDER_PREFIX) :], **(options or {}), should_stop=should_stop
        )
        return train, test, report.message()
    return (
        load_dataset(name, "train", root, should_stop),
        load_dataset(name, "test", root, should_stop),
        "",
    )
