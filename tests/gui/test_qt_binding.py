"""The Qt binding must keep Python's reference counts right (PySide6 6.12.0 on Python 3.11
does not: each void call drops a reference to None, and the app dies mid-paint)."""

import sys

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QFont, QImage, QPainter


def test_void_painter_calls_keep_none_alive(qapp):
    image = QImage(32, 32, QImage.Format_ARGB32)
    painter = QPainter(image)
    font = QFont()
    before = sys.getrefcount(None)
    for _ in range(500):
        painter.setFont(font)
        painter.setPen(QColor("red"))
        painter.drawRect(QRectF(0, 0, 8, 8))
    after = sys.getrefcount(None)
    painter.end()
    assert after >= before - 50, f"None lost {before - after} references in 1,500 calls"
