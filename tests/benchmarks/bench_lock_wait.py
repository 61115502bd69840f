"""The GUI thread's work while another thread runs Python, at several switch intervals.

Qt calls back into Python for every paint, size hint and event handler, and each call must
take the Python lock; a thread running Python (the preload's imports, a worker's Python
between its tensor operations) holds it until the switch interval has passed. This measures
one change of the Grouped lesson's example (new grids made, laid out and painted) and one
zoom of the Train page with the GUI thread alone, then beside a thread that runs pure Python
without pause, at each switch interval in turn (rounds alternate), and that thread's own
progress meanwhile and alone.

    python tests/benchmarks/bench_lock_wait.py [--rounds 2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

INTERVALS_MS = (5.0, 0.5, 0.2, 0.1)  # 5 ms: Python's own


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    from closing import close_window

    from cnnviz.gui.app import GUI_SWITCH_INTERVAL_S, staged_window
    from cnnviz.gui.pages.grouped_page import GroupedPage

    app, window = staged_window()
    window.preload.wait()

    def settle(turns: int = 30) -> None:
        for _ in range(turns):
            app.processEvents()
            time.sleep(0.002)

    page = window.show_page(GroupedPage)
    settle(100)
    box = page.preset_box

    def example_changes() -> float:
        """Median of 8 example changes (each: the grids made, laid out and painted), ms."""
        times = []
        for i in list(range(1, min(box.count(), 5))) * 2:
            start = time.perf_counter()
            box.setCurrentIndex(i)
            box.activated.emit(i)
            app.processEvents()
            window.repaint()
            times.append(time.perf_counter() - start)
        return statistics.median(times) * 1000

    from cnnviz.gui.pages.train_page import TrainPage

    window.show_page(TrainPage)
    settle(100)

    def zooms() -> float:
        """Median of 4 zooms in or out on the Train page (laid out and painted), ms."""
        times = []
        for factor in (1.15, 1 / 1.15) * 2:
            start = time.perf_counter()
            window.set_look(zoom=window.zoom * factor)
            for _ in range(4):  # the turns a held repaint waits for its layout
                app.processEvents()
            window.repaint()
            times.append(time.perf_counter() - start)
        return statistics.median(times) * 1000

    def both() -> tuple[float, float]:
        window.show_page(GroupedPage)
        settle(5)
        change = example_changes()
        window.show_page(TrainPage)
        settle(5)
        return change, zooms()

    print(
        "one Grouped example change (median of 8) and one zoom on the Train page (median of 4)"
        f" (python {sys.version.split()[0]}, {os.cpu_count()} cores)"
    )
    alone_change, alone_zoom = both()
    print(f"  the GUI thread alone: {alone_change:6.1f} ms, zoom {alone_zoom:6.1f} ms")

    stop, done = threading.Event(), [0]

    def busy() -> None:  # pure Python without pause, like an import
        while not stop.is_set():
            table = {}
            for i in range(200):
                table[i] = str(i)
            done[0] += 1

    thread = threading.Thread(target=busy, daemon=True)
    thread.start()
    results: dict[float, list[tuple]] = {ms: [] for ms in INTERVALS_MS}
    for _ in range(args.rounds):
        for ms in INTERVALS_MS:
            sys.setswitchinterval(ms / 1000)
            before, start = done[0], time.perf_counter()
            change, zoom = both()
            beside = (done[0] - before) / (time.perf_counter() - start)
            before = done[0]
            time.sleep(1.0)
            alone = done[0] - before
            results[ms].append((change, beside, alone, zoom))
    stop.set()
    thread.join()
    sys.setswitchinterval(GUI_SWITCH_INTERVAL_S)
    for ms, rows in results.items():
        change = statistics.median(r[0] for r in rows)
        beside = statistics.median(r[1] for r in rows)
        alone = statistics.median(r[2] for r in rows)
        zoom = statistics.median(r[3] for r in rows)
        print(
            f"  beside a Python-busy thread, switch interval {ms:3.1f} ms: {change:6.1f} ms, "
            f"zoom {zoom:6.1f} ms   (the busy thread: {beside / alone:4.2f} of its pace alone)"
        )
    close_window(window)


if __name__ == "__main__":
    main()
