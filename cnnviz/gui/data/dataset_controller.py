"""DatasetController: the dataset every page follows, the Data menu and dataset downloads.

One per main window. Choosing a dataset that is not on this computer asks first and downloads
it in the background (:class:`~cnnviz.gui.data.datasets.DownloadRun`), with progress and Cancel in
the status bar; a choice that cannot be made says why and the previous one stays.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QActionGroup, QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox

from cnnviz.core.data import catalog
from cnnviz.gui.data.datasets import (
    FOLDER_OPTION_DEFAULTS,
    DatasetState,
    DownloadPanel,
    DownloadRun,
    choice_for,
    data_dir,
)


class DatasetController(QObject):
    """``changed`` carries the new DatasetChoice; ``message`` a text for the Train page
    ("" clears it)."""

    changed = Signal(object)
    message = Signal(str)

    def __init__(self, window, saved: tuple[str, dict] = ("mnist", {})):
        super().__init__(window)
        self.window = window
        self.download: DownloadRun | None = None  # the one in progress (or the last one)
        self.panel: DownloadPanel | None = None
        self.state = DatasetState(self)
        self.state.changed.connect(self.changed)
        name, options = saved
        if name != "mnist" and self.available(name):
            try:
                self.state.choice = choice_for(name, options)
            except (ValueError, OSError):
                pass  # a folder that has gone or changed: MNIST

    @property
    def choice(self):
        return self.state.choice

    @staticmethod
    def available(name: str) -> bool:
        if name.startswith(catalog.FOLDER_PREFIX):
            return True
        return name in catalog.DATASETS and catalog.is_downloaded(name, data_dir())

    def choose(self, name: str, options: dict | None = None) -> bool:
        """Make ``name`` (a catalogue key or ``folder:<path>``) the dataset of every page.

        One that is not downloaded yet asks first and downloads in the background (the choice
        is made when it arrives; False now); a folder that cannot be a dataset says why and the
        previous choice stays."""
        if name in catalog.DATASETS and not self.available(name):
            if self.download is not None and self.download.is_running():
                self.show_message("A download is already running; wait for it or cancel it first.")
            elif self.confirm_download(catalog.info(name)):
                self.start_download(name)
            return False
        try:
            choice = choice_for(name, options)
        except (ValueError, OSError) as exc:
            self.show_message(
                f"Cannot use this dataset: {exc}. The dataset stays {self.choice.title}."
            )
            return False
        self.state.set(choice)
        self.show_message("")
        self.window.statusBar().showMessage(f"Dataset: {choice.describe()}", 5000)
        return True

    def show_message(self, text: str) -> None:
        """On the Train page (where datasets are chosen) and in the status bar."""
        self.message.emit(text)
        if text:
            self.window.statusBar().showMessage(text, 10000)

    def confirm_download(self, info) -> bool:
        """Ask before downloading (tests replace this)."""
        answer = QMessageBox.question(
            self.window,
            f"Download {info.title}?",
            f"{info.title} is not on this computer yet. Download it now "
            f"({info.size_text()}) from its publishers' server? It is kept for next time.\n\n"
            f"Credit: {info.credit}.",
            QMessageBox.Yes | QMessageBox.No,
            QMessageBox.Yes,
        )
        return answer == QMessageBox.Yes

    # -- downloads ------------------------------------------------------------------------------
    def start_download(self, key: str, files=None, fetch=None) -> DownloadRun:
        """Download ``key`` in the background; the status bar shows progress and Cancel."""
        if self.panel is None:
            self.panel = DownloadPanel()
            self.window.statusBar().addPermanentWidget(self.panel)
            self.panel.cancel_requested.connect(self.cancel_download)
        info = catalog.info(key)
        self.download = DownloadRun(key, data_dir(), files, fetch)
        self.download.worker.progress.connect(self.panel.show_progress, Qt.QueuedConnection)
        self.download.worker.done.connect(self._on_download_done, Qt.QueuedConnection)
        self.panel.start(info.title, info.size_text())
        self.download.start()
        return self.download

    def cancel_download(self) -> None:
        if self.download is not None:
            self.download.request_stop()

    def _on_download_done(self, key: str, outcome: str, message: str) -> None:
        self.panel.finish(outcome, message)
        if outcome == "ok":
            self.choose(key)  # the pages follow (and relabel) through set_dataset
        else:
            self.show_message(message)

    def busy_text(self) -> str:
        if self.download is not None and self.download.is_running():
            return f"cancelling the download of {catalog.info(self.download.key).title}"
        return ""

    def shutdown(self) -> None:
        """Cancel a download (its partial folder is removed) and wait for its thread."""
        if self.download is not None:
            self.download.shutdown()

    # -- the Data menu --------------------------------------------------------------------------
    def fill_menu(self, menu) -> None:
        """The Data menu, rebuilt each time it opens (what is downloaded may have changed)."""
        menu.clear()
        group = QActionGroup(menu)
        current = self.choice.name
        for key, info in catalog.DATASETS.items():
            text = info.title if self.available(key) else f"{info.title} — {info.size_text()}"
            action = menu.addAction(text)
            action.setCheckable(True)
            action.setChecked(key == current)
            action.setStatusTip(f"Train, draw and inspect with {info.title} ({info.credit})")
            action.triggered.connect(lambda _=False, k=key: self.choose(k))
            group.addAction(action)
        menu.addSeparator()
        folder = menu.addAction("Image &folder…")
        folder.setStatusTip("Your own images: a folder with one sub-folder per class")
        folder.triggered.connect(self.choose_folder_dialog)
        shown = menu.addAction("Show the &data folder")
        shown.setStatusTip("Open the folder where downloaded datasets are kept")
        shown.triggered.connect(self.show_data_folder)

    def choose_folder_dialog(self) -> None:
        path = QFileDialog.getExistingDirectory(
            self.window, "Image folder: one sub-folder per class"
        )
        if path:
            options = self.choice.options if self.choice.is_folder else FOLDER_OPTION_DEFAULTS
            self.choose(f"{catalog.FOLDER_PREFIX}{path}", dict(options))

    @staticmethod
    def show_data_folder() -> None:
        folder = data_dir()
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
