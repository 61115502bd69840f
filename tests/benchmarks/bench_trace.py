"""The Trace page on this CPU, for the lecture's simple and Inception nets.

- click: a unit clicked → its receptive field outlined on every map and its arithmetic on
  screen (explain + dependencies from the trace in hand, outlines, grids, repaint).
  Target p95 ≤ 50 ms.
- stroke: a new stroke → the whole overview updated (the trace in the compute thread, every
  map recoloured, repainted). Target p95 ≤ 100 ms.
Printed side by side with the bare ``trace_forward`` time of the same net.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))


def _wait(app, page) -> None:
    """Until the latest request is on screen; sleeping between event rounds as an idle event
    loop does (a busy loop would keep the worker thread from the GIL)."""
    while not page.traced():
        app.processEvents()
        time.sleep(0.0005)


def bench(app, page, name: str, make, clicks: int, strokes: int) -> None:
    """``make()`` builds the net: once in the compute thread for the page, once here for the
    bare ``trace_forward`` (each thread its own module)."""
    import torch
    from PySide6.QtCore import QPointF

    from cnnviz.core.explain import trace_forward
    from cnnviz.core.inference import MNIST_INFO
    from cnnviz.core.model_source import ModelSource

    def build():
        torch.manual_seed(0)
        return make(), MNIST_INFO

    page.use_source(ModelSource(f"the {name} net", build))
    _wait(app, page)
    rng = np.random.default_rng(0)
    nodes = page.trace.nodes
    times = []
    for _ in range(clicks):
        node = nodes[int(rng.integers(len(nodes)))]
        if node.is_map:
            c, h, w = node.shape
            unit = (int(rng.integers(c)), int(rng.integers(h)), int(rng.integers(w)))
        else:
            unit = (int(rng.integers(node.value.size)), None, None)
        start = time.perf_counter()
        page.select_unit(node.index, *unit)
        page.overview.viewport().repaint()
        page.arithmetic.repaint()
        times.append((time.perf_counter() - start) * 1000)
    c50, c95 = np.percentile(times, 50), np.percentile(times, 95)

    canvas = page.canvas
    side = min(canvas.width(), canvas.height())
    canvas.clear()
    _wait(app, page)
    stroke_times = []
    canvas.begin_stroke(QPointF(0.3 * side, 0.2 * side))
    for i in range(strokes):
        t = i / strokes
        pos = QPointF((0.3 + 0.4 * np.sin(6 * t)) * side, (0.2 + 0.6 * t) * side)
        start = time.perf_counter()
        canvas.extend_stroke(pos)
        _wait(app, page)
        page.overview.viewport().repaint()
        stroke_times.append((time.perf_counter() - start) * 1000)
    canvas.end_stroke()
    s50, s95 = np.percentile(stroke_times, 50), np.percentile(stroke_times, 95)
    image = page.trace.nodes[0].value
    model = build()[0].eval()
    bare = []
    for _ in range(30):
        start = time.perf_counter()
        trace_forward(model, image)
        bare.append((time.perf_counter() - start) * 1000)
    b50 = np.percentile(bare, 50)
    print(
        f"{name:9s} click → field + arithmetic: p50 {c50:.1f} ms, p95 {c95:.1f} ms "
        f"(target ≤ 50: {'met' if c95 <= 50 else 'NOT met'});  "
        f"stroke → overview: p50 {s50:.1f} ms, p95 {s95:.1f} ms "
        f"(target ≤ 100: {'met' if s95 <= 100 else 'NOT met'});  "
        f"bare trace_forward p50 {b50:.1f} ms ({len(page.trace.nodes)} nodes)"
    )


def main(clicks: int = 200, strokes: int = 100) -> None:
    from cnnviz.core.inference import load_default_model
    from cnnviz.core.models import build
    from cnnviz.gui.app import staged_window
    from cnnviz.gui.pages.trace_page import TracePage

    app, window = staged_window()
    page = window.show_page(TracePage)
    _wait(app, page)
    bench(app, page, "simple", load_default_model, clicks, strokes)
    bench(app, page, "inception", lambda: build("inception"), clicks, strokes)
    from closing import close_window  # beside this script

    close_window(window)
    while window.isVisible():
        app.processEvents()


if __name__ == "__main__":
    main()
