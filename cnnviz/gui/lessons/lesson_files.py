"""The File menu's lessons, animations and figures: save / open / recent lessons, export
animation, export or copy a figure.

A lesson file is read on the GUI thread: it is at most a few kilobytes of JSON (files over
2 MB are refused before reading), so reading it costs less than one repaint. An animation
renders in slices (see :mod:`cnnviz.gui.export.animation_export`) with a progress dialog and Cancel.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog

from cnnviz.core.lesson import SUFFIX, Lesson, LessonError, save_lesson
from cnnviz.gui.pages import entry_titled
from cnnviz.gui.settings import open_settings

RECENT_KEY = "lessons/recent"
RECENT_MAX = 8
FILTER = f"cnnviz lessons (*{SUFFIX})"


class LessonFiles:
    """Lesson files and animation export for ``window`` (a MainWindow)."""

    def __init__(self, window):
        self.window = window
        self.job = None  # the animation being exported
        self.progress: QProgressDialog | None = None

    # -- lessons ------------------------------------------------------------------------------
    def current_lesson(self) -> Lesson:
        """The page shown, its state and the presenter mode."""
        page = self.window.current_page()
        state = page.lesson_state()
        return Lesson(page.title, state or {}, self.window.presenter, page.lesson_title())

    def save(self, path) -> None:
        """Write the current lesson (``OSError`` when the file cannot be written)."""
        save_lesson(path, self.current_lesson())
        self.remember(path)

    def open(self, path) -> str:
        """Open a lesson or deck file: a lesson's page shown in its saved state, a deck at its
        first stop. Returns "" or the reason it was refused (the current lesson then stays)."""
        from cnnviz.core.deck import Deck, read_file

        try:
            opened = read_file(path)
        except LessonError as exc:
            return f"{exc}."
        if isinstance(opened, Deck):
            problem = self.window.deck.open_deck(opened, path)
        else:
            problem = self.apply(opened, Path(path).name)
        if not problem:
            self.remember(path)
        return problem

    def apply(self, lesson: Lesson, name: str = "The lesson") -> str:
        """Show ``lesson``'s page in its state; "" or the reason it cannot (nothing changed)."""
        entry = entry_titled(lesson.page)  # lesson files name their page by its title
        if entry is None:
            return f"{name} is for a {lesson.page!r} page, which this cnnviz does not have."
        window = self.window
        if lesson.state:  # no state: the page as it is (a page with one is built to check it)
            try:
                window.page(entry).restore_lesson(lesson.state)
            except ValueError as exc:
                return f"{name} cannot be opened: {exc}."
        window.on_page(entry, lambda page: None)
        if lesson.presenter != window.presenter:
            window.set_look(presenter=lesson.presenter)
        return ""

    def remember(self, path) -> None:
        settings = open_settings()
        path = str(Path(path).resolve())
        recent = [p for p in self.recent() if p != path]
        settings.setValue(RECENT_KEY, [path] + recent[: RECENT_MAX - 1])

    def recent(self) -> list[str]:
        value = open_settings().value(RECENT_KEY, [])
        value = [value] if isinstance(value, str) else value
        return [p for p in (value or []) if isinstance(p, str)]

    def fill_recent(self, menu) -> None:
        """The Open recent lesson submenu: the last lessons saved or opened."""
        menu.clear()
        for number, path in enumerate(self.recent(), start=1):
            action = menu.addAction(f"&{number} {Path(path).name}")
            action.setStatusTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open_reporting(p))
        if menu.isEmpty():
            menu.addAction("No lessons yet").setEnabled(False)

    def warn(self, title: str, text: str) -> None:
        """A modal warning, unless the window has closed meanwhile (an export that failed as
        it closed): a box then would run its own event loop on a window being deleted."""
        if self.window.isVisible():
            QMessageBox.warning(self.window, title, text)

    def open_reporting(self, path) -> bool:
        """Open a lesson; a refusal is shown in a message box."""
        problem = self.open(path)
        if problem:
            self.warn("Open lesson", problem)
        else:
            self.window.statusBar().showMessage(f"Opened {Path(path).name}", 5000)
        return not problem

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Open lesson", "", FILTER)
        if path:
            self.open_reporting(path)

    def save_dialog(self) -> None:
        name = slug(self.window.current_page().lesson_title())
        self.save_as("Save lesson", str(Path.home() / f"{name}{SUFFIX}"), self.save)

    def save_as(self, title: str, start: str, save) -> None:
        """Ask where to write a cnnviz file (lesson or deck), then ``save(path)``: the
        suffix added when missing, "Saved …" in the status bar or why it could not be."""
        path, _ = QFileDialog.getSaveFileName(self.window, title, start, FILTER)
        if not path:
            return
        path = path if path.endswith(SUFFIX) else path + SUFFIX
        try:
            save(path)
            self.window.statusBar().showMessage(f"Saved {path}", 5000)
        except OSError as exc:
            self.warn(title, f"Cannot write {Path(path).name}: {exc.strerror or exc}.")

    # -- animations ---------------------------------------------------------------------------
    def export_animation(
        self, path, size=None, fps: float = 2.0, title_frame: bool = True, look=None, code=False
    ):
        """Start exporting the page shown as an animation (in ``look``, a FrameLook: the
        window's by default; with the PyTorch line when ``code``); returns the job (its signals
        say how it goes), or None with a message when the page has no steps or one is running."""
        from cnnviz.gui.export.animation_export import AnimationExport

        page = self.window.current_page()
        if self.job is not None:
            self.warn("Export animation", "An export is already running.")
            return None
        if page.step_count() < 1:
            self.warn("Export animation", page.no_steps_text())
            return None
        size = size or (self.window.width(), self.window.height())
        look = look or self.window_look()
        job = AnimationExport(
            type(page),
            self.current_lesson(),
            path,
            size,
            fps,
            title_frame,
            look,
            context=self.window.context,
            code=code,
        )
        self.job = job
        self.progress = QProgressDialog("Exporting the animation…", "Cancel", 0, 1, self.window)
        self.progress.setWindowTitle("Export animation")
        self.progress.setWindowModality(Qt.NonModal)  # the page copy is apart: work on
        self.progress.setMinimumDuration(300)
        self.progress.canceled.connect(job.cancel)
        job.progressed.connect(self._on_progress)
        job.finished.connect(self._on_finished)
        job.failed.connect(self._on_failed)
        job.start()
        return job

    def window_look(self):
        """The window's look as a FrameLook (its theme, presenter mode and zoom)."""
        from cnnviz.gui.appearance import theme
        from cnnviz.gui.export.stage import FrameLook

        window = self.window
        return FrameLook("dark" if theme.DARK else "light", window.presenter, window.zoom)

    def _on_progress(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress.setMaximum(total)
            self.progress.setValue(done)
            self.progress.setLabelText(f"Exporting frame {done} of {total}…")

    def _on_finished(self, path: str) -> None:
        self._end()
        self.window.statusBar().showMessage(f"Saved {path}", 5000)

    def _on_failed(self, reason: str) -> None:
        self._end()
        if reason == "Cancelled.":
            self.window.statusBar().showMessage("Export cancelled; nothing was written.", 5000)
        else:
            self.warn("Export animation", reason)

    def _end(self) -> None:
        if self.progress is not None:
            self.progress.canceled.disconnect()
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None
        if self.job is not None:
            self.job.deleteLater()
            self.job = None

    def export_dialog(self) -> None:
        from cnnviz.gui.export.export_dialog import ExportDialog

        page = self.window.current_page()
        if page.step_count() < 1:
            self.warn("Export animation", page.no_steps_text())
            return
        size = (self.window.width(), self.window.height())
        dialog = ExportDialog(
            slug(page.lesson_title()), page.step_count(), size, self.window, self.window_look()
        )
        try:
            if dialog.exec() != ExportDialog.Accepted:
                return
            path, size, fps, title_frame = dialog.choice()
            look, code = dialog.frame_look(), dialog.code.isChecked()
        finally:
            dialog.deleteLater()
        from cnnviz.core.animation import MissingExtra  # (numpy: not needed before the window)

        try:
            self.export_animation(path, size, fps, title_frame, look, code)
        except MissingExtra as exc:
            self.warn("Export animation", str(exc))

    def busy_text(self) -> str:
        """What the window still waits for when it closes ("" when nothing)."""
        if self.job is not None:
            return "finishing the animation file"
        exports = sys.modules.get(
            "cnnviz.gui.export.animation_export"
        )  # none made: nothing retires
        return exports.retiring_text() if exports is not None else ""

    # -- figures ------------------------------------------------------------------------------
    def figure(self, name: str = ""):
        """(name, widget) of the page's figure called ``name`` (its first by default), or
        ("", the page itself) when the page has no figures."""
        page = self.window.current_page()
        figures = page.figures()
        chosen = next((f for f in figures if f[0] == name), figures[0] if figures else None)
        return chosen or ("", page)

    def export_figure(self, path, name: str = "") -> None:
        """Write a figure as SVG or PNG (``ValueError`` / ``OSError`` with the reason)."""
        from cnnviz.gui.export.figures import save_figure

        figure_name, widget = self.figure(name)
        save_figure(widget, path, f"cnnviz: {figure_name or self.window.current_page().title}")

    def copy_figure(self) -> None:
        """The page's first figure (or the page) on the clipboard as an image."""
        from cnnviz.gui.export.figures import copy_figure

        name, widget = self.figure()
        copy_figure(widget)
        what = name or f"the {self.window.current_page().title} page"
        self.window.statusBar().showMessage(f"Copied {what} to the clipboard as an image.", 5000)

    def export_figure_dialog(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        page = self.window.current_page()
        names = [name for name, _ in page.figures()]
        if not names:
            self.warn(
                "Export figure",
                f"The {page.title} page has no figure to export; "
                "File → Export page as PNG saves the whole page.",
            )
            return
        name = names[0]
        if len(names) > 1:
            dialog = QInputDialog(self.window)
            dialog.setWindowTitle("Export figure")
            dialog.setLabelText("Figure:")
            dialog.setComboBoxItems(names)
            try:
                if dialog.exec() != QInputDialog.Accepted:
                    return
                name = dialog.textValue()
            finally:
                dialog.deleteLater()
        path, _ = QFileDialog.getSaveFileName(
            self.window,
            "Export figure",
            str(Path.home() / f"{slug(name)}.svg"),
            "SVG vector drawings (*.svg);;PNG images (*.png)",
        )
        if not path:
            return
        try:
            self.export_figure(path, name)
            self.window.statusBar().showMessage(f"Saved {path}", 5000)
        except (ValueError, OSError) as exc:
            self.warn("Export figure", str(exc))

    def shutdown(self) -> None:
        """The window closes: an export still running is cancelled (nothing half-written)."""
        if self.job is not None:
            self.job.cancel()


def slug(text: str) -> str:
    """A file name from a title: "Lecture: 3×3 max pooling" → "lecture-3x3-max-pooling"."""
    text = text.replace("×", "x").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "lesson"
