"""Main window: lessons, menus, shortcuts, and a start-up that shows the window before it
imports PyTorch (in the background) and pyqtgraph (in the GUI thread)."""

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from cnnviz.gui.pages import PAGES, TRAIN
from cnnviz.gui.pages.architecture_page import ArchitecturePage
from cnnviz.gui.pages.conv_page import ConvPage
from cnnviz.gui.pages.draw_page import DrawPage
from cnnviz.gui.pages.pool_page import PoolPage
from cnnviz.gui.pages.train_page import TrainPage
from cnnviz.gui.pages.transposed_page import TransposedPage

ROOT = Path(__file__).resolve().parents[2]


def test_lessons_and_switching_with_ctrl_number(qtbot, main_window):
    lessons = [main_window.lessons.item(i).text() for i in range(main_window.lessons.count())]
    # the lecture's order first; later lessons follow from the one list of pages
    assert lessons[:10] == [
        "1  Convolution",
        "2  Pooling",
        "3  Architecture",
        "4  Train",
        "5  Draw",
        "6  Trace",
        "7  One step",
        "8  Backward",
        "9  Transposed convolution",
        "10  Grouped convolution",
    ]
    assert lessons == [f"{i + 1}  {entry.title}" for i, entry in enumerate(PAGES)]
    qtbot.keyClick(main_window, Qt.Key_9, Qt.ControlModifier)
    # chosen for the first time: its placeholder shows at once, the page on the next turn
    assert main_window.current_page().label.text() == "Loading Transposed convolution…"
    qtbot.waitUntil(lambda: main_window.current_page() is main_window.built_page(TransposedPage))
    assert main_window.statusBar().currentMessage() == main_window.current_page().status_text()
    qtbot.keyClick(main_window, Qt.Key_2, Qt.ControlModifier)  # built on the next turns too
    qtbot.waitUntil(lambda: main_window.current_page() is main_window.built_page(PoolPage))
    qtbot.keyClick(main_window, Qt.Key_1, Qt.ControlModifier)  # built already: shown at once
    assert main_window.current_page() is main_window.built_page(ConvPage)


def test_space_plays_and_pauses_the_current_page(qtbot, main_window):
    bar = main_window.built_page(ConvPage).step_bar
    qtbot.keyClick(main_window, Qt.Key_Space)
    assert bar.playing
    qtbot.keyClick(main_window, Qt.Key_Space)
    assert not bar.playing


def test_menus_are_there(main_window):
    titles = [a.text() for a in main_window.menuBar().actions()]
    assert titles == ["&File", "&Edit", "&Step", "&Lesson", "&Data", "&View", "&Help"]


def test_every_step_control_has_a_tooltip(main_window):
    for page in (main_window.show_page(ConvPage), main_window.show_page(PoolPage)):
        bar = page.step_bar
        for button in (bar.first, bar.prev, bar.play, bar.next, bar.last):
            assert button.toolTip()
        assert page.preset_box.toolTip()


def test_step_keys_do_nothing_on_a_page_without_steps(qtbot, main_window):
    main_window.show_page(ArchitecturePage)
    qtbot.keyClick(main_window, Qt.Key_Right)
    qtbot.keyClick(main_window, Qt.Key_Space)
    assert main_window.built_page(ConvPage).step_bar.index == 0


def test_the_window_shows_first_then_pytorch_loads_in_the_background_pyqtgraph_here():
    """The window is shown before torch or pyqtgraph is imported (its menus, its lesson list
    and the grid lessons need neither). Once it has been painted, torch and captum are
    imported, and the shipped checkpoint read, by the preload thread; pyqtgraph,
    which copies Qt's classes, by the GUI thread (a finder first on the list notes which
    thread first imports each); a page that needs them is built once they are there. The
    collector is left on, with Python's thresholds; start-up's objects are frozen once.
    torchvision is not imported at all (no page needs it; a dataset download does)."""
    code = (
        "import gc, sys, threading\n"
        "def settings():  # the garbage collector's: the app leaves them as they are\n"
        "    return (gc.isenabled(), gc.get_threshold())\n"
        "before = settings()\n"
        "heavy = ('torch', 'torchvision', 'pyqtgraph', 'captum')\n"
        "importers = {}\n"
        "class Note:  # first on the finder list: sees every first import, finds nothing\n"
        "    @staticmethod\n"
        "    def find_spec(name, path=None, target=None):\n"
        "        if name in heavy:\n"
        "            importers.setdefault(name, threading.current_thread().name)\n"
        "sys.meta_path.insert(0, Note)\n"
        "readers = []  # the threads that open the shipped checkpoint\n"
        "def note_open(event, args):\n"
        "    if event == 'open' and str(args[0]).endswith('simple-mnist.pt'):\n"
        "        readers.append(threading.current_thread().name)\n"
        "sys.addaudithook(note_open)\n"
        "from cnnviz.gui.app import create_app\n"
        "from cnnviz.gui.window.main_window import MainWindow\n"
        "from cnnviz.gui.pages import DRAW, TRAIN\n"
        "app = create_app()\n"
        "w = MainWindow(); w.show()\n"
        "print(sorted(importers.items()))  # shown: nothing heavy imported yet\n"
        "app.processEvents()\n"
        "assert w.isVisible()\n"
        "w.preload.wait()\n"
        "w.show_page(TRAIN); w.show_page(DRAW); app.processEvents()\n"
        "print(sorted(importers.items()))\n"
        "print(readers)\n"
        "print(settings() == before)\n"
        "import time\n"  # the start-up's objects frozen, once the later imports are done
        "end = time.monotonic() + 60\n"
        "while not gc.get_freeze_count() and time.monotonic() < end:\n"
        "    time.sleep(0.05)\n"
        "print(gc.get_freeze_count() > 100_000)\n"
        "w.confirm_discard = lambda: 'discard'; w.close()\n"
        "import time\n"  # as the app's event loop would: until the window has closed (it
        "end = time.monotonic() + 60\n"  # waits for a worker still busy, as on a busy machine)
        "while w.isVisible() and time.monotonic() < end:\n"
        "    app.processEvents(); time.sleep(0.01)\n"
        "assert not w.isVisible()\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    before, imports, readers, unchanged, frozen = out.stdout.strip().splitlines()
    assert before == "[]"
    assert imports == str(
        [("captum", "cnnviz-preload"), ("pyqtgraph", "MainThread"), ("torch", "cnnviz-preload")]
    )
    # the Draw page's default model comes from the checkpoint the preload thread read
    assert readers == str(["cnnviz-preload"])
    # no garbage-collector switch or threshold set by the app, nor a pause around the
    # imports: only the objects of its start-up frozen once (freeze_start_up)
    assert unchanged == "True" and frozen == "True"


def test_the_gui_thread_waits_at_most_a_fifth_of_a_millisecond_for_the_python_lock(main_window):
    """A busy thread (a training run, a page's worker, the imports at start-up) hands the
    lock back to the GUI thread within GUI_SWITCH_INTERVAL_S instead of Python's 5 ms, once
    per Qt call into Python (bench_lock_wait.py measures what each interval costs the GUI
    thread)."""
    from cnnviz.gui.app import GUI_SWITCH_INTERVAL_S

    assert GUI_SWITCH_INTERVAL_S <= 0.0002
    assert sys.getswitchinterval() == pytest.approx(GUI_SWITCH_INTERVAL_S)


def test_cnnviz_version_flag():
    out = subprocess.run(
        [sys.executable, "-m", "cnnviz", "--version"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0 and out.stdout.startswith("cnnviz ")


def test_python_m_cnnviz_starts_the_gui_and_keeps_running():
    import os
    import time

    proc = subprocess.Popen(
        [sys.executable, "-m", "cnnviz"],
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(3)
        assert proc.poll() is None, proc.communicate()[1]
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_help_menu_has_shortcuts_and_about_with_version_and_credits(main_window):
    from cnnviz import __version__

    pytest.importorskip("torch")
    help_menu = next(a.menu() for a in main_window.menuBar().actions() if a.text() == "&Help")
    assert [a.text() for a in help_menu.actions()] == ["&Keyboard shortcuts", "&About cnnviz"]
    assert help_menu.actions()[0].shortcut().toString() == "F1"
    text = main_window.menus.about_text()
    assert f"cnnviz {__version__}" in text
    assert "MNIST: Yann LeCun, Corinna Cortes and Christopher J.C. Burges (CC BY-SA 3.0)" in text
    for name in ("FashionMNIST: Zalando Research", "KMNIST: ROIS-DS", "CIFAR-10: Alex Krizhevsky"):
        assert name in text


def test_the_shortcut_list_is_made_from_the_actions_and_misses_none(main_window):
    """Every action with a shortcut is in the F1 list, with its menu and text, and the
    Draw page's own keys too: the list cannot drift from what the keys do."""
    from PySide6.QtGui import QKeySequence

    rows = dict(main_window.menus.shortcut_rows())
    bound = {
        a.shortcut().toString(QKeySequence.NativeText): a.text().replace("&", "")
        for a in main_window.actions()
        if not a.shortcut().isEmpty()
    }
    assert len(bound) >= 23
    for keys, text in bound.items():
        assert rows[keys].endswith(text)
    for keys in (
        "Ctrl+R",
        "Ctrl+S",
        "F1",
        "Space",
        "Right",
        "Home",
        "Ctrl+1",
        "Ctrl+5",
        "F11",
        "Ctrl+=",
        "Ctrl+-",
        "Ctrl+0",
        "Ctrl+Shift+V",
        "Ctrl+E",
        "Ctrl+Q",
    ):
        assert keys in rows, keys
    assert rows["Ctrl+S"] == "File: Save checkpoint…"
    assert rows["Ctrl+Z"] == "Draw: undo the last stroke" and rows["E"] == "Draw: eraser on / off"


def test_a_lesson_waiting_for_pytorch_shows_its_placeholder_and_builds_when_ready(
    qtbot, main_window, monkeypatch
):
    """Ctrl+4 while PyTorch is still being imported: the window does not wait; the Train
    lesson shows "Loading Train…", the Step keys do nothing there, and the page is built
    once the import is done."""
    monkeypatch.setattr(main_window.preload, "done", lambda: False)
    qtbot.keyClick(main_window, Qt.Key_4, Qt.ControlModifier)
    shown = main_window.current_page()
    assert main_window.built_page(TrainPage) is None and shown.title == "Train"
    assert shown.label.text() == "Loading Train…"
    assert not any(a.isEnabled() for a in main_window.menus.step)
    qtbot.keyClick(main_window, Qt.Key_Right)  # acts on the placeholder: nothing is built
    assert main_window.built_page(TrainPage) is None
    monkeypatch.undo()
    # made on one turn of the event loop, shown on the next
    qtbot.waitUntil(lambda: main_window.built_page(TrainPage) is not None, timeout=30000)
    qtbot.waitUntil(lambda: main_window.current_page() is main_window.built_page(TrainPage))


def test_a_menu_command_for_a_page_waiting_for_pytorch_runs_once_it_is_built(
    qtbot, main_window, monkeypatch
):
    """File → Save checkpoint… while PyTorch is still being imported: the window does not
    wait; the Train lesson shows its placeholder and the command runs once it is built."""
    monkeypatch.setattr(main_window.preload, "done", lambda: False)
    asked = []
    monkeypatch.setattr(TrainPage, "save_dialog", lambda page: asked.append(page))
    save = next(a for _, a in main_window.menus.actions if a.shortcut().toString() == "Ctrl+S")
    save.trigger()
    assert main_window.built_page(TrainPage) is None
    assert main_window.current_page().title == "Train"
    assert not asked
    monkeypatch.setattr(main_window.preload, "done", lambda: True)
    qtbot.waitUntil(lambda: bool(asked), timeout=30000)
    assert asked == [main_window.built_page(TrainPage)]


def test_step_and_edit_commands_follow_the_page(main_window):
    step = main_window.menus.step + main_window.menus.edit
    assert all(a.isEnabled() for a in step)
    main_window.show_page(ArchitecturePage)
    assert not any(a.isEnabled() for a in step)  # the Architecture page has no steps
    main_window.show_page(PoolPage)
    assert all(a.isEnabled() for a in step)


def stand_in_preload(main_window, monkeypatch):
    """F1's list recorded instead of shown, and in place of the window's preload one that
    has not loaded until ``loaded[0]`` is set and must never be waited for. Returns
    (the titles of the lists shown, loaded, the real preload, to put back)."""
    from PySide6.QtWidgets import QMessageBox

    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda *args: shown.append(args[1]))
    loaded = [False]

    class StillLoading:
        def start(self):
            pass

        def done(self):
            return loaded[0]

        def wait(self, timeout=None):
            raise AssertionError("the GUI thread must not wait for the import")

    real = main_window.preload
    main_window.preload = StillLoading()
    return shown, loaded, real


def test_f1_while_pytorch_loads_says_so_and_opens_the_list_once_loaded(
    qtbot, main_window, monkeypatch
):
    """F1 never waits for the background import of PyTorch in the GUI thread."""
    shown, loaded, real = stand_in_preload(main_window, monkeypatch)
    try:
        main_window.menus.show_shortcuts()
        assert not shown
        assert "once PyTorch has loaded" in main_window.statusBar().currentMessage()
        qtbot.wait(250)
        assert not shown  # still loading: still no list, and nothing froze
    finally:
        main_window.preload = real
    loaded[0] = True
    assert real.wait(120)  # the window's own preload (on a loaded machine it took over 3 s)
    qtbot.waitUntil(lambda: shown == ["Keyboard shortcuts"], timeout=3000)


def test_f1_while_pytorch_loads_then_a_close_opens_no_list_afterwards(
    qtbot, main_window, monkeypatch
):
    """The window closed before PyTorch had loaded: the F1 list it was waiting to open stays
    unopened. (Opened later, its modal box ran on a window being deleted: the process died
    with "double free or corruption".)"""
    shown, loaded, real = stand_in_preload(main_window, monkeypatch)
    try:
        main_window.menus.show_shortcuts()
        assert main_window.menus.shortcuts_timer.isActive()
        main_window.close()
        qtbot.waitUntil(lambda: not main_window.isVisible(), timeout=5000)
        loaded[0] = True
        qtbot.wait(300)  # three of the timer's intervals
        assert shown == []
        assert not main_window.menus.shortcuts_timer.isActive()
    finally:
        main_window.preload = real


def test_the_lessons_that_need_no_pytorch_import_none():
    """A lesson marked as needing no PyTorch is built at once, even while the preload thread
    imports torch: if it imported torch itself, the GUI thread would wait for that import
    (a one-second stall the random-action benchmark found on the Grouped lesson)."""
    modules = [e.target.split(":")[0] for e in PAGES if not e.needs_torch]
    assert len(modules) >= 5  # Convolution, Pooling, Backward, Transposed, Grouped
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(sorted(m for m in ('torch', 'torchvision', 'captum') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_building_a_page_opens_no_window_of_its_own(qtbot, main_window):
    """A widget shown before it is placed in its page opens as a window for a moment: it
    flickers on a desktop and takes the focus (Ctrl+number then did nothing)."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication, QWidget

    opened = []

    class Watch(QObject):
        def eventFilter(self, obj, event):  # noqa: N802
            if event.type() == QEvent.Show and isinstance(obj, QWidget) and obj.isWindow():
                opened.append(type(obj).__name__)
            return False

    watch = Watch()
    QApplication.instance().installEventFilter(watch)
    try:
        for entry in PAGES:
            main_window.show_page(entry)
            qtbot.wait(1)
    finally:
        QApplication.instance().removeEventFilter(watch)
    assert [name for name in opened if name != "MainWindow"] == []
    assert QApplication.activeWindow() is main_window


def test_a_lesson_chosen_just_before_closing_is_not_built_after(qtbot, main_window):
    """The page is built on the event loop's next turn: closed in between, the window
    builds nothing (a page built after its window closed would start workers no one stops)."""
    from PySide6.QtWidgets import QApplication

    main_window.preload.wait()  # PyTorch is there: the page waits for the next turn only
    qtbot.keyClick(main_window, Qt.Key_5, Qt.ControlModifier)  # Draw: it starts workers
    assert main_window.built_page(DrawPage) is None
    assert main_window.current_page().label.text() == "Loading Draw…"
    main_window.close()
    for _ in range(5):
        QApplication.processEvents()
    assert main_window.built_page(DrawPage) is None


def test_pages_are_named_by_class_and_their_titles_and_commands_come_from_their_entry(
    qtbot, main_window
):
    """A page's title is written once, in its entry; the window finds a page by its class
    (or entry); a page's menu commands are declared with its entry (made before the page
    module is imported) and run on the page it builds."""
    from cnnviz.gui.pages import entry_of

    for entry in PAGES:
        assert entry.load().title == entry.title
        assert entry_of(entry.load()) is entry
    assert main_window.show_page(TrainPage) is main_window.built_page(TRAIN)
    assert main_window.current_page().title == "Train"
    texts = {a.text() for _, a in main_window.menus.actions}
    for entry in PAGES:
        assert {c.text for c in entry.commands} <= texts
    file_menu = [a.text() for a in main_window.menuBar().actions()[0].menu().actions()]
    assert file_menu[:3] == ["&Open model…", "Open &checkpoint…", "&Save checkpoint…"]
    assert file_menu.index("Export training &metrics as CSV…") == (
        file_menu.index("&Export page as PNG…") + 1
    )
    with pytest.raises(KeyError):
        main_window.show_page(QtWidgetsNotAPage)


class QtWidgetsNotAPage:
    """A class that is no lesson page."""
