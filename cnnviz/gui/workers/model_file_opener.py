"""ModelFileOpener: File → Open model… without ever freezing the window.

Two steps. First the file is checked in a separate Python process
(:class:`~cnnviz.core.models.OpenCheck`, polled here by a timer: nothing waits), which the
time limit or Cancel ends at once, saying what it was doing. Then a file that passed is
opened in the app, in a worker thread (the model must live in this process to be trained and
drawn); its imports are mostly in memory by then.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from cnnviz.core.models import OpenCheck, load_model_file
from cnnviz.core.models.open_check import TIME_LIMIT_S
from cnnviz.gui.workers.task_worker import TaskThread

POLL_MS = 50


def open_in_app(path: str, input_shape, num_classes):
    """In the worker: the same opening as the check's, here (returns the UserModel)."""
    return load_model_file(path, input_shape, num_classes)


class ModelFileOpener(QObject):
    """``progress(text)`` while opening, then ``opened(UserModel)`` or ``failed(text)``."""

    progress = Signal(str)
    opened = Signal(object)
    failed = Signal(str)

    def __init__(self, parent=None, time_limit_s: float = TIME_LIMIT_S):
        super().__init__(parent)
        self.time_limit_s = time_limit_s
        self.check: OpenCheck | None = None
        self.path: str | None = None
        self.request_id = 0
        self.building = False  # the second step (in the app) is under way
        self.tasks: TaskThread | None = None  # made for the first build: no idle thread
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self._poll)
        self._shape: tuple = (1, 28, 28)
        self._classes: int | None = 10
        self._said = ""

    def is_busy(self) -> bool:
        return self.check is not None or self.building

    def open(self, path, input_shape=(1, 28, 28), num_classes: int | None = 10) -> None:
        """Start opening ``path`` (a file being opened is cancelled first)."""
        if self.is_busy():
            self.cancel()
        self.path = str(path)
        self._shape, self._classes = tuple(input_shape), num_classes
        try:
            self.check = OpenCheck(
                path, input_shape, num_classes, self.time_limit_s, reap_wait_s=0.0
            )
        except OSError as exc:  # no process could be started (out of resources, say)
            self.failed.emit(f"Could not start checking {Path(path).name}: {exc}.")
            return
        self._said = ""
        self.timer.start()
        self._poll()

    def _poll(self) -> None:
        check = self.check
        if check is None:
            self.timer.stop()
            return
        finished = check.poll()
        if not finished:
            text = f"Opening {Path(check.path).name}: {check.stage}… {check.elapsed():.0f} s"
            if text != self._said:
                self._said = text
                self.progress.emit(text)
            return
        self.timer.stop()
        self.check = None
        if check.error is not None:
            self.failed.emit(f"Could not open {check.error}.")
        elif check.stopped is not None:
            self.failed.emit(check.stopped)
        else:
            name = (check.summary or {}).get("name", "the model")
            self.building = True
            self.request_id += 1
            self.progress.emit(f"Opening {Path(check.path).name}: building {name} in cnnviz…")
            if self.tasks is None:
                self.tasks = TaskThread("open-model", self)
                self.tasks.worker.done.connect(self._on_opened, Qt.QueuedConnection)
                self.tasks.worker.failed.connect(self._on_open_failed, Qt.QueuedConnection)
            self.tasks.worker.submit(
                self.request_id, open_in_app, check.path, self._shape, self._classes
            )

    def _on_opened(self, request_id: int, user_model) -> None:
        if request_id == self.request_id and self.building:
            self.building = False
            self.opened.emit(user_model)

    def _on_open_failed(self, request_id: int, message: str) -> None:
        if request_id == self.request_id and self.building:
            self.building = False
            prefix = "" if message.startswith("Could not") else "Could not open "
            self.failed.emit(f"{prefix}{message}.")

    def cancel(self) -> None:
        """Stop opening: the check's process is ended; a build in the app is dropped."""
        if self.check is not None:
            check, self.check = self.check, None
            self.timer.stop()
            check.cancel()
            self.failed.emit(check.stopped or "Cancelled.")
        elif self.building:
            self.building = False
            self.request_id += 1  # its result, when it comes, is dropped
            self.failed.emit(
                "Cancelled while the model was being built in cnnviz (its result is dropped)."
            )

    def shutdown(self) -> None:
        """For closing the window: end the check's process, stop the worker's thread."""
        if self.check is not None:
            self.timer.stop()
            self.check.cancel()
            self.check = None
        self.building = False
        if self.tasks is not None:
            self.tasks.stop()

    def thread_running(self) -> bool:
        return self.tasks is not None and self.tasks.is_running()
