"""Time to show one step, and to recompute after an edit, on the Backward, Transposed
convolution and Grouped convolution lessons at their largest everyday sizes (a 64×64 input).

Each figure is the change plus the repaint it causes (the event loop is run until the paint
is done, as in the app). Target: ≤ 30 ms, as for the Convolution page (bench_step.py).
"""

from __future__ import annotations

import statistics
import time

import numpy as np


def measure(app, page, steps: int, edits: int) -> tuple[list[float], list[float]]:
    step_times, edit_times = [], []
    for i in range(steps):
        t = time.perf_counter()
        page.step_bar.set_index((i * 37) % len(page.plan))
        app.processEvents()
        step_times.append((time.perf_counter() - t) * 1000)
    h, w = page.inputs.shape[1:]
    for i in range(edits):
        t = time.perf_counter()
        page._on_input_edited(0, i % h, (i * 7) % w, str(i % 10))
        app.processEvents()
        edit_times.append((time.perf_counter() - t) * 1000)
    return step_times, edit_times


def report(name: str, values: list[float]) -> None:
    p95 = float(np.percentile(values, 95))
    print(
        f"{name:52s} p50 {statistics.median(values):6.2f} ms  p95 {p95:6.2f} ms  "
        f"max {max(values):6.2f} ms   target ≤ 30 ms: {'met' if p95 <= 30 else 'NOT met'}"
    )


def main(steps: int = 150, edits: int = 30) -> None:
    from cnnviz.gui.app import staged_window
    from cnnviz.gui.pages.backward_page import BackwardPage
    from cnnviz.gui.pages.grouped_page import GroupedPage
    from cnnviz.gui.pages.transposed_page import TransposedPage

    app, window = staged_window()
    rng = np.random.default_rng(0)
    image = rng.integers(0, 10, size=(1, 64, 64)).astype(float)

    def staged(page_class: type, preset: int, size=(64, 64)):
        page = window.show_page(page_class)
        page.load_preset(preset)
        page.set_inputs(image[:, : size[0], : size[1]])
        page.recompute(0)
        app.processEvents()
        return page

    cases = (
        ("Backward: convolution 3×3 kernel", BackwardPage, 1, (64, 64)),
        ("Backward: max pooling 2×2, stride 2", BackwardPage, 2, (64, 64)),
        ("Transposed: kernel 3, stride 2 (16×16 → 33×33)", TransposedPage, 1, (16, 16)),
        ("Grouped: groups 2, 4 channels of 32×32", GroupedPage, 1, (32, 32)),
    )
    for name, page_class, preset, size in cases:
        page = staged(page_class, preset, size)
        if page_class is GroupedPage:
            page.set_inputs(rng.integers(0, 10, size=(4,) + size).astype(float))
            page.recompute(0)
        step_times, edit_times = measure(app, page, steps, edits)
        report(f"{name}: step", step_times)
        report(f"{name}: edit", edit_times)
    from closing import close_window  # beside this script

    close_window(window)


if __name__ == "__main__":
    main()
