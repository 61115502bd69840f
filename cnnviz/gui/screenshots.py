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
    from cnnviz.gui.appearance.repaint_hold import release_repaints

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


def page_index(class_name: str) -> int:
    """The place in the window's list of lessons of the page whose class is called
    ``class_name`` ("ConvPage"). Reads the list of lessons only (no page module is imported):
    each entry's ``target`` ends in ``:ClassName``, and its place is the window's page index."""
    from cnnviz.gui.pages import PAGES

    for index, entry in enumerate(PAGES):
        if entry.target.rsplit(":", 1)[-1] == class_name:
            return index
    raise LookupError(f"no lesson page is a {class_name}")


class Shooter:
    """Stages the window's pages and saves each picture into ``folder`` as NAME.png."""

    def __init__(self, app, window, folder: Path):
        self.app, self.window, self.folder = app, window, folder
        self.shots: list[Path] = []

    def settle(self) -> None:
        _settle(self.app, self.window)

    def wait_for(self, condition, seconds: float) -> None:
        _wait_for(self.app, condition, seconds)

    def show(self, class_name: str):
        """Build (if needed) and show the page whose class is ``class_name``; returns it."""
        return self.window.show_page(page_index(class_name))

    def save(self, name: str) -> Path:
        """The window as it is now."""
        path = self.folder / f"{name}.png"
        self.window.grab().save(str(path))
        self.shots.append(path)
        return path

    def lesson(self, name: str, class_name: str, preset: int, step: int) -> None:
        """A grid lesson on its shipped example ``preset``, at ``step``."""
        page = self.show(class_name)
        page.load_preset(preset)
        self.settle()
        page.step_bar.set_index(step)
        self.settle()
        self.save(name)

    def architecture(self, name: str, model: str) -> None:
        """The Architecture page on ``model``, once built in the page's worker."""
        page = self.show("ArchitecturePage")
        page.select_model(model)
        self.wait_for(lambda: not page.busy, 60)
        self.settle()
        page.diagram.centerOn(0, 0)
        self.save(name)

    def traced(self, name: str, layer: str, unit: tuple, step: int, source=None, left=False):
        """The Trace page with one unit clicked, mid-way through its arithmetic."""
        page = self.show("TracePage")
        if source is not None:
            source(page)
        self.wait_for(lambda: page.trace is not None and page.shown_id == page.request_id, 60)
        self.wait_for(lambda: layer in [n.label for n in page.trace.nodes], 60)
        page.select_unit(page.trace.index(layer), *unit)
        page.arithmetic.step_bar.set_index(step)
        page.overview.centerOn(page.overview.unit_scene_pos(page.trace.index(layer), *unit))
        if left:  # from the input: the receptive field on the drawing shows
            page.overview.horizontalScrollBar().setValue(0)
        self.settle()
        self.save(name)

    def drawn(self, draw, name: str) -> None:
        """Once the prediction of the last stroke is shown, save the Draw page."""
        self.wait_for(lambda: draw.shown_id == draw.request_id, 10)
        self.settle()
        self.save(name)


def grid_lesson_shots(shooter: Shooter) -> None:
    """The convolution and pooling lessons, then the ReLU step and the backward, transposed
    and grouped lessons."""
    shooter.lesson("convolution", "ConvPage", 1, 4)  # the lecture's 3×3 image, 2×2 filter, padded
    shooter.lesson("convolution-dilation", "ConvPage", 5, 4)
    shooter.lesson("pooling-max", "PoolPage", 1, 7)  # the lecture's 5×5, 3×3 max: the 2.0 cell
    shooter.lesson("pooling-avg", "PoolPage", 2, 3)
    import numpy as np

    conv = shooter.show("ConvPage")
    conv.load_preset(0)  # the lecture's 2×2 filter on a 3×3 image with negative numbers
    conv.set_inputs(np.array([[[3, -1, 2], [0, -5, 1], [4, 2, -3]]], dtype=float))
    conv.relu_box.setChecked(True)
    shooter.settle()
    conv.step_bar.last_step()  # the ReLU step
    shooter.settle()
    shooter.save("convolution-relu")
    conv.relu_box.setChecked(False)
    shooter.lesson("backward", "BackwardPage", 0, 2)
    backward = shooter.show("BackwardPage")
    backward.lr_spin.setValue(0.01)
    backward.sgd()
    shooter.settle()
    shooter.save("backward-sgd")
    shooter.lesson("backward-max-pooling", "BackwardPage", 2, 1)
    shooter.lesson("transposed", "TransposedPage", 1, 4)
    transposed = shooter.show("TransposedPage")
    transposed.view_box.setCurrentIndex(1)
    shooter.lesson("transposed-convolution-view", "TransposedPage", 2, 9)
    transposed.view_box.setCurrentIndex(0)
    shooter.lesson("grouped", "GroupedPage", 1, 9)  # output 3 reads channels 3–4
    shooter.lesson("grouped-bottleneck", "GroupedPage", 3, 4)


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

    train = window.show_page(page_index("TrainPage"))
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


def model_shots(shooter: Shooter) -> None:
    """The Architecture page on three models and the lecture's deck at the simple net's 320."""
    shooter.architecture("architecture-inception", "inception")
    shooter.architecture("architecture-mismatch", "simple_broken")
    shooter.architecture("architecture-resnet", "resnet")
    # the lecture's deck at the simple net's stop (its 320), not the question before it
    window = shooter.window
    window.deck.open_lecture()
    stops = window.deck.deck.stops
    window.deck.go_to(
        next(i for i, s in enumerate(stops) if s.quiz is None and s.lesson.page == "Architecture")
    )
    shooter.wait_for(lambda: not getattr(window.current_page(), "busy", False), 60)
    shooter.settle()
    shooter.save("deck")
    window.deck.set_visible(False)


def training_shots(shooter: Shooter) -> None:
    """The Train page mid-training (inception on a subset, feature maps and branches live),
    and the Trace page on the model being trained."""
    import time

    train = shooter.show("TrainPage")
    train.form.model_box.setCurrentText("inception")
    train.form.limit_train.setValue(12800)
    train.form.epochs.setValue(3)
    config = train.config()
    config.limit_test = 2000
    train.start(config)
    shooter.wait_for(
        lambda: not train.is_running() or (len(train.accs) >= 2 and train.snapshots_shown >= 10),
        300,
    )
    train.engine.pause()
    for _ in range(20):
        shooter.app.processEvents()
        time.sleep(0.02)
    train.repaint_views()
    shooter.save("train-inception")
    shooter.traced(
        "trace-inception", "incept1.branch5x5_2", (3, 5, 6), 4, lambda p: p.use_training_run()
    )
    train.shutdown()


def one_step_shots(shooter: Shooter) -> None:
    """The One step page: test image 8 (a 5) against a wrong label, 3, a ReLU unit's chain
    rule through conv2; then a fresh net after six steps on batches of 64, the Weights tab on
    conv1 (before, gradient, after, change) and the loss by step."""
    page = shooter.show("LearnPage")
    shooter.wait_for(page.ready, 60)
    page.controller.show_test_image(8)
    shooter.wait_for(lambda: page.controller.test_index == 8 and page.ready(), 60)
    page.controller.set_label(3)
    shooter.wait_for(page.ready, 60)
    trace = page.controller.backward["trace"]
    page.walk_bar.set_index(6)
    page.select_unit(trace.index("relu"), 3, 5, 6)
    steps = page.arithmetic.explanation.steps  # the output channel that gives the most
    grids = [i for i, step in enumerate(steps) if step.products is not None]
    page.arithmetic.step_bar.set_index(max(grids, key=lambda i: abs(steps[i].products.sum())))
    page.overview.centerOn(page.overview.unit_scene_pos(trace.index("relu"), 3, 5, 6))
    shooter.settle()
    shooter.save("one-step-chain-rule")
    page.controller.use_model("fresh")
    page.controller.set_label(5, ask=False)
    shooter.wait_for(lambda: page.ready() and page.controller.model == "fresh", 60)
    page.batch.setValue(64)
    for _ in range(6):
        page.take_step()
        shooter.wait_for(lambda: page.ready() and page.measured(), 60)
    page.controller.clear_selection()
    page.walk_bar.set_index(len(page.controller.walk()) - 1)  # conv1, the first layer
    page.tabs.setCurrentIndex(1)
    shooter.settle()
    shooter.save("one-step-update")
    page.controller.use_model("trained")


def stroke(canvas, points, side: float) -> None:
    """Draw one stroke through ``points`` (fractions of ``side``) on the Draw page's canvas,
    ten segments from each point to the next."""
    from PySide6.QtCore import QPointF

    canvas.begin_stroke(QPointF(points[0][0] * side, points[0][1] * side))
    for (xa, ya), (xb, yb) in zip(points, points[1:]):
        for t in range(1, 11):
            canvas.extend_stroke(
                QPointF((xa + (xb - xa) * t / 10) * side, (ya + (yb - ya) * t / 10) * side)
            )
    canvas.end_stroke()


def drawing_shots(shooter: Shooter) -> float:
    """A drawn 7 and why the model says so, traced; the confusion matrix of a short run.
    Returns the side of the canvas it was drawn on."""
    draw = shooter.show("DrawPage")
    shooter.settle()
    canvas = draw.canvas
    side = min(canvas.width(), canvas.height())
    stroke(canvas, [(0.25, 0.22), (0.72, 0.22), (0.62, 0.45), (0.50, 0.65), (0.42, 0.82)], side)
    shooter.drawn(draw, "draw")
    shooter.shots += why_shots(shooter.app, shooter.window, draw, shooter.folder)
    draw.trace_drawing()  # "Trace this drawing": the Draw page's model and drawing
    shooter.traced("trace", "conv2", (3, 5, 2), 3, left=True)
    shooter.shots.append(confusion_shot(shooter.app, shooter.window, shooter.folder))
    return side


def own_images_shots(shooter: Shooter, side: float) -> None:
    """Your own images: a folder of drawn shapes, trained on, then a circle drawn ``side``
    pixels across classified."""
    import math
    import tempfile

    shapes = make_shapes_folder(Path(tempfile.mkdtemp(prefix="cnnviz-shapes-")) / "shapes")
    shooter.window.datasets.choose(f"folder:{shapes}", {"size": 28, "channels": 1})
    train = shooter.show("TrainPage")
    train.form.model_box.setCurrentText("simple")
    train.form.limit_train.setValue(0)
    train.form.epochs.setValue(15)
    train.form.lr.setValue(0.05)
    train.form.momentum.setValue(0.9)
    train.start()
    shooter.wait_for(lambda: not train.is_running(), 300)
    train.repaint_views(force=True)
    shooter.settle()
    shooter.save("train-own-folder")
    draw = shooter.show("DrawPage")
    draw.use_training_run()
    draw.canvas.clear()
    canvas = draw.canvas
    from PySide6.QtCore import QPointF

    centre, radius = side / 2, side * 0.3
    canvas.begin_stroke(QPointF(centre + radius, centre))
    for k in range(1, 41):
        angle = 2 * math.pi * k / 40
        canvas.extend_stroke(
            QPointF(centre + radius * math.cos(angle), centre + radius * 0.95 * math.sin(angle))
        )
    canvas.end_stroke()
    shooter.drawn(draw, "draw-own-folder")
    shooter.window.datasets.choose("mnist")


def look_shots(shooter: Shooter, size: tuple[int, int]) -> None:
    """The dark theme, then presenter mode, as on a projector: a pooling lesson, a Trace unit
    clicked, and the lecture's deck over the Convolution and Architecture pages."""
    window = shooter.window
    window.set_look(theme="dark")
    shooter.lesson("convolution-dark", "ConvPage", 1, 4)
    window.set_look(theme="system")
    window.set_look(presenter=True)
    shooter.lesson("presenter-mode", "PoolPage", 0, 0)
    predict_shots(shooter)
    shooter.traced("presenter-trace", "conv1", (3, 5, 6), 0)
    deck_shots(shooter)
    window.set_look(presenter=False)
    window.deck.set_visible(False)


def predict_shots(shooter: Shooter) -> None:
    """Predict first (Lesson menu), in presenter mode: the Convolution lesson's padded example,
    the output size answered wrong (the padding forgotten, named), the first cell asked."""
    window = shooter.window
    window.predict.set_on(True)
    page = shooter.show("ConvPage")
    page.load_preset(1)
    shooter.settle()
    page.take_prediction("2x2")
    shooter.settle()
    shooter.save("predict-first")
    window.predict.set_on(False)


def deck_shots(shooter: Shooter) -> None:
    """The lecture's deck at its first Convolution stop and its first Architecture stop, then
    its quiz stop on the 2×2 max-pooling slice: asked, and its answer revealed."""
    deck = shooter.window.deck
    deck.open_lecture()
    stops = deck.deck.stops
    pages = [stop.lesson.page if stop.quiz is None else "" for stop in stops]
    for name, page in (("deck-convolution", "Convolution"), ("deck-architecture", "Architecture")):
        deck.go_to(pages.index(page))
        current = shooter.window.current_page()
        shooter.wait_for(lambda p=current: not getattr(p, "busy", False), 60)
        shooter.settle()
        shooter.save(name)
    deck.go_to(next(i for i, s in enumerate(stops) if s.quiz and s.lesson.page == "Pooling"))
    shooter.settle()
    shooter.save("deck-quiz")
    deck.next_stop()  # PageDown: the answer, on the page
    shooter.settle()
    shooter.save("deck-quiz-answer")


def take(folder: Path, size: tuple[int, int] = (1280, 800)) -> list[Path]:
    """Stage each page with a lecture example mid-walk-through and save it, the window
    ``size`` (width, height) pixels."""
    from cnnviz.gui.app import staged_window

    app, window = staged_window(*size)
    folder.mkdir(parents=True, exist_ok=True)
    shooter = Shooter(app, window, folder)
    grid_lesson_shots(shooter)
    model_shots(shooter)
    training_shots(shooter)
    side = drawing_shots(shooter)
    one_step_shots(shooter)
    own_images_shots(shooter, side)
    look_shots(shooter, size)
    window.close()  # the workers stop; the window closes once they have
    _wait_for(app, lambda: not window.isVisible(), 30)
    return shooter.shots


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
