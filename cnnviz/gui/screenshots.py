"""Save a PNG of each page: ``python -m cnnviz.gui.screenshots [folder] [--size 1920x1080]``.

Runs offscreen (no display needed); the README's pictures are made with it at 1280×800 (the
default size); ``--size`` takes them at another window size, into a sub-folder named for it
unless a folder is given.
"""

from __future__ import annotations

import sys
from pathlib import Path

DEFAULT_FOLDER = Path(__file__).resolve().parents[2] / "resources" / "screenshots"


def _settle(app, window) -> None:
    for _ in range(3):
        app.processEvents()
    page = window.current_page()
    if hasattr(page, "fit_cells"):
        page.fit_cells()
    app.processEvents()
    from cnnviz.gui.repaint_hold import release_repaints

    release_repaints(window)  # laid out: drawn in full by grab()


def _wait_for(app, condition, seconds: float) -> None:
    """Run the event loop until ``condition()`` holds or ``seconds`` have passed."""
    import time

    deadline = time.time() + seconds
    while time.time() < deadline and not condition():
        app.processEvents()
        time.sleep(0.01)


def make_shapes_folder(root: Path, per_class: int = 150, side: int = 64, seed: int = 0) -> Path:
    """A small image folder for the "your own images" pictures: outlines of circles, squares
    and triangles drawn at random sizes, places and line widths (one sub-folder per class)."""
    import math

    import numpy as np
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(seed)
    for shape in ("circle", "square", "triangle"):
        (root / shape).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            image = Image.new("L", (side, side), 0)
            pen = ImageDraw.Draw(image)
            r = rng.uniform(0.22, 0.42) * side
            cx, cy = rng.uniform(r + 2, side - r - 2, size=2)
            width = int(rng.integers(2, 6))
            if shape == "circle":
                pen.ellipse([cx - r, cy - r, cx + r, cy + r], outline=255, width=width)
            else:
                corners = 4 if shape == "square" else 3
                turn = rng.uniform(0, 2 * math.pi)
                points = [
                    (
                        cx + r * math.cos(turn + 2 * math.pi * k / corners),
                        cy + r * math.sin(turn + 2 * math.pi * k / corners),
                    )
                    for k in range(corners)
                ]
                pen.line(points + points[:1], fill=255, width=width, joint="curve")
            image.save(root / shape / f"{i:03d}.png")
    return root


def lesson_shots(app, window, shot, save) -> None:
    """The backward, transposed and grouped lessons and the ReLU step;
    ``shot(name, page, preset, step)`` stages and saves one, ``save(name)`` the window as is."""
    from cnnviz.gui.pages import PAGES

    index = {entry.title: i for i, entry in enumerate(PAGES)}
    import numpy as np

    conv = window.show_page(index["Convolution"])
    conv.load_preset(0)  # the lecture's 2×2 filter on a 3×3 image with negative numbers
    conv.set_inputs(np.array([[[3, -1, 2], [0, -5, 1], [4, 2, -3]]], dtype=float))
    conv.relu_box.setChecked(True)
    _settle(app, window)
    conv.step_bar.last_step()  # the ReLU step
    _settle(app, window)
    save("convolution-relu")
    conv.relu_box.setChecked(False)
    shot("backward", index["Backward"], 0, 2)
    backward = window.show_page(index["Backward"])
    backward.lr_spin.setValue(0.01)
    backward.sgd()
    _settle(app, window)
    save("backward-sgd")
    shot("backward-max-pooling", index["Backward"], 2, 1)
    shot("transposed", index["Transposed convolution"], 1, 4)
    transposed = window.show_page(index["Transposed convolution"])
    transposed.view_box.setCurrentIndex(1)
    shot("transposed-convolution-view", index["Transposed convolution"], 2, 9)
    transposed.view_box.setCurrentIndex(0)
    shot("grouped", index["Grouped convolution"], 1, 9)  # output 3 reads channels 3–4
    shot("grouped-bottleneck", index["Grouped convolution"], 3, 4)


def why_shots(app, window, draw, folder: Path) -> list[Path]:
    """The Draw page's attribution, adversarial and accuracy tabs for the drawing on it."""
    tabs, shots = draw.why_tabs, []

    def save(name: str) -> None:
        _settle(app, window)
        path = folder / f"{name}.png"
        window.grab().save(str(path))
        shots.append(path)

    tabs.setCurrentWidget(tabs.why)
    tabs.why.method_box.setCurrentText("Occlusion")
    tabs.why.window_spin.setValue(10)
    tabs.why.stride_spin.setValue(2)
    _wait_for(app, tabs.why.settled, 10)
    tabs.why.play()
    for _ in range(len(tabs.why.result["positions"]) // 2):  # the window halfway across
        tabs.why._advance()
    tabs.why.timer.stop()
    save("draw-why-occlusion")
    tabs.why.method_box.setCurrentText("Integrated gradients")
    _wait_for(app, tabs.why.settled, 10)
    save("draw-why-integrated-gradients")
    tabs.setCurrentWidget(tabs.fool)
    tabs.fool.eps_slider.setValue(50)  # ε = 0.25
    tabs.fool.goal_box.setCurrentIndex(4)  # make it say 3
    _wait_for(app, tabs.fool.settled, 10)
    save("draw-fool")
    tabs.setCurrentWidget(tabs.robustness)
    tabs.robustness.compute()
    _wait_for(app, lambda: not tabs.robustness.running, 120)
    save("draw-accuracy")
    tabs.setCurrentWidget(tabs.filters)
    tabs.filters.choose("conv2", 4)
    _wait_for(app, tabs.filters.settled, 120)
    save("draw-filters")
    tabs.why.method_box.setCurrentIndex(0)
    tabs.why.window_spin.setValue(7)
    tabs.why.stride_spin.setValue(3)
    tabs.setCurrentIndex(0)
    return shots


def confusion_shot(app, window, folder: Path) -> Path:
    """A short MNIST run, then the Train page's confusion matrix with a cell opened."""
    import numpy as np

    from cnnviz.core.training import TrainConfig

    train = window.show_page(3)
    config = TrainConfig(model="simple", epochs=1, limit_train=6400, device="cpu")
    train.start(config)
    _wait_for(app, lambda: train.ended, 300)
    train.repaint_views(force=True)
    views = train.views
    views.tabs.setCurrentIndex(views.tabs.indexOf(views.gallery.parentWidget()))
    table = views.confusion
    matrix = np.array(
        [[int(table.item(r, c).text()) for c in range(10)] for r in range(10)], dtype=int
    )
    np.fill_diagonal(matrix, -1)
    true, predicted = np.unravel_index(matrix.argmax(), matrix.shape)
    table.setCurrentCell(int(true), int(predicted))
    train.open_confusion_cell(int(true), int(predicted))
    _wait_for(app, views.gallery.settled, 60)
    _settle(app, window)
    path = folder / "train-confusion.png"
    window.grab().save(str(path))
    return path


def take(folder: Path, size: tuple[int, int] = (1280, 800)) -> list[Path]:
    """Stage each page with a lecture example mid-walk-through and save it, the window
    ``size`` (width, height) pixels."""
    from cnnviz.gui.app import staged_window

    app, window = staged_window(*size)
    folder.mkdir(parents=True, exist_ok=True)
    shots = []

    def save(name: str) -> None:
        path = folder / f"{name}.png"
        window.grab().save(str(path))
        shots.append(path)

    def shot(name: str, page: int, preset: int, step: int) -> None:
        window.show_page(page)
        current = window.current_page()
        current.load_preset(preset)
        _settle(app, window)
        current.step_bar.set_index(step)
        _settle(app, window)
        save(name)

    shot("convolution", 0, 1, 4)  # the lecture's 3×3 image, 2×2 filter, with padding
    shot("convolution-dilation", 0, 5, 4)
    shot("pooling-max", 1, 1, 7)  # the lecture's 5×5 grid, 3×3 max pooling: the 2.0 cell
    shot("pooling-avg", 1, 2, 3)
    lesson_shots(app, window, shot, save)

    def architecture(name: str, model: str) -> None:
        page = window.show_page(2)
        page.select_model(model)
        _wait_for(app, lambda: not page.busy, 60)  # built in the page's worker
        _settle(app, window)
        page.diagram.centerOn(0, 0)
        path = folder / f"{name}.png"
        window.grab().save(str(path))
        shots.append(path)

    architecture("architecture-inception", "inception")
    architecture("architecture-mismatch", "simple_broken")
    architecture("architecture-resnet", "resnet")

    # the lecture's deck at its fifth stop (the simple net's 320): caption band and stops
    window.deck.open_lecture()
    for _ in range(4):
        window.deck.next_stop()
    _wait_for(app, lambda: not window.current_page().busy, 60)
    _settle(app, window)
    shots.append(folder / "deck.png")
    window.grab().save(str(shots[-1]))
    window.deck.set_visible(False)

    # the Train page mid-training: inception on a subset, feature maps and branches live
    import time

    train = window.show_page(3)
    train.form.model_box.setCurrentText("inception")
    train.form.limit_train.setValue(12800)
    train.form.epochs.setValue(3)
    config = train.config()
    config.limit_test = 2000
    train.start(config)
    _wait_for(
        app,
        lambda: not train.is_running() or (len(train.accs) >= 2 and train.snapshots_shown >= 10),
        300,
    )
    train.engine.pause()
    for _ in range(20):
        app.processEvents()
        time.sleep(0.02)
    train.repaint_views()
    path = folder / "train-inception.png"
    window.grab().save(str(path))
    shots.append(path)

    def traced(name: str, layer: str, unit: tuple, step: int, source=None, left=False) -> None:
        """The Trace page with one unit clicked, mid-way through its arithmetic."""
        from cnnviz.gui.pages import PAGES

        page = window.show_page([e.title for e in PAGES].index("Trace"))
        if source is not None:
            source(page)
        _wait_for(app, lambda: page.trace is not None and page.shown_id == page.request_id, 60)
        _wait_for(app, lambda: layer in [n.label for n in page.trace.nodes], 60)
        page.select_unit(page.trace.index(layer), *unit)
        page.arithmetic.step_bar.set_index(step)
        page.overview.centerOn(page.overview.unit_scene_pos(page.trace.index(layer), *unit))
        if left:  # from the input: the receptive field on the drawing shows
            page.overview.horizontalScrollBar().setValue(0)
        _settle(app, window)
        path = folder / f"{name}.png"
        window.grab().save(str(path))
        shots.append(path)

    traced("trace-inception", "incept1.branch5x5_2", (3, 5, 6), 4, lambda p: p.use_training_run())
    train.shutdown()

    def drawn(draw, name: str) -> None:
        """Once the prediction of the last stroke is shown, save the page."""
        _wait_for(app, lambda: draw.shown_id == draw.request_id, 10)
        _settle(app, window)
        path = folder / f"{name}.png"
        window.grab().save(str(path))
        shots.append(path)

    draw = window.show_page(4)
    _settle(app, window)
    canvas = draw.canvas
    side = min(canvas.width(), canvas.height())
    from PySide6.QtCore import QPointF

    points = [(0.25, 0.22), (0.72, 0.22), (0.62, 0.45), (0.50, 0.65), (0.42, 0.82)]
    canvas.begin_stroke(QPointF(points[0][0] * side, points[0][1] * side))
    for (xa, ya), (xb, yb) in zip(points, points[1:]):
        for t in range(1, 11):
            canvas.extend_stroke(
                QPointF((xa + (xb - xa) * t / 10) * side, (ya + (yb - ya) * t / 10) * side)
            )
    canvas.end_stroke()
    drawn(draw, "draw")
    shots += why_shots(app, window, draw, folder)
    draw.trace_drawing()  # "Trace this drawing": the Draw page's model and drawing
    traced("trace", "conv2", (3, 5, 2), 3, left=True)
    shots.append(confusion_shot(app, window, folder))

    # your own images: a folder of drawn shapes, trained on, then a drawn circle classified
    import tempfile

    shapes = make_shapes_folder(Path(tempfile.mkdtemp(prefix="cnnviz-shapes-")) / "shapes")
    window.datasets.choose(f"folder:{shapes}", {"size": 28, "channels": 1})
    train = window.show_page(3)
    train.form.model_box.setCurrentText("simple")
    train.form.limit_train.setValue(0)
    train.form.epochs.setValue(15)
    train.form.lr.setValue(0.05)
    train.form.momentum.setValue(0.9)
    train.start()
    _wait_for(app, lambda: not train.is_running(), 300)
    train.repaint_views(force=True)
    _settle(app, window)
    path = folder / "train-own-folder.png"
    window.grab().save(str(path))
    shots.append(path)
    draw = window.show_page(4)
    draw.use_training_run()
    draw.canvas.clear()
    import math

    centre, radius = side / 2, side * 0.3
    canvas.begin_stroke(QPointF(centre + radius, centre))
    for k in range(1, 41):
        angle = 2 * math.pi * k / 40
        canvas.extend_stroke(
            QPointF(centre + radius * math.cos(angle), centre + radius * 0.95 * math.sin(angle))
        )
    canvas.end_stroke()
    drawn(draw, "draw-own-folder")
    window.datasets.choose("mnist")

    window.set_look(theme="dark")
    shot("convolution-dark", 0, 1, 4)
    window.set_look(theme="system")
    window.resize(*size)
    window.set_look(presenter=True)  # last
    window.resize(*size)
    shot("presenter-mode", 1, 0, 0)
    window.set_look(presenter=False)
    window.close()  # the workers stop; the window closes once they have
    _wait_for(app, lambda: not window.isVisible(), 30)
    return shots


def parse_size(text: str) -> tuple[int, int]:
    """ "1920x1080" → (1920, 1080)."""
    try:
        width, height = (int(part) for part in text.lower().replace("×", "x").split("x"))
    except ValueError:
        raise ValueError(f"a size is WIDTHxHEIGHT, like 1920x1080, not {text!r}") from None
    if not (320 <= width <= 7680 and 240 <= height <= 4320):
        raise ValueError(f"{width}x{height} is not a window size to take pictures at")
    return width, height


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m cnnviz.gui.screenshots", description=__doc__)
    parser.add_argument("folder", nargs="?", type=Path, help="where the PNGs go")
    parser.add_argument("--size", default="1280x800", help="window size, WIDTHxHEIGHT")
    args = parser.parse_args(argv)
    try:
        size = parse_size(args.size)
    except ValueError as exc:
        parser.error(str(exc))
    folder = args.folder or (
        DEFAULT_FOLDER if size == (1280, 800) else DEFAULT_FOLDER / f"{size[0]}x{size[1]}"
    )
    for path in take(folder, size):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
