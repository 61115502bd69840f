"""ImageInput: the image a page looks at, drawn or taken from the test set (Trace and One step
pages): the canvas, Clear, Random and the test image's number ("your drawing" below 0)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget

from cnnviz.gui.widgets.draw_canvas import DrawCanvas


class ImageInput(QWidget):
    """A drawing canvas and a test image's number. ``image_changed(drawn)``: a stroke or a
    clear (``drawn``: the drawing is the input now); ``test_chosen(index)``: a test image asked
    for (typed, or Random). A test image or a drawing put in by the page emits neither.

    The test set's size comes with its first image (:meth:`put_test_image`): until then Random
    waits and the number box goes only as far as a number put in by the page."""

    image_changed = Signal(bool)
    test_chosen = Signal(int)

    def __init__(self, test_tip: str, random_text: str, random_tip: str, parent=None):
        super().__init__(parent)
        self.test_tip = test_tip
        self.count = 0  # images in the test set (0: not known yet)
        self.canvas = DrawCanvas()
        self.canvas.setMinimumSize(150, 150)
        self.canvas.setMaximumSize(220, 220)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Clear the drawing (Delete)")
        self.random_button = QPushButton(random_text)
        self.random_button.setToolTip(random_tip)
        self.random_button.setEnabled(False)
        self.test_spin = QSpinBox()
        self.test_spin.setRange(-1, 0)
        self.test_spin.setPrefix("test image ")
        self.test_spin.setSpecialValueText("your drawing")  # -1: the canvas is the input
        self.test_spin.setToolTip(test_tip)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        hint = QLabel("Draw here, or pick a test image:")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        layout.addWidget(self.canvas, 0, Qt.AlignHCenter)
        row = QHBoxLayout()
        row.addWidget(self.clear_button)
        row.addWidget(self.random_button)
        layout.addLayout(row)
        layout.addWidget(self.test_spin)
        self.clear_button.clicked.connect(self.canvas.clear)
        self.canvas.changed.connect(self._on_canvas_changed)
        self.test_spin.editingFinished.connect(self._on_test_number)
        self.random_button.clicked.connect(self.choose_random)

    # -- what the student does ----------------------------------------------------------------
    def _on_test_number(self) -> None:
        if self.test_spin.value() >= 0:
            self.test_chosen.emit(self.test_spin.value())

    def choose_random(self) -> None:
        """A test image picked at random (once the test set's size is known)."""
        if self.count:
            self.test_chosen.emit(int(np.random.default_rng().integers(self.count)))

    def _on_canvas_changed(self) -> None:
        drawn = bool(self.canvas.strokes) or self.canvas.background is None
        if drawn:
            self.show_drawing_in_spin()
        self.image_changed.emit(drawn)

    # -- what the page puts in ----------------------------------------------------------------
    def set_test_count(self, count: int) -> None:
        """The test set has ``count`` images: the number box and Random go that far."""
        self.count = int(count)
        self.test_spin.setMaximum(max(self.count - 1, 0))
        self.test_spin.setToolTip(f"{self.test_tip} ({self.count:,} images)")
        self.random_button.setEnabled(self.count > 0)

    def show_test_number(self, index: int) -> None:
        """``index`` in the number box, without asking for it (a lesson's image on its way)."""
        self.test_spin.blockSignals(True)
        self.test_spin.setMaximum(max(self.test_spin.maximum(), index))
        self.test_spin.setValue(index)
        self.test_spin.blockSignals(False)

    def put_test_image(self, index: int, image: np.ndarray, count: int | None = None) -> None:
        """Test image ``index`` (``[C, H, W]`` in [0, 1]) in the canvas, its number in the box;
        ``count``: the test set's size."""
        if count is not None:
            self.set_test_count(count)
        self.show_test_number(index)
        self.canvas.blockSignals(True)
        self.canvas.set_background((image.mean(axis=0) * 255).astype(np.uint8))
        self.canvas.blockSignals(False)

    def show_drawing_in_spin(self) -> None:
        self.test_spin.blockSignals(True)
        self.test_spin.setValue(-1)
        self.test_spin.blockSignals(False)

    def put_drawing(self, canvas: np.ndarray, blank_clears: bool = False) -> None:
        """A drawing made elsewhere (the Draw page's, a lesson's) as the canvas's background;
        a blank one clears the canvas when ``blank_clears``."""
        self.show_drawing_in_spin()
        self.canvas.blockSignals(True)
        if blank_clears and not canvas.any():
            self.canvas.clear()
        else:
            self.canvas.set_background(canvas)
        self.canvas.blockSignals(False)

    def test_number(self) -> int | None:
        """The test image's number, or None for the drawing."""
        value = self.test_spin.value()
        return value if value >= 0 else None
