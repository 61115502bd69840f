"""Preload: import PyTorch and the core's torch modules in a background thread at start-up.

Importing torch takes seconds; done in the GUI thread it would freeze the window the first
time a page that needs it is opened. The main window starts this at once and builds those
pages when it is done (showing that it is loading meanwhile).
"""

from __future__ import annotations

import gc
import importlib
import threading

from cnnviz.gui.workers.unlocked_loading import unlocked_loading

MODULES = (
    "torch",
    "torchvision",
    "pyqtgraph",
    "cnnviz.core.models",
    "cnnviz.core.inspect",
    "cnnviz.core.inference",
    "cnnviz.core.training",
    "cnnviz.core.explain",  # torch.fx, for the Trace page
    # captum (and the matplotlib it imports) takes about a second: the Train and Draw pages
    # use it, and must not import it in the GUI thread when they are built
    "cnnviz.core.attribution",
)


def read_default_checkpoint() -> None:
    """Read the shipped checkpoint once (40–50 ms), here rather than in the GUI thread when
    the Draw page is built."""
    from cnnviz.core.inference import default_checkpoint

    default_checkpoint()


WARM = (read_default_checkpoint,)  # called after the imports: what the pages use as built


QT_MODULES = ("QtCore", "QtGui", "QtWidgets")  # the PySide6 modules pyqtgraph copies


def make_qt_classes_here() -> None:
    """In the GUI thread, before the preload starts: have PySide6 make every class of
    :data:`QT_MODULES` now (about 90 ms). PySide6 makes a class on its first use, and
    pyqtgraph's import (in the preload thread) touches every one of them to copy it; a
    process whose GUI thread was busy with Qt meanwhile crashed in this stop's tests, once
    with the preload thread inside that copy (a segfault), once without a stack (a double
    free). Made here, the preload thread only reads them."""
    for name in QT_MODULES:
        module = importlib.import_module(f"PySide6.{name}")
        for attribute in dir(module):
            try:
                getattr(module, attribute)
            except Exception:  # noqa: BLE001 - a name that cannot be read is not copied either
                pass


def page_modules() -> tuple[str, ...]:
    """The lessons' page modules: imported here too, after PyTorch, so that building a page
    for the first time does not also import (and compile) its module in the GUI thread."""
    from cnnviz.gui.pages import PAGES

    return tuple(dict.fromkeys(entry.target.split(":")[0] for entry in PAGES))


_frozen = threading.Event()  # the imports' objects are frozen once per process


def freeze_imports() -> None:
    """Take every object alive now (the imported modules: some 460,000 with PyTorch) out of
    the cyclic garbage collector's full collections, once per process. A full collection
    otherwise walks them all, about 250 ms with the GUI thread held (the Python lock): the
    longest stalls the random-action benchmark found. With them frozen it takes about 4 ms.
    Objects freed by reference counting are freed as before."""
    if not _frozen.is_set():
        _frozen.set()
        gc.freeze()


class Preload:
    """Imports :data:`MODULES` in a daemon thread (started at once), then calls :data:`WARM`."""

    def __init__(self, modules=MODULES, warm=WARM):
        self.error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run,
            args=(tuple(modules), tuple(warm)),
            name="cnnviz-preload",
            daemon=True,
        )
        self._thread.start()

    def _run(self, modules, warm) -> None:
        # no automatic collection while the imports make their 460,000 objects: each full
        # one walked them all with the Python lock held, 100-300 ms of a still window each
        # time the heap had grown by a quarter (the objects are frozen at the end instead)
        collecting = gc.isenabled()
        gc.disable()
        try:
            # PyTorch's native libraries load with the Python lock released: loaded with it
            # held, they stalled the window for up to 230 ms at start-up
            with unlocked_loading():
                for name in modules:
                    importlib.import_module(name)
            for job in warm:
                job()
        except BaseException as exc:  # the page that needs it reports it when built
            self.error = exc
        else:
            freeze_imports()
        finally:
            if collecting:
                gc.enable()

    def done(self) -> bool:
        return not self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> bool:
        self._thread.join(timeout)
        return self.done()
