"""Lesson files in the window (save, open, refuse, recent) and animations (GUI and command
line): exported GIFs and PNGs are opened with Pillow and their frames counted and measured."""

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QTimer

from cnnviz.cli import main as cli_main
from cnnviz.core.animation import video_available
from cnnviz.core.examples import examples
from cnnviz.core.lesson import Lesson, save_lesson
from cnnviz.gui.pages.backward_page import BackwardPage
from cnnviz.gui.pages.conv_page import ConvPage
from cnnviz.gui.pages.grouped_page import GroupedPage
from cnnviz.gui.pages.pool_page import PoolPage
from cnnviz.gui.pages.transposed_page import TransposedPage


def shipped_lesson(key):
    """A shipped example as its file holds it (title: the example's name)."""
    from cnnviz.core.lesson import lesson_from_json

    folder = Path(__file__).resolve().parents[2] / "cnnviz" / "resources" / "lessons"
    return lesson_from_json((folder / f"{key}.cnnviz").read_text())


def quiet(window):
    """Collect the message boxes the window would show."""
    shown = []
    window.lesson_files.warn = lambda title, text: shown.append(text)
    return shown


def edit_every_setting(page):
    """Leave a grid page in a state no preset has: an example, random input, a later step."""
    page.load_preset(len(page.presets) - 1)
    page.randomize()
    page.go_to_step(page.step_count() - 2)


def edit_convolution(page):
    """As :func:`edit_every_setting`, with the ReLU after the convolution switched on."""
    edit_every_setting(page)
    page.relu_box.setChecked(True)


def set_pair(spin, value):
    """A PairSpin changed as by the user (its ``changed`` signal fires)."""
    spin.set_value(value)
    spin.changed.emit(value)


def edit_transposed(page):
    """From tconv-4 (3×3 input, 2×2 kernel, stride 1): every setting and the view changed."""
    page.load_preset(3)
    page.resize_input((4, 3))
    page.randomize()
    set_pair(page.kernel_spin, (3, 2))
    page._on_kernel_edited(0, 0, "-3")
    set_pair(page.stride_spin, (2, 3))
    set_pair(page.padding_spin, (1, 1))
    set_pair(page.output_padding_spin, (1, 0))
    set_pair(page.dilation_spin, (2, 1))
    page.bias_spin.setValue(1.5)
    page.view_box.setCurrentIndex(1)  # step through the convolution view
    page.go_to_step(page.step_count() - 2)


def edit_grouped(page):
    """From group-2 (4 → 4 channels, groups 2, 2×2 kernels): every setting changed."""
    page.load_preset(1)
    page.out_spin.setValue(2)
    page.groups_spin.setValue(1)
    page.channel_spin.setValue(3)
    set_pair(page.kernel_spin, (3, 2))
    set_pair(page.padding_spin, (1, 0))
    page.resize_input((4, 5))
    page.randomize()
    page._on_weight_edited(1, 0, 1, "5")
    page.go_to_step(page.step_count() - 2)


def edit_backward(page):
    """From back-1 (a convolution, L = sum): the kernel after an SGD step at another learning
    rate, a gradient of one's own, then average pooling with its own window and rounding."""
    page.load_preset(0)
    page.resize_input((5, 5))
    page.randomize()
    set_pair(page.kernel_spin, (3, 3))
    set_pair(page.stride_spin, (2, 2))
    set_pair(page.padding_spin, (1, 1))
    page.lr_spin.setValue(0.5)
    assert page.sgd()
    page._on_grad_edited(0, 1, "-2")
    page.ceil_box.setChecked(True)
    page.include_pad_box.setChecked(False)
    page.kind_box.setCurrentIndex(2)  # average pooling
    set_pair(page.kernel_spin, (2, 3))
    page.go_to_step(page.step_count() - 2)


# page → (what changes it, the example it starts from: every value must differ from it)
EDITS = {
    ConvPage: (edit_convolution, ""),
    PoolPage: (edit_every_setting, ""),
    TransposedPage: (edit_transposed, "tconv-4"),
    GroupedPage: (edit_grouped, "group-2"),
    BackwardPage: (edit_backward, "back-1"),
}


@pytest.mark.parametrize("page_class", list(EDITS), ids=lambda c: c.__name__)
def test_a_lesson_file_round_trips_the_page_state(main_window, new_window, tmp_path, page_class):
    page = main_window.show_page(page_class)
    edit, start = EDITS[page_class]
    edit(page)
    assert page.errors() == []
    saved = page.lesson_state()
    if start:  # every parameter, the grids and the step differ from the example's
        example = examples()[start].state
        assert set(saved) == set(example)
        assert [k for k in saved if k != "example" and saved[k] == example[k]] == []
    main_window.set_look(presenter=True)
    path = tmp_path / "lesson.cnnviz"
    main_window.lesson_files.save(path)
    main_window.set_look(presenter=False)

    other = new_window()  # another window, on another page: opening brings the lesson back
    other.show_page(PoolPage if page_class is ConvPage else ConvPage)
    assert other.lesson_files.open(path) == ""
    assert other.current_page().title == page.title
    assert other.current_page().lesson_state() == saved
    if page_class is ConvPage:
        assert saved["relu"] and other.current_page().relu_grid.isVisibleTo(other.current_page())
    assert other.current_page().errors() == []
    assert other.presenter
    other.set_look(presenter=False)
    assert other.lesson_files.recent() == [str(path.resolve())]
    other.lesson_files.fill_recent(other.menus.recent)  # File → Open recent lesson
    assert [a.text() for a in other.menus.recent.actions()] == ["&1 lesson.cnnviz"]


def test_bad_lesson_files_are_refused_and_the_lesson_stays(main_window, tmp_path):
    page = main_window.show_page(PoolPage)
    edit_every_setting(page)
    before = page.lesson_state()
    shown = quiet(main_window)
    bad = {
        "damaged.cnnviz": "{ broken",
        "foreign.cnnviz": json.dumps({"layers": []}),
        "newer.cnnviz": json.dumps({"format": "cnnviz", "version": 99, "page": "Pooling"}),
        "nopage.cnnviz": json.dumps({"format": "cnnviz", "version": 1, "page": "Hologram"}),
        "malformed.cnnviz": json.dumps(
            {"format": "cnnviz", "version": 1, "page": "Pooling", "state": {"inputs": "x"}}
        ),
    }
    for name, text in bad.items():
        (tmp_path / name).write_text(text)
        assert not main_window.lesson_files.open_reporting(tmp_path / name)
    assert len(shown) == len(bad)
    assert "damaged" in shown[0] and "not a cnnviz lesson" in shown[1]
    assert "newer cnnviz" in shown[2] and "Hologram" in shown[3] and "inputs" in shown[4]
    assert main_window.current_page() is page and page.lesson_state() == before
    assert main_window.lesson_files.recent() == []


def test_a_lesson_whose_settings_do_not_compute_is_refused(main_window, tmp_path):
    conv = main_window.show_page(ConvPage)
    before = conv.lesson_state()
    state = dict(examples()["conv-1"].state, kernels=[np.ones((9, 9)).tolist()])  # > input
    save_lesson(tmp_path / "big.cnnviz", Lesson("Convolution", state))
    problem = main_window.lesson_files.open(tmp_path / "big.cnnviz")
    assert "cannot be opened" in problem and "kernel" in problem
    assert conv.lesson_state() == before and conv.errors() == []


def test_the_export_menu_entry_follows_the_page(main_window):
    from cnnviz.gui.pages.architecture_page import ArchitecturePage

    main_window.show_page(PoolPage)
    assert main_window.menus.animation.isEnabled()
    main_window.show_page(ArchitecturePage)  # the Architecture page has no step-through
    assert not main_window.menus.animation.isEnabled()


def test_export_animation_from_the_window_writes_one_frame_per_step(qtbot, main_window, tmp_path):
    page = main_window.show_page(PoolPage)
    page.load_preset(1)  # the lecture's 5×5 max pooling: 9 steps
    page.go_to_step(4)
    ticks = []
    beat = QTimer()
    beat.timeout.connect(lambda: ticks.append(1))
    beat.start(0)
    path = tmp_path / "pool.gif"
    job = main_window.lesson_files.export_animation(path, (640, 400), fps=4)
    with qtbot.waitSignal(job.finished, timeout=20000):
        pass
    beat.stop()
    assert len(ticks) >= 9  # the event loop ran between frames: the window answered
    with Image.open(path) as gif:
        assert (gif.n_frames, gif.size, gif.info["duration"]) == (10, (640, 400), 250)
    assert page.step_bar.index == 4  # the lecturer's page was not moved by the export
    qtbot.waitUntil(lambda: main_window.lesson_files.job is None)


def test_cancel_stops_the_export_and_leaves_nothing(qtbot, main_window, tmp_path):
    main_window.show_page(ConvPage)
    main_window.built_page(ConvPage).load_preset(3)  # 64 steps
    job = main_window.lesson_files.export_animation(tmp_path / "seq", (320, 200), fps=2)
    qtbot.waitUntil(lambda: job.done >= 2)
    with qtbot.waitSignal(job.failed) as failed:
        main_window.lesson_files.progress.canceled.emit()  # its Cancel button
    assert failed.args == ["Cancelled."]
    assert list((tmp_path / "seq").iterdir()) == []
    assert main_window.lesson_files.job is None


def test_closing_the_window_cancels_an_export(qtbot, new_window, tmp_path):
    window = new_window()
    window.show_page(ConvPage)
    window.built_page(ConvPage).load_preset(3)
    job = window.lesson_files.export_animation(tmp_path / "a.gif", (320, 200))
    qtbot.waitUntil(lambda: job.done >= 1)
    window.close()
    assert not (tmp_path / "a.gif").exists() and window.lesson_files.job is None


def test_an_export_on_a_page_without_steps_says_so(main_window, tmp_path):
    shown = quiet(main_window)
    page = main_window.current_page()
    page.step_count = lambda: 0  # as the pages without a step-through answer
    assert main_window.lesson_files.export_animation(tmp_path / "a.gif") is None
    assert "no steps" in shown[0]
    del page.step_count


def test_export_list_prints_every_example(capsys):
    assert cli_main(["export", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(examples())
    assert lines[1].split("\t") == ["conv-2", examples()["conv-2"].title]


def test_headless_export_of_an_example_as_png_frames(tmp_path, capsys):
    folder = tmp_path / "frames"
    code = cli_main(["export", "pool-2", "-o", f"{folder}/", "--size", "320x200", "--no-title"])
    assert code == 0
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 9
    with Image.open(folder / names[0]) as png:
        assert png.size == (320, 200)


def test_a_small_frame_shows_the_whole_stage(tmp_path):
    """320×200 is below the Pooling page's least size: the frame shows the page's stage
    (grids, arithmetic, formula) laid out at 320×200, so every step still shows (a cut-off
    corner made identical frames, which the GIF merged)."""
    code = cli_main(["export", "pool-2", "-o", str(tmp_path / "small.gif"), "--size", "320x200"])
    assert code == 0
    with Image.open(tmp_path / "small.gif") as gif:
        assert (gif.n_frames, gif.size) == (10, (320, 200))  # the title and the 9 steps
        frames = []
        for index in (1, 5, 9):
            gif.seek(index)
            frames.append(np.asarray(gif.convert("L")))
    assert not np.array_equal(frames[0], frames[1]) and not np.array_equal(frames[1], frames[2])
    dark = frames[1] < 128  # the numbers and the lines: the whole stage
    rows, cols = np.nonzero(dark)
    assert cols.max() - cols.min() > 0.6 * 320 and rows.max() - rows.min() > 0.6 * 200


def test_headless_export_of_a_lesson_file(tmp_path):
    lesson = examples()["conv-1"]
    save_lesson(tmp_path / "c.cnnviz", lesson)
    code = cli_main(
        [
            "export",
            str(tmp_path / "c.cnnviz"),
            "-o",
            str(tmp_path / "c.gif"),
            "--size",
            "400x300",
            "--fps",
            "1",
        ]
    )
    assert code == 0
    with Image.open(tmp_path / "c.gif") as gif:
        assert (gif.n_frames, gif.size, gif.info["duration"]) == (5, (400, 300), 1000)


@pytest.mark.parametrize(
    "args, words",
    [
        (["nothing-7", "-o", "x.gif"], "neither an example id"),
        (["pool-1", "-o", "x.avi"], ".avi"),
        (["pool-1", "-o", "x.gif", "--size", "big"], "WIDTHxHEIGHT"),
    ],
)
def test_headless_export_refuses_bad_requests(tmp_path, capsys, monkeypatch, args, words):
    monkeypatch.chdir(tmp_path)
    assert cli_main(["export", *args]) == 1
    assert words in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_cancel_while_the_file_is_being_written_removes_it(qtbot, tmp_path):
    from cnnviz.gui.export.animation_export import AnimationExport
    from cnnviz.gui.pages.pool_page import PoolPage

    job = AnimationExport(PoolPage, examples()["pool-2"], tmp_path / "a.gif", (320, 200))
    job.prepare()
    while job.done < job.total - 1:
        job.render_next()
    job._slice()  # the last frame: the file is now written in a worker thread
    assert job.closer is not None
    with qtbot.waitSignal(job.failed) as failed:
        job.cancel()
    assert failed.args == ["Cancelled."] and list(tmp_path.iterdir()) == []
    assert job.closer is None and job.page is None
    job.deleteLater()


def test_the_export_dialog_checks_its_choices(qtbot, monkeypatch):
    import cnnviz.gui.export.export_dialog as module
    from cnnviz.gui.export.export_dialog import ExportDialog

    monkeypatch.setattr(module, "video_available", lambda: False)
    dialog = ExportDialog("pool", 9, (1280, 800))
    qtbot.addWidget(dialog)
    assert dialog.size_box.itemText(0) == "1280x800" and dialog.size_box.count() == 3
    dialog.kind.setCurrentIndex(1)  # MP4 without the extra: it says how to get it
    assert dialog.path.text().endswith("pool.mp4") and "cnnviz[video]" in dialog.note.text()
    assert not dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()
    dialog.kind.setCurrentIndex(2)
    assert dialog.path.text().endswith("pool")  # a folder of PNG frames
    dialog.size_box.setEditText("huge")
    dialog._on_accept()
    assert "WIDTHxHEIGHT" in dialog.note.text() and dialog.result() == 0
    dialog.size_box.setEditText("800x600")
    assert dialog.choice()[1:] == ((800, 600), 2.0, True)


def test_a_lesson_given_on_the_command_line_opens(qtbot, main_window, tmp_path):
    from cnnviz.gui.app import open_lesson_arguments

    save_lesson(tmp_path / "p.cnnviz", examples()["pool-3"])
    assert open_lesson_arguments(main_window, ["cnnviz", str(tmp_path / "p.cnnviz")])
    qtbot.waitUntil(lambda: main_window.current_page().title == "Pooling")
    assert main_window.current_page().kind == "avg"
    assert open_lesson_arguments(main_window, ["cnnviz", "--self-test"]) == ""


def test_page_down_reaches_the_deck_with_the_grid_focused(qtbot, main_window):
    from PySide6.QtCore import Qt

    from cnnviz.core.deck import Deck, Stop

    deck = Deck("t", [Stop("one", examples()["conv-1"]), Stop("two", examples()["pool-1"])])
    main_window.deck.open_deck(deck)
    main_window.current_page().input_grids[0].view.setFocus()
    qtbot.keyClick(main_window.current_page().input_grids[0].view, Qt.Key_PageDown)
    assert main_window.deck.index == 1 and main_window.current_page().title == "Pooling"
    qtbot.keyClick(main_window, Qt.Key_Left, Qt.AltModifier)
    assert main_window.deck.index == 0


def test_presenter_mode_frames_export(qtbot, main_window, tmp_path):
    main_window.show_page(ConvPage)
    main_window.set_look(presenter=True)
    try:
        job = main_window.lesson_files.export_animation(tmp_path / "f", (1280, 800), 2, False)
        with qtbot.waitSignal(job.finished, timeout=20000):
            pass
    finally:
        main_window.set_look(presenter=False)
    names = sorted(p.name for p in (tmp_path / "f").iterdir())
    assert len(names) == main_window.current_page().step_count()
    with Image.open(tmp_path / "f" / names[0]) as png:
        assert png.size == (1280, 800)
    qtbot.waitUntil(lambda: main_window.lesson_files.job is None)


@pytest.mark.skipif(
    not video_available(),
    reason="imageio-ffmpeg is not installed (pip install 'cnnviz[video]')",
)
def test_headless_export_as_mp4(tmp_path):
    import imageio.v2 as imageio

    code = cli_main(["export", "pool-1", "-o", str(tmp_path / "p.mp4"), "--size", "640x400"])
    assert code == 0
    reader = imageio.get_reader(tmp_path / "p.mp4")
    try:
        assert reader.count_frames() == 5  # title + 4 steps
        assert reader.get_data(0).shape == (400, 640, 3)
    finally:
        reader.close()


def test_a_huge_step_through_as_gif_is_refused_with_a_way_out(main_window, tmp_path):
    shown = quiet(main_window)
    page = main_window.show_page(ConvPage)
    page.set_inputs(np.ones((1, 30, 30)))
    page.recompute(0)
    assert page.step_count() > 400
    assert main_window.lesson_files.export_animation(tmp_path / "a.gif", (320, 200)) is not None
    assert "MP4 or PNG frames" in shown[0] and list(tmp_path.iterdir()) == []
    assert main_window.lesson_files.job is None


@pytest.mark.parametrize(
    "example, steps",
    [
        ("tconv-1", 2 * 2),  # the scatter view: one step per input cell of the 2×2 input
        ("group-1", 3 * 2 * 2),  # three filters, each a 2×2 output
        ("back-1", 2 * 2 + 1 + 3 * 3),  # ∂L/∂W's 4 weights, ∂L/∂b, ∂L/∂X's 9 cells
    ],
)
def test_headless_export_of_the_newer_lessons_has_a_frame_per_step(tmp_path, example, steps):
    path = tmp_path / f"{example}.gif"
    assert cli_main(["export", example, "-o", str(path), "--size", "640x400"]) == 0
    with Image.open(path) as gif:
        assert (gif.n_frames, gif.size) == (steps + 1, (640, 400))  # and the title frame


def test_pages_open_without_their_shipped_examples_and_say_why(qtbot, monkeypatch, tmp_path):
    """A damaged install: no example files, or a damaged one. Every grid page still opens on
    its own starting values, with the reason where the example's note would be."""
    import cnnviz.core.examples as shipped

    monkeypatch.setattr(shipped, "FOLDER", tmp_path)
    shipped.forget_examples()
    try:
        for page_class in (ConvPage, PoolPage, BackwardPage, TransposedPage):
            page = page_class()
            qtbot.addWidget(page)
            assert page.presets == () and page.errors() == [] and page.step_count() > 0
            assert "examples are missing" in page.preset_note.text()
            assert "Reinstall cnnviz" in page.preset_note.text()
        (tmp_path / "group-1.cnnviz").write_text("{ broken")
        (tmp_path / "group-2.cnnviz").write_text(Lesson.to_json(shipped_lesson("group-2")))
        shipped.forget_examples()
        page = GroupedPage()
        qtbot.addWidget(page)
        assert [p.name for p in page.presets] == ["Groups 2: 4 channels → 4"]
        assert page.channel_spin.value() == 4 and page.errors() == []
        assert "group-1 cannot be opened" in page.preset_note.text()
    finally:
        monkeypatch.undo()
        shipped.forget_examples()


def test_the_lecture_deck_missing_is_said_in_the_window(main_window, monkeypatch, tmp_path):
    import cnnviz.core.deck as deck

    shown = quiet(main_window)
    monkeypatch.setattr(deck, "LECTURE_DECK", tmp_path / "lecture-10.cnnviz")
    problem = main_window.deck.open_lecture()
    assert "lecture deck cannot be opened" in problem and shown == [problem]
    assert not main_window.deck.visible


def test_export_names_a_damaged_shipped_example(monkeypatch, tmp_path, capsys):
    import cnnviz.core.examples as shipped

    folder = Path(shipped.FOLDER)
    for name in ("pool-1.cnnviz", "pool-2.cnnviz"):
        (tmp_path / name).write_bytes((folder / name).read_bytes())
    (tmp_path / "pool-2.cnnviz").write_text('{"format": "cnnviz", "version": 1}')
    monkeypatch.setattr(shipped, "FOLDER", tmp_path)
    shipped.forget_examples()
    try:
        assert cli_main(["export", "--list"]) == 1
        out, err = capsys.readouterr()
        assert out.splitlines()[0].startswith("pool-1\t") and "pool-2" not in out
        assert "pool-2 cannot be opened" in err and "The shipped Convolution examples" in err
        assert cli_main(["export", "pool-2", "-o", str(tmp_path / "a.gif")]) == 1
        assert "pool-2 cannot be opened" in capsys.readouterr().err
    finally:
        monkeypatch.undo()
        shipped.forget_examples()
