"""Time to show one step, and to recompute after an edit, on a 64×64 input with a 5×5 kernel.

Each figure is the change plus the repaint it causes (the event loop is run until the paint
is done, as in the app). Target: ≤ 30 ms.
"""

from __future__ import annotations

import statistics
import time

import numpy as np


def percentile(values, q):
    return float(np.percentile(values, q))


def main(steps: int = 200, edits: int = 40) -> None:
    from cnnviz.gui.app import staged_window
    from cnnviz.gui.pages.conv_page import ConvPage

    app, window = staged_window()
    page = window.show_page(ConvPage)
    rng = np.random.default_rng(0)
    page.set_inputs(rng.integers(0, 10, size=(1, 64, 64)).astype(float))
    page.kernel_spin.set_value((5, 5))
    page.kernels = rng.integers(-2, 3, size=(1, 5, 5)).astype(float)
    page.recompute(0)
    app.processEvents()
    assert page.plan.output.shape == (60, 60)

    step_times = []
    for i in range(steps):
        t = time.perf_counter()
        page.step_bar.set_index((i * 37) % len(page.plan))
        app.processEvents()
        step_times.append((time.perf_counter() - t) * 1000)
    edit_times = []
    for i in range(edits):
        t = time.perf_counter()
        page._on_input_edited(0, i % 64, (i * 7) % 64, str(i % 10))
        app.processEvents()
        edit_times.append((time.perf_counter() - t) * 1000)
    for name, values in (
        ("step (highlight + arithmetic + repaint)", step_times),
        ("recompute after a cell edit + repaint", edit_times),
    ):
        p95 = percentile(values, 95)
        print(
            f"{name:42s} p50 {statistics.median(values):6.2f} ms  p95 {p95:6.2f} ms  "
            f"max {max(values):6.2f} ms   target ≤ 30 ms: {'met' if p95 <= 30 else 'NOT met'}"
        )
    from closing import close_window  # beside this script

    close_window(window)


if __name__ == "__main__":
    main()
