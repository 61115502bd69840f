"""Figures: the Architecture diagram, the loss plot and the feature maps as SVG and PNG, and
on the clipboard."""

import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image
from PySide6.QtGui import QGuiApplication

pytest.importorskip("torch")


@pytest.fixture
def arch(main_window, qtbot):
    from cnnviz.gui.pages.architecture_page import ArchitecturePage

    page = main_window.show_page(ArchitecturePage)
    qtbot.waitUntil(lambda: not page.busy, timeout=30000)
    return page


def test_the_architecture_diagram_exports_as_svg_and_png(main_window, arch, tmp_path):
    files = main_window.lesson_files
    files.export_figure(tmp_path / "net.svg")
    root = ET.parse(tmp_path / "net.svg").getroot()
    assert root.tag.endswith("svg")
    scene = arch.diagram.sceneRect()
    view_box = [float(v) for v in root.get("viewBox").split()]
    assert view_box[2:] == pytest.approx([scene.width(), scene.height()], abs=1)
    tags = {element.tag.split("}")[-1] for element in root.iter()}
    assert {"text", "rect", "path"} <= tags and "image" not in tags  # vectors, not a bitmap
    files.export_figure(tmp_path / "net.png")
    with Image.open(tmp_path / "net.png") as png:
        # the whole diagram, not the part scrolled into view, at twice its size
        assert png.size == (round(scene.width()) * 2, round(scene.height()) * 2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.png", "net.svg"]


def test_a_bad_figure_name_is_refused(main_window, arch, tmp_path):
    with pytest.raises(ValueError, match="use .svg or .png"):
        main_window.lesson_files.export_figure(tmp_path / "net.pdf")
    assert list(tmp_path.iterdir()) == []


def test_train_and_draw_figures_export(main_window, qtbot, tmp_path):
    from cnnviz.gui.pages.draw_page import DrawPage
    from cnnviz.gui.pages.train_page import TrainPage

    main_window.show_page(TrainPage)
    for name in ("loss and accuracy plot", "feature maps"):
        main_window.lesson_files.export_figure(tmp_path / "f.png", name)
        with Image.open(tmp_path / "f.png") as png:
            assert png.size[0] >= 100 and png.size[1] >= 50
    main_window.lesson_files.export_figure(tmp_path / "plot.svg", "loss and accuracy plot")
    assert ET.parse(tmp_path / "plot.svg").getroot().tag.endswith("svg")
    draw = main_window.show_page(DrawPage)
    assert [name for name, _ in draw.figures()] == ["feature maps", "what the network sees"]
    main_window.lesson_files.export_figure(tmp_path / "seen.svg", "what the network sees")
    assert (tmp_path / "seen.svg").stat().st_size > 0


def test_copy_figure_puts_the_diagram_on_the_clipboard(main_window, arch):
    QGuiApplication.clipboard().clear()
    main_window.lesson_files.copy_figure()
    image = QGuiApplication.clipboard().image()
    assert image.width() == round(arch.diagram.sceneRect().width()) * 2


def test_copy_figure_on_a_page_without_figures_copies_the_page(main_window):
    from cnnviz.gui.pages.pool_page import PoolPage

    page = main_window.show_page(PoolPage)
    QGuiApplication.clipboard().clear()
    main_window.lesson_files.copy_figure()
    assert QGuiApplication.clipboard().image().width() == page.width() * 2


def test_trace_figures_export_as_svg_and_png_and_copy(main_window, qtbot, tmp_path):
    from cnnviz.gui.pages.trace_page import TracePage

    trace = main_window.show_page(TracePage)
    qtbot.waitUntil(lambda: trace.trace is not None and trace.shown_id == trace.request_id,
                    timeout=20000)  # fmt: skip
    trace.select_unit(trace.trace.index("conv2"), 3, 2, 5)
    assert [name for name, _ in trace.figures()] == ["forward pass", "unit arithmetic"]
    files = main_window.lesson_files
    files.export_figure(tmp_path / "pass.svg", "forward pass")
    root = ET.parse(tmp_path / "pass.svg").getroot()
    assert root.tag.endswith("svg")
    tags = {element.tag.split("}")[-1] for element in root.iter()}
    assert "text" in tags  # the layer names stay text
    files.export_figure(tmp_path / "pass.png", "forward pass")
    scene = trace.overview.sceneRect()
    with Image.open(tmp_path / "pass.png") as png:  # every layer, not the part in view
        assert png.size == (round(scene.width()) * 2, round(scene.height()) * 2)
    files.export_figure(tmp_path / "unit.png", "unit arithmetic")
    with Image.open(tmp_path / "unit.png") as png:
        assert png.size == (trace.arithmetic.width() * 2, trace.arithmetic.height() * 2)
        assert len(np.unique(np.asarray(png.convert("L")))) > 10  # grids and words, not blank
    files.export_figure(tmp_path / "unit.svg", "unit arithmetic")
    assert ET.parse(tmp_path / "unit.svg").getroot().tag.endswith("svg")
    QGuiApplication.clipboard().clear()
    files.copy_figure()
    assert QGuiApplication.clipboard().image().width() == round(scene.width()) * 2
