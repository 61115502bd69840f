"""File → Open model… on a lecture-style script: read as a model (never run as a program), in
the background with a time limit and Cancel, writing nothing; then trained on the Train page
(with the script's settings on offer, from weights trained elsewhere) and drawn with."""

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

torch = pytest.importorskip("torch")

from gui_helpers import drag  # noqa: E402

from cnnviz.core.training import TrainConfig  # noqa: E402
from cnnviz.gui.workers.compute_service import ComputeClient  # noqa: E402
from cnnviz.models import (  # noqa: E402
    available,
    load_model_file,
    register_user_model,
    unregister,
)

FILES = Path(__file__).resolve().parents[1] / "core" / "model_files"
LECTURE = FILES / "lecture_cnn_script.py"
NAME = "lecture_cnn_script.Net"


@pytest.fixture
def empty_cwd(tmp_path, monkeypatch):
    folder = tmp_path / "cwd"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture
def arch(main_window, qtbot):
    from cnnviz.gui.pages.architecture_page import ArchitecturePage

    page = main_window.show_page(ArchitecturePage)
    qtbot.waitUntil(lambda: not page.busy, timeout=30000)
    yield page
    for name in available():
        if name.startswith(("lecture_", "hangs_on_import")):
            unregister(name)


@pytest.fixture
def opened():
    """The lecture look-alike opened (in this process) and registered, as the page does."""
    name = register_user_model(load_model_file(LECTURE))
    yield name
    unregister(name)


def wait_opened(qtbot, page):
    qtbot.waitUntil(lambda: not (page.opening or page.busy), timeout=60000)


def test_the_lecture_script_opens_as_a_model_and_nothing_is_written(qtbot, arch, empty_cwd):
    arch.open_model_file(LECTURE)
    assert arch.cancel_open_button.isVisibleTo(arch)
    qtbot.waitUntil(lambda: "importing" in arch.busy_label.text(), timeout=60000)
    wait_opened(qtbot, arch)
    assert arch.model_box.currentText() == NAME and not arch.message.isVisible()
    assert "8,490 parameters" in arch.totals.text()
    text = arch.description.text()
    assert (
        "Not run: lines 15–30: data loading; line 51: model instance; line 53: optimizer; "
        "lines 84–86: training loop." in text
    )
    assert "Warning (shown once, not raised): line 48: UserWarning: Implicit dimension" in text
    assert "The script trains with SGD, lr 0.01, momentum 0.5, batch 64, 9 epochs." in text
    assert not arch.cancel_open_button.isVisibleTo(arch)
    assert list(empty_cwd.iterdir()) == []


def test_the_toy_inception_script_opens_with_its_97298_parameters(qtbot, arch, empty_cwd):
    arch.open_model_file(FILES / "lecture_inception_script.py")
    wait_opened(qtbot, arch)
    assert arch.model_box.currentText() == "lecture_inception_script.Net"
    assert "97,298 parameters" in arch.totals.text()
    assert arch.table.row("incept1.branch5x5_2").output_shape == (24, 12, 12)


def test_a_hanging_import_is_stopped_at_the_time_limit(qtbot, arch):
    table = arch.table
    arch.opener.time_limit_s = 2.0
    arch.open_model_file(FILES / "hangs_on_import.py")
    qtbot.waitUntil(lambda: "importing slow_import_helper" in arch.busy_label.text(), timeout=60000)
    arch.select_model("inception")  # the window answers meanwhile
    wait_opened(qtbot, arch)
    assert arch.message.text() == (
        "Stopped after 2 s while importing slow_import_helper (line 2): opening a model may "
        "take 2 s at most. Nothing of the file was kept. The previous model stays."
    )
    assert arch.model_box.currentText() == "inception" and arch.table is not table
    assert "hangs_on_import.Net" not in available()


def test_cancel_stops_opening_and_says_what_it_was_doing(qtbot, arch):
    table = arch.table
    arch.open_model_file(FILES / "hangs_on_import.py")
    qtbot.waitUntil(lambda: "importing slow_import_helper" in arch.busy_label.text(), timeout=60000)
    arch.cancel_open_button.click()
    assert not arch.opening and not arch.cancel_open_button.isVisibleTo(arch)
    message = arch.message.text()
    assert message.startswith("Cancelled after ")
    assert message.endswith(
        " while importing slow_import_helper (line 2). The previous model stays."
    )
    assert arch.table is table and arch.model_box.currentText() == "simple"


def test_a_name_from_a_skipped_line_is_named(qtbot, arch, empty_cwd):
    arch.open_model_file(FILES / "needs_skipped_name.py")
    wait_opened(qtbot, arch)
    assert "needs_skipped_name.py, line 11: Net() failed" in arch.message.text()
    assert "'num_classes' is set on line 5 (data loading)" in arch.message.text()
    assert list(empty_cwd.iterdir()) == []


def test_the_open_dialog_says_what_is_and_is_not_run(qtbot, arch):
    seen = []

    def answer():
        box = QApplication.activeModalWidget()
        seen.append(box.text())
        box.reject()

    QTimer.singleShot(0, answer)
    arch.open_model_dialog()
    text = seen[0]
    assert "read as a model, not run as a program" in text
    assert "Run: its imports" in text and "simple constant assignments" in text
    assert "(its __init__)" in text and "(its forward)" in text
    assert "Not run: every other statement at the top of the file: data loading" in text
    assert 'if __name__ == "__main__": block' in text
    assert "stops after 60 s or when you press Cancel" in text
    assert not arch.opening


# -- the Train page -----------------------------------------------------------------------------
@pytest.fixture
def train(main_window, opened):
    from cnnviz.gui.pages.train_page import TrainPage

    page = main_window.show_page(TrainPage)
    yield page
    page.shutdown()


def test_the_train_page_offers_the_scripts_settings(train):
    form = train.form
    assert form.model_box.findText(NAME) >= 0  # opened after the page was made
    form.model_box.setCurrentText("simple")
    assert not form.offer.isVisibleTo(form)
    form.model_box.setCurrentText(NAME)
    assert form.offer.isVisibleTo(form)
    assert form.offer.label.text() == (
        "Use the script's settings: SGD, lr 0.01, momentum 0.5, batch 64, 9 epochs"
    )
    form.optimizer.setCurrentText("adam")
    form.lr.setValue(0.1)
    form.batch.setValue(32)
    form.epochs.setValue(2)
    form.offer.use_button.click()
    config = train.config()
    assert (config.optimizer, config.lr, config.momentum) == ("sgd", 0.01, 0.5)
    assert (config.batch_size, config.epochs, config.model) == (64, 9, NAME)


def test_the_lecture_script_trains_with_the_warning_once_in_the_log(qtbot, train):
    config = TrainConfig(
        model=NAME, epochs=1, limit_train=640, limit_test=200, device="cpu", snapshot_every=2
    )
    assert train.start(config)
    qtbot.waitUntil(lambda: train.ended, timeout=60000)
    log = train.views.log.toPlainText()
    assert train.engine.failure is None, train.engine.failure
    assert "Test set: Average loss:" in log
    assert log.count("Implicit dimension choice for log_softmax") == 1
    assert "Warning from lecture_cnn_script.py, line 48: UserWarning" in log


def test_training_starts_from_weights_trained_elsewhere(qtbot, train, tmp_path):
    trained = load_model_file(LECTURE).build()
    torch.save(trained.state_dict(), tmp_path / "mnist_cnn.pt")
    train.form.model_box.setCurrentText(NAME)
    assert train.load_weights_file(tmp_path / "mnist_cnn.pt")
    qtbot.waitUntil(lambda: train.checkpoint is not None, timeout=30000)
    assert torch.equal(train.checkpoint["model_state"]["fc.weight"], trained.fc.weight)
    assert "Start trains from them" in train.progress_label.text()
    config = TrainConfig(
        model=NAME, epochs=1, limit_train=64, limit_test=64, device="cpu", lr=1e-9, momentum=0
    )
    assert train.start(config)
    qtbot.waitUntil(lambda: train.ended, timeout=60000)
    assert torch.allclose(train.engine.model.fc.weight.cpu(), trained.fc.weight, atol=1e-6)


def test_weights_that_do_not_fit_change_nothing(qtbot, train, tmp_path):
    inception = load_model_file(FILES / "lecture_inception_script.py").build()
    torch.save(inception.state_dict(), tmp_path / "inception.pt")
    train.form.model_box.setCurrentText(NAME)
    assert train.load_weights_file(tmp_path / "inception.pt")
    qtbot.waitUntil(lambda: train.message.isVisible(), timeout=30000)
    assert train.message.text() == (
        "Cannot start from these weights: the weights do not fit Net: layer conv2: "
        "conv2.weight is 20×10×5×5 in Net but 20×88×5×5 in the file."
    )
    assert train.checkpoint is None
    train.form.model_box.setCurrentText("simple")
    assert not train.load_weights_file(tmp_path / "inception.pt")
    assert "choose it in Model first" in train.message.text()


# -- the Draw page ------------------------------------------------------------------------------
@pytest.fixture
def draw(main_window, qtbot, opened):
    from cnnviz.gui.pages.draw_page import DrawPage

    page = main_window.show_page(DrawPage)
    qtbot.waitExposed(page)
    qtbot.waitUntil(page.settled, timeout=10000)  # its model built and described
    return page


def test_the_draw_page_uses_weights_trained_elsewhere(qtbot, draw, tmp_path):
    trained = load_model_file(LECTURE).build()
    torch.save(trained.state_dict(), tmp_path / "mnist_cnn.pt")
    draw.use_weights(NAME, tmp_path / "mnist_cnn.pt")
    qtbot.waitUntil(lambda: "with the weights of" in draw.model_label.text(), timeout=30000)
    probe = ComputeClient(draw.context.compute, "probe")  # the model lives in the service
    with qtbot.waitSignal(probe.result, timeout=10000) as answer:
        probe.submit(draw.source, lambda model, _info: {"w": model.conv1.weight.detach().clone()})
    assert torch.equal(answer.args[0]["w"], trained.conv1.weight)
    assert draw.source_box.currentIndex() == 3
    assert "8,490 parameters" in draw.model_label.text()
    assert (draw.info.mean, draw.info.std) == (0.0, 1.0)  # the script's ToTensor only
    drag(draw.canvas, [(0.5, 0.15), (0.5, 0.85)])
    qtbot.waitUntil(lambda: draw.shown_id == draw.request_id, timeout=10000)
    assert not draw.message.isVisible()
    assert np.isclose(draw.bars.probabilities.sum(), 1.0, atol=1e-4)


def test_a_pickled_model_is_read_only_after_asking(qtbot, draw, tmp_path):
    model = draw.source
    torch.save({"optimizer": torch.optim.SGD}, tmp_path / "pickled.pt")
    asked = []
    draw.weights.ask = lambda _parent, reason: asked.append(reason) or False
    draw.use_weights(NAME, tmp_path / "pickled.pt")
    qtbot.waitUntil(lambda: draw.message.isVisible(), timeout=30000)
    assert "it holds a pickled torch.optim.sgd.SGD object" in asked[0]
    assert draw.message.text() == (
        "Cannot use these weights: pickled.pt was not read. The previous model stays."
    )
    assert draw.source is model


def test_mismatched_weights_keep_the_previous_model(qtbot, draw, tmp_path):
    model = draw.source
    inception = load_model_file(FILES / "lecture_inception_script.py").build()
    torch.save(inception.state_dict(), tmp_path / "inception.pt")
    draw.use_weights(NAME, tmp_path / "inception.pt")
    qtbot.waitUntil(lambda: draw.message.isVisible(), timeout=30000)
    assert "layer conv2: conv2.weight is 20×10×5×5 in Net but 20×88×5×5" in draw.message.text()
    assert draw.source is model and draw.source_box.currentIndex() == 0


def test_weights_need_an_opened_model_first(draw):
    unregister(NAME)
    draw.source_box.setCurrentIndex(3)
    draw._on_source_chosen(3)
    assert "Open a model file first" in draw.message.text()
    assert draw.source_box.currentIndex() == 0


# -- the Trace page -----------------------------------------------------------------------------
@pytest.fixture
def trace(main_window, qtbot, opened):
    from cnnviz.gui.pages.trace_page import TracePage

    page = main_window.show_page(TracePage)
    qtbot.waitExposed(page)
    qtbot.waitUntil(page.traced, timeout=20000)
    return page


def test_the_trace_page_traces_the_opened_model_with_weights(qtbot, trace, tmp_path):
    trained = load_model_file(LECTURE).build()
    torch.save(trained.state_dict(), tmp_path / "mnist_cnn.pt")
    trace.use_weights(NAME, tmp_path / "mnist_cnn.pt")
    qtbot.waitUntil(lambda: trace.source_index == 3, timeout=30000)
    qtbot.waitUntil(
        lambda: trace.traced() and "Net, 8,490" in trace.model_label.text(),
        timeout=30000,
    )
    assert not trace.message.isVisible(), trace.message.text()
    labels = [n.label for n in trace.trace.nodes]
    assert labels[:2] == ["input", "conv1"] and "log_softmax" in labels
    assert trace.prediction.text().startswith("It is ")


def test_the_trace_page_keeps_its_model_when_the_weights_do_not_fit(qtbot, trace, tmp_path):
    description = trace.controller.description
    inception = load_model_file(FILES / "lecture_inception_script.py").build()
    torch.save(inception.state_dict(), tmp_path / "inception.pt")
    trace.use_weights(NAME, tmp_path / "inception.pt")
    qtbot.waitUntil(lambda: trace.message.isVisible(), timeout=30000)
    assert "layer conv2: conv2.weight is 20×10×5×5 in Net" in trace.message.text()
    assert trace.controller.description == description and trace.source_index == 0
