"""The GUI thread's longest waits while the preload thread imports PyTorch at start-up.

Each round starts two fresh processes, alternating: the app's preload (``Preload`` with the
main window's module list), once as the app runs it (PyTorch's native libraries loaded with
the Python lock released, ``unlocked_loading``) and once with those loads holding the lock,
as Python does by default. Meanwhile the main thread sleeps 1 ms at a time, as an idle
GUI thread would, and notes how long each wake-up took. Prints, per variant, the median
over the rounds of the import time, the longest wait and the number of waits over 50 ms.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import contextlib, sys, time
from cnnviz.gui.app import GUI_SWITCH_INTERVAL_S
sys.setswitchinterval(GUI_SWITCH_INTERVAL_S)
from cnnviz.gui.workers import preload
if {held}:
    preload.unlocked_loading = contextlib.nullcontext
job = preload.Preload(preload.MODULES + preload.page_modules())
start = last = time.perf_counter()
waits = []
while not job.done():
    time.sleep(0.001)
    now = time.perf_counter()
    waits.append(now - last - 0.001)
    last = now
assert job.error is None, job.error
print(time.perf_counter() - start, max(waits), sum(w > 0.05 for w in waits))
"""


def once(held: bool) -> tuple[float, float, int]:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(held=held)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    took, longest, over = out.stdout.split()
    return float(took), float(longest), int(over)


def main(rounds: int = 5) -> None:
    once(False)  # warm the file cache
    results: dict[str, list[tuple[float, float, int]]] = {"unlocked": [], "held": []}
    for _ in range(rounds):
        results["unlocked"].append(once(False))
        results["held"].append(once(True))
    print(f"preload with the GUI thread idle, median of {rounds} (python {sys.version.split()[0]})")
    medians = {}
    for name, rows in results.items():
        took = statistics.median(r[0] for r in rows)
        longest = statistics.median(r[1] for r in rows)
        over = statistics.median(r[2] for r in rows)
        medians[name] = longest
        worst = max(r[1] for r in rows)
        print(
            f"  native loads {name:9s} imports {took:5.2f} s   longest wait "
            f"{longest * 1000:5.0f} ms (worst {worst * 1000:4.0f})   waits over 50 ms: {over:g}"
        )
    print(f"  longest wait, held / unlocked: {medians['held'] / medians['unlocked']:.1f}×")


if __name__ == "__main__":
    main()
