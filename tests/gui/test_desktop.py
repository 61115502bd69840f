"""Desktop conventions: presenter mode, zoom, settings that survive (or fall back), export,
and a question before an unsaved run is lost."""

import csv

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication


def test_presenter_mode_enlarges_type_everywhere(qtbot, main_window):
    before = QApplication.instance().font().pointSizeF()
    qtbot.keyClick(main_window, Qt.Key_F5)
    assert main_window.presenter and main_window.presenter_action.isChecked()
    assert QApplication.instance().font().pointSizeF() == pytest.approx(before * 1.35)
    assert "font-size: 26px" in QApplication.instance().styleSheet()  # arithmetic, 19 × 1.35
    assert main_window.pages[0].max_cell > 72
    qtbot.keyClick(main_window, Qt.Key_F5)
    assert QApplication.instance().font().pointSizeF() == pytest.approx(before)


def test_presenter_mode_thickens_the_plot_lines(main_window):
    pytest.importorskip("torch")
    train = main_window.show_page(3)
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


def new_window(qtbot):
    from cnnviz.gui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.confirm_discard = lambda: "discard"
    return window


def test_settings_survive_a_restart(qtbot, main_window):
    main_window.resize(1100, 700)
    main_window.show_page(1)
    main_window.set_look(zoom=1.3, presenter=True)
    main_window.close()
    again = new_window(qtbot)
    assert again.zoom == pytest.approx(1.3) and again.presenter
    assert again.lessons.currentRow() == 1
    again.set_look(zoom=1.0, presenter=False)
    again.close()


def test_train_settings_survive_a_restart(qtbot, main_window):
    pytest.importorskip("torch")
    train = main_window.show_page(3)
    train.lr.setValue(0.05)
    train.optimizer.setCurrentText("adam")
    main_window.close()
    again = new_window(qtbot)
    train2 = again.show_page(3)
    assert train2.lr.value() == pytest.approx(0.05) and train2.optimizer.currentText() == "adam"
    again.close()


def test_corrupt_settings_fall_back_to_defaults(qtbot, private_settings):
    ini = private_settings / "cnnviz" / "cnnviz.ini"
    ini.parent.mkdir(parents=True, exist_ok=True)
    ini.write_bytes(b"[view]\nzoom=banana\npresenter=maybe\n[window]\npage=99\ngeometry=@@@\n"
                    b"\x00\xff garbage")
    window = new_window(qtbot)
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

    train = main_window.show_page(3)
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

    train = main_window.show_page(3)
    train.start(TrainConfig(epochs=50, limit_train=640, limit_test=64, device="cpu"))
    qtbot.waitUntil(lambda: len(train.losses) > 0, timeout=30000)
    asked = []
    main_window.confirm_discard = lambda: asked.append(1) or "cancel"
    main_window.close()
    assert asked and main_window.isVisible() and train.is_running()
    main_window.confirm_discard = lambda: "discard"
    main_window.close()
    assert not main_window.isVisible() and not train.run.thread.isRunning()


def test_quitting_with_an_unsaved_run_asks_first(qtbot, main_window, tmp_path):
    pytest.importorskip("torch")
    from cnnviz.core.training import TrainConfig

    train = main_window.show_page(3)
    train.start(TrainConfig(epochs=1, limit_train=128, limit_test=64, device="cpu"))
    qtbot.waitUntil(lambda: train.ended, timeout=60000)
    assert train.unsaved
    asked = []
    main_window.confirm_discard = lambda: asked.append(1) or "cancel"
    main_window.close()
    assert asked and main_window.isVisible()  # cancelled: nothing lost
    assert train.save_checkpoint(tmp_path / "run.pt") and not train.unsaved
    main_window.confirm_discard = lambda: asked.append(2) or "cancel"
    main_window.close()
    assert asked == [1] and not main_window.isVisible()  # saved: no question
