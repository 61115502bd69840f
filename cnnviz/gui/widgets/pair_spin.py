"""PairSpin: an (h, w) pair of spin boxes with a lock that keeps them equal."""

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSpinBox, QToolButton, QWidget


class PairSpin(QWidget):
    """Two spin boxes, height × width; locked (the default) they move together."""

    changed = Signal(tuple)

    def __init__(self, value=(1, 1), minimum=0, maximum=64, name="", parent=None):
        super().__init__(parent)
        self.h, self.w = QSpinBox(), QSpinBox()
        for box, axis in ((self.h, "height"), (self.w, "width")):
            box.setRange(minimum, maximum)
            box.setToolTip(f"{name} in {axis}".strip().capitalize())
            box.setAccessibleName(f"{name} {axis}".strip())
        self.lock = QToolButton()
        self.lock.setCheckable(True)
        self.lock.setChecked(value[0] == value[1])
        self.lock.setText("=")
        self.lock.setToolTip("Keep height and width equal (square)")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.h)
        layout.addWidget(QLabel("×"))
        layout.addWidget(self.w)
        layout.addWidget(self.lock)
        self._quiet = False
        self.set_value(value)
        self.h.valueChanged.connect(lambda v: self._on_box_changed(self.h, v))
        self.w.valueChanged.connect(lambda v: self._on_box_changed(self.w, v))
        self.lock.toggled.connect(self._on_lock_toggled)

    def value(self) -> tuple[int, int]:
        return self.h.value(), self.w.value()

    def set_value(self, value) -> None:
        """Set both boxes without emitting one change per box."""
        h, w = (value, value) if isinstance(value, int) else value
        self._quiet = True
        self.h.setValue(h)
        self.w.setValue(w)
        self._quiet = False
        self.lock.setChecked(h == w)

    def _on_box_changed(self, box: QSpinBox, value: int) -> None:
        if self._quiet:
            return
        if self.lock.isChecked():
            other = self.w if box is self.h else self.h
            self._quiet = True
            other.setValue(value)
            self._quiet = False
        self.changed.emit(self.value())

    def _on_lock_toggled(self, locked: bool) -> None:
        if locked and self.h.value() != self.w.value():
            self.w.setValue(self.h.value())
