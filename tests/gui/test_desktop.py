"""Desktop conventions: presenter mode, zoom, settings that survive (or fall back), export,
and a question before an unsaved run is lost."""

import csv

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QWidget

from cnnviz.gui.pages import PAGES, TRAIN
from cnnviz.gui.pages.conv_page import ConvPage
from cnnviz.gui.pages.grouped_page import GroupedPage
from cnnviz.gui.pages.pool_page import PoolPage
from cnnviz.gui.widgets.grid_board import MOST_CELL


def test_presenter_mode_enlarges_type_everywhere(qtbot, main_window):
    before = QApplication.instance().font().pointSizeF()
    qtbot.keyClick(main_window, Qt.Key_F5)
    assert main_window.presenter and main_window.menus.presenter.isChecked()
    assert QApplication.instance().font().pointSizeF() == pytest.approx(before * 1.35)
    # the named widgets carry the look's sheet (not the application: see look.dress), and the
    # page's other widgets follow the application's font
    page = main_window.built_page(ConvPage)
    assert page.arithmetic.font().pixelSize() == 26  # 19 × 1.35
    assert "QListWidget#lessons { font-size: 23px" in main_window.lessons.styleSheet()  # 17 × 1.35
    assert page.size_spin.font().pointSizeF() == pytest.approx(before * 1.35)
    assert QApplication.instance().styleSheet() == ""
    assert main_window.built_page(ConvPage).grid_area.most > MOST_CELL
    qtbot.keyClick(main_window, Qt.Key_F5)
    assert QApplication.instance().font().pointSizeF() == pytest.approx(before)


def test_presenter_mode_thickens_the_plot_lines(main_window):
    pytest.importorskip("torch")
    from cnnviz.gui.pages.train_page import TrainPage

    train = main_window.show_page(TrainPage)
    main_window.set_look(presenter=True)
    assert train.views.loss_plot.smoothed.opts["pen"].widthF() == 5.0
    main_window.set_look(presenter=False)
    assert train.views.loss_plot.smoothed.opts["pen"].widthF() == 2.5


def test_zoom_shortcuts(qtbot, main_window):
    qtbot.keyClick(main_window, Qt.Key_Equal, Qt.ControlModifier)
    assert main_window.zoom == pytest.approx(1.15)
    qtbot.keyClick(main_window, Qt.Key_0, Qt.ControlModifier)
    assert main_window.zoom == 1.0
    for _ in range(20):
        qtbot.keyClick(main_window, Qt.Key_Minus, Qt.ControlModifier)
    assert main_window.zoom == 0.5  # bounded


def test_settings_survive_a_restart(qtbot, main_window, new_window):
    main_window.resize(1100, 700)
    main_window.show_page(PoolPage)
    main_window.set_look(zoom=1.3, presenter=True)
    main_window.close()
    again = new_window()
    assert again.zoom == pytest.approx(1.3) and again.presenter
    assert again.lessons.currentRow() == 1
    again.set_look(zoom=1.0, presenter=False)
    again.close()


def test_train_settings_survive_a_restart(qtbot, main_window, new_window):
    pytest.importorskip("torch")
    from cnnviz.gui.pages.train_page import TrainPage

    train = main_window.show_page(TrainPage)
    train.form.lr.setValue(0.05)
    train.form.optimizer.setCurrentText("adam")
    main_window.close()
    again = new_window()
    train2 = again.show_page(TrainPage)
    assert (
        train2.form.lr.value() == pytest.approx(0.05)
        and train2.form.optimizer.currentText() == "adam"
    )
    again.close()


def test_corrupt_settings_fall_back_to_defaults(qtbot, private_settings, new_window):
    ini = private_settings / "cnnviz" / "cnnviz.ini"
    ini.parent.mkdir(parents=True, exist_ok=True)
    ini.write_bytes(
        b"[view]\nzoom=banana\npresenter=maybe\n[window]\npage=99\ngeometry=@@@\n\x00\xff garbage"
    )
    window = new_window()
    assert window.zoom == 1.0 and not window.presenter and window.lessons.currentRow() == 0
    window.close()


def test_export_the_page_as_png(main_window, tmp_path):
    path = tmp_path / "page.png"
    main_window.export_png(path)
    image = QImage(str(path))
    assert not image.isNull() and image.width() > 500
    assert not list(tmp_path.glob(".*"))  # no temporary left


def test_export_metrics_as_csv(qtbot, main_window, tmp_path):
    pytest.importorskip("torch")
    from cnnviz.core.training import TrainConfig
    from cnnviz.gui.pages.train_page import TrainPage

    train = main_window.show_page(TrainPage)
    train.start(TrainConfig(epochs=2, limit_train=640, limit_test=100, device="cpu"))
    qtbot.waitUntil(lambda: train.ended, timeout=60000)
    path = tmp_path / "metrics.csv"
    train.export_csv(path)
    rows = list(csv.DictReader(path.open()))
    assert len(rows) == 20 and rows[0]["step"] == "1" and float(rows[0]["loss"]) > 0
    epochs = [r for r in rows if r["epoch"]]
    assert [r["epoch"] for r in epochs] == ["1", "2"]
    assert 0 <= float(epochs[-1]["test_accuracy"]) <= 1


def test_quitting_while_training_asks_first(qtbot, main_window):
    pytest.importorskip("torch")
    from cnnviz.core.training import TrainConfig
    from cnnviz.gui.pages.train_page import TrainPage

    train = main_window.show_page(TrainPage)
    train.start(TrainConfig(epochs=50, limit_train=640, limit_test=64, device="cpu"))
    qtbot.waitUntil(lambda: len(train.losses) > 0, timeout=30000)
    asked = []
    main_window.confirm_discard = lambda: asked.append(1) or "cancel"
    main_window.close()
    assert asked and main_window.isVisible() and train.is_running()
    main_window.confirm_discard = lambda: "discard"
    main_window.close()  # the run is asked to stop; the window says so and closes when it has
    if main_window.isVisible():
        assert (
            main_window.statusBar()
            .currentMessage()
            .startswith("Closing: stopping the training run")
        )
        assert not main_window.centralWidget().isEnabled()
    qtbot.waitUntil(lambda: not main_window.isVisible(), timeout=5000)
    assert not train.run.thread.isRunning()


def test_quitting_with_an_unsaved_run_asks_first(qtbot, main_window, tmp_path):
    pytest.importorskip("torch")
    from cnnviz.core.training import TrainConfig
    from cnnviz.gui.pages.train_page import TrainPage

    train = main_window.show_page(TrainPage)
    train.start(TrainConfig(epochs=1, limit_train=128, limit_test=64, device="cpu"))
    qtbot.waitUntil(lambda: train.ended, timeout=60000)
    assert train.unsaved
    asked = []
    main_window.confirm_discard = lambda: asked.append(1) or "cancel"
    main_window.close()
    assert asked and main_window.isVisible()  # cancelled: nothing lost
    assert train.save_checkpoint(tmp_path / "run.pt")
    qtbot.waitUntil(lambda: not train.unsaved, timeout=20000)  # written in a worker
    main_window.confirm_discard = lambda: asked.append(2) or "cancel"
    main_window.close()
    # saved: no question; the window closes once its workers have stopped (at once or a
    # moment later: closing never waits inside the event handler)
    qtbot.waitUntil(lambda: not main_window.isVisible(), timeout=5000)
    assert asked == [1]


def test_quitting_with_save_closes_once_the_checkpoint_is_written(
    qtbot, main_window, tmp_path, monkeypatch
):
    pytest.importorskip("torch")
    from cnnviz.core.training import TrainConfig
    from cnnviz.gui.pages.train_page import TrainPage

    train = main_window.show_page(TrainPage)
    train.start(TrainConfig(epochs=1, limit_train=128, limit_test=64, device="cpu"))
    qtbot.waitUntil(lambda: train.ended, timeout=60000)
    path = tmp_path / "closing.pt"
    monkeypatch.setattr(train, "save_dialog", lambda: train.save_checkpoint(path))
    main_window.confirm_discard = lambda: "save"
    main_window.close()  # the checkpoint is written in a worker; the window closes after it
    qtbot.waitUntil(lambda: not main_window.isVisible(), timeout=20000)
    assert path.is_file() and not train.unsaved


def contrast(a, b) -> float:
    """WCAG contrast ratio of two QColors."""

    def luminance(c):
        def channel(v):
            v /= 255
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        return 0.2126 * channel(c.red()) + 0.7152 * channel(c.green()) + 0.0722 * channel(c.blue())

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.fixture
def back_to_system_theme(main_window):
    yield main_window
    main_window.set_look(theme="system")


def test_dark_theme_reads_well_and_grids_stay_on_paper(qtbot, back_to_system_theme):
    from PySide6.QtGui import QPalette

    from cnnviz.gui.appearance import theme

    window = back_to_system_theme
    app = QApplication.instance()
    window.menus.themes["dark"].trigger()
    assert window.theme == "dark" and theme.DARK
    palette = app.palette()
    assert palette.color(QPalette.Window).lightness() < 60
    assert contrast(palette.color(QPalette.Window), palette.color(QPalette.WindowText)) >= 7
    assert "color: #f3f4f6" in window.built_page(ConvPage).arithmetic.styleSheet()  # the text
    assert "background: #111827" in window.lessons.styleSheet()
    # the page renders dark around white grids
    image = window.grab().toImage()
    assert image.pixelColor(5, image.height() // 2).lightness() < 60  # the lesson list
    view = window.built_page(ConvPage).input_grids[0].view
    rows, cols = window.built_page(ConvPage).inputs.shape[1:]
    corner = view.cell_rect(rows - 1, cols - 1).topLeft()  # outside the first step's window
    shot = view.viewport().grab().toImage()
    ratio = shot.devicePixelRatio()
    paper = shot.pixelColor(int((corner.x() + 4) * ratio), int((corner.y() + 4) * ratio))
    assert paper.lightness() > 200
    # presenter mode in the dark pushes text to white
    window.set_look(presenter=True)
    assert "color: #ffffff" in window.built_page(ConvPage).arithmetic.styleSheet()
    window.set_look(presenter=False)
    window.menus.themes["light"].trigger()
    assert (
        not theme.DARK and "color: #111827" in window.built_page(ConvPage).arithmetic.styleSheet()
    )
    # a page built or shown later takes the look in use when it is shown
    other = window.show_page(PoolPage)
    assert "color: #111827" in other.arithmetic.styleSheet()
    assert (
        contrast(app.palette().color(QPalette.Window), app.palette().color(QPalette.WindowText))
        >= 7
    )


def test_system_theme_follows_the_desktop_palette(back_to_system_theme):
    from cnnviz.gui.appearance import look as app_module
    from cnnviz.gui.appearance import theme

    window = back_to_system_theme
    saved = dict(app_module._system_look)
    try:
        app_module._system_look["palette"] = app_module.dark_palette()  # the desktop went dark
        window._on_color_scheme_changed()
        assert theme.DARK and "background: #111827" in window.lessons.styleSheet()
    finally:
        app_module._system_look.update(saved)
    window._on_color_scheme_changed()
    assert not theme.DARK


def test_the_theme_is_remembered(qtbot, back_to_system_theme, new_window):
    window = back_to_system_theme
    window.set_look(theme="dark")
    window.save_settings()
    again = new_window()
    assert again.theme == "dark" and again.menus.themes["dark"].isChecked()
    again.set_look(theme="system")
    again.close()


def test_every_control_has_a_tooltip(main_window):
    """Buttons, boxes, fields and lists on every page say what they do."""
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractSpinBox,
        QComboBox,
        QLineEdit,
        QListWidget,
        QSlider,
        QTabBar,
        QTabWidget,
    )

    pytest.importorskip("torch")
    kinds = (QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QSlider, QListWidget)
    missing = []
    for entry in PAGES:
        page = main_window.show_page(entry)
        for tabs in page.findChildren(QTabWidget):  # a tab may build its content when shown
            for tab in range(tabs.count()):
                tabs.setCurrentIndex(tab)
        for widget in page.findChildren(QWidget):
            if not isinstance(widget, kinds) or widget.parent() is None:
                continue
            if isinstance(
                widget.parent(), (QComboBox, QAbstractSpinBox, QTabBar, QLineEdit)
            ) or widget.objectName().startswith("qt_"):
                continue  # Qt's own parts: a box's line edit, scroll arrows, a clear button
            if not widget.toolTip():
                label = getattr(widget, "text", lambda: "")() or widget.objectName()
                missing.append(f"{type(page).__name__}: {type(widget).__name__} {label!r}")
    assert not missing, "\n".join(missing)


def test_the_app_runs_at_twice_the_pixel_density():
    """A 2× screen (QT_SCALE_FACTOR=2): every page builds and the window renders at 2×."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "QT_SCALE_FACTOR": "2", "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, "-m", "cnnviz", "--self-test"],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "device pixel ratio 2" in out.stdout
    assert out.stdout.count(" ok") == len(PAGES)


def test_presenter_mode_fits_a_1280_by_800_projector(qtbot, main_window):
    """Every page in presenter mode fits 1280×800: the window does not have to grow (the
    settings columns scroll instead of squeezing or pushing)."""
    pytest.importorskip("torch")
    main_window.resize(1280, 800)
    main_window.set_look(presenter=True)
    try:
        for entry in PAGES:
            main_window.show_page(entry)
            QApplication.processEvents()
            hint = main_window.minimumSizeHint()
            assert hint.width() <= 1280 and hint.height() <= 800, (entry.title, hint)
            assert (main_window.width(), main_window.height()) == (1280, 800)
    finally:
        main_window.set_look(presenter=False)


def test_file_and_view_menus_and_full_screen(qtbot, main_window):
    menus = {a.text(): a.menu() for a in main_window.menuBar().actions()}
    file_items = [a.text() for a in menus["&File"].actions() if a.text()]
    assert file_items == [
        "&Open model…",
        "Open &checkpoint…",
        "&Save checkpoint…",
        "Open &lesson…",
        "Open &recent lesson",
        "Save lesson &as…",
        "Export &animation…",
        "Export &figure…",
        "Cop&y figure",
        "&Export page as PNG…",
        "Export training &metrics as CSV…",
        "&Quit",
    ]
    view_items = [a.text() for a in menus["&View"].actions() if a.text()]
    assert view_items[:2] == ["&Presenter mode", "&Full screen"] and "Zoom &in" in view_items
    qtbot.keyClick(main_window, Qt.Key_F11)
    qtbot.waitUntil(main_window.isFullScreen, timeout=3000)
    assert main_window.menus.full_screen.isChecked()
    qtbot.keyClick(main_window, Qt.Key_F11)
    qtbot.waitUntil(lambda: not main_window.isFullScreen(), timeout=3000)
    assert not main_window.menus.full_screen.isChecked()


def test_a_change_of_look_reaches_every_page_and_re_polishes_none(back_to_system_theme):
    """Zoom, presenter mode and theme reach every widget of every page: the application's
    font by Qt's ordinary propagation, the named widgets' own sheets when their page is shown.
    No page's widgets are re-polished (a page's sheet set again did that: 14–24 ms for the
    Train page on each change of look)."""
    pytest.importorskip("torch")
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QAbstractButton

    from cnnviz.gui.appearance.style import NAMES, PAGE_SHEET, named_sheets

    window = back_to_system_theme
    app = QApplication.instance()
    pages = [window.show_page(entry) for entry in PAGES]
    window.set_look(theme="dark")  # a new style re-polishes every widget once, as it must
    restyled = []

    class Restyles(QObject):
        def eventFilter(self, watched, event):
            if event.type() == QEvent.StyleChange and watched.isWidgetType():
                widget = watched  # a named widget's own sheet restyles it and its parts
                while widget is not None and widget.objectName() not in NAMES:
                    widget = widget.parentWidget()
                if widget is None:
                    restyled.append(f"{type(watched).__name__} {watched.objectName()!r}")
            return False

    counter = Restyles()
    app.installEventFilter(counter)
    try:
        window.show_page(ConvPage)
        window.set_look(zoom=1.3)
        window.set_look(presenter=True)
        for entry, page in zip(PAGES, pages):
            window.show_page(entry)
            assert page.styleSheet() == PAGE_SHEET
            sheets = named_sheets(1.3, True, dark=True)
            for name in NAMES:
                for widget in page.findChildren(QWidget, name):
                    assert widget.styleSheet() == sheets[name], (entry.title, name)
            size = app.font().pointSizeF()
            for button in page.findChildren(QAbstractButton):
                assert button.font().pointSizeF() == pytest.approx(size), entry.title
    finally:
        app.removeEventFilter(counter)
        window.set_look(zoom=1.0, presenter=False)
    assert not restyled, restyled[:10]


@pytest.mark.parametrize("lesson", [TRAIN, GroupedPage], ids=["Train", "Grouped convolution"])
def test_a_change_of_look_paints_the_page_once_its_layout_has_settled(qtbot, main_window, lesson):
    """A change of zoom or presenter mode lays a page out again over several turns of the
    event loop, and Qt painted the window after each: one zoom painted the Train page in four
    passes (its widgets 412 times). The window holds its repaints until the layout has
    settled: the page is painted in full in one pass, and not before."""
    from PySide6.QtCore import QEvent, QObject

    from cnnviz.gui.appearance.repaint_hold import repaints_held

    window = main_window
    page = window.show_page(lesson)
    qtbot.waitUntil(lambda: not repaints_held(window))
    qtbot.wait(100)
    passes = [0]  # the window's repaints (one per update request it handles)
    paints = []  # (pass, held, the page's rectangle painted)

    class Paints(QObject):
        def eventFilter(self, watched, event):
            if event.type() == QEvent.UpdateRequest and watched is window:
                passes[0] += 1
            elif event.type() == QEvent.Paint and watched is page:
                paints.append((passes[0], repaints_held(window), event.rect()))
            return False

    counter = Paints()
    QApplication.instance().installEventFilter(counter)
    try:
        for change in ({"zoom": 1.2}, {"presenter": True}, {"zoom": 1.0}, {"presenter": False}):
            paints.clear()
            window.set_look(**change)
            assert repaints_held(window)
            qtbot.waitUntil(lambda: not repaints_held(window))
            qtbot.waitUntil(lambda: len(paints) >= 1)
            qtbot.wait(150)
            assert not any(held for _, held, _ in paints), change
            assert paints[0][2] == page.rect()  # the whole page, in the new look
            full = {each for each, _, rect in paints if rect == page.rect()}
            assert len(full) == 1, (change, paints)  # (a part may follow: a grid refitted)
    finally:
        QApplication.instance().removeEventFilter(counter)


def test_a_page_shown_again_is_painted_once_it_has_settled(qtbot, main_window):
    """Shown again, the Train page settled over several turns of the event loop (its plots
    and feature maps ask for a repaint of their own as they are laid out), and the window
    was painted six times for one switch (263 paint events). The window holds its repaints
    for the switch: the page is painted once in full, at most one small pass after."""
    from PySide6.QtCore import QEvent, QObject

    from cnnviz.gui.appearance.repaint_hold import repaints_held
    from cnnviz.gui.pages.train_page import TrainPage

    window = main_window
    page = window.show_page(TrainPage)
    window.show_page(ConvPage)
    qtbot.waitUntil(lambda: not repaints_held(window))
    qtbot.wait(150)
    passes = [0]
    painted: list[tuple[int, bool]] = []  # (pass, held) of each paint of the page's widgets

    class Paints(QObject):
        def eventFilter(self, watched, event):
            if event.type() == QEvent.UpdateRequest and watched is window:
                passes[0] += 1
            elif event.type() == QEvent.Paint and (watched is page or page.isAncestorOf(watched)):
                painted.append((passes[0], repaints_held(window)))
            return False

    counter = Paints()
    QApplication.instance().installEventFilter(counter)
    try:
        window.lessons.setCurrentRow(PAGES.index(TRAIN))  # as a click in the lesson list does
        assert repaints_held(window)
        qtbot.waitUntil(lambda: not repaints_held(window))
        qtbot.waitUntil(lambda: bool(painted))
        qtbot.wait(200)
    finally:
        QApplication.instance().removeEventFilter(counter)
    assert not any(held for _, held in painted)
    assert len({each for each, _ in painted}) <= 2, painted


def test_the_window_paints_again_after_a_hold_that_swallowed_an_update_request(qtbot, main_window):
    """Qt drops an update request that reaches a window whose updates are disabled, and its
    repaint manager, believing it still on its way, asks for no other: after such a hold the
    window painted nothing more (a change, a hover, a new trace) until it was resized. Both
    ends of a hold (its last turn, an export ending it at once) ask for a repaint."""
    from PySide6.QtCore import QEvent, QObject

    from cnnviz.gui.appearance.repaint_hold import hold_repaints, release_repaints, repaints_held

    window = main_window
    page = window.show_page(ConvPage)
    qtbot.waitUntil(lambda: not repaints_held(window))
    qtbot.wait(50)
    seen = {"requests while held": 0, "page paints": 0}

    class Counter(QObject):
        def eventFilter(self, watched, event):
            if event.type() == QEvent.UpdateRequest and repaints_held(window):
                seen["requests while held"] += 1
            elif event.type() == QEvent.Paint and watched is page:
                seen["page paints"] += 1
            return False

    counter = Counter()
    QApplication.instance().installEventFilter(counter)
    try:
        for end in ("released", "last turn"):
            seen["requests while held"] = 0
            page.update()  # a change asks for a repaint, then the hold begins
            hold_repaints(window, turns=10**9 if end == "released" else 3)
            if end == "released":  # the request reaches the window while it is held
                qtbot.waitUntil(lambda: seen["requests while held"] > 0)
                release_repaints(window)
            qtbot.waitUntil(lambda: not repaints_held(window))
            qtbot.wait(50)
            seen["page paints"] = 0
            page.update()
            qtbot.waitUntil(lambda: seen["page paints"] > 0, timeout=2000)
        # the same, the way a user meets it: a lesson shown for the first time, then a change
        from cnnviz.gui.pages.trace_page import TracePage

        trace = window.show_page(TracePage)
        qtbot.waitUntil(lambda: not repaints_held(window))
        qtbot.wait(100)
        painted = []
        trace.paintEvent = lambda event: painted.append(event.rect())  # noqa: ARG005
        trace.update()
        qtbot.waitUntil(lambda: bool(painted), timeout=2000)
    finally:
        QApplication.instance().removeEventFilter(counter)


def test_a_page_exported_while_the_window_holds_its_repaints_is_drawn_in_full(
    qtbot, main_window, tmp_path
):
    """A widget drawn into an image while its window holds its repaints came out blank; an
    export ends the hold first (laying the page out), whenever it is asked for."""
    from cnnviz.gui.appearance.repaint_hold import repaints_held

    window = main_window
    page = window.show_page(ConvPage)
    qtbot.waitUntil(lambda: not repaints_held(window))
    qtbot.wait(50)
    reference = page.grab().toImage()
    window.set_look(zoom=1.0)  # the same look: laid out again, held all the same
    assert repaints_held(window)
    window.export_png(tmp_path / "page.png")
    assert not repaints_held(window)
    exported = QImage(str(tmp_path / "page.png")).convertToFormat(reference.format())
    assert exported == reference


def test_changes_of_look_one_after_another_still_show(qtbot, main_window):
    """Holding zoom-in down makes a change of look every few turns of the event loop: each
    would hold the window's repaints again, and the window would show nothing until the key
    was let go. A hold is not extended past repaint_hold.LONGEST."""
    import time

    from cnnviz.gui.appearance import repaint_hold

    window = main_window
    window.show_page(ConvPage)
    qtbot.waitUntil(lambda: not repaint_hold.repaints_held(window))
    zoom, start, released = 1.0, time.monotonic(), False
    while time.monotonic() - start < 4 * repaint_hold.LONGEST and not released:
        zoom = 1.1 if zoom == 1.0 else 1.0
        window.set_look(zoom=zoom)  # the next change comes before the hold has ended
        qtbot.wait(1)
        released = not repaint_hold.repaints_held(window)
    assert released
    window.set_look(zoom=1.0)
