"""The One step page on this CPU, for the lecture's simple net (trained) and Inception (fresh).

- stroke: a new stroke → the whole backward overview updated (the gradients in the compute
  thread, every map recoloured, repainted). Target p95 ≤ 150 ms.
- label: a new label → the same. Target p95 ≤ 150 ms.
- click: a gradient unit clicked → its chain rule on screen (the terms from the backward trace
  in hand, outlines, grids, repaint). Target p95 ≤ 50 ms.
- step: "Step again" on a batch of 64 → the step taken (and measured on the image, its batch
  and 1,000 test images) and the new gradients on screen. Target p95 ≤ 300 ms.

    python tests/benchmarks/bench_learn.py [--rounds 20]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))


def _wait(app, page) -> None:
    """Until the latest request is on screen; sleeping between event rounds as an idle event
    loop does (a busy loop would keep the worker thread from the GIL)."""
    while not page.ready():
        app.processEvents()
        time.sleep(0.0005)


def _timed(app, page, action) -> float:
    start = time.perf_counter()
    action()
    _wait(app, page)
    page.overview.viewport().repaint()
    return (time.perf_counter() - start) * 1000


def _p(times) -> str:
    return f"p50 {np.percentile(times, 50):6.1f}  p95 {np.percentile(times, 95):6.1f} ms"


def strokes(app, page, rounds: int) -> list[float]:
    from PySide6.QtCore import QPointF

    canvas = page.canvas
    side = min(canvas.width(), canvas.height())
    canvas.clear()
    _wait(app, page)
    times = []
    canvas.begin_stroke(QPointF(0.3 * side, 0.2 * side))
    for i in range(rounds):
        t = i / rounds
        pos = QPointF((0.3 + 0.4 * np.sin(6 * t)) * side, (0.2 + 0.6 * t) * side)
        times.append(_timed(app, page, lambda p=pos: canvas.extend_stroke(p)))
    canvas.end_stroke()
    return times


def clicks(page, rounds: int) -> list[float]:
    rng = np.random.default_rng(0)
    trace = page.controller.backward["trace"]
    nodes = [n for n in trace.nodes if n.kind not in ("probabilities",)]
    times = []
    for _ in range(rounds):
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
    return times


def bench(app, page, model: str, rounds: int) -> None:
    page.controller.use_model(model)
    page.controller.show_test_image(0)
    _wait(app, page)
    stroke_times = strokes(app, page, rounds)
    page.controller.show_test_image(0)
    _wait(app, page)
    label_times = [
        _timed(app, page, lambda i=i: page.controller.set_label(i % 10)) for i in range(rounds)
    ]
    click_times = clicks(page, 3 * rounds)
    page.batch.setValue(64)
    page.take_step()  # the first reads the training set once
    _wait(app, page)
    step_times = [_timed(app, page, page.take_step) for _ in range(max(rounds // 2, 5))]
    seconds = page.controller.backward["seconds"] * 1000
    print(f"{model:10s} stroke → overview  {_p(stroke_times)}   (target p95 ≤ 150)")
    print(f"{'':10s} label  → overview  {_p(label_times)}   (target p95 ≤ 150)")
    print(f"{'':10s} click  → chain rule {_p(click_times)}  (target p95 ≤ 50)")
    print(f"{'':10s} step again, 64     {_p(step_times)}   (target p95 ≤ 300)")
    print(f"{'':10s} (the gradients job alone: {seconds:.1f} ms)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args(argv)
    from PySide6.QtWidgets import QApplication

    from cnnviz.gui.pages.learn_page import LearnPage

    app = QApplication.instance() or QApplication([])
    page = LearnPage()
    page.resize(1280, 760)
    page.show()
    page.attach(page.context)  # no window: the page starts a compute service of its own
    _wait(app, page)
    for model in ("trained", "inception"):
        bench(app, page, model, args.rounds)
    page.shutdown()
    while page.jobs.running():
        app.processEvents()
        time.sleep(0.01)
    return 0


if __name__ == "__main__":
    sys.exit(main())
