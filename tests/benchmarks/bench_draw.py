"""Stroke → updated probability bars on the Draw page, with the default `simple` model.

Each sample: one mouse-move of a stroke (canvas update, MNIST preprocessing, inference in the
worker thread, bars repainted). Target: p95 ≤ 15 ms on this machine's CPU.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QPointF


def main(samples: int = 300) -> None:
    from cnnviz.gui.app import staged_window

    app, window = staged_window()
    page = window.show_page(4)
    app.processEvents()
    canvas = page.canvas
    side = min(canvas.width(), canvas.height())
    times = []
    canvas.begin_stroke(QPointF(0.3 * side, 0.2 * side))
    for i in range(samples):
        t = i / samples
        pos = QPointF((0.3 + 0.4 * np.sin(6 * t)) * side, (0.2 + 0.6 * t) * side)
        start = time.perf_counter()
        canvas.extend_stroke(pos)
        while page.shown_id != page.request_id:
            app.processEvents()
        page.bars.repaint()
        times.append((time.perf_counter() - start) * 1000)
    canvas.end_stroke()
    p50, p95 = np.percentile(times, 50), np.percentile(times, 95)
    print(
        f"stroke → updated bars, simple model, {samples} moves: p50 {p50:.2f} ms, "
        f"p95 {p95:.2f} ms, max {max(times):.2f} ms "
        f"(target p95 ≤ 15 ms: {'met' if p95 <= 15 else 'NOT met'})"
    )
    from closing import close_window  # beside this script

    close_window(window)


if __name__ == "__main__":
    main()
