"""The dataset the pages follow, and dataset downloads in a background thread.

The main window owns one :class:`DatasetState`; the Train, Draw and Architecture pages are told
of every change (``set_dataset``). Choosing a dataset that is not on this computer asks before
downloading it; the download runs in a :class:`DownloadRun` (a worker in a QThread) and shows
its progress and a Cancel button in :class:`DownloadPanel`, in the status bar.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, Qt, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from cnnviz.core.data import catalog
from cnnviz.gui.appearance import theme
from cnnviz.gui.workers.base import WorkerThread

FOLDER_OPTION_DEFAULTS = {"size": 28, "channels": 1}


def data_dir() -> Path:
    """Downloaded datasets: ``$CNNVIZ_DATA_DIR`` or the app's data folder + ``datasets``."""
    if os.environ.get("CNNVIZ_DATA_DIR"):
        return Path(os.environ["CNNVIZ_DATA_DIR"])
    return Path(QStandardPaths.writableLocation(QStandardPaths.AppDataLocation)) / "datasets"


@dataclass(frozen=True)
class DatasetChoice:
    """What the pages need: the name the engine takes (a catalogue key or ``folder:<path>``),
    a title, the input shape, the class names and, for folders, the reading options."""

    name: str
    title: str
    shape: tuple[int, int, int]
    class_names: tuple[str, ...]
    options: dict = field(default_factory=dict)

    @property
    def is_folder(self) -> bool:
        return self.name.startswith(catalog.FOLDER_PREFIX)

    def describe(self) -> str:
        c, h, w = self.shape
        return f"{self.title}, {c}×{h}×{w}, {len(self.class_names)} classes"


def catalog_choice(key: str) -> DatasetChoice:
    info = catalog.info(key)
    return DatasetChoice(key, info.title, info.shape, info.class_names)


def folder_choice(path, size: int = 28, channels: int = 1) -> DatasetChoice:
    """An image folder's classes (read from the sub-folder names; no image is opened yet).
    Raises ``ValueError`` with the reason for a folder that cannot be a dataset."""
    # imported here, not with the window: numpy and the download code are not needed before
    # the first paint (about 0.25 s of a start-up)
    from cnnviz.core.data.folders import check_folder_options, scan_image_folder

    if channels is None:
        raise ValueError("channels must be 1 or 3, got None")
    check_folder_options(size, channels)
    path = Path(path)
    classes = tuple(scan_image_folder(path))
    return DatasetChoice(
        f"{catalog.FOLDER_PREFIX}{path}",
        path.name,
        (channels, size, size),
        classes,
        {"size": int(size), "channels": int(channels)},
    )


def choice_for(name: str, options: dict | None = None) -> DatasetChoice:
    if name.startswith(catalog.FOLDER_PREFIX):
        opts = {**FOLDER_OPTION_DEFAULTS, **(options or {})}
        return folder_choice(name[len(catalog.FOLDER_PREFIX) :], opts["size"], opts["channels"])
    return catalog_choice(name)


MNIST = catalog_choice("mnist")


class DatasetState(QObject):
    """The chosen dataset; ``changed`` carries the new :class:`DatasetChoice`."""

    changed = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.choice = MNIST

    def set(self, choice: DatasetChoice) -> None:
        if choice != self.choice:
            self.choice = choice
            self.changed.emit(choice)


class DownloadWorker(QObject):
    """Runs :func:`~cnnviz.core.data.download.download` in its thread; reports at most 10
    times a second."""

    progress = Signal(object, object, str)  # bytes so far, total (or None), file name
    done = Signal(str, str, str)  # key, outcome ("ok" / "cancelled" / "failed"), message

    def __init__(self, key: str, root: Path, files=None, fetch=None):
        super().__init__()
        self.key, self.root, self.files, self.fetch = key, root, files, fetch
        self._cancel = threading.Event()
        self._last = 0.0

    def cancel(self) -> None:
        self._cancel.set()

    def _report(self, done: int, total, name: str) -> None:
        now = time.monotonic()
        if now - self._last >= 0.1 or (total and done >= total):
            self._last = now
            self.progress.emit(done, total, name)

    @Slot()
    def run(self) -> None:
        from cnnviz.core.data import download as fetching

        kwargs = {"files": self.files, "progress": self._report, "cancelled": self._cancel.is_set}
        if self.fetch is not None:
            kwargs["fetch"] = self.fetch
        try:
            fetching.download(self.key, self.root, **kwargs)
        except fetching.DownloadCancelled:
            self.done.emit(
                self.key,
                "cancelled",
                f"Download of {catalog.info(self.key).title} cancelled; nothing was kept.",
            )
        except fetching.DownloadError as exc:
            self.done.emit(self.key, "failed", str(exc))
        except Exception as exc:  # reported, never raised into the thread's event loop
            self.done.emit(
                self.key,
                "failed",
                f"{catalog.info(self.key).title} could not be "
                f"downloaded: {type(exc).__name__}: {exc}",
            )
        else:
            self.done.emit(self.key, "ok", f"{catalog.info(self.key).title} downloaded.")


class DownloadRun(WorkerThread):
    """A download worker in its own QThread; ``request_stop`` cancels (nothing is kept)."""

    def __init__(self, key: str, root: Path, files=None, fetch=None):
        worker = DownloadWorker(key, root, files, fetch)
        super().__init__(worker, f"download-{key}", worker.run)
        self.key = key
        worker.done.connect(self.thread.quit)

    def request_stop(self) -> None:
        self.worker.cancel()


class DownloadPanel(QWidget):
    """Status-bar panel: what is downloading, a progress bar and Cancel; then the outcome."""

    cancel_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.label = QLabel()
        self.label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.bar = QProgressBar()
        self.bar.setFixedWidth(180)
        self.bar.setToolTip("Download progress")
        self.button = QPushButton("Cancel")
        self.button.setToolTip("Stop the download; nothing half-written is kept")
        self.button.clicked.connect(self._on_button)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.button)
        self.active = False
        self.hide()

    def start(self, title: str, size_text: str) -> None:
        self.active = True
        self.label.setStyleSheet("")
        self.label.setText(f"Downloading {title} ({size_text})…")
        self.bar.setRange(0, 0)
        self.bar.show()
        self.button.setText("Cancel")
        self.show()

    def show_progress(self, done, total, name: str) -> None:
        if total:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(1000 * min(done, total) / total))
            self.bar.setFormat(f"{done / 1e6:.1f} / {total / 1e6:.1f} MB")
        else:
            self.bar.setRange(0, 0)
        self.bar.setToolTip(f"{name}: {done / 1e6:.1f} MB")

    def finish(self, outcome: str, message: str) -> None:
        self.active = False
        self.bar.hide()
        self.label.setText(message)
        self.label.setStyleSheet(
            "" if outcome == "ok" else f"color: {theme.ERROR}; font-weight: bold;"
        )
        self.button.setText("Close")
        self.show()

    def _on_button(self) -> None:
        if self.active:
            self.button.setText("Cancelling…")
            self.cancel_requested.emit()
        else:
            self.hide()
