"""WeightsLoader: weights trained elsewhere, read in a worker and checked against an opened
file's model; a file that holds a whole pickled model is read only after the user says yes
(the page's dialog: cnnviz.gui.widgets.weights_dialogs)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal

from cnnviz.core.models import UnsafeWeightsError, available, fit_weights, info, read_weights
from cnnviz.core.models.weights import module_of
from cnnviz.gui.workers.task_worker import TaskThread

NO_OPENED_MODEL = (
    "Open a model file first (File → Open model…): the weights go onto its model. "
    "The previous model stays."
)


def latest_opened_model() -> str | None:
    """The name of the model opened from a file last (None when there is none)."""
    names = [n for n in available() if info(n).opened is not None]
    return max(names, key=lambda n: info(n).opened.opened_at) if names else None


def load_job(user_model, path: str, allow_pickle: bool):
    """In the worker: ``("ok", state)`` once the weights are shown to fit the model (built
    here to check, and left here: only the weights leave the thread) or ``("unsafe",
    reason)``."""
    try:
        state = read_weights(path, module_of(user_model), allow_pickle)
    except UnsafeWeightsError as exc:
        return ("unsafe", str(exc))
    fit_weights(user_model.build(), state, user_model.name)
    return ("ok", state)


class WeightsLoader(QObject):
    """``load(name, path)`` → ``loaded({"name", "path", "state"})`` or ``failed(reason)``;
    ``ask(parent, reason)`` (the page's dialog) decides on pickled models."""

    loaded = Signal(object)
    failed = Signal(str)

    def __init__(self, parent, ask):
        super().__init__(parent)
        self.widget = parent
        self.ask = ask
        self.request_id = 0
        self._asked: tuple | None = None  # (name, path) of the request in hand
        self.tasks: TaskThread | None = None  # made on the first load: no idle thread

    def _worker(self):
        if self.tasks is None:
            self.tasks = TaskThread("weights", self)
            self.tasks.worker.done.connect(self._on_done, Qt.QueuedConnection)
            self.tasks.worker.failed.connect(self._on_failed, Qt.QueuedConnection)
        return self.tasks.worker

    def is_busy(self) -> bool:
        return self._asked is not None

    def load(self, name: str, path, allow_pickle: bool = False) -> None:
        """Read ``path`` for the opened model ``name`` (the latest request wins)."""
        user_model = info(name).opened
        self.request_id += 1
        self._asked = (name, str(path))
        self._worker().submit(self.request_id, load_job, user_model, str(path), allow_pickle)

    def _on_done(self, request_id: int, result) -> None:
        if request_id != self.request_id or self._asked is None:
            return
        name, path = self._asked
        self._asked = None
        if result[0] == "unsafe":
            if self.ask(self.widget, result[1]):
                self.load(name, path, allow_pickle=True)
            else:
                self.failed.emit(f"{Path(path).name} was not read")
            return
        self.loaded.emit({"name": name, "path": path, "state": result[1]})

    def _on_failed(self, request_id: int, message: str) -> None:
        if request_id == self.request_id and self._asked is not None:
            self._asked = None
            self.failed.emit(message)

    def shutdown(self) -> None:
        self._asked = None
        if self.tasks is not None:
            self.tasks.stop()

    def thread_running(self) -> bool:
        return self.tasks is not None and self.tasks.is_running()
