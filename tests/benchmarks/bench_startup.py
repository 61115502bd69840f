"""Start-up, whole process: time to something on screen, and until every page is usable.

Two plain designs side by side in one run, each round alternating, against their yardsticks:

  (b) the app's: the main window first; once it has been painted, PyTorch, torchvision and
      captum imported in a background thread, pyqtgraph in the GUI thread;
  (a) a splash screen (QSplashScreen saying what is loading) while torch, captum and
      pyqtgraph import in the GUI thread, then the window (as napari, Spyder). Offscreen, a
      QLabel in a splash-screen window stands in for it: QSplashScreen.show() waits up to 1 s
      for an expose event that the offscreen platform does not send (1.00 s measured here).

"On screen" is the first paint (of the window, or the splash); "loaded" is when every page
opens without waiting for an import (the preload done and pyqtgraph imported; for the splash,
the window shown); "all built" is when every lesson's page has also been built and shown once
(each takes 0.05–0.3 s when first chosen). Targets: on screen within 2× a bare PySide6
window; every page usable within ``python -c "import torch, pyqtgraph, captum"`` + 0.5 s.
Best and median of the rounds.

    python tests/benchmarks/bench_startup.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# each script prints one time.time() per line: on screen (the first paint event of the
# widget shown), then (if it says) every page usable
ON_PAINT = (
    "from PySide6.QtCore import QEvent, QObject\n"
    "class FirstPaint(QObject):\n"
    "    def __init__(self, then):\n"
    "        super().__init__(); self.then = then\n"
    "    def eventFilter(self, obj, event):\n"
    "        if event.type() == QEvent.Paint and self.then is not None:\n"
    "            print(time.time(), flush=True)\n"
    "            then, self.then = self.then, None\n"
    "            QTimer.singleShot(0, then)\n"
    "        return False\n"
)
BARE = (
    "import time\n"
    "from PySide6.QtCore import QTimer\n"
    "from PySide6.QtWidgets import QApplication, QWidget\n"
    "app = QApplication([])\n" + ON_PAINT + "window = QWidget(); window.resize(1280, 800)\n"
    "watch = FirstPaint(app.quit); app.installEventFilter(watch)\n"
    "window.show()\n"
    "app.exec()\n"
)
IMPORTS = "import time\nimport torch, pyqtgraph, captum\nprint(time.time(), flush=True)\n"
EVERY_PAGE = (  # after the window is up: every page built and shown, then the time
    "def every_page():\n"
    "    from cnnviz.gui.pages import PAGES\n"
    "    for entry in PAGES:\n"
    "        window.show_page(entry)\n"
    "        app.processEvents()\n"
    "    print(time.time(), flush=True)\n"
    "    import os; os._exit(0)  # (the pages' workers are not waited for)\n"
)
WINDOW_FIRST = (
    "import time\n"
    "from PySide6.QtCore import QTimer\n"
    "from cnnviz.gui.app import create_app\n"
    "from cnnviz.gui.settings import use_private_settings\n"
    "use_private_settings()\n"
    "app = create_app()\n"
    "from cnnviz.gui.window.main_window import MainWindow\n"
    "window = MainWindow(); window.resize(1280, 800)\n" + ON_PAINT + EVERY_PAGE + "import sys\n"
    "def when_loaded():  # every page opens without waiting for an import\n"
    "    if window.preload.done() and 'pyqtgraph' in sys.modules:\n"
    "        print(time.time(), flush=True)\n"
    "        every_page()\n"
    "    else:\n"
    "        QTimer.singleShot(20, when_loaded)\n"
    "watch = FirstPaint(when_loaded); app.installEventFilter(watch)\n"
    "window.show()\n"
    "app.exec()\n"
)
SPLASH_FIRST = (
    "import time, importlib\n"
    "from PySide6.QtCore import QTimer, Qt\n"
    "from PySide6.QtGui import QPixmap\n"
    "import os\n"
    "from PySide6.QtWidgets import QLabel, QSplashScreen\n"
    "class Stand(QLabel):  # offscreen: QSplashScreen without its wait for an expose\n"
    "    def __init__(self, picture):\n"
    "        super().__init__(); self.setPixmap(picture)\n"
    "        self.setWindowFlags(Qt.SplashScreen | Qt.FramelessWindowHint)\n"
    "    def showMessage(self, text, _where):\n"
    "        self.setToolTip(text); self.repaint()\n"
    "    def finish(self, _window):\n"
    "        self.close()\n"
    "offscreen = os.environ.get('QT_QPA_PLATFORM') == 'offscreen'\n"
    "from cnnviz.gui.app import create_app\n"
    "from cnnviz.gui.settings import use_private_settings\n"
    "use_private_settings()\n"
    "app = create_app()\n"
    "from importlib import resources\n"
    "picture = QPixmap(str(resources.files('cnnviz.resources') / 'cnnviz.png'))\n"
    "picture = picture.scaled(400, 400, Qt.KeepAspectRatio)\n"
    "splash = (Stand if offscreen else QSplashScreen)(picture)\n"
    + ON_PAINT
    + EVERY_PAGE
    + "def load():\n"
    "    from cnnviz.gui.workers.preload import MODULES\n"
    "    global window\n"
    "    for name in MODULES + ('pyqtgraph',):\n"
    "        splash.showMessage(f'Loading {name}…', Qt.AlignBottom | Qt.AlignHCenter)\n"
    "        app.processEvents()\n"
    "        importlib.import_module(name)\n"
    "    from cnnviz.gui.window.main_window import MainWindow\n"
    "    window = MainWindow(); window.resize(1280, 800); window.show()\n"
    "    splash.finish(window)\n"
    "    app.processEvents()\n"
    "    print(time.time(), flush=True)\n"
    "    every_page()\n"
    "watch = FirstPaint(load); app.installEventFilter(watch)\n"
    "splash.show(); splash.showMessage('Loading PyTorch…', Qt.AlignBottom | Qt.AlignHCenter)\n"
    "app.exec()\n"
)


def once(code: str) -> list[float]:
    """Seconds from the process's start to each time it prints."""
    env = {**os.environ}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    start = time.time()
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return [float(line) - start for line in out.stdout.split() if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    cases = {
        "bare PySide6 window": BARE,
        "import torch, pyqtgraph, captum": IMPORTS,
        "(b) window first": WINDOW_FIRST,
        "(a) splash first": SPLASH_FIRST,
    }
    once(WINDOW_FIRST)  # warm the file cache
    times: dict[str, list[list[float]]] = {name: [] for name in cases}
    for _ in range(args.rounds):
        for name, code in cases.items():
            times[name].append(once(code))

    def best(name: str, i: int = 0) -> float:
        return min(t[i] for t in times[name])

    def median(name: str, i: int = 0) -> float:
        return statistics.median(t[i] for t in times[name])

    print(
        f"start-up, whole process, best (median) of {args.rounds} "
        f"(python {sys.version.split()[0]}, {os.cpu_count()} cores)"
    )
    print(
        f"  bare PySide6 window on screen     {best('bare PySide6 window'):6.2f} s "
        f"({median('bare PySide6 window'):.2f})"
    )
    imports = "import torch, pyqtgraph, captum"
    print(f"  python -c '{imports}'  {best(imports):6.2f} s ({median(imports):.2f})")
    bare, usable = best("bare PySide6 window"), best(imports) + 0.5
    for name in ("(b) window first", "(a) splash first"):
        shown, loaded, built = best(name, 0), best(name, 1), best(name, 2)
        print(
            f"  {name}: on screen {shown:5.2f} s ({median(name, 0):.2f}) = {shown / bare:3.1f}×"
            f" bare (target ≤ 2: {'met' if shown <= 2 * bare else 'NOT met'})\n"
            f"      loaded {loaded:5.2f} s ({median(name, 1):.2f}), target ≤ {usable:.2f}: "
            f"{'met' if loaded <= usable else 'NOT met'}; all nine pages built {built:5.2f} s "
            f"({median(name, 2):.2f})"
        )


if __name__ == "__main__":
    main()
