"""Time to follow a window being resized on the Convolution page (the grids refit their cells
at each size): three 64×64 channels with 5×5 kernels, and the lecture's 3×3 example.

Each figure is one resize plus the layout and repaint it causes (the event loop is run until
they are done, as in the app), over a drag from 1280×800 to 1920×1080 and back.
Target: ≤ 30 ms (p95).
"""

from __future__ import annotations

import statistics
import time

import numpy as np


def main(frames: int = 60) -> None:
    from cnnviz.gui.app import staged_window
    from cnnviz.gui.pages.conv_page import ConvPage

    app, window = staged_window()
    page = window.show_page(ConvPage)
    rng = np.random.default_rng(0)

    def large() -> None:
        page.set_inputs(rng.integers(0, 10, size=(3, 64, 64)).astype(float))
        page.kernel_spin.set_value((5, 5))
        page.kernels = rng.integers(-2, 3, size=(3, 5, 5)).astype(float)
        page.recompute(0)

    for name, stage in (("lecture 3×3", lambda: page.load_preset(0)), ("3 × 64×64", large)):
        stage()
        app.processEvents()
        times, cells = [], set()
        for i in range(frames):
            t = i / (frames - 1)
            f = 1 - abs(2 * t - 1)  # out and back
            window.resize(round(1280 + 640 * f), round(800 + 280 * f))
            start = time.perf_counter()
            app.processEvents()
            window.repaint()
            times.append((time.perf_counter() - start) * 1000)
            cells.add(page.all_grids()[0].view.cell_size)
        p95 = float(np.percentile(times, 95))
        print(
            f"{name:12s} resize + refit + repaint: p50 {statistics.median(times):6.2f} ms  "
            f"p95 {p95:6.2f} ms  max {max(times):6.2f} ms  (cells {min(cells)}–{max(cells)} px)"
            f"   target ≤ 30 ms: {'met' if p95 <= 30 else 'NOT met'}"
        )
    from closing import close_window  # beside this script

    close_window(window)


if __name__ == "__main__":
    main()
