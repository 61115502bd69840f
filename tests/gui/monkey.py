"""A seeded random driver of the main window: a curious class let loose on every control.

``Monkey(window, seed).run(actions, seconds)`` switches lessons, clicks visible enabled buttons,
picks combo items, types numbers and garbage into spin boxes and grid cells, drags the
slider, flips tabs, draws on the canvas, presses the step keys, triggers menu actions and
starts, pauses, resumes and stops tiny training runs. Controls are found generically
(``findChildren`` on the page shown), so the driver keeps working when pages are restructured.

``AutoAnswer`` answers modal questions and file dialogs at random without showing them (and
keeps downloads off the network); ``ErrorGuard`` collects unhandled exceptions (any thread)
and Qt critical messages. Used by tests/gui/test_random_actions.py and
tests/benchmarks/bench_random_actions.py.
"""

from __future__ import annotations

import gc
import random
import sys
import threading
import time
import traceback
from collections import deque
from pathlib import Path

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt, QThread, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QLabel,
    QListWidget,
    QMenu,
    QMessageBox,
    QPushButton,
    QSlider,
    QTableView,
    QTabWidget,
    QToolButton,
    QWidget,
)

GARBAGE = (
    "abc",
    "1e309",
    "-1e309",
    "nan",
    "-nan",
    "inf",
    "-0",
    "",
    " ",
    "1,5",
    "0x10",
    "1/2",
    "--3",
    "½",
    "٣",
    "1e-320",
    "99999999999999999999",
    "3.",
    ".5",
    "+",
    "e",
    "😀",
    "1 2",
    "\t",
)
STEP_KEYS = (Qt.Key_Space, Qt.Key_Left, Qt.Key_Right, Qt.Key_Home, Qt.Key_End)
# Measured on the 2-core test machine, CPU: a batch of 64 / the end-of-epoch test (10,000
# images, not interruptible by Stop): simple 0.23 / 1.4 s, inception 0.05 / 1.2 s; deeper
# 0.41 / 20 s, resnet 0.09 / 15 s, plain 1.1 / 13 s, densenet 1.2 / 56 s.
FAST_MODELS = ("simple", "simple", "simple", "inception", "simple_broken")
BIG_MODELS = ("deeper", "resnet", "densenet", "plain")
SKIPPED_ACTIONS = ("&Quit",)  # the test closes the window itself, and measures it


def _plain(text: str) -> str:
    return text.replace("&", "")


def type_text(widget, text: str) -> None:
    """Type ``text`` key by key; characters QTest cannot map to a key (beyond ASCII) go as
    key events that carry only their text, as an input method sends them."""
    from PySide6.QtGui import QKeyEvent

    for char in text:
        if ord(char) < 128:
            QTest.keyClick(widget, char)
        else:
            for kind in (QEvent.KeyPress, QEvent.KeyRelease):
                QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key_unknown, Qt.NoModifier, char))


# -- collecting errors ---------------------------------------------------------------------------
class ErrorGuard:
    """Collects unhandled exceptions (``sys.excepthook`` — PySide calls it for exceptions in
    slots and virtual methods —, ``threading.excepthook``) and Qt critical / fatal messages
    while it is entered. Qt warnings are kept apart (reported, not failed on)."""

    def __init__(self):
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self._lock = threading.Lock()
        self.context = lambda: ""  # what was going on (the monkey's last action)

    def _exception(self, kind, value, tb) -> None:
        text = "".join(traceback.format_exception(kind, value, tb))
        with self._lock:
            self.errors.append(
                f"unhandled exception ({threading.current_thread().name}, "
                f"during {self.context()}):\n{text}"
            )

    def _thread_exception(self, args) -> None:
        self._exception(args.exc_type, args.exc_value, args.exc_traceback)

    def _qt_message(self, mode, context, message) -> None:
        where = f"{context.file}:{context.line}" if context and context.file else ""
        line = f"Qt {mode.name} {where} during {self.context()}: {message}"
        if mode in (QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
            print(line, file=sys.stderr, flush=True)  # a fatal one aborts: say it first
        with self._lock:
            if mode in (QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg):
                self.errors.append(line)
            elif mode == QtMsgType.QtWarningMsg:
                self.warnings.append(line)

    def __enter__(self):
        self._old = sys.excepthook, threading.excepthook
        sys.excepthook = self._exception
        threading.excepthook = self._thread_exception
        self._old_handler = qInstallMessageHandler(self._qt_message)
        return self

    def __exit__(self, *exc):
        sys.excepthook, threading.excepthook = self._old
        qInstallMessageHandler(self._old_handler)
        return False


# -- answering modal dialogs ---------------------------------------------------------------------
_BUTTONS = (
    QMessageBox.Ok,
    QMessageBox.Open,
    QMessageBox.Save,
    QMessageBox.Cancel,
    QMessageBox.Close,
    QMessageBox.Discard,
    QMessageBox.Apply,
    QMessageBox.Reset,
    QMessageBox.Yes,
    QMessageBox.YesToAll,
    QMessageBox.No,
    QMessageBox.NoToAll,
    QMessageBox.Abort,
    QMessageBox.Retry,
    QMessageBox.Ignore,
)


class AutoAnswer:
    """While entered: QMessageBox's static questions return a random offered button,
    QFileDialog's getters return "" (cancel) or a path in ``folder`` (a fresh name to save
    to, a file saved earlier, a garbage file, an unwritable place), ``QDialog.exec`` and
    ``QMenu.exec`` return at once, nothing opens a browser, and dataset downloads never reach
    the network (they fail as offline, or trickle until cancelled)."""

    def __init__(self, rng: random.Random, folder, log=None):
        self.rng = rng
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.log = log or (lambda text: None)
        self._patches: list[tuple[object, str, object]] = []
        self._count = 0

    # answers
    def _button(self, buttons=None, default=None):
        offered = [b for b in _BUTTONS if buttons is not None and (buttons & b) == b]
        return self.rng.choice(offered) if offered else QMessageBox.Ok

    def _question(
        self,
        _parent,
        title,
        _text,
        buttons=QMessageBox.Yes | QMessageBox.No,
        default=None,
        *args,
        **kwargs,
    ):
        answer = self._button(buttons, default)
        self.log(f"  answered {title!r} with {answer.name}")
        return answer

    def _note(self, _parent, title, _text, buttons=QMessageBox.Ok, *args, **kwargs):
        self.log(f"  dismissed message {title!r}")
        return self._button(buttons)

    def _about(self, _parent, title, _text):
        self.log(f"  dismissed about box {title!r}")

    def _garbage_file(self, suffix: str) -> Path:
        path = self.folder / f"garbage{suffix or '.bin'}"
        if not path.exists():
            contents = {".py": "this is not python (\nimport no_such_module\n"}
            path.write_text(contents.get(suffix, "not a checkpoint, not an image\n"))
        return path

    @staticmethod
    def _suffix(filter_text: str) -> str:
        if "*." in filter_text:
            return "." + filter_text.split("*.", 1)[1].split(")")[0].split()[0]
        return ""

    def _open_name(self, _parent=None, caption="", _dir="", filter_text="", *args, **kwargs):
        suffix = self._suffix(filter_text)
        saved = sorted(self.folder.glob(f"*{suffix}")) if suffix else []
        choice = self.rng.random()
        path = ""
        if choice < 0.3 and saved:
            path = str(self.rng.choice(saved))
        elif choice < 0.55:
            path = str(self._garbage_file(suffix))
        elif choice < 0.6:
            path = str(self.folder / f"missing{suffix}")
        self.log(f"  open dialog {caption!r} -> {path!r}")
        return path, filter_text

    def _save_name(self, _parent=None, caption="", directory="", filter_text="", *args, **kwargs):
        choice = self.rng.random()
        path = ""
        if choice < 0.5:
            self._count += 1
            name = Path(directory or "out.bin").name
            path = str(self.folder / f"{self._count}-{name}")
        elif choice < 0.6:
            path = f"/proc/no-such-dir/{Path(directory or 'x').name}"
        self.log(f"  save dialog {caption!r} -> {path!r}")
        return path, filter_text

    def _directory(self, _parent=None, caption="", *args, **kwargs):
        choice = self.rng.random()
        path = ""
        if choice < 0.25:
            path = str(self._image_folder())
        elif choice < 0.4:
            empty = self.folder / "empty-folder"
            empty.mkdir(exist_ok=True)
            path = str(empty)
        elif choice < 0.5:
            path = str(self.folder / "no-such-folder")
        self.log(f"  folder dialog {caption!r} -> {path!r}")
        return path

    def _image_folder(self) -> Path:
        """Two classes of four small PNG images (made once)."""
        from PySide6.QtGui import QColor, QImage

        root = self.folder / "images"
        if not root.exists():
            for k, name in enumerate(("circle", "square")):
                (root / name).mkdir(parents=True)
                for i in range(4):
                    image = QImage(12, 12, QImage.Format_RGB32)
                    image.fill(QColor(40 * i, 200 * k, 90))
                    image.save(str(root / name / f"{i}.png"))
        return root

    def _exec(self, dialog, *args, **kwargs):
        self.log(f"  rejected modal {type(dialog).__name__}")
        dialog.reject() if isinstance(dialog, QDialog) else None
        return 0

    def _menu_exec(self, menu, *args, **kwargs):
        self.log("  closed modal menu")
        return None

    def _no_browser(self, url):
        self.log(f"  did not open {url.toString()}")
        return True

    def _offline_fetch(self, url, dest, on_bytes, cancelled):
        import urllib.error

        from cnnviz.core.data import download as fetching

        with open(dest, "wb") as out:  # a little, slowly, so Cancel can be pressed meanwhile
            for _ in range(self.rng.randrange(0, 40)):
                if cancelled():
                    raise fetching.DownloadCancelled("cancelled")
                out.write(b"x" * 512)
                on_bytes(512)
                time.sleep(0.02)
        raise urllib.error.URLError(OSError("the random-action test is offline"))

    def __enter__(self):
        from PySide6.QtGui import QDesktopServices

        from cnnviz.core.data import download as fetching

        patches = [
            (QMessageBox, "question", staticmethod(self._question)),
            (QMessageBox, "information", staticmethod(self._note)),
            (QMessageBox, "warning", staticmethod(self._note)),
            (QMessageBox, "critical", staticmethod(self._note)),
            (QMessageBox, "about", staticmethod(self._about)),
            (QFileDialog, "getOpenFileName", staticmethod(self._open_name)),
            (QFileDialog, "getSaveFileName", staticmethod(self._save_name)),
            (QFileDialog, "getExistingDirectory", staticmethod(self._directory)),
            (QDialog, "exec", lambda dialog, *a, **k: self._exec(dialog)),
            (QMenu, "exec", lambda menu, *a, **k: self._menu_exec(menu)),
            (QDesktopServices, "openUrl", staticmethod(self._no_browser)),
            (fetching, "fetch_url", self._offline_fetch),
        ]
        for owner, name, value in patches:
            self._patches.append((owner, name, owner.__dict__.get(name, getattr(owner, name))))
            setattr(owner, name, value)
        return self

    def __exit__(self, *exc):
        for owner, name, value in reversed(self._patches):
            setattr(owner, name, value)
        self._patches.clear()
        return False


# -- the driver ----------------------------------------------------------------------------------
def running_threads() -> list[QThread]:
    """Every QThread still running that Python knows of (training, inference, downloads)."""
    import warnings

    gc.collect()
    found = []
    with warnings.catch_warnings():  # isinstance on some of torch's module objects warns
        warnings.simplefilter("ignore")
        for obj in gc.get_objects():
            try:
                if (
                    isinstance(obj, QThread)
                    and obj.isRunning()
                    and obj is not QThread.currentThread()
                ):
                    found.append(obj)
            except RuntimeError:  # its C++ object is gone
                pass
    return found


class Monkey:
    """Random actions on a MainWindow, from a seeded ``random.Random``; ``log`` keeps every
    action as (seconds since the start, text)."""

    def __init__(self, window, seed: int, log_size: int = 20):
        self.window = window
        self.seed = seed
        self.rng = random.Random(seed)
        self.log: list[tuple[float, str]] = []
        self.recent: deque[str] = deque(maxlen=log_size)
        self.current = "nothing yet"
        self.started = time.perf_counter()
        self.counts: dict[str, int] = {}
        # the window keeps the size it was given, whatever the page, zoom or mode (only full
        # screen changes it, and leaving full screen gives it back)
        self.size = window.size()
        self.size_changes: list[str] = []
        self.actions = (
            (6, "lesson", self.switch_lesson),
            (14, "button", self.click_button),
            (8, "combo", self.choose_combo),
            (10, "spin", self.type_in_spin),
            (3, "slider", self.move_slider),
            (3, "tab", self.choose_tab),
            (12, "cell", self.type_in_cell),
            (3, "cell click", self.click_cell),
            (2, "context menu", self.grid_context_menu),
            (6, "canvas", self.draw_stroke),
            (4, "picture", self.poke_picture),
            (8, "step key", self.press_step_key),
            (5, "menu", self.trigger_menu_action),
            (2, "data menu", self.trigger_data_menu),
            (6, "train", self.train_control),
            (2, "look", self.change_look),
            (3, "poke", self.poke),
            (2, "list", self.tick_list_item),
        )

    # -- bookkeeping ------------------------------------------------------------------------------
    def note(self, text: str) -> None:
        stamp = time.perf_counter() - self.started
        self.log.append((stamp, text))
        self.recent.append(f"{stamp:7.2f}s {text}")

    def last_actions(self) -> str:
        return "\n".join(self.recent)

    def report(self, path=None) -> str:
        """The seed and the last actions; the whole log goes to ``path`` when given."""
        where = ""
        if path is not None:
            Path(path).write_text("".join(f"{t:8.3f}s {text}\n" for t, text in self.log))
            where = f" (the whole log: {path})"
        return (
            f"seed {self.seed}; {len(self.log)} actions logged{where}, the last "
            f"{len(self.recent)}:\n{self.last_actions()}"
        )

    # -- the loop ---------------------------------------------------------------------------------
    def check_size(self) -> None:
        """Note a window that changed its size by itself after the last action."""
        size = self.window.size()
        if not self.window.isFullScreen() and size != self.size:
            self.size_changes.append(
                f"the window changed size from {self.size.width()}×{self.size.height()} to "
                f"{size.width()}×{size.height()} after: {self.recent[-1] if self.recent else ''}"
            )
            self.size = size  # reported once, not again after every later action

    def step(self) -> str:
        self.check_size()  # what the last action and the event loop since then did
        weights = [w for w, _, _ in self.actions]
        _, kind, action = self.rng.choices(self.actions, weights)[0]
        self.current = kind
        self.counts[kind] = self.counts.get(kind, 0) + 1
        action()
        QApplication.processEvents()
        self.close_strays()
        return kind

    def run(self, actions: int, seconds: float, pause_ms=(0, 25), should_stop=None) -> int:
        """Up to ``actions`` random actions or ``seconds`` of wall clock, whichever comes
        first, letting the event loop run a little between them; returns how many ran."""
        end = time.perf_counter() + seconds
        done = 0
        while done < actions and time.perf_counter() < end:
            if should_stop is not None and should_stop():
                break
            self.step()
            done += 1
            QTest.qWait(self.rng.randint(*pause_ms))
        self.check_size()
        return done

    # -- finding controls -------------------------------------------------------------------------
    def page(self) -> QWidget:
        return self.window.stack.currentWidget()

    def visible(self, kinds, root=None) -> list:
        """Visible, enabled widgets of ``kinds`` on the page shown (and the status bar)."""
        roots = [root] if root is not None else [self.page(), self.window.statusBar()]
        found = []
        kinds = kinds if isinstance(kinds, tuple) else (kinds,)
        for r in roots:
            for kind in kinds:
                found += [
                    w
                    for w in r.findChildren(kind)
                    if w.isVisible() and w.isEnabled() and w not in found
                ]
        return found

    def form_field(self, label: str):
        """The control next to ``label`` in a form on the page shown, else None."""
        from PySide6.QtWidgets import QFormLayout as Form

        for form in self.page().findChildren(Form):
            for row in range(form.rowCount()):
                item = form.itemAt(row, Form.LabelRole)
                text = item.widget().text() if item and isinstance(item.widget(), QLabel) else ""
                if _plain(text) == label:
                    field = form.itemAt(row, Form.FieldRole)
                    return field.widget() if field else None
        return None

    # -- actions ----------------------------------------------------------------------------------
    def switch_lesson(self) -> None:
        count = self.window.lessons.count()
        index = self.rng.randrange(count)
        how = self.rng.random()
        if index >= 9:  # Ctrl+1 … Ctrl+9 only: a tenth lesson is chosen in the list
            how = 1.0
        if how < 0.5:
            self.note(f"lesson: Ctrl+{index + 1}")
            QTest.keyClick(self.window, getattr(Qt, f"Key_{index + 1}"), Qt.ControlModifier)
        elif how < 0.8:
            action = next(
                (
                    a
                    for a in self.window.actions()
                    if a.shortcut().toString() == f"Ctrl+{index + 1}"
                ),
                None,
            )
            self.note(f"lesson: action {action.text() if action else None!r}")
            if action is not None:
                action.trigger()
        else:
            lessons = self.window.lessons
            rect = lessons.visualItemRect(lessons.item(index))
            self.note(f"lesson: click list row {index}")
            QTest.mouseClick(lessons.viewport(), Qt.LeftButton, Qt.NoModifier, rect.center())

    def click_button(self) -> None:
        buttons = self.visible((QPushButton, QToolButton, QCheckBox))
        if not buttons:
            return self.note("button: none visible")
        button = self.rng.choice(buttons)
        text = _plain(button.text()) or button.toolTip()[:30]
        self.press(button, text, f"button: {type(button).__name__} {text!r}")

    def press(self, button, text: str, note: str) -> None:
        """Click ``button`` (a Start keeps the run tiny first) if it can still be clicked."""
        if text == "Start":
            self.keep_training_tiny()
        self.note(note)
        if button.isVisible() and button.isEnabled():
            QTest.mouseClick(button, Qt.LeftButton)

    def choose_combo(self) -> None:
        combos = [c for c in self.visible(QComboBox) if c.count()]
        if not combos:
            return self.note("combo: none")
        combo = self.rng.choice(combos)
        if self.rng.random() < 0.3:
            key = self.rng.choice((Qt.Key_Down, Qt.Key_Up, Qt.Key_End, Qt.Key_Home))
            self.note(f"combo {combo.toolTip()[:30]!r}: key {key.name}")
            combo.setFocus()
            QTest.keyClick(combo, key)
            return
        index = self.rng.randrange(combo.count())
        self.note(f"combo {combo.toolTip()[:30]!r}: choose {combo.itemText(index)!r}")
        combo.setCurrentIndex(index)  # as the popup does: the index, then activated
        combo.activated.emit(index)
        combo.textActivated.emit(combo.itemText(index))

    def random_text(self) -> str:
        roll = self.rng.random()
        if roll < 0.35:
            return self.rng.choice(GARBAGE)
        if roll < 0.7:
            return str(self.rng.randint(-5, 40))
        if roll < 0.85:
            return f"{self.rng.uniform(-100, 100):.{self.rng.randint(0, 4)}f}"
        return str(self.rng.randint(-(10**6), 10**6))

    def type_in_spin(self, spin=None, text=None) -> None:
        spins = self.visible(QAbstractSpinBox)
        if spin is None and not spins:
            return self.note("spin: none")
        spin = spin or self.rng.choice(spins)
        name = spin.accessibleName() or spin.toolTip()[:30] or spin.prefix()
        roll = self.rng.random()
        spin.setFocus()
        if text is None and roll < 0.25:
            key = self.rng.choice((Qt.Key_Up, Qt.Key_Down, Qt.Key_PageUp, Qt.Key_PageDown))
            self.note(f"spin {name!r}: key {key.name}")
            QTest.keyClick(spin, key)
            return
        text = self.random_text() if text is None else text
        self.note(f"spin {name!r}: type {text!r}")
        spin.lineEdit().selectAll()
        QTest.keyClick(spin, Qt.Key_Backspace)
        type_text(spin, text)
        finish = self.rng.choice((Qt.Key_Return, Qt.Key_Enter, Qt.Key_Tab))
        if spin.isVisible() and spin.isEnabled():
            QTest.keyClick(spin, finish)

    def move_slider(self) -> None:
        sliders = self.visible(QSlider)
        if not sliders:
            return self.note("slider: none")
        slider = self.rng.choice(sliders)
        value = self.rng.randint(slider.minimum(), slider.maximum())
        self.note(f"slider {slider.toolTip()[:30]!r}: {value}")
        slider.setValue(value)

    def choose_tab(self) -> None:
        tabs = self.visible(QTabWidget)
        if not tabs:
            return self.note("tab: none")
        widget = self.rng.choice(tabs)
        index = self.rng.randrange(widget.count())
        self.note(f"tab: {widget.tabText(index)!r} (enabled {widget.isTabEnabled(index)})")
        bar = widget.tabBar()
        rect = bar.tabRect(index)
        QTest.mouseClick(bar, Qt.LeftButton, Qt.NoModifier, rect.center())

    def _grid(self, editable: bool | None = None):
        views = [
            v
            for v in self.visible(QTableView)
            if v.model() is not None and v.model().rowCount() and v.model().columnCount()
        ]
        if editable is not None:
            views = [
                v
                for v in views
                if bool(v.model().flags(v.model().index(0, 0)) & Qt.ItemIsEditable) == editable
            ]
        if not views:
            return None, None
        view = self.rng.choice(views)
        model = view.model()
        return view, model.index(
            self.rng.randrange(model.rowCount()), self.rng.randrange(model.columnCount())
        )

    def type_in_cell(self) -> None:
        view, index = self._grid(editable=True)
        if view is None:
            return self.note("cell: no editable grid")
        text = self.random_text()
        self.note(
            f"cell ({index.row()}, {index.column()}) of a {view.model().rowCount()}×"
            f"{view.model().columnCount()} grid: type {text!r}"
        )
        view.setFocus()
        view.setCurrentIndex(index)
        view.edit(index)
        editor = QApplication.focusWidget()
        if editor is None or editor is view or view.state() != QAbstractItemView.EditingState:
            return self.note("  no editor opened")
        editor.selectAll() if hasattr(editor, "selectAll") else None
        QTest.keyClick(editor, Qt.Key_Backspace)
        type_text(editor, text)
        finish = self.rng.choice((Qt.Key_Return, Qt.Key_Return, Qt.Key_Tab, Qt.Key_Escape))
        if editor.isVisible():
            QTest.keyClick(editor, finish)

    def click_cell(self) -> None:
        view, index = self._grid()
        if view is None:
            return self.note("cell click: no grid")
        rect = view.visualRect(index)
        self.note(f"cell click ({index.row()}, {index.column()}); hover first")
        QTest.mouseMove(view.viewport(), rect.center())
        QTest.mouseClick(view.viewport(), Qt.LeftButton, Qt.NoModifier, rect.center())

    def grid_context_menu(self) -> None:
        view, index = self._grid(editable=True)
        if view is None:
            return self.note("context menu: no editable grid")
        rect = view.visualRect(index)
        self.note(f"context menu at cell ({index.row()}, {index.column()})")
        view.customContextMenuRequested.emit(rect.center())
        QApplication.processEvents()
        menus = [
            m for m in QApplication.topLevelWidgets() if isinstance(m, QMenu) and m.isVisible()
        ]
        for menu in menus:
            actions = [a for a in menu.actions() if a.isEnabled() and not a.isSeparator()]
            if actions and self.rng.random() < 0.8:
                action = self.rng.choice(actions)
                self.note(f"  menu item {action.text()!r}")
                menu.close()
                action.trigger()
            else:
                menu.close()

    def draw_stroke(self) -> None:
        # not imported here: while the app's preload thread imports the page modules, an
        # import in the GUI thread waited for it (175 ms, the driver's own stall)
        canvas_class = getattr(
            sys.modules.get("cnnviz.gui.widgets.draw_canvas"), "DrawCanvas", None
        )
        canvases = self.visible(canvas_class) if canvas_class is not None else []
        if not canvases:
            return self.note("canvas: none shown")
        canvas = self.rng.choice(canvases)
        points = [
            (self.rng.uniform(-0.1, 1.1), self.rng.uniform(-0.1, 1.1))
            for _ in range(self.rng.randint(1, 5))
        ]
        self.note(f"canvas stroke through {[(round(x, 2), round(y, 2)) for x, y in points]}")
        side = min(canvas.width(), canvas.height())

        def send(kind, x, y, button, buttons):
            pos = QPointF(x * side, y * side)
            event = QMouseEvent(kind, pos, canvas.mapToGlobal(pos), button, buttons, Qt.NoModifier)
            QApplication.sendEvent(canvas, event)

        (x0, y0) = points[0]
        send(QEvent.MouseButtonPress, x0, y0, Qt.LeftButton, Qt.LeftButton)
        for (xa, ya), (xb, yb) in zip(points, points[1:]):
            for t in range(1, 7):
                send(
                    QEvent.MouseMove,
                    xa + (xb - xa) * t / 6,
                    ya + (yb - ya) * t / 6,
                    Qt.NoButton,
                    Qt.LeftButton,
                )
        xe, ye = points[-1]
        send(QEvent.MouseButtonRelease, xe, ye, Qt.LeftButton, Qt.NoButton)
        if self.rng.random() < 0.2:  # the Draw page's own shortcuts
            key, mod = self.rng.choice(
                (
                    (Qt.Key_Z, Qt.ControlModifier),
                    (Qt.Key_Delete, Qt.NoModifier),
                    (Qt.Key_E, Qt.NoModifier),
                )
            )
            self.note(f"  canvas key {key.name}")
            canvas.setFocus()
            QTest.keyClick(canvas, key, mod)

    def poke_picture(self) -> None:
        """Click, hover or Ctrl+wheel at a random point of a picture (the Trace page's
        overview, the Architecture page's diagram)."""
        from PySide6.QtGui import QWheelEvent
        from PySide6.QtWidgets import QGraphicsView

        views = self.visible(QGraphicsView)
        if not views:
            return self.note("picture: none shown")
        view = self.rng.choice(views)
        port = view.viewport()
        pos = QPoint(
            int(self.rng.uniform(0, port.width())), int(self.rng.uniform(0, port.height()))
        )
        what = self.rng.choice(("click", "hover", "zoom"))
        self.note(f"picture {type(view).__name__}: {what} at ({pos.x()}, {pos.y()})")
        if what == "click":
            QTest.mouseClick(port, Qt.LeftButton, Qt.NoModifier, pos)
        elif what == "hover":
            QTest.mouseMove(port, pos)
        else:
            delta = self.rng.choice((120, -120))
            event = QWheelEvent(
                QPointF(pos),
                QPointF(port.mapToGlobal(pos)),
                QPoint(0, 0),
                QPoint(0, delta),
                Qt.NoButton,
                Qt.ControlModifier,
                Qt.ScrollUpdate,
                False,
            )
            QApplication.sendEvent(port, event)

    def press_step_key(self) -> None:
        key = self.rng.choice(STEP_KEYS)
        target = QApplication.focusWidget() or self.window
        if not target.isVisible():
            target = self.window
        self.note(f"step key {key.name} (focus: {type(target).__name__})")
        QTest.keyClick(target, key)

    def _window_actions(self):
        return [
            a
            for a in self.window.actions()
            if a.isEnabled() and a.text() and a.text() not in SKIPPED_ACTIONS
        ]

    def trigger_menu_action(self) -> None:
        actions = self._window_actions()
        action = self.rng.choice(actions)
        self.note(f"menu: {_plain(action.text())!r}")
        if _plain(action.text()) in ("Full screen",) and self.rng.random() < 0.5:
            pass  # twice in a row is fine too
        action.trigger()

    def trigger_data_menu(self) -> None:
        menu = self.window.menus.data
        menu.aboutToShow.emit()  # the menu is rebuilt when it opens
        actions = [a for a in menu.actions() if a.isEnabled() and not a.isSeparator()]
        if not actions:
            return self.note("data menu: empty")
        action = self.rng.choice(actions)
        self.note(f"data menu: {_plain(action.text())!r}")
        action.trigger()

    def change_look(self) -> None:
        names = ("Zoom in", "Zoom out", "Reset zoom", "Presenter mode", "System", "Light", "Dark")
        wanted = self.rng.choice(names)
        action = next((a for a in self.window.actions() if _plain(a.text()) == wanted), None)
        self.note(f"look: {wanted}")
        if action is not None:
            action.trigger()

    def poke(self) -> None:
        """A click (or double click, or wheel turn) somewhere on a random visible widget."""
        widgets = [
            w
            for w in self.visible(QWidget)
            if w.width() > 2 and w.height() > 2 and not isinstance(w, (QAbstractButton, QMenu))
        ]
        if not widgets:
            return self.note("poke: nothing")
        widget = self.rng.choice(widgets)
        pos = QPoint(self.rng.randrange(widget.width()), self.rng.randrange(widget.height()))
        roll = self.rng.random()
        self.note(
            f"poke {type(widget).__name__} at ({pos.x()}, {pos.y()}) "
            f"{'double' if roll < 0.2 else 'click'}"
        )
        if roll < 0.2:
            QTest.mouseDClick(widget, Qt.LeftButton, Qt.NoModifier, pos)
        else:
            QTest.mouseClick(widget, Qt.LeftButton, Qt.NoModifier, pos)

    def tick_list_item(self) -> None:
        lists = [w for w in self.visible(QListWidget) if w.count() and w is not self.window.lessons]
        if not lists:
            return self.note("list: none")
        widget = self.rng.choice(lists)
        item = widget.item(self.rng.randrange(widget.count()))
        if item.flags() & Qt.ItemIsUserCheckable:
            state = Qt.Unchecked if item.checkState() == Qt.Checked else Qt.Checked
            self.note(f"list: tick {item.text()!r} -> {state.name}")
            item.setCheckState(state)
        else:
            self.note(f"list: select {item.text()!r}")
            widget.setCurrentItem(item)

    # -- training ---------------------------------------------------------------------------------
    def keep_training_tiny(self) -> None:
        """Before Start: few images, one or two epochs, a fast model (now and then a big one)."""
        train_images = self.form_field("Train images")
        epochs = self.form_field("Epochs")
        model = self.form_field("Model")
        if train_images is None or epochs is None:
            return
        limit = self.rng.choice((64, 128, 256, 256, 512))
        self.type_in_spin(train_images, str(limit))
        if train_images.value() == 0 or train_images.value() > 512:
            train_images.setValue(limit)  # the typing was refused: a run must stay tiny
        self.type_in_spin(epochs, str(self.rng.randint(1, 2)))
        if epochs.value() > 2:
            epochs.setValue(1)
        if isinstance(model, QComboBox) and model.isEnabled():
            name = (
                self.rng.choice(BIG_MODELS)
                if self.rng.random() < 0.08
                else self.rng.choice(FAST_MODELS)
            )
            index = model.findText(name)
            if index >= 0:
                self.note(f"  model {name}")
                model.setCurrentIndex(index)
                model.activated.emit(index)

    def train_control(self) -> None:
        if (
            self.rng.random() < 0.4
            and _plain(self.window.lessons.currentItem().text()).split()[-1] != "Train"
        ):
            self.note("train: go to the Train page")
            QTest.keyClick(self.window, Qt.Key_4, Qt.ControlModifier)
        buttons = {_plain(b.text()): b for b in self.visible(QPushButton)}
        wanted = self.rng.choice(("Start", "Start", "Pause", "Resume", "Stop"))
        button = buttons.get(wanted)
        if button is None:
            return self.note(f"train: no enabled {wanted!r} here")
        self.press(button, wanted, f"train: {wanted}")

    # -- after every action -----------------------------------------------------------------------
    def close_strays(self) -> None:
        """Close any window an action opened (non-modal dialogs, popups, menus)."""
        for widget in QApplication.topLevelWidgets():
            if widget is self.window or not widget.isVisible() or not widget.isWindow():
                continue
            self.note(f"  closed stray {type(widget).__name__} {widget.windowTitle()!r}")
            widget.close()
