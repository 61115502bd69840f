"""How a stop reaches into a run: between stages, during an import, and inside a batch."""

from __future__ import annotations

import importlib
import sys
import threading

from torch import nn


class StopRequested(Exception):
    """Raised inside the training thread where a stop cuts a stage or a batch short."""


def import_stoppably(name: str, check_stop) -> None:
    """Import ``name`` in a helper thread while this one calls ``check_stop()`` every 20 ms
    (an import cannot be interrupted; a stopped run leaves it to finish on its own)."""
    if name in sys.modules:
        return
    done = threading.Event()

    def work() -> None:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the real use imports it again and reports
            pass
        finally:
            done.set()

    threading.Thread(target=work, name=f"import {name}", daemon=True).start()
    while not done.wait(0.02):
        check_stop()


class StopHooks:
    """A forward pre-hook on every module and a gradient hook on every weight raise
    :class:`StopRequested` once ``stop`` is set, so a long batch ends within a layer."""

    def __init__(self, stop: threading.Event):
        self.stop = stop
        self.handles: list = []

    def add(self, model: nn.Module) -> None:
        stop = self.stop

        def before_forward(_module, _args):
            if stop.is_set():
                raise StopRequested

        def on_gradient(_grad):
            if stop.is_set():
                raise StopRequested

        for module in model.modules():
            self.handles.append(module.register_forward_pre_hook(before_forward))
        for parameter in model.parameters():
            if parameter.requires_grad:
                self.handles.append(parameter.register_hook(on_gradient))

    def remove(self) -> None:
        for handle in self.handles:
            handle.remove()
        self.handles = []
