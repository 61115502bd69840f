"""MainWindow: the lesson list on the left, the chosen lesson's page on the right.

The window builds its pages from :data:`cnnviz.gui.pages.PAGES` and talks to them through
:class:`~cnnviz.gui.pages.base.Page` only. Menus live in :mod:`cnnviz.gui.window.menus`, the dataset
choice and downloads in :mod:`cnnviz.gui.data.dataset_controller`, themes and presenter mode in
:mod:`cnnviz.gui.appearance.look`.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QWidget,
)

from cnnviz.gui.appearance import theme
from cnnviz.gui.appearance.look import dress, named, normal_propagation
from cnnviz.gui.appearance.repaint_hold import hold_repaints, release_repaints
from cnnviz.gui.data.dataset_controller import DatasetController
from cnnviz.gui.lessons.deck_controller import DeckController
from cnnviz.gui.lessons.lesson_files import LessonFiles
from cnnviz.gui.pages import PAGES, TRAIN, PageEntry, find_entry
from cnnviz.gui.pages.base import LoadingPlaceholder, Page, PageContext
from cnnviz.gui.settings import open_settings
from cnnviz.gui.window.menus import Menus
from cnnviz.gui.window.page_room import PageStack, page_room
from cnnviz.gui.window.predict_switch import PredictSwitch
from cnnviz.gui.window.window_settings import restore_window, save_window, saved_dataset
from cnnviz.gui.workers.compute_service import ComputeService
from cnnviz.gui.workers.preload import Preload

COMPUTE_STOP_WAIT_MS = 100

CLOSE_POLL_MS = 30


class MainWindow(QMainWindow):
    """Lessons in a list; menus and shortcuts act on the page that is shown."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("cnnviz — convolutional neural networks, step by step")
        self.entries = PAGES
        self.pages: list[Page | None] = [None] * len(PAGES)
        self._unplaced: set[int] = set()  # pages made, their placeholders still shown
        self._page_looks: dict[int, tuple] = {}  # the look each built page has
        self.preload = Preload()  # started once the window has been painted
        self._loading_started = False
        self.zoom, self.presenter, self.theme = 1.0, False, "system"
        normal_propagation()  # before any page has a style sheet
        self._closing = False  # waiting for workers to stop before the window closes
        self.lessons = QListWidget()
        named(self.lessons, "lessons")
        self.lessons.setFixedWidth(170)
        # a long title ("Transposed convolution") wraps instead of scrolling the list sideways
        self.lessons.setWordWrap(True)
        self.lessons.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.lessons.viewport().installEventFilter(self)  # to load once the window is painted
        self.stack = PageStack()
        for number, entry in enumerate(PAGES, start=1):
            self.lessons.addItem(f"{number}  {entry.title}")
            key = f" (Ctrl+{number})" if number <= 9 else ""  # Ctrl+10 is no key
            self.lessons.item(number - 1).setToolTip(f"{entry.title} lesson{key}")
            self.stack.addWidget(LoadingPlaceholder(entry.title))
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.lessons)
        layout.addWidget(page_room(self.stack), 1)
        self.setCentralWidget(central)
        settings = open_settings()
        self.datasets = DatasetController(self, saved_dataset(settings))
        self.compute = ComputeService(self)  # the thread that owns the pages' models
        self.context = PageContext(
            self.datasets, self.request_training_model, self.show_page, self.compute
        )
        self.lesson_files = LessonFiles(self)  # lesson files and animations (File menu)
        self.menus = Menus(self)
        self.predict = PredictSwitch(self, settings)  # Lesson → Predict first, and its toolbar
        self.deck = DeckController(self)  # View → Deck: the caption band and the stops
        self._waiting_for = -1  # a page to build once PyTorch has been imported
        self._pending: list[tuple[int, object]] = []  # (page, menu command) waiting for it
        self._preload_timer = QTimer(self)  # watches the background import until it is done
        self._preload_timer.setInterval(50)
        self._preload_timer.timeout.connect(self._on_preload_tick)
        self.lessons.currentRowChanged.connect(self._on_lesson_chosen)
        self.lessons.setCurrentRow(0)
        self.restore_settings(settings)
        hints = QGuiApplication.styleHints()
        if hasattr(hints, "colorSchemeChanged"):  # Qt 6.5+: the desktop switched light/dark
            hints.colorSchemeChanged.connect(self._on_color_scheme_changed)

    # -- start-up -------------------------------------------------------------------------------
    def eventFilter(self, watched, event):  # noqa: N802
        """The lesson list's first paint (the window is on screen): loading starts on the
        next turn of the event loop, after the rest of that paint."""
        if event.type() == QEvent.Paint and not self._loading_started:
            self._loading_started = True
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self, self._start_loading)
        return False

    def _start_loading(self) -> None:
        """The window is on screen: the lesson chosen is built now (shown on the next turn),
        PyTorch and captum are imported in the background (Qt-free modules only), and
        pyqtgraph here on the next tick of the timer that watches that import."""
        self.preload.start()
        self._preload_timer.start()
        self._build_chosen()

    def _torch_ready(self, index: int) -> bool:
        """Whether the page can be built now without waiting for PyTorch's import."""
        return not PAGES[index].needs_torch or self.preload.done()

    def _wait_for_torch(self) -> None:
        self.statusBar().showMessage("Starting PyTorch…")
        self.preload.start()  # (a lesson chosen before the window was shown)
        self._preload_timer.start()

    def _on_preload_tick(self) -> None:
        if "pyqtgraph" not in sys.modules:
            # in the GUI thread, as a module that copies Qt's classes must be imported: about
            # 0.35 s, while PyTorch loads (the lesson shown has been painted by now)
            import pyqtgraph  # noqa: F401 - the plots of the pages that need PyTorch
        if not self.preload.done():
            return
        self._preload_timer.stop()
        self._build_chosen()  # the lesson still chosen, if it is
        pending, self._pending = self._pending, []
        for index, command in pending:
            command(self.show_page(index))

    # -- pages ----------------------------------------------------------------------------------
    def page(self, page: PageEntry | type) -> Page:
        """The lesson's page (named by its class or entry), built the first time it is asked
        for (waiting for the background import of PyTorch if the page needs it)."""
        index = PAGES.index(find_entry(page))
        if self.pages[index] is None:
            self._make(index)
        if index in self._unplaced:  # made, its placeholder still in the window
            self._unplaced.discard(index)
            hold_repaints(self)  # the new page is painted once it has been laid out
            placeholder = self.stack.widget(index)
            self.stack.insertWidget(index, self.pages[index])
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
        return self.pages[index]

    def _make(self, index: int) -> None:
        """Make the lesson's page (not yet in the window: :meth:`page` puts it there)."""
        entry = PAGES[index]
        if entry.needs_torch:
            self.preload.wait()
        page = entry.load()()
        page.setParent(self.stack)  # the window's from now on (hidden until placed)
        page.hide()
        page.attach(self.context)
        page.status_changed.connect(lambda text, p=page: self._on_page_status(p, text))
        self.pages[index] = page
        self._unplaced.add(index)
        if page.uses_dataset:
            page.set_dataset(self.datasets.choice)
            self.datasets.changed.connect(page.set_dataset)
        self.predict.tell(page)
        self._page_looks[index] = (1.0, False, theme.DARK)  # as it was built
        self._give_look(index)

    def _give_look(self, index: int) -> None:
        """Bring a built page to the window's zoom, presenter mode and theme, if it is not
        there yet. Only the page on screen follows a change of look at once; a hidden page
        takes it when it is shown (each page's relayout is tens of milliseconds)."""
        look = (self.zoom, self.presenter, theme.DARK)
        if self._page_looks.get(index) != look:
            self._page_looks[index] = look
            self.pages[index].apply_look(self.zoom, self.presenter)

    def built_page(self, page: PageEntry | type) -> Page | None:
        """The page (named by its class or entry) if it has been built, else None."""
        return self.pages[PAGES.index(find_entry(page))]

    def current_page(self) -> Page:
        """The page shown: the lesson's, or its placeholder while it waits for PyTorch or is
        being made (the menus never build a page, nor wait for the import)."""
        return self.stack.currentWidget()

    def show_page(self, page: PageEntry | type) -> Page:
        """Build (if needed) and show the lesson's page (named by its class or entry)."""
        index = PAGES.index(find_entry(page))
        built = self.page(index)
        if self.lessons.currentRow() == index:  # chosen already: its placeholder may show
            self._show(index)
        else:
            self.lessons.setCurrentRow(index)
        return built

    def choose(self, page: PageEntry | type) -> None:
        """Choose the lesson as a click in the list does (its page built on the next turn)."""
        self.lessons.setCurrentRow(PAGES.index(find_entry(page)))

    def _on_lesson_chosen(self, index: int) -> None:
        if index < 0:
            return
        if self.pages[index] is None:
            self._show_placeholder(index)
        else:
            self._show(index)

    def _show_placeholder(self, index: int) -> None:
        """A lesson chosen for the first time: its placeholder shows at once, saying it is
        loading, and the page is built on the event loop's next turn (or once PyTorch has
        been imported, if it needs it): the window repaints in between instead of holding
        the click for the whole build."""
        dress(self.stack.widget(index))
        self.stack.setCurrentIndex(index)
        self.menus.follow_page(self.stack.currentWidget())
        self._waiting_for = index
        if not self._torch_ready(index):
            self._wait_for_torch()
        elif not self._loading_started:
            pass  # not painted yet: built once the window is on screen (_start_loading)
        else:
            self.statusBar().showMessage(f"Loading the {PAGES[index].title} lesson…")
            QTimer.singleShot(0, self, self._build_chosen)

    def _build_chosen(self) -> None:
        """The lesson chosen a moment ago: its page is made on this turn of the event loop
        and shown on the next (each takes tens of milliseconds: the Train page about 45 and
        30), its placeholder showing in between."""
        index, self._waiting_for = self._waiting_for, -1
        if index < 0 or index != self.lessons.currentRow():
            return
        if self.pages[index] is None and not self._torch_ready(index):
            self._waiting_for = index  # chosen since this turn was asked for: wait, not block
            self._wait_for_torch()
            return
        if self.pages[index] is None:
            self._make(index)
            QTimer.singleShot(0, self, lambda: self._show_if_chosen(index))
        else:
            self._show(index)

    def _show_if_chosen(self, index: int) -> None:
        if index == self.lessons.currentRow() and not self._closing:
            self._show(index)

    def _show(self, index: int) -> None:
        page = self.page(index)
        if self.stack.currentWidget() is not page:
            hold_repaints(self)  # painted once its layout and plots have settled
        dress(page)  # before it shows: a hidden page's named widgets take the look now
        self._give_look(index)
        self.stack.setCurrentWidget(page)
        self.menus.follow_page(page)
        self.statusBar().showMessage(page.status_text())

    def _on_page_status(self, page: Page, text: str) -> None:
        if self.stack.currentWidget() is page:
            self.statusBar().showMessage(text)

    def on_page(self, page: PageEntry | type, command) -> None:
        """Show the page (named by its class or entry) and run ``command(page)``: at once,
        or — while PyTorch is still being imported for it — once it is built (its
        placeholder shows meanwhile). A page's menu commands run through this."""
        index = PAGES.index(find_entry(page))
        if self.pages[index] is None and not self._torch_ready(index):
            self._pending.append((index, command))
            self.lessons.setCurrentRow(index)
            return
        command(self.show_page(index))

    def request_training_model(self, callback) -> bool:
        """The model being trained, handed by the Train page to ``callback`` as it is (a
        ModelSource, or None); False (and nothing called) when there is no run."""
        train = self.built_page(TRAIN)
        return train is not None and train.request_model_snapshot(callback)

    # -- look, settings, files ------------------------------------------------------------------
    def _on_color_scheme_changed(self, *_args) -> None:
        if self.theme == "system":
            self.set_look()

    def set_look(
        self, zoom: float | None = None, presenter: bool | None = None, theme: str | None = None
    ) -> None:
        """Zoom (50–250 %), presenter mode and theme, for every page and plot."""
        from PySide6.QtWidgets import QApplication

        from cnnviz.gui.appearance.look import apply_look

        hold_repaints(self)  # painted once, when the page has been laid out with the new look
        self.zoom = min(2.5, max(0.5, self.zoom if zoom is None else zoom))
        self.presenter = self.presenter if presenter is None else bool(presenter)
        self.theme = self.theme if theme is None else theme
        self.menus.presenter.setChecked(self.presenter)
        self.menus.themes[self.theme].setChecked(True)
        apply_look(QApplication.instance(), self.zoom, self.presenter, self.theme)
        for widget in (self.lessons, self.stack.currentWidget()):
            dress(widget)
        self.lessons.setFixedWidth(int(170 * self.zoom * (1.35 if self.presenter else 1.0)))
        shown = self.stack.currentIndex()
        if self.pages[shown] is not None:  # the others when they are shown
            self._page_looks.pop(shown, None)  # the page on screen lays itself out again
            self._give_look(shown)
        self.statusBar().showMessage(
            f"Zoom {self.zoom:.0%}" + (" · presenter mode" if self.presenter else ""), 3000
        )

    def built_pages(self) -> list[Page]:
        return [page for page in self.pages if page is not None]

    def restore_settings(self, settings=None) -> None:
        restore_window(self, settings or open_settings())

    def save_settings(self) -> None:
        save_window(self)

    def export_png(self, path) -> None:
        """The page as shown, written atomically (a temporary file, then replaced)."""
        from pathlib import Path

        from cnnviz.core.files import atomic_path

        with atomic_path(path, suffix=".png") as tmp:
            release_repaints(self)  # a held window is grabbed blank
            if not self.current_page().grab().save(str(tmp), "PNG"):
                raise OSError(f"could not write {Path(path).name}")

    # -- closing --------------------------------------------------------------------------------
    def confirm_discard(self) -> str:
        """ "save", "discard" or "cancel" for an unsaved training run (tests replace this)."""
        answer = QMessageBox.question(
            self,
            "Unsaved training run",
            "The last training run has not been saved. Save a checkpoint before quitting?",
            QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel,
            QMessageBox.Save,
        )
        return {QMessageBox.Save: "save", QMessageBox.Discard: "discard"}.get(answer, "cancel")

    def busy_texts(self) -> list[str]:
        """What is still running in the background (pages' workers, a download)."""
        texts = [page.busy_text() for page in self.built_pages()] + [self.datasets.busy_text()]
        texts.append(self.lesson_files.busy_text())
        texts.append("finishing a computation" if self.compute.is_running() else "")
        return [text for text in texts if text]

    def showEvent(self, event):  # noqa: N802
        super().showEvent(event)
        if not self.compute.is_running():  # shown again after a close: the service too
            self.compute.start()

    def closeEvent(self, event):  # noqa: N802
        """Ask before losing an unsaved run; stop every worker (never terminate a thread).

        A worker that needs a moment to stop keeps the window open, disabled, with the status
        bar saying what it waits for; the window closes by itself once all have stopped."""
        if self._closing:
            if self.busy_texts():
                event.ignore()
            else:
                super().closeEvent(event)
            return
        if not all(page.can_close(self.confirm_discard) for page in self.built_pages()):
            event.ignore()
            return
        self.save_settings()
        self._preload_timer.stop()
        self.menus.closing()
        self._pending = []
        self._waiting_for = -1  # a lesson chosen a moment ago is not built any more
        for page in self.built_pages():
            page.shutdown()
        self.compute.stop()  # after the job or slice in hand
        # an idle service ends within a few ms: waited for here so that the window closes at
        # once; one busy with a job keeps the window open, saying so, like any worker
        self.compute.thread.wait(COMPUTE_STOP_WAIT_MS)
        self.datasets.cancel_download()
        self.lesson_files.shutdown()
        busy = self.busy_texts()
        if busy:
            event.ignore()
            self._closing = True
            self.centralWidget().setEnabled(False)
            self.menuBar().setEnabled(False)
            self._close_timer = QTimer(self)
            self._close_timer.timeout.connect(self._close_when_idle)
            self._close_timer.start(CLOSE_POLL_MS)  # never close() from inside closeEvent:
            self.statusBar().showMessage(  # Qt ignores a close nested in another
                "Closing: " + "; ".join(busy) + "…"
            )
            return
        self.datasets.shutdown()
        super().closeEvent(event)

    def _close_when_idle(self) -> None:
        busy = self.busy_texts()

        if busy:
            self.statusBar().showMessage("Closing: " + "; ".join(busy) + "…")
            return
        self._close_timer.stop()
        self.datasets.shutdown()
        self.close()

    def toggle_full_screen(self) -> None:
        self.showNormal() if self.isFullScreen() else self.showFullScreen()
        self.menus.full_screen.setChecked(self.isFullScreen())
