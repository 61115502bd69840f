"""CostCalculator: the lecture's "Why 1×1 convolution" slide with every number editable."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QSpinBox, QVBoxLayout

from cnnviz.core.inspect import one_by_one_saving

FIELDS = (
    ("kernel", "Kernel k×k", 5, 1, 11),
    ("size", "Map size (h = w)", 28, 1, 512),
    ("c_in", "Input channels", 192, 1, 4096),
    ("c_out", "Output channels", 32, 1, 4096),
    ("reduced", "1×1 reduces to", 16, 1, 4096),
)


class CostCalculator(QGroupBox):
    """Multiplications of a k×k convolution, straight and after a 1×1 reduction."""

    def __init__(self, parent=None):
        super().__init__("Why 1×1 convolution? (multiplications)", parent)
        form = QFormLayout()
        self.spins: dict[str, QSpinBox] = {}
        for key, label, value, low, high in FIELDS:
            spin = QSpinBox()
            spin.setRange(low, high)
            spin.setValue(value)
            spin.setToolTip(f"{label} ({low}–{high})")
            spin.valueChanged.connect(self.update_result)
            form.addRow(label, spin)
            self.spins[key] = spin
        self.naive, self.reduced, self.ratio = QLabel(), QLabel(), QLabel()
        for label in (self.naive, self.reduced, self.ratio):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.ratio.setStyleSheet("font-weight: bold; font-size: 16px;")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        for label in (self.naive, self.reduced, self.ratio):
            layout.addWidget(label)
        self.update_result()

    def update_result(self) -> None:
        saving = one_by_one_saving(**{key: spin.value() for key, spin in self.spins.items()})
        naive, reduced, ratio = saving.lines()
        self.naive.setText(naive)
        self.reduced.setText(reduced)
        self.ratio.setText(ratio)
