"""The confusion matrix opened: a click on a cell shows its test images with their
probabilities; a click on one opens it on the Draw page with the trained model."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

pytest.importorskip("torch")

from cnnviz.core.training import TrainConfig  # noqa: E402


@pytest.fixture
def trained(main_window, qtbot):
    from cnnviz.gui.pages.train_page import TrainPage

    page = main_window.show_page(TrainPage)
    config = TrainConfig(
        model="simple", epochs=1, limit_train=640, limit_test=300, snapshot_every=0, device="cpu"
    )
    assert page.start(config)
    qtbot.waitUntil(lambda: page.ended, timeout=60000)
    yield page
    page.shutdown()


def cell(page, r, c):
    return int(page.views.confusion.item(r, c).text())


def open_cell(qtbot, page, true, predicted):
    """Click a cell of the matrix and wait for its images: the gallery asks for them once the
    run's snapshot arrives, so it may still show the last answer (settled) for a moment."""
    gallery = page.views.gallery
    asked = gallery.request_id
    page.views.confusion.cellClicked.emit(int(true), int(predicted))
    qtbot.waitUntil(lambda: gallery.request_id > asked and gallery.settled(), timeout=30000)


def test_a_cell_shows_its_test_images_and_their_probabilities(qtbot, trained):
    matrix = np.array([[cell(trained, r, c) for c in range(10)] for r in range(10)])
    off = matrix - np.diag(np.diag(matrix))
    true, predicted = np.unravel_index(off.argmax(), off.shape)  # the most common mistake
    gallery = trained.views.gallery
    open_cell(qtbot, trained, true, predicted)
    result = gallery.result
    assert result["count"] == matrix[true, predicted] == gallery.list.count()
    probs = result["probabilities"]
    assert (probs.argmax(axis=1) == predicted).all()
    assert list(probs[:, predicted]) == sorted(probs[:, predicted], reverse=True)
    labels = trained.engine.test_data.labels.numpy()
    assert (labels[result["indices"]] == true).all()
    first = gallery.list.item(0)
    assert first.text() == f"{100 * probs[0, predicted]:.0f}%"
    assert gallery.title.text().startswith(f"True {true}, taken for {predicted}")


def test_the_diagonal_shows_the_surest_of_a_class(qtbot, trained):
    gallery = trained.views.gallery
    open_cell(qtbot, trained, 1, 1)
    assert gallery.result["count"] == cell(trained, 1, 1)
    assert gallery.list.count() == min(60, cell(trained, 1, 1))
    assert "correctly classified" in gallery.title.text()


def test_a_clicked_image_opens_on_the_draw_page_with_the_trained_model(qtbot, main_window, trained):
    gallery = trained.views.gallery
    best = max(range(10), key=lambda d: cell(trained, d, d))  # the best-learnt digit
    open_cell(qtbot, trained, best, best)
    item = gallery.list.item(2)
    gallery.list.itemClicked.emit(item)
    draw = main_window.current_page()
    assert draw.title == "Draw" and draw.source_box.currentIndex() == 1
    expected = gallery.result["images"][2].astype(np.float32) / 255.0
    np.testing.assert_array_equal(draw.exact_input, expected)
    qtbot.waitUntil(lambda: draw.shown_id == draw.request_id, timeout=10000)
    np.testing.assert_allclose(
        draw.bars.probabilities, gallery.result["probabilities"][2], atol=1e-5
    )


def test_without_a_run_the_gallery_says_to_train_first(main_window):
    from cnnviz.gui.pages.train_page import TrainPage

    page = main_window.show_page(TrainPage)
    page.open_confusion_cell(3, 5)
    assert page.views.gallery.title.text().startswith("No trained model yet")
    assert page.views.gallery.list.count() == 0


def test_the_image_last_opened_can_be_traced(qtbot, main_window, trained):
    from cnnviz.gui.pages.train_page import TrainPage

    gallery = trained.views.gallery
    best = max(range(10), key=lambda d: cell(trained, d, d))  # the best-learnt digit
    open_cell(qtbot, trained, best, best)
    assert not gallery.trace_button.isEnabled() and gallery.list.count() >= 2
    gallery.list.itemClicked.emit(gallery.list.item(1))
    assert gallery.trace_button.isEnabled()
    main_window.show_page(TrainPage)
    qtbot.mouseClick(gallery.trace_button, Qt.LeftButton)
    trace = main_window.current_page()
    assert trace.title == "Trace"
    expected = gallery.result["images"][1].astype(np.float32) / 255.0
    np.testing.assert_array_equal(trace.current_image(), expected)
