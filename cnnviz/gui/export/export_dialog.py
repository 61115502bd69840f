"""ExportDialog: where, in which format, at which size and frame rate an animation goes."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from cnnviz.core.animation import VIDEO_HINT, parse_size, video_available
from cnnviz.gui.export.stage import LOOK_TEXTS, LOOKS, FrameLook, look_named

FORMAT_TEXTS = {"gif": "Animated GIF", "mp4": "MP4 video", "png": "PNG frames (a folder)"}
SIZES = ("1280x800", "1920x1080", "1024x768")


def with_format(path: str, kind: str) -> str:
    """``path`` renamed for ``kind``: a .gif / .mp4 file, or a folder (no suffix)."""
    p = Path(path)
    base = p.with_suffix("") if p.suffix.lower() in (".gif", ".mp4") else p
    return str(base) + ("" if kind == "png" else f".{kind}")


class ExportDialog(QDialog):
    """Asks for the target, format, size, frame rate, title frame, look and PyTorch line of
    an animation."""

    def __init__(
        self,
        name: str,
        steps: int,
        window_size: tuple[int, int],
        parent=None,
        look: FrameLook = LOOKS["light"],
    ):
        super().__init__(parent)
        self.setWindowTitle("Export animation")
        self.path = QLineEdit(str(Path.home() / f"{name}.gif"))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        where = QHBoxLayout()
        where.addWidget(self.path, 1)
        where.addWidget(browse)
        self.kind = QComboBox()
        for key, text in FORMAT_TEXTS.items():
            self.kind.addItem(text, key)
        self.kind.currentIndexChanged.connect(self._on_kind_changed)
        self.size_box = QComboBox()
        self.size_box.setEditable(True)
        self.size_box.addItem(f"{window_size[0]}x{window_size[1]}")
        self.size_box.setItemText(0, f"{window_size[0]}x{window_size[1]}")
        self.size_box.addItems([s for s in SIZES if s != self.size_box.itemText(0)])
        self.size_box.setToolTip("Width x height in pixels; the first is the window's size")
        self.fps = QDoubleSpinBox()
        self.fps.setRange(0.5, 30)
        self.fps.setValue(2)
        self.fps.setSuffix(" frames a second")
        self.title_frame = QCheckBox("Start with a title frame")
        self.title_frame.setChecked(True)
        self.look = QComboBox()
        for key, text in LOOK_TEXTS.items():
            self.look.addItem(text, key)
        self.look.setCurrentIndex(list(LOOKS).index(look.name))  # the window's, at first
        self.look.setToolTip("The frames' colours and type size (the window keeps its own)")
        self.zoom = look.zoom
        self.code = QCheckBox("Show the PyTorch line")
        self.code.setToolTip("The PyTorch call that gives these numbers, under the grids")
        self.note = QLabel()
        self.note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Save to", where)
        form.addRow("Format", self.kind)
        form.addRow("Size", self.size_box)
        form.addRow("Speed", self.fps)
        form.addRow("Look", self.look)
        form.addRow("", self.title_frame)
        form.addRow("", self.code)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText("Export")
        self.buttons.accepted.connect(self._on_accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"One frame per step: {steps} steps."))
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)

    def choice(self) -> tuple[str, tuple[int, int], float, bool]:
        """(path, size, fps, title frame); ``ValueError`` for a bad size."""
        return (
            self.path.text().strip(),
            parse_size(self.size_box.currentText()),
            self.fps.value(),
            self.title_frame.isChecked(),
        )

    def frame_look(self) -> FrameLook:
        """The look chosen for the frames."""
        chosen = look_named(self.look.currentData())
        return FrameLook(chosen.theme, chosen.presenter, self.zoom)

    def _on_kind_changed(self) -> None:
        kind = self.kind.currentData()
        self.path.setText(with_format(self.path.text(), kind))
        missing = kind == "mp4" and not video_available()
        self.note.setText(VIDEO_HINT if missing else "")
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(not missing)

    def _browse(self) -> None:
        if self.kind.currentData() == "png":
            path = QFileDialog.getExistingDirectory(self, "Folder for the PNG frames")
        else:
            path, _ = QFileDialog.getSaveFileName(self, "Export animation", self.path.text())
        if path:
            self.path.setText(with_format(path, self.kind.currentData()))

    def _on_accept(self) -> None:
        try:
            path, *_ = self.choice()
            if not path:
                raise ValueError("choose where to save the animation")
        except ValueError as exc:
            self.note.setText(f"{str(exc)[0].upper()}{str(exc)[1:]}.")
            return
        self.accept()
