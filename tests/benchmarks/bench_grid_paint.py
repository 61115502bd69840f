"""One repaint of a grid of numbers (paint_cells), the lessons' most frequent paint.

Grids of 33×33 and 64×64 cells at 40 px, whole and fractional numbers, a 3×3 window marked
and the cells after the step greyed, all cells visible. Prints the median of 30 repaints.
``--compare FILE`` loads another version of ``cnnviz/gui/widgets/cell_delegate.py`` (say,
from ``git show REV:cnnviz/gui/widgets/cell_delegate.py``) and measures both, alternating, in
the same run.

    python tests/benchmarks/bench_grid_paint.py [--compare old_cell_delegate.py]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", metavar="FILE", help="another cell_delegate.py to measure")
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()

    import numpy as np
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from cnnviz.gui.widgets import cell_delegate, grid_view
    from cnnviz.gui.widgets.grid_model import GridModel
    from cnnviz.gui.widgets.grid_view import GridView

    versions = {"this": cell_delegate.paint_cells}
    if args.compare:
        spec = importlib.util.spec_from_file_location("compared_cell_delegate", args.compare)
        other = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(other)
        versions["compared"] = other.paint_cells
    rng = np.random.default_rng(0)
    grids = {
        "33×33 whole": rng.integers(-9, 10, (33, 33)).astype(float),
        "33×33 fractional": rng.normal(size=(33, 33)),
        "64×64 whole": rng.integers(-9, 10, (64, 64)).astype(float),
        "64×64 fractional": rng.normal(size=(64, 64)),
    }
    print(f"one repaint, median of {args.repeats} (python {sys.version.split()[0]})")
    for name, values in grids.items():
        model = GridModel(editable=False)
        model.set_values(values)
        model.set_highlights(
            {(r, c): "window" for r in range(3) for c in range(3)}, pending_after=values.size // 2
        )
        view = GridView(model, 40)
        view.resize(view.sizeHint())
        view.show()
        app.processEvents()
        times: dict[str, list[float]] = {version: [] for version in versions}
        for _ in range(args.repeats):
            for version, paint in versions.items():
                grid_view.paint_cells = paint
                start = time.perf_counter()
                view.viewport().repaint()
                times[version].append(time.perf_counter() - start)
        grid_view.paint_cells = cell_delegate.paint_cells
        medians = {version: statistics.median(t) * 1000 for version, t in times.items()}
        line = "   ".join(f"{version} {ms:6.1f} ms" for version, ms in medians.items())
        if "compared" in medians:
            line += f"   compared / this {medians['compared'] / medians['this']:.2f}×"
        print(f"  {name:17s} {line}")
        view.close()
        view.deleteLater()
        app.processEvents()


if __name__ == "__main__":
    main()
