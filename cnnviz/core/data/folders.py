"""Your own images: a folder with one sub-folder per class (torchvision's ImageFolder layout),
read into the same in-memory :class:`TensorDataset` as MNIST, split into train and test."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # torch is imported when images are read, not to scan or check options
    from .mnist import TensorDataset

IMAGE_SUFFIXES = {
    ".png",
    ".jpg",
    ".jpeg",
    ".bmp",
    ".gif",
    ".tif",
    ".tiff",
    ".webp",
    ".pgm",
    ".ppm",
    ".pbm",
}


@dataclass
class FolderReport:
    """What was read: the classes with their image counts, and what was skipped and why."""

    classes: list[str]
    counts: dict[str, int]
    skipped: list[tuple[str, str]] = field(default_factory=list)
    channels: int = 1

    def message(self) -> str:
        total = sum(self.counts.values())
        text = (
            f"{total} images in {len(self.classes)} classes "
            f"({', '.join(f'{c}: {n}' for c, n in self.counts.items())})"
        )
        if self.skipped:
            text += f"; {len(self.skipped)} file(s) skipped as unreadable"
        return text


def _is_gray(image) -> bool:
    if image.mode in ("1", "L", "LA", "I", "I;16", "F"):
        return True
    if image.mode == "P":
        image = image.convert("RGB")
    if image.mode in ("RGB", "RGBA"):
        arr = np.asarray(image.convert("RGB"), dtype=np.int16)
        return bool((arr[..., 0] == arr[..., 1]).all() and (arr[..., 1] == arr[..., 2]).all())
    return False


def check_folder_options(size: int, channels: int | None = None) -> None:
    """``ValueError`` for an image side outside 4–512 or channels other than 1, 3 (or None)."""
    if size < 4 or size > 512:
        raise ValueError(f"image size must be between 4 and 512, got {size}")
    if channels not in (None, 1, 3):
        raise ValueError(f"channels must be 1 or 3, got {channels}")


def scan_image_folder(root) -> dict[str, list[Path]]:
    """The classes of an ImageFolder layout (sub-folders holding image files, sorted) and
    their files, without reading any image; a missing folder, no classes or a single class
    raise ``ValueError`` with the reason."""
    root = Path(root)
    if not root.is_dir():
        raise ValueError(f"{root} is not a folder")
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    files = {
        f.name: sorted(
            p for p in f.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
        )
        for f in folders
    }
    files = {name: paths for name, paths in files.items() if paths}
    if not files:
        raise ValueError(
            f"{root.name} has no class sub-folders with images in them "
            "(expected one sub-folder per class)"
        )
    if len(files) < 2:
        raise ValueError(
            f"{root.name} has only one class ({next(iter(files))}); a classifier "
            "needs at least two sub-folders of images"
        )
    return files


def load_image_folder(
    root,
    size: int = 28,
    channels: int | None = None,
    test_fraction: float = 0.2,
    seed: int = 0,
    should_stop: Callable[[], bool] | None = None,
) -> tuple[TensorDataset, TensorDataset, FolderReport]:
    """Read every image under ``root/<class>/``, resized to ``size``×``size``.

    ``channels`` 1 or 3 forces grayscale or RGB; None picks 1 when every image is grey.
    Unreadable files are skipped and listed in the report; a missing folder, no classes or a
    single class raise ``ValueError`` with the reason. ``should_stop()`` is asked before each
    image and ends the read with :class:`~cnnviz.core.data.mnist.LoadCancelled`.
    """
    import torch
    from PIL import Image, UnidentifiedImageError

    from .mnist import LoadCancelled, TensorDataset

    check_folder_options(size, channels)
    if not 0 < test_fraction < 1:
        raise ValueError(f"test fraction must be between 0 and 1, got {test_fraction}")
    root = Path(root)
    files = scan_image_folder(root)
    classes = list(files)
    images, labels, skipped, gray = [], [], [], True
    for label, name in enumerate(classes):
        for path in files[name]:
            if should_stop is not None and should_stop():
                raise LoadCancelled(f"reading {root.name} was stopped")
            try:
                with Image.open(path) as img:
                    img.load()
                    gray = gray and _is_gray(img)
                    images.append(
                        img.convert("RGB").resize((size, size), Image.Resampling.BILINEAR)
                    )
                    labels.append(label)
            except (OSError, UnidentifiedImageError, ValueError) as exc:
                skipped.append((str(path.relative_to(root)), str(exc).splitlines()[0][:120]))
    counts = {name: int(sum(1 for lab in labels if lab == i)) for i, name in enumerate(classes)}
    if sum(1 for n in counts.values() if n) < 2:
        raise ValueError(
            f"{root.name}: fewer than two classes have readable images "
            f"({len(skipped)} file(s) could not be read)"
        )
    channels = channels or (1 if gray else 3)
    stack = np.stack(
        [np.asarray(img.convert("L" if channels == 1 else "RGB"), np.uint8) for img in images]
    )
    stack = stack[:, None] if channels == 1 else stack.transpose(0, 3, 1, 2)
    labels_arr = np.asarray(labels, np.int64)
    train_idx, test_idx = _split(labels_arr, test_fraction, seed)
    train_px = stack[train_idx].astype(np.float32) / 255.0
    mean, std = float(train_px.mean()), float(train_px.std()) or 1.0
    report = FolderReport(classes, counts, skipped, channels)

    def subset(idx):
        return TensorDataset(
            root.name,
            torch.from_numpy(np.ascontiguousarray(stack[idx])),
            torch.from_numpy(labels_arr[idx]),
            mean,
            std,
            tuple(classes),
        )

    return subset(train_idx), subset(test_idx), report


def _split(labels: np.ndarray, test_fraction: float, seed: int):
    """Per class: a shuffled share for testing (at least one when a class has two images)."""
    rng = np.random.default_rng(seed)
    train: list[int] = []
    test: list[int] = []
    for label in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == label))
        n_test = int(round(len(idx) * test_fraction))
        n_test = min(max(n_test, 1 if len(idx) >= 2 else 0), len(idx) - 1)
        test.extend(idx[:n_test])
        train.extend(idx[n_test:])
    return np.sort(np.asarray(train, np.int64)), np.sort(np.asarray(test, np.int64))
