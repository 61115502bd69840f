"""Closing a benchmark's window as the app does: the window asks its workers to stop and
closes once they have, so the benchmark waits for that before the process exits (a worker
thread still running when Python tears down its QThread aborts the process)."""

from __future__ import annotations

import time


def close_window(window, seconds: float = 10.0) -> float:
    """Close ``window`` and let the event loop run until it has closed and no cnnviz worker
    thread runs (at most ``seconds``); returns how long that took."""
    from PySide6.QtWidgets import QApplication

    from cnnviz.gui.workers.base import live_threads

    window.confirm_discard = lambda: "discard"  # a run that was not saved: no question
    start = time.perf_counter()
    window.close()
    while (window.isVisible() or live_threads()) and time.perf_counter() < start + seconds:
        QApplication.processEvents()
        time.sleep(0.01)
    return time.perf_counter() - start
