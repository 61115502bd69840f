"""The main window's menus and actions, and the keyboard-shortcut list made from them.

Every command of the menu bar is one QAction with its shortcut and status tip; the F1 list is
generated from those actions (and the shortcuts the pages declare), so it cannot drift from
what the keys do.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMessageBox

from cnnviz import __version__
from cnnviz.gui.appearance.look import THEMES

THEME_TEXTS = {
    "system": ("&System", "Follow the desktop's light or dark colours"),
    "light": ("&Light", "Dark text on light backgrounds"),
    "dark": ("&Dark", "Light text on dark backgrounds"),
}


class Menus:
    """Builds the menu bar of ``window`` (a MainWindow) and keeps the actions that change
    state: ``presenter``, ``full_screen``, ``themes``, ``step`` and ``edit`` (enabled for the
    pages that offer them)."""

    def __init__(self, window):
        self.window = window
        self.actions: list[tuple[str, QAction]] = []  # (menu title, action), in menu order
        self.step: list[QAction] = []
        self.edit: list[QAction] = []
        self.themes: dict[str, QAction] = {}
        self.shortcuts_timer = QTimer(window)  # F1 pressed while PyTorch is still loading
        self.shortcuts_timer.setInterval(100)
        self.shortcuts_timer.timeout.connect(self._shortcuts_when_loaded)
        self._build(window.menuBar())

    def add(self, menu, text: str, shortcut: str, slot, tip: str = "") -> QAction:
        action = QAction(text, self.window)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.WindowShortcut)
        action.setStatusTip(tip or text.replace("&", ""))
        action.setToolTip(action.statusTip())
        action.triggered.connect(slot)
        menu.addAction(action)
        self.window.addAction(action)
        self.actions.append((menu.title().replace("&", ""), action))
        return action

    def _build(self, bar) -> None:
        w = self.window
        self._file_menu(bar.addMenu("&File"))
        self._edit_menu(bar.addMenu("&Edit"))
        self._step_menu(bar.addMenu("&Step"))
        lesson = self.lesson_menu = bar.addMenu("&Lesson")
        for number, entry in enumerate(w.entries, start=1):
            self.add(
                lesson,
                f"&{number} {entry.title}" if number <= 9 else f"{number} {entry.title}",
                f"Ctrl+{number}" if number <= 9 else "",  # Ctrl+10 is no key
                lambda _=False, e=entry: w.choose(e),
                f"{entry.title} lesson",
            )
        lesson.addSeparator()
        self.add(
            lesson,
            "P&ractice…",
            "Ctrl+Shift+T",
            self.open_practice,
            "Ten questions on a topic, checked and explained, with a score",
        )
        self.data = bar.addMenu("&Data")
        self.data.aboutToShow.connect(lambda: w.datasets.fill_menu(self.data))
        self._view_menu(bar.addMenu("&View"))
        help_menu = bar.addMenu("&Help")
        self.add(
            help_menu, "&Keyboard shortcuts", "F1", self.show_shortcuts, "Every keyboard shortcut"
        )
        self.add(help_menu, "&About cnnviz", "", self.show_about)

    def open_practice(self) -> None:
        """Lesson → Practice… (its questions and numpy imported on first use, not at start-up)."""
        from cnnviz.gui.lessons.practice_dialog import open_practice

        open_practice(self.window)

    def add_page_commands(self, menu, group: str) -> None:
        """The commands the pages declare for ``group`` of ``menu`` (in the pages' order):
        each shows its page (built if need be) and runs on it."""
        w, title = self.window, menu.title().replace("&", "")
        for entry in w.entries:
            for command in entry.commands:
                if (command.menu, command.group) == (title, group):
                    self.add(
                        menu,
                        command.text,
                        command.shortcut,
                        lambda _=False, e=entry, c=command: w.on_page(e, c.run),
                        command.tip,
                    )

    def _file_menu(self, file_menu) -> None:
        w = self.window
        self.add_page_commands(file_menu, "open")
        file_menu.addSeparator()
        self.add_lesson_actions(file_menu)
        file_menu.addSeparator()
        self.add(
            file_menu,
            "&Export page as PNG…",
            "Ctrl+E",
            self.export_png_dialog,
            "Save the page as it is shown as a PNG picture",
        )
        self.add_page_commands(file_menu, "export")
        file_menu.addSeparator()
        self.add(file_menu, "&Quit", "Ctrl+Q", w.close, "Quit cnnviz")

    def _edit_menu(self, edit) -> None:
        page = self.window.current_page
        self.edit = [
            self.add(edit, "&Paste numbers into the grid", "Ctrl+Shift+V", lambda: page().paste()),
            self.add(edit, "&Copy the output grid", "Ctrl+Shift+C", lambda: page().copy_output()),
            self.add(
                edit,
                "&Randomize input",
                "Ctrl+R",
                lambda: page().randomize(),
                "Fill the input grid with random numbers 0–9",
            ),
        ]

    def _step_menu(self, step) -> None:
        page = self.window.current_page
        self.step = [
            self.add(
                step,
                "&Play / pause",
                "Space",
                lambda: page().play_pause(),
                "Play / pause the walk-through",
            ),
            self.add(step, "&Next step", "Right", lambda: page().next_step()),
            self.add(step, "P&revious step", "Left", lambda: page().previous_step()),
            self.add(step, "&First step", "Home", lambda: page().first_step()),
            self.add(step, "&Last step", "End", lambda: page().last_step()),
        ]

    def _view_menu(self, view) -> None:
        w = self.window
        self.presenter = self.add(
            view,
            "&Presenter mode",
            "F5",
            lambda: w.set_look(presenter=not w.presenter),
            "Presenter mode: bigger type, thicker lines, stronger contrast",
        )
        self.presenter.setCheckable(True)
        self.full_screen = self.add(view, "&Full screen", "F11", w.toggle_full_screen)
        self.full_screen.setCheckable(True)
        theme_menu = view.addMenu("&Theme")
        group = QActionGroup(theme_menu)
        for name in THEMES:
            text, tip = THEME_TEXTS[name]
            action = self.add(
                theme_menu, text, "", lambda _=False, n=name: w.set_look(theme=n), tip
            )
            action.setCheckable(True)
            action.setChecked(name == "system")
            group.addAction(action)
            self.themes[name] = action
        view.addSeparator()
        self.add_deck_actions(view)
        view.addSeparator()
        self.add(view, "Zoom &in", "Ctrl+=", lambda: w.set_look(zoom=w.zoom * 1.15))
        self.add(view, "Zoom &out", "Ctrl+-", lambda: w.set_look(zoom=w.zoom / 1.15))
        self.add(view, "&Reset zoom", "Ctrl+0", lambda: w.set_look(zoom=1.0), "Zoom back to 100%")

    def add_lesson_actions(self, file_menu) -> None:
        """Open / save lessons, the recent ones, and the animation export."""
        files = self.window.lesson_files
        self.add(
            file_menu,
            "Open &lesson…",
            "Ctrl+Shift+O",
            files.open_dialog,
            "Open a .cnnviz lesson: its page in its saved state",
        )
        self.recent = file_menu.addMenu("Open &recent lesson")
        self.recent.aboutToShow.connect(lambda: files.fill_recent(self.recent))
        self.add(
            file_menu,
            "Save lesson &as…",
            "Ctrl+Shift+S",
            files.save_dialog,
            "Save the page, its grids, settings and step as a .cnnviz lesson",
        )
        self.animation = self.add(
            file_menu,
            "Export &animation…",
            "Ctrl+Shift+E",
            files.export_dialog,
            "The step-through as an animated GIF, an MP4 or PNG frames (one frame per step)",
        )
        self.add(
            file_menu,
            "Export &figure…",
            "",
            files.export_figure_dialog,
            "The page's diagram, plot or feature maps as SVG (vectors) or PNG",
        )
        self.add(
            file_menu,
            "Cop&y figure",
            "Ctrl+Alt+C",
            files.copy_figure,
            "The page's diagram, plot or feature maps (else the page) to the clipboard",
        )

    def add_deck_actions(self, view) -> None:
        """View → Deck, the lecture's deck, next / previous stop (PageDown / PageUp, as a
        presentation clicker sends, and Alt+→ / Alt+←)."""
        w = self.window
        self.deck = self.add(
            view,
            "&Deck",
            "",
            lambda: w.deck.set_visible(not w.deck.visible),
            "Show the deck: the stop's caption over the page, the stops beside it",
        )
        self.deck.setCheckable(True)
        self.add(
            view,
            "Open the &lecture's deck",
            "",
            lambda: w.deck.open_lecture(),
            "Lecture 10 (CNN) as a deck: each stop a lesson, in the lecture's order",
        )
        for text, keys, other, slot in (
            ("Next sto&p", "PgDown", "Alt+Right", lambda: w.deck.next_stop()),
            ("Previous st&op", "PgUp", "Alt+Left", lambda: w.deck.previous_stop()),
        ):
            action = self.add(view, text, keys, slot, f"{text.replace('&', '')} of the deck")
            action.setShortcuts([QKeySequence(keys), QKeySequence(other)])

    def follow_page(self, page) -> None:
        """Enable the Step and Edit commands only where the shown page offers them."""
        # a page that can animate keeps the command on; it says why when it has no steps yet
        # (the Trace page before a unit is clicked): the menu is not told of each click
        self.animation.setEnabled(page.animates())
        for action in self.step:
            action.setEnabled(page.steps_through)
        for action in self.edit:
            action.setEnabled(page.edits_grids)

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """(keys, what they do) for every action with a shortcut, then the pages' own (the
        page classes are imported: this waits for PyTorch's import)."""
        rows = []
        for menu, action in self.actions:
            for sequence in action.shortcuts():  # a deck stop has two: PageDown, Alt+→
                keys = sequence.toString(QKeySequence.NativeText)
                if keys:
                    rows.append((keys, f"{menu}: {action.text().replace('&', '')}"))
        self.window.preload.wait()
        return rows + [
            (keys, f"{entry.title}: {text}")
            for entry in self.window.entries
            for keys, text in entry.load().page_shortcuts
        ]

    def show_shortcuts(self) -> None:
        """The F1 list. Until PyTorch has loaded in the background (the page classes that
        need it give their own keys), the window says so and opens the list once it has:
        waiting for it here froze the window for seconds."""
        w = self.window
        if not w.preload.done():
            w.statusBar().showMessage("Keyboard shortcuts: opening once PyTorch has loaded…")
            w.preload.start()
            self.shortcuts_timer.start()
            return
        QMessageBox.information(w, "Keyboard shortcuts", shortcut_table(self.shortcut_rows()))

    def _shortcuts_when_loaded(self) -> None:
        if self.window.preload.done():
            self.shortcuts_timer.stop()
            if self.window.isVisible():
                self.show_shortcuts()

    def closing(self) -> None:
        """The window is closing: F1 pressed while PyTorch loads opens no list once the window
        has gone (its modal box, opened from the timer on a window being deleted, crashed the
        process)."""
        self.shortcuts_timer.stop()

    def about_text(self) -> str:
        from cnnviz.core.data.catalog import DATASETS

        credits = "".join(
            f"<li>{d.title}: {d.credit}{' — ships with cnnviz' if d.bundled else ''}</li>"
            for d in DATASETS.values()
        )
        return (
            f"<h3>cnnviz {__version__}</h3><p>Convolutional neural networks, step by step: "
            "every number on screen is the number PyTorch computes.</p>"
            "<p>Follows Sung Kim's lecture 10 (CNN) of <i>PyTorch Zero to All</i>.</p>"
            f"<p>Datasets:</p><ul>{credits}</ul>"
        )

    def export_png_dialog(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        w = self.window
        title = w.current_page().title.lower()
        path, _ = QFileDialog.getSaveFileName(
            w, "Export page as PNG", f"cnnviz-{title}.png", "PNG images (*.png)"
        )
        if path:
            try:
                w.export_png(path)
                w.statusBar().showMessage(f"Saved {path}", 5000)
            except OSError as exc:
                QMessageBox.warning(w, "Export page as PNG", str(exc))

    def show_about(self) -> None:
        QMessageBox.about(self.window, "About cnnviz", self.about_text())


def shortcut_table(rows) -> str:
    """The rows as an HTML table for the F1 dialog."""
    cells = "".join(
        f"<tr><td><b>{escape(k)}</b></td><td>&nbsp;&nbsp;{escape(v)}</td></tr>" for k, v in rows
    )
    return f"<table>{cells}</table>"
