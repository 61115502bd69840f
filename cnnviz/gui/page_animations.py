"""Frames of the pages that have no step-through to export, for the documentation's animations:
``python -m cnnviz.gui.page_animations NAME FOLDER [--size 1280x800]``.

Each frame is a grab of the page (``QWidget.grab``) in a window staged as the screenshots'
(:mod:`cnnviz.gui.screenshots`), taken offscreen while the page does its own work: the Train
page training the lecture's ``simple`` net on MNIST, the Draw page following a digit drawn
stroke by stroke, the Architecture page on the lecture's networks one after another. Training
is seeded and paused at fixed batches, and each drawing frame waits for the compute service's
answer, so the same command gives the same frames (the Train page names the CPU threads it
trains on). ``docs/make_pictures.py`` turns them into GIFs.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cnnviz.gui.screenshots import Shooter, parse_size, stroke

TRAIN_EVERY = 20  # batches between two frames of the Train page
TRAIN_IMAGES = 12000  # 188 batches of 64 an epoch: no frame falls on an epoch's end
TRAIN_EPOCHS = 2

# The Draw page's digit, a 4: strokes as points in fractions of the canvas's side. Each
# stroke is drawn in parts, one frame after each part.
DIGIT_STROKES = (
    ((0.52, 0.18), (0.40, 0.36), (0.30, 0.52), (0.26, 0.60), (0.50, 0.60), (0.74, 0.58)),
    ((0.58, 0.30), (0.58, 0.41), (0.58, 0.52), (0.575, 0.63), (0.57, 0.74), (0.56, 0.84)),
)
PARTS = 3

# The Architecture page's models, in the lecture's order: its simple net, the same with the
# nn.Linear(100, 10) that does not fit, the Inception net, then the exercises' ResNet.
MODELS = ("simple", "simple_broken", "inception", "resnet")


def train_frames(shooter: Shooter) -> None:
    """The Train page training ``simple`` on MNIST (seed 1, the lecture's SGD), paused every
    :data:`TRAIN_EVERY` batches for a frame: the loss curve growing, the accuracy after each
    epoch, conv1's feature maps of the probe digit changing."""
    from cnnviz.core.training import events

    train = shooter.show("TrainPage")
    form = train.form  # the run's settings on the form, as a student would set them
    form.model_box.setCurrentText("simple")
    form.epochs.setValue(TRAIN_EPOCHS)
    form.limit_train.setValue(TRAIN_IMAGES)
    form.seed.setValue(1)
    form.device.setCurrentText("cpu")
    config = train.config()
    config.limit_test = 2000  # the test after each epoch on 2,000 images: quicker, as steady
    # a probe every frame's batch, and none by the clock: the same frames on every machine
    config.snapshot_every, config.snapshot_seconds = TRAIN_EVERY, 0.0
    train.start(config)
    engine = train.engine
    # in the training thread, at the frame's batch: the run holds still before the next one
    # (attached while the run reads its data set, long before the first frame's batch)
    engine.on(events.SNAPSHOT, lambda _probe: engine.pause())
    while True:
        shooter.wait_for(lambda: engine.paused or train.ended, 120)
        if train.ended:
            break
        wait_for_the_pause(shooter, train)
        train_frame(shooter, train)
        engine.resume()
    train_frame(shooter, train)
    train.shutdown()
    shooter.wait_for(lambda: not train.run.is_running(), 30)


def wait_for_the_pause(shooter: Shooter, train) -> None:
    """Until the paused run's events up to its pause have all reached the page: a snapshot
    asked for now is served where the run waits, and its answer comes after them."""
    arrived: list = []
    train.request_model_snapshot(arrived.append)
    shooter.wait_for(lambda: bool(arrived), 60)


def train_frame(shooter: Shooter, train) -> None:
    """The Train page, its views repainted with what the run has sent, as the next frame."""
    train.repaint_views(force=True)
    # "Epoch 1/2 · batch 60/188 · 2,301 samples/s · ETA 0:03": the speed and the time left
    # are the machine's, not the run's; the frame keeps the epoch and the batch
    line = train.progress_label.text().split(" · ")
    train.progress_label.setText(" · ".join(line[:2]))
    save_frame(shooter)


def save_frame(shooter: Shooter) -> Path:
    """The page shown, as it is now, as the next frame."""
    shooter.settle()
    path = shooter.folder / f"frame-{len(shooter.shots):03d}.png"
    shooter.window.current_page().grab().save(str(path))
    shooter.shots.append(path)
    return path


def draw_frames(shooter: Shooter) -> None:
    """A 4 drawn on the Draw page stroke by stroke, the prediction of each part shown: the
    28×28 image the network sees, the probability bars and conv1's feature maps."""
    draw = shooter.show("DrawPage")
    shooter.wait_for(draw.settled, 60)
    draw.canvas.clear()
    side = min(draw.canvas.width(), draw.canvas.height())
    save_frame(shooter)
    for points in DIGIT_STROKES:
        ends = [round(len(points) * (k + 1) / PARTS) for k in range(PARTS)]
        drawn = 0
        for end in ends:
            # each part starts where the last ended: one stroke to the eye
            stroke(draw.canvas, points[max(drawn - 1, 0) : end], side)
            drawn = end
            shooter.app.processEvents()
            shooter.wait_for(draw.settled, 30)
            save_frame(shooter)


def architecture_frames(shooter: Shooter) -> None:
    """The Architecture page on each of :data:`MODELS`: layer table, shapes and diagram."""
    page = shooter.show("ArchitecturePage")
    for model in MODELS:
        page.select_model(model)
        shooter.wait_for(lambda: not page.busy, 60)
        shooter.settle()
        page.diagram.centerOn(0, 0)
        save_frame(shooter)


FRAMES = {"train": train_frames, "draw": draw_frames, "architecture": architecture_frames}


def take(name: str, folder: Path, size: tuple[int, int] = (1280, 800)) -> list[Path]:
    """The frames of the animation ``name`` as PNGs in ``folder``, the window ``size``."""
    from cnnviz.gui.app import staged_window

    app, window = staged_window(*size)
    folder.mkdir(parents=True, exist_ok=True)
    shooter = Shooter(app, window, folder)
    FRAMES[name](shooter)
    window.close()  # the workers stop; the window closes once they have
    shooter.wait_for(lambda: not window.isVisible(), 30)
    return shooter.shots


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m cnnviz.gui.page_animations", description=__doc__
    )
    parser.add_argument("name", choices=sorted(FRAMES), help="which page's animation")
    parser.add_argument("folder", type=Path, help="where the PNG frames go")
    parser.add_argument("--size", default="1280x800", help="window size, WIDTHxHEIGHT")
    args = parser.parse_args(argv)
    try:
        size = parse_size(args.size)
    except ValueError as exc:
        parser.error(str(exc))
    for path in take(args.name, args.folder, size):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
