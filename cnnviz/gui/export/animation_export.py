"""Exporting a step-through as an animation: the page's own widgets, drawn offscreen.

The export builds a copy of the page (same class, restored from the lesson's state), never
shown on screen. A page with a stage (the grid lessons: see :mod:`cnnviz.gui.export.stage`)
lends its grids and written arithmetic to a frame of exactly the export's size, in the look
asked for; any other page is laid out whole at the frame's size. It is rendered one step per
slice of the GUI thread's event loop: widgets can only be painted on the GUI thread, and one
frame (render + quantize or encode) takes a fraction of a second, so the window answers
between two frames. A worker process would instead have to start Python and Qt again and
rebuild the page (seconds before the first frame). The copy means the lecturer's own page is
never touched: they may go on working, even on the same page, while the export runs.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, QThread, QTimer, Signal
from PySide6.QtGui import QFont, QImage, QPainter, QPalette
from PySide6.QtWidgets import QApplication

from cnnviz.core.animation import open_writer
from cnnviz.core.lesson import Lesson
from cnnviz.gui.appearance.repaint_hold import release_repaints
from cnnviz.gui.export.stage import LOOKS, FrameLook, Stage, frame_palette

READY_SECONDS = 60.0  # a page restoring in its workers (a model to load) gets this long
_retiring: list = []  # page copies done with, deleted once their workers have stopped
_sweep_due = [False]  # a sweep of them is scheduled
NOT_READY = "the lesson's page did not finish loading its model and input in time"


def image_to_rgb(image: QImage) -> np.ndarray:
    """A QImage as an ``[H, W, 3]`` uint8 array (a copy)."""
    image = image.convertToFormat(QImage.Format_RGB888)
    w, h = image.width(), image.height()
    rows = np.frombuffer(image.constBits(), np.uint8, image.bytesPerLine() * h)
    return rows.reshape(h, image.bytesPerLine())[:, : w * 3].reshape(h, w, 3).copy()


def settle(widget) -> None:
    """Lay the widget out now, as the event loop would before painting: grids refit to their
    room, labels whose text changed take their new height (twice: a refit asks again)."""
    for _ in range(2):
        QApplication.sendPostedEvents(None, QEvent.LayoutRequest)
        widget.layout().activate()


def laid_out_size(size: tuple[int, int], least) -> tuple[int, int]:
    """The size to lay a page out at for frames of ``size``: ``size`` itself, or — when the
    page cannot be that small (``least``, a QSize) — the same shape scaled up until the page
    fits, so that a small frame shows the whole page shrunk rather than a corner of it."""
    w, h = size
    scale = max(1.0, least.width() / w, least.height() / h)
    return (w, h) if scale == 1.0 else (math.ceil(w * scale), math.ceil(h * scale))


def title_image(size: tuple[int, int], title: str, subtitle: str, palette: QPalette) -> QImage:
    """The title frame: the lesson's title and a line under it, in the app's colours."""
    w, h = size
    image = QImage(w, h, QImage.Format_RGB888)
    image.fill(palette.color(QPalette.Window))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.TextAntialiasing)
    painter.setPen(palette.color(QPalette.WindowText))
    for text, scale, top, bottom in ((title, 0.06, 0.2, 0.62), (subtitle, 0.032, 0.64, 0.85)):
        font = QFont(QApplication.font())
        font.setPixelSize(max(10, int(h * scale)))
        font.setBold(scale > 0.05)
        painter.setFont(font)
        box = QRect(int(w * 0.08), int(h * top), int(w * 0.84), int(h * (bottom - top)))
        flags = Qt.AlignHCenter | (Qt.AlignBottom if scale > 0.05 else Qt.AlignTop)
        painter.drawText(box, flags | Qt.TextWordWrap, text)
    painter.end()
    return image


class AnimationExport(QObject):
    """One export: ``start()`` renders in slices (signals report progress), ``run()`` renders
    at once (the command line); ``cancel()`` stops and removes what was written."""

    progressed = Signal(int, int)  # frames done, frames in all
    finished = Signal(str)  # the path written
    failed = Signal(str)  # why it stopped (also "Cancelled.")

    def __init__(
        self,
        page_class,
        lesson: Lesson,
        path,
        size,
        fps: float = 2.0,
        title_frame: bool = True,
        look: FrameLook = LOOKS["light"],
        parent=None,
        context=None,
        code: bool = False,
    ):
        super().__init__(parent)
        self.page_class, self.lesson, self.path = page_class, lesson, Path(path)
        self.context = context  # the window's (a Trace lesson on the training run needs it)
        self.size, self.fps, self.title_frame, self.look = tuple(size), fps, title_frame, look
        self.code = code  # frames show the PyTorch line too
        self.layout_size = self.size  # larger when the page cannot be laid out that small
        self.page = None
        self.stage: Stage | None = None  # the frame, for a page with a stage
        self.writer = None
        self.frames: list = []  # "title" or a step index, in order
        self.done = 0
        self.closer = None  # the thread writing the file once every frame is in
        self.cancelled = False
        self.timer = QTimer(self)
        self.timer.setInterval(0)
        self.timer.timeout.connect(self._slice)
        self.waiter = QTimer(self)  # polls a page that restores in its workers
        self.waiter.setInterval(20)
        self.waiter.timeout.connect(self._when_ready)
        self.deadline = 0.0

    @property
    def total(self) -> int:
        return len(self.frames)

    @property
    def running(self) -> bool:
        return self.timer.isActive() or self.waiter.isActive() or self.closer is not None

    def prepare(self) -> None:
        """Build the offscreen page and open the writer (``ValueError`` / ``MissingExtra``
        when the lesson or the target cannot be used; nothing is left behind then). A page
        that restores in its workers (the Trace page loads a model) is waited for here, the
        events of its workers processed meanwhile."""
        self.begin()
        deadline = time.monotonic() + READY_SECONDS
        while self.page.restoring():
            if time.monotonic() > deadline:
                self._dispose()
                raise ValueError(NOT_READY)
            QApplication.processEvents()
            QThread.msleep(10)
        self.open()

    def begin(self) -> None:
        """Build the offscreen page in the lesson's state."""
        page = self.page_class()
        self.page = page
        try:
            if self.context is not None:
                page.attach(self.context)
            page.restore_lesson(self.lesson.state)
            page.apply_look(self.look.zoom, self.look.presenter)
        except Exception:
            self._dispose()
            raise

    def open(self) -> None:
        """Lay the stage (or the page) out at the frame's size and open the writer."""
        page = self.page
        try:
            count = page.step_count()
            if count < 1:
                raise ValueError(f"the {page.title} page has no steps to animate")
            self.lay_out()
            frames = (["title"] if self.title_frame else []) + list(range(count))
            self.writer = open_writer(self.path, self.fps, len(frames))
        except Exception:
            self._dispose()
            raise
        self.frames = frames
        self.done = 0

    def lay_out(self) -> None:
        """Build the frame: the page's stage at exactly the frame's size, its labels as tall
        as their longest text over the steps; or, for a page without a stage, the page."""
        page = self.page
        parts = page.stage_parts(self.code)
        if parts is None:
            self._lay_out_page(page)
            return
        self.stage = Stage(parts, self.size, self.look)
        self.stage.hold_text_heights(page.step_count(), page.go_to_step)

    def _lay_out_page(self, page) -> None:
        """A page without a stage: laid out whole at the frame's size (or larger, shrunk)."""
        page.setAttribute(Qt.WA_DontShowOnScreen)
        page.setPalette(frame_palette(self.look))
        least = page.minimumSizeHint().expandedTo(page.minimumSize())
        self.layout_size = laid_out_size(self.size, least)
        page.resize(*self.layout_size)
        page.show()
        settle(page)

    def palette(self) -> QPalette:
        """The frames' palette (the title frame's colours)."""
        return (self.stage or self.page).palette()

    def start(self) -> None:
        """Render in slices of the event loop (once a page restoring in its workers is
        ready); ``failed`` if it cannot even begin."""
        try:
            self.begin()
        except (ValueError, OSError, RuntimeError) as exc:
            self.failed.emit(str(exc))
            return
        self.deadline = time.monotonic() + READY_SECONDS
        self.waiter.start()
        self._when_ready()

    def _when_ready(self) -> None:
        if self.page is None:
            self.waiter.stop()
            return
        if self.page.restoring():
            if time.monotonic() > self.deadline:
                self.waiter.stop()
                self._dispose()
                self.failed.emit(NOT_READY)
            return
        self.waiter.stop()
        try:
            self.open()
        except (ValueError, OSError, RuntimeError) as exc:
            self.failed.emit(str(exc))
            return
        self.progressed.emit(0, self.total)
        self.timer.start()

    def run(self, report=None) -> Path:
        """Render every frame now (no event loop needed); ``report(done, total)`` after each."""
        self.prepare()
        try:
            while self.done < self.total:
                self.render_next()
                if report:
                    report(self.done, self.total)
            return self._finish()
        except BaseException:
            self._abort()
            raise
        finally:
            wait_for_retired()  # no event loop follows: the page copy's workers end here

    def cancel(self) -> None:
        """Stop; what was written is removed (once the file being written is finished)."""
        if self.waiter.isActive():  # the page is still loading: nothing written yet
            self.waiter.stop()
            self._dispose()
            self.failed.emit("Cancelled.")
        elif self.closer is not None:
            self.cancelled = True  # _on_closed removes the file
        elif self.writer is not None:
            self._abort()
            self.failed.emit("Cancelled.")

    def render_next(self) -> None:
        """Render and write the next frame."""
        frame = self.frames[self.done]
        if frame == "title":
            image = title_image(
                self.size,
                self.lesson.title or self.page.lesson_title(),
                f"cnnviz · {self.page.title} · {self.page.step_count()} steps",
                self.palette(),
            )
        else:
            self.page.go_to_step(frame)
            image = self.grab()
        self.writer.add(image_to_rgb(image))
        self.done += 1

    def grab(self) -> QImage:
        """The frame drawn at the frame's size, one image pixel per pixel whatever the
        screen's scale."""
        if self.stage is not None:
            self.stage.settle()
            release_repaints(self.stage)
            image = QImage(*self.size, QImage.Format_RGB888)
            image.fill(self.stage.palette().color(QPalette.Window))
            painter = QPainter(image)
            self.stage.render(painter, QPoint())
            painter.end()
            return image
        settle(self.page)
        release_repaints(self.page)
        widget = self.page.frame_widget()
        size = self.layout_size
        image = QImage(*size, QImage.Format_RGB888)
        image.fill(self.page.palette().color(QPalette.Window))
        painter = QPainter(image)
        w, h = widget.width(), widget.height()
        offset = QPoint(max(0, (size[0] - w) // 2), max(0, (size[1] - h) // 2))
        widget.render(painter, offset)
        painter.end()
        if size != self.size:  # laid out larger than asked (the page's least size): shrink
            image = image.scaled(*self.size, Qt.IgnoreAspectRatio, Qt.SmoothTransformation)
            image = image.convertToFormat(QImage.Format_RGB888)
        return image

    def _slice(self) -> None:
        try:
            self.render_next()
            self.progressed.emit(self.done, self.total)
        except Exception as exc:  # a full disk, a vanished folder: say so, leave nothing
            self._abort()
            self.failed.emit(f"The export stopped: {exc}")
            return
        if self.done == self.total:
            self._close_in_worker()

    def _close_in_worker(self) -> None:
        """Assembling a GIF of many large frames takes up to a second: a worker thread does
        it (the frames are plain images by now), the window keeps answering."""
        from cnnviz.gui.workers.task_worker import TaskThread

        self.timer.stop()
        self._dispose()
        self.closer = TaskThread("animation-export")
        self.closer.worker.done.connect(self._on_closed)
        self.closer.worker.failed.connect(self._on_closed)
        self.closer.worker.submit(0, self.writer.close)

    def _on_closed(self, _request: int, result) -> None:
        self.closer.shutdown()
        self.closer.deleteLater()
        self.closer = None
        written = isinstance(result, Path)
        if not written or self.cancelled:
            self.writer.abort()  # PNG frames: removed; a GIF's frames: dropped
            if written and result.is_file():
                result.unlink(missing_ok=True)
        self.writer = None
        if self.cancelled:
            self.failed.emit("Cancelled.")
        elif written:
            self.finished.emit(str(result))
        else:
            self.failed.emit(f"The export stopped: {result}")

    def _finish(self) -> Path:
        self.timer.stop()
        try:
            return self.writer.close()
        finally:
            self.writer = None
            self._dispose()

    def _abort(self) -> None:
        self.timer.stop()
        if self.writer is not None:
            self.writer.abort()
            self.writer = None
        self._dispose()

    def _dispose(self) -> None:
        if self.stage is not None:  # it holds the page's widgets: it goes with the page
            self.stage.hide()
            self.stage.setParent(self.page)
            self.stage = None
        if self.page is not None:
            retire(self.page)
            self.page = None


def retire(page) -> None:
    """Shut a page copy down and delete it once its workers have stopped: deleted at once,
    a worker still loading its model (an export cancelled while the page loads) was left
    running with nothing to wait for it, and the window could close before it ended."""
    page.shutdown()
    page.close()
    _retiring.append(page)
    _sweep()


def _delete_stopped() -> None:
    for page in list(_retiring):
        if not page.busy_text():
            _retiring.remove(page)
            page.deleteLater()


def _sweep() -> None:
    """Delete the page copies whose workers have stopped; look again soon if some remain
    (one look at a time is scheduled)."""
    _delete_stopped()
    if _retiring and not _sweep_due[0]:
        _sweep_due[0] = True
        QTimer.singleShot(20, _sweep_again)


def _sweep_again() -> None:
    _sweep_due[0] = False
    _sweep()


def wait_for_retired(seconds: float = 30.0) -> bool:
    """Run the events until every page copy done with has been deleted (its workers
    stopped), at most ``seconds``; True when none is left."""
    deadline = time.monotonic() + seconds
    while _retiring and time.monotonic() < deadline:
        QApplication.processEvents()
        _delete_stopped()
        time.sleep(0.005)
    return not _retiring


def retiring_text() -> str:
    """What the window still waits for among the page copies done with ("" when nothing)."""
    return "stopping an exported lesson's page" if _retiring else ""
