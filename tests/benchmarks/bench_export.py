"""Animation export: the lecture's 5×5 max pooling (9 steps) and a 64-step convolution as
GIFs at 1280×800. Targets: ≤ 3 s and ≤ 15 s.

Printed: the export itself (offscreen page built, every frame rendered, quantized and the GIF
written), the whole `cnnviz export` command (Python and Qt start-up included), and — exporting
from the window, in slices — the longest slice, i.e. the longest the window waits to answer.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed_export(lesson, path, size=(1280, 800)):
    from cnnviz.gui.export.animation_export import AnimationExport
    from cnnviz.gui.pages import PAGES

    entry = next(e for e in PAGES if e.title == lesson.page)
    job = AnimationExport(entry.load(), lesson, path, size, fps=2)
    t = time.perf_counter()
    job.run()
    return time.perf_counter() - t, job.total


def slices(window, app, path):
    """Export from the window; the duration of every slice (ms) and the total (s)."""
    durations = []
    job = window.lesson_files.export_animation(path, (1280, 800), fps=2)
    real = job._slice

    def measured():
        t = time.perf_counter()
        real()
        durations.append((time.perf_counter() - t) * 1000)

    job.timer.timeout.disconnect()
    job.timer.timeout.connect(measured)
    start = time.perf_counter()
    while window.lesson_files.job is not None:
        app.processEvents()
    return durations, time.perf_counter() - start


def main() -> None:
    from cnnviz.core.examples import examples
    from cnnviz.gui.app import staged_window
    from cnnviz.gui.pages.conv_page import ConvPage

    app, window = staged_window()
    found = examples()
    out = Path(tempfile.mkdtemp(prefix="cnnviz-bench-export-"))
    cases = (("pool-2", "5×5 max pooling", 3.0), ("conv-4", "8×8 edge detection", 15.0))
    for key, name, target in cases:
        seconds, frames = timed_export(found[key], out / f"{key}.gif")
        size = (out / f"{key}.gif").stat().st_size / 1e6
        verdict = "ok" if seconds <= target else "OVER"
        print(
            f"{name:20s} {frames:3d} frames at 1280×800: {seconds:5.2f} s "
            f"({seconds / frames * 1000:4.0f} ms a frame, {size:.1f} MB)  "
            f"target ≤ {target:g} s  {verdict}"
        )
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "cnnviz", "export", key, "-o", str(out / f"cli-{key}.gif")],
            check=True,
            capture_output=True,
        )
        print(f"{'':20s} the whole `cnnviz export {key}` command: {time.perf_counter() - t:.2f} s")
    window.show_page(ConvPage).load_preset(3)
    durations, total = slices(window, app, out / "window.gif")
    print(
        f"from the window, 64 steps: {total:.2f} s in {len(durations)} slices; slice p50 "
        f"{statistics.median(durations):.0f} ms, max {max(durations):.0f} ms "
        "(the longest the window waits to answer)"
    )
    from closing import close_window  # beside this script

    close_window(window)


if __name__ == "__main__":
    main()
