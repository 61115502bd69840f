"""Architecture page: table and diagram for every model, clicks, mismatches, own model files."""

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

pytest.importorskip("torch")

from cnnviz.models import available, unregister  # noqa: E402

FILES = Path(__file__).resolve().parents[1] / "core" / "model_files"
BUILT_IN = [
    "simple",
    "simple_broken",
    "deeper",
    "inception",
    "inception_v3",
    "resnet",
    "plain",
    "densenet",
]


class Built:
    """The page, with every change followed by a wait for the worker's model."""

    def __init__(self, page, qtbot):
        self.page, self.qtbot = page, qtbot

    def wait(self):
        self.qtbot.waitUntil(lambda: not (self.page.busy or self.page.opening), timeout=60000)
        return self.page


@pytest.fixture
def arch(main_window, qtbot):
    from cnnviz.gui.pages.architecture_page import ArchitecturePage

    page = main_window.show_page(ArchitecturePage)
    page.built = Built(page, qtbot).wait
    page.built()
    yield page
    for name in available():
        if name not in BUILT_IN:
            unregister(name)


def scene_texts(page):
    return {item.text() for item in page.diagram.scene().items() if hasattr(item, "text")}


@pytest.mark.parametrize("name", BUILT_IN)
def test_every_registry_model_shows_table_and_diagram(arch, name):
    arch.select_model(name)
    arch.built()
    assert arch.model_box.currentText() == name
    assert arch.layers.topLevelItemCount() > 0
    assert len(arch.diagram.boxes) >= 2
    assert f"{arch.table.total_params:,} parameters" in arch.totals.text()
    if name == "simple_broken":
        assert arch.message.isVisible() and "320" in arch.message.text()
        assert arch.diagram.boxes["fc"].failed
        assert arch.layers.selected_name() == "fc"
    else:
        assert not arch.message.isVisible()


def test_inception_branches_side_by_side(arch):
    arch.select_model("inception")
    arch.built()
    texts = scene_texts(arch)
    for label in (
        "1×1 (16)",
        "5×5 (24)",
        "3×3 double (24)",
        "pool (24)",
        "concatenate → 88×12×12",
        "incept1 · InceptionA",
    ):
        assert label in texts
    boxes = arch.diagram.boxes
    xs = [
        boxes[f"incept1.{n}"].scenePos().x()
        for n in ("branch1x1", "branch5x5_1", "branch3x3dbl_1", "branch_pool_avg")
    ]
    assert xs == sorted(xs) and len(set(xs)) == 4  # four columns, left to right


def test_residual_and_plain_blocks_are_drawn_as_such(arch):
    arch.select_model("resnet")
    arch.built()
    assert "shortcut: identity" in scene_texts(arch)
    assert "shortcut: 1×1 conv" in scene_texts(arch)
    arch.select_model("plain")
    arch.built()
    assert "no shortcut (plain)" in scene_texts(arch)
    assert "shortcut: identity" not in scene_texts(arch)


def test_dense_block_is_drawn_with_its_layers(arch):
    arch.select_model("densenet")
    arch.built()
    assert "block1 · DenseBlock" in scene_texts(arch)
    assert "block1.layers.5" in arch.diagram.boxes
    assert arch.layers.items["block1.layers.0"].parent() is arch.layers.items["block1"]


def test_clicking_a_box_selects_its_row(qtbot, arch):
    arch.select_model("simple")
    arch.built()
    view = arch.diagram
    box = view.boxes["conv2"]
    point = view.mapFromScene(box.sceneBoundingRect().center())
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=point)
    assert arch.layers.selected_name() == "conv2"
    arch.layers.select_name("fc")
    arch.layers.layer_selected.emit("fc")
    assert view.boxes["fc"].isSelected()


def test_custom_input_shape_and_a_kernel_that_no_longer_fits(arch):
    arch.shape_box.setCurrentIndex(3)
    arch.built()
    assert all(spin.isVisible() for spin in arch.custom)
    arch.custom[1].setValue(20)
    arch.built()
    arch.custom[2].setValue(20)
    arch.built()
    assert arch.table.mismatch is None and arch.table.row("fc").output_shape == (10,)
    arch.custom[1].setValue(12)
    arch.built()
    arch.custom[2].setValue(12)
    arch.built()
    assert "conv2 (Conv2d) has a 5×5 kernel but its input is only 4×4" in arch.message.text()


def test_cifar_shape(arch):
    arch.select_model("inception")
    arch.built()
    arch.shape_box.setCurrentIndex(2)
    arch.built()
    assert arch.table.input_shape == (3, 32, 32)
    assert arch.table.row("conv1").output_shape == (10, 28, 28)


def test_model_options(arch):
    arch.select_model("resnet")
    arch.built()
    arch.option_widgets["depth"].setValue(8)
    arch.built()
    stage = [r.name for r in arch.table.rows if r.name.startswith("layer1.") and r.depth == 1]
    assert stage == ["layer1.0"]  # one block per stage at depth 8
    arch.option_widgets["preact"].setChecked(True)
    arch.built()
    assert arch.table.row("layer1.0").type == "PreActBlock"


def test_show_code(arch):
    dialog = arch.show_code()
    try:
        assert (
            "class SimpleNet(nn.Module)"
            in dialog.findChild(
                __import__("PySide6.QtWidgets", fromlist=["QPlainTextEdit"]).QPlainTextEdit
            ).toPlainText()
        )
    finally:
        dialog.close()


def test_show_code_while_the_model_is_being_built_says_so(arch):
    arch.select_model("densenet")  # built in the worker: the page is busy for a moment
    assert arch.busy
    assert arch.show_code() is None and "still being built" in arch.message.text()
    arch.built()
    dialog = arch.show_code()
    assert dialog is not None
    dialog.close()


def test_calculator_reproduces_and_edits(arch):
    calc = arch.calculator
    assert calc.naive.text().endswith("= 120,422,400")
    assert calc.reduced.text().endswith("= 12,443,648")
    assert calc.ratio.text() == "9.7× fewer multiplications"
    calc.spins["reduced"].setValue(32)
    assert calc.reduced.text() == "With 1×1 convolution: 1²·28²·192·32 + 5²·28²·32·32 = 24,887,296"


def test_open_a_good_model_file(arch):
    arch.open_model_file(FILES / "good_net.py")
    arch.built()
    assert arch.model_box.currentText() == "good_net.MyNet"
    assert "good_net.MyNet" in [arch.model_box.itemText(i) for i in range(arch.model_box.count())]
    assert arch.table.row("block.conv").output_shape == (8, 28, 28)
    assert "class MyNet" in arch.model_source()


@pytest.mark.parametrize(
    "file, expected",
    [
        ("syntax_error.py", "syntax_error.py, line 3: syntax error"),
        ("import_error.py", "import_error.py, line 2: import error"),
        ("no_model.py", "no_model.py: no model found"),
        ("init_error.py", "init_error.py, line 7: Net() failed"),
        ("forward_error.py", "forward_error.py, line 18: forward failed"),
        ("wrong_output.py", "wrong_output.py: Net's output has shape [2, 4, 26, 26]"),
    ],
)
def test_a_bad_model_file_is_explained_and_nothing_changes(arch, file, expected):
    arch.select_model("inception")
    arch.built()
    table, rows = arch.table, arch.layers.topLevelItemCount()
    arch.open_model_file(FILES / file)
    arch.built()
    assert expected in arch.message.text()
    assert "The previous model stays" in arch.message.text()
    assert arch.model_box.currentText() == "inception" and arch.table is table
    assert arch.layers.topLevelItemCount() == rows
    assert available() == BUILT_IN


def test_ctrl_3_opens_the_page(qtbot, main_window):
    from cnnviz.gui.pages.architecture_page import ArchitecturePage

    qtbot.keyClick(main_window, Qt.Key_3, Qt.ControlModifier)
    assert main_window.current_page().title == "Architecture"
    # made on one turn of the event loop and shown, with its hint, on the next
    qtbot.waitUntil(lambda: main_window.built_page(ArchitecturePage) is not None, timeout=30000)
    qtbot.waitUntil(lambda: "Click a box" in main_window.statusBar().currentMessage())
    assert main_window.current_page() is main_window.built_page(ArchitecturePage)


def test_the_table_gives_each_layers_receptive_field_and_jump(arch):
    arch.select_model("simple")
    arch.built()
    header = arch.layers.headerItem()
    assert [header.text(c) for c in (5, 6)] == ["Field", "Jump"]
    rows = {
        arch.layers.topLevelItem(i).text(0): arch.layers.topLevelItem(i)
        for i in range(arch.layers.topLevelItemCount())
    }
    assert (rows["conv1"].text(5), rows["conv1"].text(6)) == ("5", "1")
    assert (rows["conv2"].text(5), rows["conv2"].text(6)) == ("14", "2")
    assert (rows["mp (call 2)"].text(5), rows["mp (call 2)"].text(6)) == ("16", "4")
    assert rows["fc"].text(5) == "all"
    arch.select_model("inception")
    arch.built()
    block = arch.layers.items["incept1"]
    branch = next(
        block.child(i) for i in range(block.childCount()) if block.child(i).text(0) == "branch5x5_2"
    )
    assert (branch.text(5), branch.text(6)) == ("14", "2")


def test_the_page_keeps_the_tables_and_the_code_but_no_model(arch, main_window):
    import torch

    assert arch.jobs.service is main_window.compute
    arch.select_model("inception")
    arch.built()
    assert not any(isinstance(v, torch.nn.Module) for v in vars(arch).values())
    assert "class InceptionNet(nn.Module)" in arch.model_source()  # read in the compute thread
    assert arch.table.row("incept1.branch5x5_2").output_shape == (24, 12, 12)


def test_the_last_models_verdict_goes_at_once_and_the_page_says_it_is_building(arch):
    """A deck's next stop: the broken net's red message must not stand over the next model
    while that one is built."""
    arch.select_model("simple_broken")
    arch.built()
    assert arch.message.isVisible()
    arch.select_model("inception")
    assert not arch.message.isVisible() and arch.message.text() == ""
    assert arch.busy and "Building inception" in arch.busy_label.text()
    assert not arch.busy_label.isHidden()
    arch.built()
    assert not arch.message.isVisible()
