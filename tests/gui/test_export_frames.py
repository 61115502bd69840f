"""Exported frames look like figures for a slide: the lesson's stage alone, filling a frame of
exactly the size asked for, in the look asked for; and `cnnviz export` on a terminal and off
it. Cell sizes are measured on the written PNG frames: the current output cell's outline and
the input window's outline are found by their colours."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cnnviz.cli import main as cli_main
from cnnviz.core.examples import examples
from cnnviz.gui.appearance import theme

ROOT = Path(__file__).resolve().parents[2]


def export_frames(tmp_path, example, size, *extra) -> list[np.ndarray]:
    """The step frames (no title) of ``example`` exported as PNGs at ``size``, as RGB arrays."""
    folder = tmp_path / f"{example}-{size}"
    args = ["export", example, "-o", f"{folder}/", "--size", size, "--no-title", *extra]
    assert cli_main(args) == 0
    frames = []
    for path in sorted(folder.iterdir()):
        with Image.open(path) as png:
            frames.append(np.asarray(png.convert("RGB")))
    return frames


def box_of(frame: np.ndarray, colour) -> tuple[int, int]:
    """Width and height of the bounding box of the pixels of ``colour`` (a QColor), give or
    take a little antialiasing."""
    target = np.array([colour.red(), colour.green(), colour.blue()])
    near = np.abs(frame.astype(int) - target).max(axis=2) <= 12
    rows, cols = np.nonzero(near)
    assert rows.size, f"no pixel of {colour.name()} in the frame"
    return cols.max() - cols.min() + 1, rows.max() - rows.min() + 1


def test_the_lecture_pooling_at_640x400_has_cells_of_30_px_or_more(tmp_path):
    """pool-2: the lecture's 5×5 input, 3×3 max pooling, stride 1 (9 steps)."""
    frames = export_frames(tmp_path, "pool-2", "640x400")
    assert len(frames) == 9
    for frame in frames:
        assert frame.shape == (400, 640, 3)
        cell_w, cell_h = box_of(frame, theme.CURRENT_EDGE)  # the output cell of the step
        assert cell_w >= 30 and cell_h >= 30
        window_w, window_h = box_of(frame, theme.WINDOW_EDGE)  # the 3×3 window it reads
        assert window_w >= 3 * 30 and window_h >= 3 * 30
    # the written arithmetic sits under the grids (dark text there), nothing cut off
    assert (frames[0][300:, :, :].min(axis=2) < 100).any()


def test_the_lecture_convolution_at_1280x800_has_cells_of_120_px_or_more(tmp_path):
    """conv-1: the lecture's 3×3 image and 2×2 filter (4 steps)."""
    frames = export_frames(tmp_path, "conv-1", "1280x800")
    assert len(frames) == 4
    sizes = set()
    for frame in frames:
        assert frame.shape == (800, 1280, 3)
        cell_w, cell_h = box_of(frame, theme.CURRENT_EDGE)
        assert cell_w >= 120 and cell_h >= 120
        window_w, window_h = box_of(frame, theme.WINDOW_EDGE)  # 2×2 cells of the input
        assert window_w >= 240 and window_h >= 240
        sizes.add((cell_w, cell_h))
    assert len(sizes) == 1  # one cell size in every frame: the grids never jump


@pytest.mark.parametrize("size", ["1280x800", "640x400", "333x217", "1920x1080"])
def test_a_frame_is_exactly_the_size_asked_for(tmp_path, size):
    frames = export_frames(tmp_path, "conv-2", size)
    width, height = map(int, size.split("x"))
    assert {frame.shape for frame in frames} == {(height, width, 3)}


@pytest.mark.parametrize(
    "look, dark", [("light", False), ("dark", True), ("presenter", False), ("presenter-dark", True)]
)
def test_every_look_exports(tmp_path, look, dark):
    frames = export_frames(tmp_path, "pool-1", "640x400", "--look", look)
    assert len(frames) == 4 and frames[0].shape == (400, 640, 3)
    corner = frames[0][2, 2].astype(int)  # the frame's background
    assert (corner.max() < 60) if dark else (corner.min() == 255)
    assert box_of(frames[0], theme.CURRENT_EDGE)[0] >= 30  # grids on white paper in both


def test_presenter_type_is_larger_than_the_plain_look(tmp_path):
    """Presenter mode's text is larger: the arithmetic's dark pixels span more rows."""

    def text_rows(frame):
        below = frame[frame.shape[0] // 2 :].min(axis=2) < 100
        return int(below.any(axis=1).sum())

    plain = export_frames(tmp_path, "conv-1", "1280x800", "--look", "light")[0]
    presenter = export_frames(tmp_path, "conv-1", "1280x800", "--look", "presenter")[0]
    assert text_rows(presenter) > text_rows(plain)


def test_the_pytorch_line_is_shown_when_asked(qtbot):
    from cnnviz.gui.export.animation_export import AnimationExport
    from cnnviz.gui.pages.conv_page import ConvPage

    for code in (False, True):
        job = AnimationExport(ConvPage, examples()["conv-1"], "unused.gif", (1280, 800), code=code)
        job.begin()
        job.lay_out()
        try:
            texts = [label.text() for label in job.stage.labels]
            assert any("nn.Conv2d" in text for text in texts) == code
            assert any("Output height" in text for text in texts)
        finally:
            job._dispose()


def test_progress_is_plain_lines_when_not_on_a_terminal(tmp_path, capsys):
    assert cli_main(["export", "pool-1", "-o", str(tmp_path / "p.gif"), "--size", "320x200"]) == 0
    out = capsys.readouterr().out
    assert "\r" not in out
    lines = out.splitlines()
    assert lines[:5] == [f"frame {n}/5" for n in range(1, 6)]  # the title and 4 steps
    assert lines[5].startswith("wrote ") and "320x200" in lines[5]


def test_progress_on_a_terminal_is_one_line_rewritten_in_place():
    from cnnviz.export_cli import progress_printer

    class Terminal:
        text = ""

        def isatty(self):
            return True

        def write(self, text):
            self.text += text

        def flush(self):
            pass

    terminal = Terminal()
    report = progress_printer(terminal)
    for done in range(1, 4):
        report(done, 3)
    assert terminal.text == "\rframe 1/3\rframe 2/3\rframe 3/3\n"


def test_the_export_command_prints_no_qt_messages(tmp_path):
    """Run as a user runs it (no platform chosen beforehand): stderr stays empty."""
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "cnnviz", "export", "pool-2", "-o", str(tmp_path / "p.gif")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.splitlines()[-1].startswith("wrote ")
    with Image.open(tmp_path / "p.gif") as gif:
        assert (gif.n_frames, gif.size) == (10, (1280, 800))


def test_qt_messages_are_quiet_only_while_the_export_runs(tmp_path, monkeypatch):
    """Qt's warnings while the command draws its frames are dropped; the message handler in
    place before it (the window's, a test's) is back once it returns."""
    from PySide6.QtCore import qInstallMessageHandler, qWarning

    from cnnviz.gui.export.stage import Stage

    settle = Stage.settle

    def settle_and_warn(stage):  # as the platform plugin warns while a frame is laid out
        qWarning("This plugin does not support propagateSizeHints()")
        settle(stage)

    monkeypatch.setattr(Stage, "settle", settle_and_warn)
    heard = []
    before = qInstallMessageHandler(lambda kind, context, message: heard.append(message))
    try:
        qWarning("heard before")
        assert cli_main(["export", "pool-1", "-o", str(tmp_path / "p.gif")]) == 0
        qWarning("heard after")
    finally:
        qInstallMessageHandler(before)
    assert heard == ["heard before", "heard after"]


def test_every_example_fits_its_stage_at_640x400(qtbot):
    """Each shipped example of every page that exports (Convolution, Pooling, Transposed,
    Grouped, Backward): every grid whole inside the frame, every label as tall as its
    longest text, the same cell size at every step."""
    from cnnviz.gui.export.animation_export import AnimationExport
    from cnnviz.gui.pages import entry_titled

    for key, lesson in examples().items():
        page_class = entry_titled(lesson.page).load()
        job = AnimationExport(page_class, lesson, "unused.gif", (640, 400))
        job.begin()
        job.lay_out()
        stage = job.stage
        try:
            assert stage.size().toTuple() == (640, 400)
            cell = stage.cell()
            for step in (0, job.page.step_count() - 1):
                job.page.go_to_step(step)
                stage.settle()
                assert stage.cell() == cell, key
                for grid in stage.board.grids():
                    if grid.isHidden():
                        continue
                    view = grid.view
                    corner = view.mapTo(stage, view.rect().bottomRight())
                    assert stage.rect().contains(corner), key
                    assert view.width() >= view.size_at(cell).width(), key
                    assert view.height() >= view.size_at(cell).height(), key
                for label in stage.labels:
                    assert label.height() >= label.heightForWidth(label.width()), key
                    assert stage.rect().contains(label.geometry()), key
        finally:
            job._dispose()


def test_the_export_dialog_offers_every_look_and_the_pytorch_line(qtbot):
    from cnnviz.gui.export.export_dialog import ExportDialog
    from cnnviz.gui.export.stage import LOOKS, FrameLook

    dialog = ExportDialog("pool", 9, (1280, 800), look=FrameLook("dark", True, 1.5))
    qtbot.addWidget(dialog)
    assert [dialog.look.itemData(i) for i in range(dialog.look.count())] == list(LOOKS)
    assert dialog.frame_look() == FrameLook("dark", True, 1.5)  # the window's, at first
    dialog.look.setCurrentIndex(list(LOOKS).index("light"))
    assert dialog.frame_look() == FrameLook("light", False, 1.5)
    assert not dialog.code.isChecked()


def test_a_dark_export_from_a_light_window_leaves_the_window_light(qtbot, main_window, tmp_path):
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication

    from cnnviz.gui.export.stage import FrameLook
    from cnnviz.gui.pages.pool_page import PoolPage

    main_window.show_page(PoolPage).load_preset(1)
    window_colour = QApplication.instance().palette().color(QPalette.Window)
    job = main_window.lesson_files.export_animation(
        tmp_path / "f", (640, 400), 4, False, FrameLook("dark"), code=True
    )
    with qtbot.waitSignal(job.finished, timeout=20000):
        pass
    assert QApplication.instance().palette().color(QPalette.Window) == window_colour
    with Image.open(tmp_path / "f" / "frame-000.png") as png:
        frame = np.asarray(png.convert("RGB"))
    assert frame[2, 2].max() < 60  # the dark look's background
    assert box_of(frame, theme.CURRENT_EDGE)[0] >= 30
    qtbot.waitUntil(lambda: main_window.lesson_files.job is None)


def test_the_command_and_the_stage_name_the_same_looks():
    from cnnviz.export_cli import LOOKS as command_looks
    from cnnviz.gui.export.stage import LOOKS

    assert list(command_looks) == list(LOOKS)


def test_presenter_adds_to_the_look_chosen(tmp_path, capsys):
    args = ["export", "pool-1", "-o", str(tmp_path / "p.gif"), "--size", "320x200"]
    assert cli_main([*args, "--look", "dark", "--presenter"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith(", presenter-dark)")
    with Image.open(tmp_path / "p.gif") as gif:
        gif.seek(1)
        assert max(gif.convert("RGB").getpixel((2, 2))) < 60  # dark
