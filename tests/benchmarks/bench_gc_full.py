"""One full garbage collection with PyTorch and every page loaded, before and after
``gc.freeze()``: what :func:`cnnviz.gui.workers.preload.freeze_start_up` saves each time Python
runs one (with the Python lock held: the window waits for it).

    python tests/benchmarks/bench_gc_full.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def full_ms() -> float:
    start = time.perf_counter()
    gc.collect()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from closing import close_window

    from cnnviz.gui.app import staged_window
    from cnnviz.gui.pages import PAGES
    from cnnviz.gui.workers import preload

    preload.freeze_start_up = lambda: None  # measured here, both ways
    app, window = staged_window()
    window.preload.wait()
    window.preload._thread.join()  # the later imports too
    for entry in PAGES:
        window.show_page(entry)
        app.processEvents()
    print(
        f"one full collection, {len(gc.get_objects())} objects tracked (python "
        f"{sys.version.split()[0]}, {os.cpu_count()} cores)"
    )
    loose = [full_ms() for _ in range(args.rounds)]
    gc.freeze()
    frozen = [full_ms() for _ in range(args.rounds)]
    print(f"  not frozen: {min(loose):6.1f} ms (max {max(loose):.1f})")
    print(f"  frozen:     {min(frozen):6.1f} ms (max {max(frozen):.1f})")
    gc.unfreeze()
    close_window(window)


if __name__ == "__main__":
    main()
