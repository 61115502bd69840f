"""Preload: import PyTorch and the core's torch modules in a background thread.

Importing torch and captum takes seconds; done in the GUI thread it would freeze
the window. The main window starts this once it has been painted and builds the pages that
need PyTorch when it is done (showing that it is loading meanwhile).

Only Qt-free modules are imported here: torch, captum and the core. A module
that touches Qt classes (pyqtgraph copies them all when imported, the page modules make
widgets) is imported in the GUI thread by the main window.
"""

from __future__ import annotations

import importlib
import threading

MODULES = (  # not torchvision: no page needs it (a dataset download imports it, in its
    # worker), and its import brings torch._dynamo: 2-3 s more before the pages can be built
    "torch",
    "captum.attr",
    "cnnviz.core.models",
    "cnnviz.core.inspect",
    "cnnviz.core.inference",
    "cnnviz.core.training",
    "cnnviz.core.explain",  # torch.fx, for the Trace page
    "cnnviz.core.attribution",
)


def read_default_checkpoint() -> None:
    """Read the shipped checkpoint once (40–50 ms), here rather than in the GUI thread when
    the Draw page is built."""
    from cnnviz.core.inference import default_checkpoint

    default_checkpoint()


WARM = (read_default_checkpoint,)  # called after the imports: what the pages use as built


class Preload:
    """Imports :data:`MODULES` in a daemon thread, then calls :data:`WARM`. The thread starts
    on :meth:`start` (or on the first :meth:`wait`); ``error`` holds what failed, for the
    page that needs it to report when built."""

    def __init__(self, modules=MODULES, warm=WARM):
        self.error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run,
            args=(tuple(modules), tuple(warm)),
            name="cnnviz-preload",
            daemon=True,
        )
        self._lock = threading.Lock()
        self._started = False

    def start(self) -> None:
        """Start the imports (nothing if they have been started already)."""
        with self._lock:
            if not self._started:
                self._started = True
                self._thread.start()

    def _run(self, modules, warm) -> None:
        try:
            for name in modules:
                importlib.import_module(name)
            for job in warm:
                job()
        except BaseException as exc:  # the page that needs it reports it when built
            self.error = exc

    def done(self) -> bool:
        return self._started and not self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> bool:
        """Start the imports if need be and wait for them; True once they are done."""
        self.start()
        self._thread.join(timeout)
        return self.done()
