"""Preload: import PyTorch and the core's torch modules in a background thread.

Importing torch and captum takes seconds; done in the GUI thread it would freeze
the window. The main window starts this once it has been painted and builds the pages that
need PyTorch when it is done (showing that it is loading meanwhile).

Only Qt-free modules are imported here: torch, captum and the core. A module
that touches Qt classes (pyqtgraph copies them all when imported, the page modules make
widgets) is imported in the GUI thread by the main window.
"""

from __future__ import annotations

import gc
import importlib
import threading

MODULES = (  # not torchvision: no page needs it (a dataset download imports it, in its
    # worker), and its import brings torch._dynamo: 2-3 s more before the pages can be built
    "torch",
    "captum.attr",
    "cnnviz.core.models",
    "cnnviz.core.inspect",
    # its names load on first use (the grid lessons need none): the layer table brings
    # torch.utils.flop_counter and triton, 0.25 s, 0.9 s on busy cores, in the GUI thread
    # when the Architecture page first used it
    "cnnviz.core.inspect.table",
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

# imported once the pages can be built (done() is true by then), still in this thread: torch
# imports torch._dynamo on the first call of many of its functions (a model inspected on the
# Architecture page, an optimizer's first step), 2-3 s of Python import that, left to a page's
# worker, held the Python lock while the user was working (a 575 ms stall after start-up in a
# 20 s random-action run)
LATER = ("torch._dynamo",)

_frozen = threading.Event()  # once per process: a second window's preload freezes nothing


def freeze_start_up() -> None:
    """Take the objects alive once everything above has been imported (some 460,000 with
    PyTorch) out of the garbage collector's full collections, once per process: the one
    process-wide setting the app makes. A full collection walks every object it tracks, with
    the Python lock held: with PyTorch and every page loaded, 175 ms on 2 idle cores and
    556-603 ms on 2 busy ones, against under 1 ms with them frozen (bench_gc_full.py). Python
    starts one whenever the objects made since the last have grown by a quarter."""
    if not _frozen.is_set():
        _frozen.set()
        gc.freeze()


class Preload:
    """Imports :data:`MODULES` in a daemon thread, then calls :data:`WARM` (then it is
    :meth:`done`), then imports :data:`LATER` and freezes what start-up made
    (:func:`freeze_start_up`). The thread starts on :meth:`start` (or on the
    first :meth:`wait`); ``error`` holds what failed, for the page that needs it to report
    when built."""

    def __init__(self, modules=MODULES, warm=WARM, later=LATER):
        self.error: BaseException | None = None
        self.later_error: BaseException | None = None  # met again where the module is used
        self._ready = threading.Event()
        self._thread = threading.Thread(
            target=self._run,
            args=(tuple(modules), tuple(warm), tuple(later)),
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

    def _run(self, modules, warm, later) -> None:
        try:
            for name in modules:
                importlib.import_module(name)
            for job in warm:
                job()
        except BaseException as exc:  # the page that needs it reports it when built
            self.error = exc
        finally:
            self._ready.set()
        try:
            for name in later:
                importlib.import_module(name)
        except BaseException as exc:  # noqa: BLE001 - not needed yet: its user imports it again
            self.later_error = exc
        freeze_start_up()

    def done(self) -> bool:
        """Whether the pages can be built: :data:`MODULES` imported and :data:`WARM` run."""
        return self._ready.is_set()

    def finished(self) -> bool:
        """Whether start-up's work is all over: :data:`LATER` imported too, and frozen."""
        return self._started and not self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> bool:
        """Start the imports if need be and wait until :meth:`done`; True once it is."""
        self.start()
        return self._ready.wait(timeout)
