"""The dialogs of reading weights trained elsewhere: which file, and whether to unpickle a
whole saved model (see cnnviz.gui.workers.weights_loader)."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QMessageBox


def ask_weights_file(parent, name: str) -> str:
    """A weights file for the opened model ``name`` ("" when cancelled)."""
    path, _ = QFileDialog.getOpenFileName(
        parent,
        f"Weights for {name} (a state_dict or a saved model)",
        "",
        "PyTorch weights (*.pt *.pth *.bin);;All files (*)",
    )
    return path


def ask_before_unpickling(parent, reason: str) -> bool:
    """Ask whether to read a pickled model (which runs code from the file); no, without
    asking, once the window has closed."""
    if not parent.window().isVisible():
        return False
    answer = QMessageBox.warning(
        parent,
        "Read a pickled model?",
        f"{reason}.\n\nRead it only if you trust where it came from: unpickling can run "
        "any code, as running a program does.\n\nRead it anyway?",
        QMessageBox.Yes | QMessageBox.No,
        QMessageBox.No,
    )
    return answer == QMessageBox.Yes
