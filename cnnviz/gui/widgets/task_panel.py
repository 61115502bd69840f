"""ModelTaskPanel: one base for the panels whose model work runs on the window's compute
service (attribution maps, adversarial digits, filters, the confusion gallery, accuracy
against ε).

It owns what they share: one :class:`~cnnviz.gui.workers.compute_service.ComputeClient` (the
panel's kind of job), the model source in use and what the service said of its model, the
request ids (the latest request wins; a result for an older one is never shown), a request
made while the panel is hidden waits until it is shown, a caption that says what happened (in
red for an error), and the same ``shutdown`` for all. The panel never holds a torch module."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QProgressBar, QWidget

from cnnviz.core.inference import MNIST_INFO, InputContract
from cnnviz.core.model_source import ModelSource
from cnnviz.gui.appearance import theme
from cnnviz.gui.workers.compute_service import ComputeClient, ComputeService


class ModelTaskPanel(QWidget):
    """A panel whose jobs are of the kind ``name`` on the service given by
    :meth:`use_service`.

    A subclass submits with :meth:`submit_when_seen` (or :meth:`submit`), shows a result in
    :meth:`show_result` (called only for the latest request), makes ``caption`` (the label
    :meth:`_say` writes to) and, where it defers requests, defines :meth:`request`."""

    #: the caption's style sheet, and the one for an error
    caption_style = ""
    error_style = f"color: {theme.ERROR};"

    def __init__(self, name: str, parent=None):
        super().__init__(parent)
        self.name = name
        self.client: ComputeClient | None = None
        self.source: ModelSource | None = None  # the model's source in use
        self.facts: dict = {}  # what the compute service said of that model
        self.info: InputContract = MNIST_INFO  # what the model in use expects
        self.request_id = 0  # the latest request
        self.shown_id = 0  # the request whose answer is shown
        self.asked_for = 0  # the request the client's latest job answers
        self.result: dict | None = None  # the latest answer shown (None: none, or an error)
        self.dirty = False  # a request waits until the panel is seen
        self.caption: QLabel | None = None
        self._timers: list[QTimer] = []
        self._progress_bar: QProgressBar | None = None

    def use_service(self, service: ComputeService) -> None:
        """Run this panel's jobs on ``service`` (the window's), from now on."""
        self.client = ComputeClient(service, self.name, self)
        self.client.result.connect(self._on_result)
        self.client.progress.connect(self._on_progress)

    def set_model(self, source: ModelSource, facts: dict) -> None:
        """Use the model of ``source`` from the next job on; ``facts`` is what the compute
        service said of it (:func:`~cnnviz.gui.workers.draw_jobs.describe_model`)."""
        self.source, self.facts = source, facts
        self.info = facts["info"]

    # -- requests ----------------------------------------------------------------------------------
    def request(self) -> None:
        """Ask for what the controls say now; called when the panel is shown while a request
        made during its absence waits (subclasses that use :meth:`submit_when_seen`)."""
        raise NotImplementedError

    def submit(self, job: Callable, *args, source: ModelSource | None = None) -> None:
        """Run ``job(model, info, *args)`` on the service for the latest request, on the
        model of ``source`` (default: the one in use)."""
        if self.client is None:
            raise RuntimeError(f"the {self.name} panel has no compute service")
        self.asked_for = self.request_id
        self.client.submit(source or self.source, job, *args)

    def submit_when_seen(self, job: Callable, *args) -> bool:
        """:meth:`submit` now if the panel is visible (True); else remember to :meth:`request`
        once it is shown (False): no work for a tab nobody looks at."""
        if not self.isVisible() or self.source is None:
            self.dirty = True
            return False
        self.dirty = False
        self.submit(job, *args)
        return True

    def cancel(self) -> None:
        """Stop the job in hand (its answer never comes)."""
        if self.client is not None:
            self.client.cancel()

    def settled(self) -> bool:
        """Whether the answer to the latest request is shown."""
        return self.shown_id == self.request_id

    def showEvent(self, event):  # noqa: N802
        super().showEvent(event)
        if self.dirty:
            self.request()

    # -- results -----------------------------------------------------------------------------------
    def _on_result(self, result: dict) -> None:
        """Every answer of the client comes here first (a subclass that keeps what an answer
        no longer asked for found extends this); only the latest request's goes on to
        :meth:`show_result`."""
        if self.asked_for != self.request_id:
            return  # stale: a later request asked for nothing (an empty canvas, say)
        self.shown_id = self.request_id
        self.show_result({**result, "id": self.request_id})

    def show_result(self, result: dict) -> None:
        """Show the answer to the latest request (``{"id", ...}`` or ``{"id", "error"}``)."""
        raise NotImplementedError

    def follow_progress(self, bar: QProgressBar) -> None:
        """Show the latest request's progress reports on ``bar``."""
        self._progress_bar = bar

    def _on_progress(self, _client_id: int, done: int, total: int) -> None:
        if self.asked_for == self.request_id and self._progress_bar is not None:
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
        """Stop the panel's timers and cancel its job in hand (the window stops the
        service)."""
        for timer in self._timers:
            timer.stop()
        self.cancel()

    def is_busy(self) -> bool:
        """Whether the latest job's answer has yet to come."""
        return self.client is not None and self.client.waiting()
