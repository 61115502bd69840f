"""ModelTaskPanel: one base for the panels whose model work runs on a :class:`ModelTaskThread`
(attribution maps, adversarial digits, filters, the confusion gallery, accuracy against ε).

It owns what they share: the request ids (the latest request wins; a result for an older one
is dropped), a request made while the panel is hidden waits until it is shown, a caption that
says what happened (in red for an error), and the same ``shutdown`` / ``is_busy`` for all."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QProgressBar, QWidget

from cnnviz.core.inference import MNIST_INFO, InputContract
from cnnviz.gui import theme
from cnnviz.gui.workers.model_task_worker import ModelTaskThread


class ModelTaskPanel(QWidget):
    """A panel with its own ``task`` thread (named ``cnnviz-<name>``).

    A subclass submits with :meth:`submit_when_seen` (or :meth:`submit`), shows a result in
    :meth:`show_result` (called only for the latest request), makes ``caption`` (the label
    :meth:`_say` writes to) and, where it defers requests, defines :meth:`request`."""

    #: the caption's style sheet, and the one for an error
    caption_style = ""
    error_style = f"color: {theme.ERROR};"

    def __init__(self, name: str, parent=None):
        super().__init__(parent)
        self.info: InputContract = MNIST_INFO  # what the model in use expects
        self.request_id = 0  # the latest request
        self.shown_id = 0  # the request whose answer is shown
        self.result: dict | None = None  # the latest answer shown (None: none, or an error)
        self.dirty = False  # a request waits until the panel is seen
        self.caption: QLabel | None = None
        self._timers: list[QTimer] = []
        self._progress_bar: QProgressBar | None = None
        self.task = ModelTaskThread(name, self)
        self.task.worker.result.connect(self._on_result, Qt.QueuedConnection)

    def set_model(self, model, info: InputContract = MNIST_INFO) -> None:
        """Use ``model`` (which expects ``info``) from the next job on; the worker makes its
        own copy, in its thread."""
        self.info = info
        self.task.worker.set_model(model, info)

    # -- requests ----------------------------------------------------------------------------------
    def request(self) -> None:
        """Ask for what the controls say now; called when the panel is shown while a request
        made during its absence waits (subclasses that use :meth:`submit_when_seen`)."""
        raise NotImplementedError

    def submit(self, job: Callable, *args) -> None:
        """Run ``job(model, info, control, *args)`` in the worker for the latest request."""
        self.task.worker.submit(self.request_id, job, *args)

    def submit_when_seen(self, job: Callable, *args) -> bool:
        """:meth:`submit` now if the panel is visible (True); else remember to :meth:`request`
        once it is shown (False): no work for a tab nobody looks at."""
        if not self.isVisible():
            self.dirty = True
            return False
        self.dirty = False
        self.submit(job, *args)
        return True

    def settled(self) -> bool:
        """Whether the answer to the latest request is shown."""
        return self.shown_id == self.request_id

    def showEvent(self, event):  # noqa: N802
        super().showEvent(event)
        if self.dirty:
            self.request()

    # -- results -----------------------------------------------------------------------------------
    def _on_result(self, result: dict) -> None:
        """Every answer comes here first, stale or not (a subclass that keeps what a stale
        job found extends this); only the latest request's goes on to :meth:`show_result`."""
        if result["id"] != self.request_id:
            return  # stale: the input or the choice has changed since
        self.shown_id = result["id"]
        self.show_result(result)

    def show_result(self, result: dict) -> None:
        """Show the worker's answer to the latest request (``{"id", ...}`` or ``{"id",
        "error"}``)."""
        raise NotImplementedError

    def follow_progress(self, bar: QProgressBar) -> None:
        """Show the latest request's progress reports on ``bar``."""
        self._progress_bar = bar
        self.task.worker.progress.connect(self._on_progress, Qt.QueuedConnection)

    def _on_progress(self, request_id: int, done: int, total: int) -> None:
        if request_id == self.request_id and self._progress_bar is not None:
            self._progress_bar.setRange(0, total)
            self._progress_bar.setValue(done)

    def _say(self, text: str, error: bool = False) -> None:
        if self.caption is not None:
            self.caption.setStyleSheet(self.error_style if error else self.caption_style)
            self.caption.setText(text)

    # -- life --------------------------------------------------------------------------------------
    def add_timer(self, interval_ms: int, slot: Callable) -> QTimer:
        """A timer of this panel calling ``slot``; :meth:`shutdown` stops it."""
        timer = QTimer(self)
        timer.setInterval(interval_ms)
        timer.timeout.connect(slot)
        self._timers.append(timer)
        return timer

    def shutdown(self) -> None:
        """Stop the panel's timers and ask its thread to end (after the job in hand, which is
        asked to stop); returns at once: watch :meth:`is_busy`."""
        for timer in self._timers:
            timer.stop()
        self.task.stop()

    def is_busy(self) -> bool:
        """Whether the panel's thread still runs."""
        return self.task.is_running()
