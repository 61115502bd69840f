"""Figures for notes and slides: a page's diagram, plot or feature-map grid as SVG (vectors,
QSvgGenerator) or PNG (twice the screen's pixels), or on the clipboard as an image.

A graphics view (the block diagram, a pyqtgraph plot) is drawn from its scene: the whole
diagram, not only the part scrolled into view. Any other widget is drawn as shown.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter
from PySide6.QtWidgets import QGraphicsView, QWidget

from cnnviz.core.files import atomic_path
from cnnviz.gui.appearance.repaint_hold import release_repaints

PNG_SCALE = 2  # slides are projected large: twice the pixels the screen shows
PAPER = QColor("white")  # figures sit on white, like figures on a slide


def figure_size(widget: QWidget) -> QSize:
    """The figure's natural size in pixels (a diagram's whole scene)."""
    if isinstance(widget, QGraphicsView) and widget.scene() is not None:
        return widget.sceneRect().size().toSize().expandedTo(QSize(16, 16))
    return widget.size().expandedTo(QSize(16, 16))


def paint_figure(widget: QWidget, painter: QPainter, size: QSize) -> None:
    """Draw the figure into ``painter``, filling ``size``."""
    release_repaints(widget)
    painter.setRenderHint(QPainter.Antialiasing)
    painter.setRenderHint(QPainter.TextAntialiasing)
    if isinstance(widget, QGraphicsView) and widget.scene() is not None:
        target = QRectF(0, 0, size.width(), size.height())
        widget.scene().render(painter, target, widget.sceneRect(), Qt.KeepAspectRatio)
    else:
        natural = figure_size(widget)
        painter.scale(size.width() / natural.width(), size.height() / natural.height())
        widget.render(painter, QPoint())


def figure_image(widget: QWidget, scale: float = PNG_SCALE) -> QImage:
    """The figure as an image, ``scale`` times its natural size, on white."""
    size = figure_size(widget) * scale
    image = QImage(size, QImage.Format_ARGB32_Premultiplied)
    image.fill(PAPER)
    painter = QPainter(image)
    try:
        paint_figure(widget, painter, size)
    finally:
        painter.end()  # a painter left active on a device crashes when it is collected
    return image


def save_figure(widget: QWidget, path, title: str = "cnnviz figure") -> None:
    """Write the figure as .svg or .png (atomically); ``ValueError`` for another suffix,
    ``OSError`` when it cannot be written."""
    path = Path(path)
    kind = path.suffix.lower()
    if kind not in (".svg", ".png"):
        raise ValueError(f"cannot save a figure as {kind or 'a file without a suffix'}: "
                         "use .svg or .png")  # fmt: skip
    with atomic_path(path, suffix=kind) as tmp:
        if kind == ".png":
            if not figure_image(widget).save(str(tmp), "PNG"):
                raise OSError(f"could not write {path.name}")
            return
        from PySide6.QtSvg import QSvgGenerator

        size = figure_size(widget)
        generator = QSvgGenerator()
        generator.setFileName(str(tmp))
        generator.setSize(size)
        generator.setViewBox(QRectF(0, 0, size.width(), size.height()))
        generator.setTitle(title)
        generator.setDescription("Made with cnnviz")
        painter = QPainter(generator)
        try:
            painter.fillRect(QRectF(0, 0, size.width(), size.height()), PAPER)
            paint_figure(widget, painter, size)
        finally:
            painter.end()


def copy_figure(widget: QWidget) -> QImage:
    """Put the figure on the clipboard as an image; returns it."""
    image = figure_image(widget)
    QGuiApplication.clipboard().setImage(image)
    return image
