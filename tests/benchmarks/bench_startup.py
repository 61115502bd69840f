"""Whole-process time from start to the window shown at the first event-loop turn.

cnnviz's main window against a bare PySide6 window, alternating, in one run; importing
pyqtgraph and torch are timed too, for scale. Target: cnnviz under 0.6 s.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

FIRST_TURN = (
    "import time\n"
    "from PySide6.QtCore import QTimer\n"
    "def _done():\n"
    "    print(time.time(), flush=True)\n"
    "    app.quit()\n"
    "QTimer.singleShot(0, _done)\n"
    "app.exec()\n"
)
CNNVIZ = (
    "from cnnviz.gui.app import create_app\n"
    "from cnnviz.gui.main_window import MainWindow\n"
    "from cnnviz.gui.settings import use_private_settings\n"
    "use_private_settings()\n"
    "app = create_app()\n"
    "window = MainWindow(); window.resize(1280, 800); window.show()\n" + FIRST_TURN
)
BARE = (
    "from PySide6.QtWidgets import QApplication, QWidget\n"
    "app = QApplication([])\n"
    "window = QWidget(); window.resize(1280, 800); window.show()\n" + FIRST_TURN
)
IMPORT = "import time, {mod}\nprint(time.time(), flush=True)\n"


def once(code: str) -> float:
    env = {**os.environ}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    start = time.time()
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1]) - start


def main(rounds: int = 7) -> None:
    cases = {
        "bare PySide6 window": BARE,
        "cnnviz main window": CNNVIZ,
        "import pyqtgraph": IMPORT.format(mod="pyqtgraph"),
        "import torch": IMPORT.format(mod="torch"),
    }
    once(CNNVIZ)  # warm the file cache
    times = {name: [] for name in cases}
    for _ in range(rounds):
        for name, code in cases.items():
            times[name].append(once(code))
    print(f"start → first event-loop turn, median of {rounds} (python {sys.version.split()[0]})")
    medians = {name: statistics.median(t) for name, t in times.items()}
    for name, m in medians.items():
        print(f"  {name:22s} {m:6.3f} s   (min {min(times[name]):.3f}, max {max(times[name]):.3f})")
    ratio = medians["cnnviz main window"] / medians["bare PySide6 window"]
    target = "met" if medians["cnnviz main window"] < 0.6 else "NOT met"
    print(f"  cnnviz / bare window  {ratio:6.2f}×   target < 0.6 s: {target}")


if __name__ == "__main__":
    main()
