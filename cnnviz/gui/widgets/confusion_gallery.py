"""ConfusionGallery: the test images behind one cell of the confusion matrix (true X,
predicted Y), the surest first, each with its probability; a click opens one on the Draw
page. Found on the compute service (in slices) with a snapshot of the trained model: its
:class:`~cnnviz.core.model_source.ModelSource`, never the module."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

from cnnviz.gui.widgets.task_panel import ModelTaskPanel
from cnnviz.gui.workers.attribution_jobs import confusion_cell

THUMB = 56  # pixels of a thumbnail's side


def thumbnail(image: np.ndarray) -> QPixmap:
    """A uint8 ``[C, H, W]`` image as a THUMB×THUMB grey pixmap, pixels kept sharp."""
    grey = np.ascontiguousarray(image.mean(axis=0).astype(np.uint8))
    h, w = grey.shape
    picture = QImage(grey.data, w, h, w, QImage.Format_Grayscale8).copy()
    return QPixmap.fromImage(picture).scaled(THUMB, THUMB, Qt.KeepAspectRatio)


class ConfusionGallery(ModelTaskPanel):
    """Title, the thumbnails (icon view) and a caption; ``open_image(image, label, snapshot)``
    when one is clicked. Its page lends it the window's compute service (``use_service``)."""

    open_image = Signal(object, int, object)  # uint8 [C, H, W], its label, a ModelSource
    trace_image = Signal(object, int, object)  # the same, for the Trace page

    def __init__(self, parent=None):
        super().__init__("confusion", parent)
        # the caption (what ``_say`` writes) is the gallery's title
        self.title = self.caption = QLabel("Click a cell of the matrix to see its test images")
        self.title.setWordWrap(True)
        self.list = QListWidget()
        self.list.setViewMode(QListWidget.IconMode)
        self.list.setIconSize(QSize(THUMB, THUMB))
        self.list.setResizeMode(QListWidget.Adjust)
        self.list.setMovement(QListWidget.Static)
        self.list.setSpacing(4)
        self.list.setToolTip("Click an image to open it on the Draw page")
        self.list.setMinimumHeight(THUMB + 30)
        self.list.itemClicked.connect(self._on_clicked)
        self.trace_button = QPushButton("Trace the last one opened")
        self.trace_button.setToolTip("Open the image last clicked on the Trace page")
        self.trace_button.setEnabled(False)
        self.trace_button.clicked.connect(self._on_trace)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.trace_button)
        self.chosen: tuple | None = None  # (image, label, snapshot) last opened
        self.snapshot = None
        self.class_names: tuple[str, ...] = ()

    def show_cell(self, true: int, predicted: int, snapshot, test_data, class_names) -> None:
        """Find the images of cell (``true``, ``predicted``) with ``snapshot`` (the run's
        :class:`~cnnviz.core.model_source.ModelSource`) on ``test_data`` (the run's test set)."""
        self.request_id += 1
        self.class_names = tuple(class_names)
        self.list.clear()
        self.result = None
        self.chosen = None
        self.trace_button.setEnabled(False)
        if snapshot is None or test_data is None:
            self.shown_id = self.request_id
            self._say("No trained model yet: start a run first.", error=True)
            return
        self.snapshot = snapshot
        self._say(f"Finding the {self._name(true)}s taken for {self._name(predicted)}s…")
        self.submit(confusion_cell, test_data, true, predicted, source=snapshot)

    def show_result(self, result: dict) -> None:
        if "error" in result:
            self._say(f"Cannot show these images: {result['error']}", error=True)
            return
        self.result = result
        true, predicted = result["true"], result["predicted"]
        for i, (image, probs) in enumerate(zip(result["images"], result["probabilities"])):
            item = QListWidgetItem(QIcon(thumbnail(image)), f"{100 * probs[predicted]:.0f}%")
            item.setData(Qt.UserRole, i)
            item.setToolTip(
                f"Test image {result['indices'][i]}: {100 * probs[predicted]:.1f}% "
                f"{self._name(predicted)}, {100 * probs[true]:.1f}% {self._name(true)}"
            )
            self.list.addItem(item)
        shown = len(result["images"])
        what = "correctly classified" if true == predicted else f"taken for {self._name(predicted)}"
        more = f" (the {shown} surest shown)" if result["count"] > shown else ""
        self._say(
            f"True {self._name(true)}, {what}: {result['count']} test images{more}; under "
            f"each, its probability of {self._name(predicted)} (the model now). Click one to "
            "open it on the Draw page."
        )

    def _on_clicked(self, item: QListWidgetItem) -> None:
        if self.result is None:
            return
        i = int(item.data(Qt.UserRole))
        self.chosen = (self.result["images"][i], int(self.result["true"]), self.snapshot)
        self.trace_button.setEnabled(True)
        self.open_image.emit(*self.chosen)

    def _on_trace(self) -> None:
        if self.chosen is not None:
            self.trace_image.emit(*self.chosen)

    def _name(self, index: int) -> str:
        names = self.class_names
        return names[index] if 0 <= index < len(names) else str(index)
