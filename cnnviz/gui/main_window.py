"""MainWindow: the lesson list on the left, the chosen lesson's page on the right."""

from __future__ import annotations

import importlib

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QListWidget, QMainWindow, QMessageBox,
                               QStackedWidget, QWidget)

from cnnviz import __version__
from cnnviz.gui.settings import open_settings, read

# (title, "module:Class"); pages after the first two need torch and are built when first shown,
# so the window appears without importing it.
LESSONS = (
    ("Convolution", "cnnviz.gui.pages.conv_page:ConvPage"),
    ("Pooling", "cnnviz.gui.pages.pool_page:PoolPage"),
    ("Architecture", "cnnviz.gui.pages.architecture_page:ArchitecturePage"),
    ("Train", "cnnviz.gui.pages.train_page:TrainPage"),
    ("Draw", "cnnviz.gui.pages.draw_page:DrawPage"),
)
EAGER = 2

SHORTCUTS = (
    ("Space", "Play / pause the walk-through"),
    ("→ / ←", "Next / previous step"),
    ("Home / End", "First / last step"),
    ("Ctrl+1 … Ctrl+5", "Convolution / Pooling / Architecture / Train / Draw"),
    ("Ctrl+Z, Delete, E", "Draw: undo, clear, eraser"),
    ("Ctrl+O", "Open a model from a .py file"),
    ("Ctrl+Shift+V", "Paste numbers into the grid"),
    ("Ctrl+Shift+C", "Copy the output grid"),
    ("F11", "Full screen"),
    ("F5", "Presenter mode: bigger type, thicker lines, stronger contrast"),
    ("Ctrl+= / Ctrl+- / Ctrl+0", "Zoom in / out / back to 100%"),
    ("Ctrl+E", "Export the page as PNG"),
    ("Ctrl+Q", "Quit"),
)


class MainWindow(QMainWindow):
    """Lessons in a list; menus and shortcuts act on the page that is shown."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("cnnviz — convolutional neural networks, step by step")
        self.pages: list[QWidget | None] = [None] * len(LESSONS)
        self.lessons = QListWidget()
        self.lessons.setObjectName("lessons")
        self.lessons.setFixedWidth(170)
        self.stack = QStackedWidget()
        for number, (title, _) in enumerate(LESSONS, start=1):
            self.lessons.addItem(f"{number}  {title}")
            self.lessons.item(number - 1).setToolTip(f"{title} lesson (Ctrl+{number})")
            placeholder = QLabel(f"Loading {title}…")
            placeholder.setAlignment(Qt.AlignCenter)
            self.stack.addWidget(placeholder)
        for index in range(EAGER):
            self.page(index)
        self.lessons.currentRowChanged.connect(self._on_lesson_chosen)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.lessons)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.zoom, self.presenter, self.theme = 1.0, False, "system"
        self._datasets = None  # DatasetState, made when a page that follows it is built
        self._saved_dataset: tuple[str, dict] = ("mnist", {})
        self.download = None  # the DownloadRun in progress (or the last one)
        self.download_panel = None
        self._build_menus()
        self.lessons.setCurrentRow(0)
        self.restore_settings()

    def page(self, index: int) -> QWidget:
        """The lesson's page, built the first time it is asked for."""
        if self.pages[index] is None:
            module_name, class_name = LESSONS[index][1].split(":")
            QGuiApplication.setOverrideCursor(Qt.WaitCursor)
            try:
                page = getattr(importlib.import_module(module_name), class_name)()
            finally:
                QGuiApplication.restoreOverrideCursor()
            placeholder = self.stack.widget(index)
            self.stack.insertWidget(index, page)
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
            self.pages[index] = page
            if hasattr(page, "training_model"):
                page.training_model = self.training_model_snapshot
            if hasattr(page, "set_dataset"):
                state = self.dataset_state()
                page.set_dataset(state.choice)
                state.changed.connect(page.set_dataset)
            if hasattr(page, "choose_dataset"):
                page.choose_dataset = self.choose_dataset
        return self.pages[index]

    def built_page(self, title: str):
        """The lesson ``title``'s page if it has been built, else None."""
        return self.pages[[t for t, _ in LESSONS].index(title)]

    def training_model_snapshot(self):
        """(a copy of the model being trained — CPU, eval mode —, its InputContract), or None
        without a run."""
        import copy

        from cnnviz.core.inference import InputContract

        train = self.built_page("Train")
        engine = getattr(train, "engine", None)
        if engine is None or engine.model is None or engine.train_data is None:
            return None
        data = engine.train_data
        info = InputContract(tuple(data.shape), tuple(data.class_names), data.mean, data.std,
                         data.name)
        return copy.deepcopy(engine.model).cpu().eval(), info

    # -- datasets -------------------------------------------------------------------------------
    def dataset_state(self):
        """The dataset the pages follow (made on first use: it needs torch)."""
        if self._datasets is None:
            from cnnviz.gui.datasets import DatasetState, choice_for

            self._datasets = DatasetState(self)
            name, options = self._saved_dataset
            if name != "mnist" and self._dataset_available(name):
                try:
                    self._datasets.choice = choice_for(name, options)
                except (ValueError, OSError):
                    pass  # a folder that has gone or changed: MNIST
        return self._datasets

    @staticmethod
    def _dataset_available(name: str) -> bool:
        from cnnviz.core.data import catalog
        from cnnviz.gui.datasets import data_dir

        if name.startswith(catalog.FOLDER_PREFIX):
            return True
        return name in catalog.DATASETS and catalog.is_downloaded(name, data_dir())

    def choose_dataset(self, name: str, options: dict | None = None) -> bool:
        """Make ``name`` (a catalogue key or ``folder:<path>``) the dataset of every page.

        One that is not downloaded yet asks first and downloads in the background (the choice
        is made when it arrives; False now); a folder that cannot be a dataset says why and the
        previous choice stays."""
        from cnnviz.core.data import catalog
        from cnnviz.gui.datasets import choice_for

        state = self.dataset_state()
        if name in catalog.DATASETS and not self._dataset_available(name):
            if self.download is not None and self.download.running():
                self.show_dataset_message("A download is already running; wait for it or "
                                          "cancel it first.")
            elif self.confirm_download(catalog.info(name)):
                self.start_download(name)
            return False
        try:
            choice = choice_for(name, options)
        except (ValueError, OSError) as exc:
            self.show_dataset_message(f"Cannot use this dataset: {exc}. "
                                      f"The dataset stays {state.choice.title}.")
            return False
        state.set(choice)
        self.show_dataset_message("")
        self.statusBar().showMessage(f"Dataset: {choice.describe()}", 5000)
        return True

    def show_dataset_message(self, text: str) -> None:
        """On the Train page (where datasets are chosen) and in the status bar."""
        train = self.built_page("Train")
        if train is not None:
            train.show_message(text)
        if text:
            self.statusBar().showMessage(text, 10000)

    def confirm_download(self, info) -> bool:
        """Ask before downloading (tests replace this)."""
        answer = QMessageBox.question(
            self, f"Download {info.title}?",
            f"{info.title} is not on this computer yet. Download it now "
            f"({info.size_text()}) from its publishers' server? It is kept for next time.\n\n"
            f"Credit: {info.credit}.", QMessageBox.Yes | QMessageBox.No, QMessageBox.Yes)
        return answer == QMessageBox.Yes

    def start_download(self, key: str, files=None, fetch=None):
        """Download ``key`` in the background; the status bar shows progress and Cancel."""
        from cnnviz.core.data import catalog
        from cnnviz.gui.datasets import DownloadPanel, DownloadRun, data_dir

        if self.download_panel is None:
            self.download_panel = DownloadPanel()
            self.statusBar().addPermanentWidget(self.download_panel)
            self.download_panel.cancel_requested.connect(self.cancel_download)
        info = catalog.info(key)
        self.download = DownloadRun(key, data_dir(), files, fetch)
        self.download.worker.progress.connect(self.download_panel.show_progress,
                                              Qt.QueuedConnection)
        self.download.worker.done.connect(self._on_download_done, Qt.QueuedConnection)
        self.download_panel.start(info.title, info.size_text())
        self.download.start()
        return self.download

    def cancel_download(self) -> None:
        if self.download is not None:
            self.download.cancel()

    def _on_download_done(self, key: str, outcome: str, message: str) -> None:
        self.download_panel.finish(outcome, message)
        if outcome == "ok":
            self.choose_dataset(key)  # the pages follow (and relabel) through set_dataset
        else:
            self.show_dataset_message(message)

    def _fill_data_menu(self) -> None:
        """The Data menu, rebuilt each time it opens (what is downloaded may have changed)."""
        from PySide6.QtGui import QActionGroup

        from cnnviz.core.data import catalog

        menu = self.data_menu
        menu.clear()
        group = QActionGroup(menu)
        current = self.dataset_state().choice.name
        for key, info in catalog.DATASETS.items():
            text = info.title if self._dataset_available(key) else \
                f"{info.title} — {info.size_text()}"
            action = menu.addAction(text)
            action.setCheckable(True)
            action.setChecked(key == current)
            action.setStatusTip(f"Train, draw and inspect with {info.title} ({info.credit})")
            action.triggered.connect(lambda _=False, k=key: self.choose_dataset(k))
            group.addAction(action)
        menu.addSeparator()
        folder = menu.addAction("Image &folder…")
        folder.setStatusTip("Your own images: a folder with one sub-folder per class")
        folder.triggered.connect(self._choose_folder_dialog)
        shown = menu.addAction("Show the &data folder")
        shown.setStatusTip("Open the folder where downloaded datasets are kept")
        shown.triggered.connect(self._show_data_folder)

    def _choose_folder_dialog(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path = QFileDialog.getExistingDirectory(self, "Image folder: one sub-folder per class")
        if path:
            train = self.built_page("Train")
            options = train.folder_options() if train is not None else None
            self.choose_dataset(f"folder:{path}", options)

    def _show_data_folder(self) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        from cnnviz.gui.datasets import data_dir

        folder = data_dir()
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def current_page(self):
        return self.page(self.lessons.currentRow())

    def show_page(self, index: int) -> QWidget:
        self.lessons.setCurrentRow(index)
        return self.page(index)

    def _on_lesson_chosen(self, index: int) -> None:
        if index >= 0:
            page = self.page(index)
            self.stack.setCurrentWidget(page)
            self.statusBar().showMessage(getattr(page, "status_hint", ""))

    def _on_page(self, method: str):
        """Call ``method`` on the shown page if it has it (not every lesson steps)."""
        def call():
            target = self.current_page()
            for part in method.split("."):
                target = getattr(target, part, None)
                if target is None:
                    return
            target()
        return call

    def _action(self, menu, text, shortcut, slot, tip="") -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.WindowShortcut)
        action.setStatusTip(tip or text)
        action.triggered.connect(slot)
        menu.addAction(action)
        self.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self._action(file_menu, "&Open model…", "Ctrl+O", self.open_model,
                     "Load an nn.Module from a .py file (this runs its code)")
        self._action(file_menu, "Open &checkpoint…", "", self._on_page_of("Train", "_load_dialog"))
        self._action(file_menu, "&Save checkpoint…", "Ctrl+S",
                     self._on_page_of("Train", "_save_dialog"))
        file_menu.addSeparator()
        self._action(file_menu, "&Export page as PNG…", "Ctrl+E", self._export_png_dialog)
        self._action(file_menu, "Export training &metrics as CSV…", "",
                     self._on_page_of("Train", "export_csv_dialog"))
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", "Ctrl+Q", self.close)
        edit = bar.addMenu("&Edit")
        self._action(edit, "&Paste numbers into the grid", "Ctrl+Shift+V", self._on_page("paste"))
        self._action(edit, "&Copy the output grid", "Ctrl+Shift+C", self._on_page("copy_output"))
        self._action(edit, "&Randomize input", "Ctrl+R", self._on_page("randomize"))
        step = bar.addMenu("&Step")
        self._action(step, "&Play / pause", "Space", self._on_page("step_bar.toggle_play"))
        self._action(step, "&Next step", "Right", self._on_page("step_bar.advance"))
        self._action(step, "P&revious step", "Left", self._on_page("step_bar.previous"))
        self._action(step, "&First step", "Home", self._on_page("step_bar.first_step"))
        self._action(step, "&Last step", "End", self._on_page("step_bar.last_step"))
        lesson = bar.addMenu("&Lesson")
        for number, (title, _) in enumerate(LESSONS, start=1):
            self._action(lesson, f"&{number} {title}", f"Ctrl+{number}",
                         lambda _=False, i=number - 1: self.show_page(i))
        self.data_menu = bar.addMenu("&Data")
        self.data_menu.aboutToShow.connect(self._fill_data_menu)
        view = bar.addMenu("&View")
        self.presenter_action = self._action(view, "&Presenter mode", "F5",
                                             lambda: self.set_look(presenter=not self.presenter))
        self.presenter_action.setCheckable(True)
        self.full_screen_action = self._action(view, "&Full screen", "F11", self.toggle_full_screen)
        self.full_screen_action.setCheckable(True)
        from PySide6.QtGui import QActionGroup

        theme_menu = view.addMenu("&Theme")
        group = QActionGroup(theme_menu)
        self.theme_actions = {}
        for name, text, tip in (("system", "&System", "Follow the desktop's light or dark colours"),
                                ("light", "&Light", "Dark text on light backgrounds"),
                                ("dark", "&Dark", "Light text on dark backgrounds")):
            action = self._action(theme_menu, text, "", lambda _=False, n=name:
                                  self.set_look(theme=n), tip)
            action.setCheckable(True)
            action.setChecked(name == "system")
            group.addAction(action)
            self.theme_actions[name] = action
        hints = QGuiApplication.styleHints()
        if hasattr(hints, "colorSchemeChanged"):  # Qt 6.5+: the desktop switched light/dark
            hints.colorSchemeChanged.connect(self._on_color_scheme_changed)
        view.addSeparator()
        self._action(view, "Zoom &in", "Ctrl+=", lambda: self.set_look(zoom=self.zoom * 1.15))
        self._action(view, "Zoom &out", "Ctrl+-", lambda: self.set_look(zoom=self.zoom / 1.15))
        self._action(view, "&Reset zoom", "Ctrl+0", lambda: self.set_look(zoom=1.0))
        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&Keyboard shortcuts", "F1", self.show_shortcuts)
        self._action(help_menu, "&About cnnviz", "", self.show_about)

    def open_model(self) -> None:
        self.show_page(LESSONS.index(next(l for l in LESSONS if l[0] == "Architecture")))
        self.current_page().open_model_dialog()

    def _on_page_of(self, title: str, method: str):
        index = [t for t, _ in LESSONS].index(title)
        return lambda: (self.show_page(index), getattr(self.page(index), method)())

    # -- look, settings, files ----------------------------------------------------------------
    def _on_color_scheme_changed(self, *_args) -> None:
        if self.theme == "system":
            self.set_look()

    def set_look(self, zoom: float | None = None, presenter: bool | None = None,
                 theme: str | None = None) -> None:
        """Zoom (50–250 %), presenter mode and theme, for every page and plot."""
        from PySide6.QtWidgets import QApplication

        from cnnviz.gui.app import apply_look

        self.zoom = min(2.5, max(0.5, self.zoom if zoom is None else zoom))
        self.presenter = self.presenter if presenter is None else bool(presenter)
        self.theme = self.theme if theme is None else theme
        self.presenter_action.setChecked(self.presenter)
        self.theme_actions[self.theme].setChecked(True)
        apply_look(QApplication.instance(), self.zoom, self.presenter, self.theme)
        self.lessons.setFixedWidth(int(170 * self.zoom * (1.35 if self.presenter else 1.0)))
        for page in self.pages:
            if page is not None and hasattr(page, "apply_look"):
                page.apply_look(self.zoom, self.presenter)
        self.statusBar().showMessage(
            f"Zoom {self.zoom:.0%}" + (" · presenter mode" if self.presenter else ""), 3000)

    def restore_settings(self) -> None:
        settings = open_settings()
        geometry = settings.value("window/geometry")
        if geometry is not None:
            try:
                self.restoreGeometry(geometry)
            except TypeError:
                pass  # a corrupt value: keep the default geometry
        zoom = read(settings, "view/zoom", 1.0, float, 0.5, 2.5)
        presenter = read(settings, "view/presenter", False)
        theme = read(settings, "view/theme", "system", str)
        theme = theme if theme in self.theme_actions else "system"
        if zoom != 1.0 or presenter or theme != "system":
            self.set_look(zoom, presenter, theme)
        self.show_page(read(settings, "window/page", 0, int, 0, EAGER - 1))
        import json

        try:
            options = json.loads(read(settings, "data/options", "{}", str))
        except ValueError:
            options = {}
        self._saved_dataset = (read(settings, "data/dataset", "mnist", str),
                               options if isinstance(options, dict) else {})

    def save_settings(self) -> None:
        settings = open_settings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/page", min(self.lessons.currentRow(), EAGER - 1))
        settings.setValue("view/zoom", self.zoom)
        settings.setValue("view/presenter", self.presenter)
        settings.setValue("view/theme", self.theme)
        import json

        name, options = self._saved_dataset
        if self._datasets is not None:
            name, options = self._datasets.choice.name, self._datasets.choice.options
        settings.setValue("data/dataset", name)
        settings.setValue("data/options", json.dumps(options))
        for page in self.pages:
            if page is not None and hasattr(page, "save_settings"):
                page.save_settings(settings)
        settings.sync()

    def export_png(self, path) -> None:
        """The page as shown, written atomically (a temporary file, then replaced)."""
        from pathlib import Path

        from cnnviz.core.files import atomic_path

        with atomic_path(path, suffix=".png") as tmp:
            if not self.current_page().grab().save(str(tmp), "PNG"):
                raise OSError(f"could not write {Path(path).name}")

    def _export_png_dialog(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        title = LESSONS[self.lessons.currentRow()][0].lower()
        path, _ = QFileDialog.getSaveFileName(self, "Export page as PNG", f"cnnviz-{title}.png",
                                              "PNG images (*.png)")
        if path:
            try:
                self.export_png(path)
                self.statusBar().showMessage(f"Saved {path}", 5000)
            except OSError as exc:
                QMessageBox.warning(self, "Export page as PNG", str(exc))

    def confirm_discard(self) -> str:
        """"save", "discard" or "cancel" for an unsaved training run (tests replace this)."""
        answer = QMessageBox.question(
            self, "Unsaved training run",
            "The last training run has not been saved. Save a checkpoint before quitting?",
            QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, QMessageBox.Save)
        return {QMessageBox.Save: "save", QMessageBox.Discard: "discard"}.get(answer, "cancel")

    def closeEvent(self, event):  # noqa: N802
        """Ask before losing an unsaved run; stop training cleanly (never terminate a thread)."""
        train = self.built_page("Train")
        running = train is not None and train.is_running() and bool(train.losses)
        if train is not None and (train.unsaved or running):
            choice = self.confirm_discard()
            if choice == "cancel":
                event.ignore()
                return
            if choice == "save":
                if running:  # finish the batch in progress, then the weights hold still
                    train.run.shutdown()
                    train.unsaved = True
                train._save_dialog()
                if train.unsaved:
                    event.ignore()
                    return
        self.save_settings()
        if self.download is not None:
            self.download.shutdown()  # cancelled: the partial folder is removed
        for page in self.pages:
            if page is not None and hasattr(page, "shutdown"):
                page.shutdown()
        super().closeEvent(event)

    def toggle_full_screen(self) -> None:
        self.showNormal() if self.isFullScreen() else self.showFullScreen()
        self.full_screen_action.setChecked(self.isFullScreen())

    def show_shortcuts(self) -> None:
        rows = "".join(f"<tr><td><b>{k}</b></td><td>&nbsp;&nbsp;{v}</td></tr>" for k, v in SHORTCUTS)
        QMessageBox.information(self, "Keyboard shortcuts", f"<table>{rows}</table>")

    def about_text(self) -> str:
        from cnnviz.core.data.catalog import DATASETS

        credits = "".join(f"<li>{d.title}: {d.credit}{' — ships with cnnviz' if d.bundled else ''}"
                          "</li>" for d in DATASETS.values())
        return (f"<h3>cnnviz {__version__}</h3><p>Convolutional neural networks, step by step: "
                "every number on screen is the number PyTorch computes.</p>"
                "<p>Follows Sung Kim's lecture 10 (CNN) of <i>PyTorch Zero to All</i>.</p>"
                f"<p>Datasets:</p><ul>{credits}</ul>")

    def show_about(self) -> None:
        QMessageBox.about(self, "About cnnviz", self.about_text())
