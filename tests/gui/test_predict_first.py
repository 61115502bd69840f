"""Predict first: on each lesson page the result is held back until the student answers (or
presses Show me); a right and a wrong answer on each, the mistake named; the switch is
remembered and turning it off shows everything."""

import pytest
from gui_helpers import click_cell, texts

torch = pytest.importorskip("torch")


def predicting(window, page_class):
    """The page shown with Predict first switched on from the Lesson menu."""
    window.predict.action.trigger()
    assert window.predict.on
    return window.show_page(page_class)


def answer(page, text):
    """Type ``text`` into the page's prediction box and press Check."""
    box = page.prediction_box
    assert box.waiting() and box.field.isVisible()
    box.field.setText(text)
    box.check_button.click()
    return box.verdict.text()


# -- the switch ------------------------------------------------------------------------------
def test_the_switch_is_in_the_lesson_menu_and_the_toolbar_and_remembered(main_window, new_window):
    from cnnviz.gui.pages.conv_page import ConvPage

    action = main_window.predict.action
    assert action.isCheckable() and not action.isChecked()
    assert action in main_window.menus.lesson_menu.actions()
    assert action in main_window.predict.toolbar.actions()
    action.trigger()
    page = main_window.show_page(ConvPage)
    assert page.predict.on
    again = new_window()
    assert again.predict.on and again.predict.action.isChecked()
    again.predict.action.trigger()
    assert not new_window().predict.on


def test_turning_the_switch_off_reveals_everything(main_window):
    from cnnviz.gui.pages.conv_page import ConvPage

    page = predicting(main_window, ConvPage)
    page.load_preset(1)
    assert page.predict.holds("size") and not page.output_grids[0].view.isVisibleTo(page)
    main_window.predict.action.trigger()  # off
    assert not page.predict.held and not page.prediction_box.isVisibleTo(page)
    assert page.output_grids[0].view.isVisibleTo(page)
    assert "?" not in sum(texts(page.output_grids[0]), [])
    assert "Output height" in page.formula.text()
    page.next_step()
    assert not page.predict.held and "Output row 1, column 2" in page.arithmetic.text()


# -- Convolution -----------------------------------------------------------------------------
def test_convolution_size_right_then_the_next_cell_waits(main_window):
    from cnnviz.gui.pages.conv_page import ConvPage

    page = predicting(main_window, ConvPage)
    page.load_preset(0)  # the lecture's 3×3 image, 2×2 filter: a 2×2 output
    grid = page.output_grids[0]
    assert page.predict.holds("size") and not grid.view.isVisibleTo(page)
    assert "?×?" in grid.title.text() and "Output height" not in page.formula.text()
    assert "✔" in answer(page, "2 x 2")
    assert grid.view.isVisibleTo(page) and "2×2" in grid.title.text()
    # the first step's cell waits: its number and its arithmetic are held back
    assert page.predict.holds("step")
    assert texts(grid) == [["?", "?"], ["?", "?"]]
    assert "=" not in page.arithmetic.text() and not page.arithmetic.isVisibleTo(page)
    value = page.plan.output[0, 0]
    assert "✔" in answer(page, f"{value:g}")
    assert texts(grid)[0][0] == f"{value:g}" and texts(grid)[0][1] == "?"
    assert f"= {value:g}" in page.arithmetic.text() and page.arithmetic.isVisibleTo(page)


def test_convolution_wrong_size_names_the_forgotten_padding(main_window):
    from cnnviz.gui.pages.conv_page import ConvPage

    page = predicting(main_window, ConvPage)
    page.load_preset(1)  # the lecture's 3×3 image and 2×2 filter, padded: 3×3 out
    verdict = answer(page, "2x2")
    assert "✘" in verdict and "padding forgotten" in verdict and "3 × 3" in verdict
    assert page.output_grids[0].view.isVisibleTo(page)


def test_convolution_wrong_cell_names_the_flipped_kernel(main_window):
    from cnnviz.gui.pages.conv_page import ConvPage

    page = predicting(main_window, ConvPage)
    page.load_preset(3)  # edge detection: an asymmetric kernel
    page.show_prediction()  # Show me: the size
    assert not page.predict.holds("size") and page.predict.holds("step")
    question = page.predict.question
    flipped = [wrong for wrong, text in question.mistakes if "flipped" in text]
    # the edge-detection kernel is asymmetric, so its flip gives another number here
    assert flipped and flipped[0] != question.answer
    verdict = answer(page, f"{flipped[0]:g}")
    assert "✘" in verdict and "kernel flipped" in verdict


# -- Pooling ---------------------------------------------------------------------------------
def test_max_pooling_winner_is_clicked_on_the_input(qtbot, main_window):
    from cnnviz.gui.pages.pool_page import PoolPage

    page = predicting(main_window, PoolPage)
    page.load_preset(0)  # the lecture's 4×4, 2×2 max pooling, stride 2
    assert "✔" in answer(page, "2, 2")
    assert page.predict.holds("step") and page.prediction_box.clicking
    assert not page.prediction_box.field.isVisible()
    assert texts(page.output_grids[0])[0][0] == "?"
    winner = page.predict.question.answer
    click_cell(qtbot, page.input_grids[0], *winner)
    assert "✔" in page.prediction_box.verdict.text()
    assert texts(page.output_grids[0])[0][0] == "6"
    page.next_step()
    assert page.predict.holds("step")
    row, col = page.predict.question.answer
    click_cell(qtbot, page.input_grids[0], row, (col + 1) % 4)
    assert "✘" in page.prediction_box.verdict.text()
    assert "winner is input row" in page.arithmetic.text()


def test_the_question_counts_rows_and_columns_as_the_page_does(qtbot, main_window):
    from cnnviz.gui.pages.pool_page import PoolPage

    page = predicting(main_window, PoolPage)
    page.load_preset(0)  # the lecture's 4×4, 2×2 max pooling, stride 2
    page.show_prediction()  # the size
    page.next_step()  # the second window: output row 1, column 2
    question = page.predict.question
    assert question.cell == (0, 1) and "output row 1, column 2" in question.prompt
    row, col = question.answer  # the input's indices, from 0
    click_cell(qtbot, page.input_grids[0], row, col)
    verdict = page.prediction_box.verdict.text()
    assert "✔" in verdict and f"row {row + 1}, column {col + 1}" in verdict
    # the page's own step text names the same window and the same winner
    shown = page.arithmetic.text()
    assert "Output row 1, column 2" in shown
    assert f"the winner is input row {row + 1}, column {col + 1}" in shown
    page.next_step()
    assert page.predict.holds("step")
    typed = page.predict.question.answer_text  # "row 1, column 3", as the page counts
    page.take_prediction(typed)
    assert f"Right: {typed}" in page.prediction_box.verdict.text()


def test_a_padding_cell_clicked_is_no_answer(qtbot, main_window):
    from cnnviz.gui.pages.pool_page import PoolPage

    page = predicting(main_window, PoolPage)
    page.load_preset(0)
    page.show_prediction()  # the size
    page.padding_spin.set_value((1, 1))
    page.padding_spin.changed.emit((1, 1))
    page.show_prediction()  # the new size
    assert page.predict.holds("step") and page.prediction_box.clicking
    click_cell(qtbot, page.input_grids[0], 0, 0)  # padding (−∞)
    assert page.predict.holds("step") and "padding" in page.prediction_box.click_hint.text()
    row, col = page.predict.question.answer
    click_cell(qtbot, page.input_grids[0], row + 1, col + 1)  # the padded grid's coordinates
    assert "✔" in page.prediction_box.verdict.text()


def test_pooling_wrong_size_names_ceil_mode(main_window):
    from cnnviz.gui.pages.pool_page import PoolPage

    page = predicting(main_window, PoolPage)
    page.load_preset(3)  # 5×5, 2×2 max pooling, stride 2: ceil_mode gives 3×3
    page.show_prediction()
    assert "3 × 3" in page.prediction_box.verdict.text()
    page.ceil_box.setChecked(False)  # new settings: asked again, floor gives 2×2
    assert page.predict.holds("size") and not page.output_grids[0].view.isVisibleTo(page)
    verdict = answer(page, "3 x 3")
    assert "✘" in verdict and "rounded up (ceil_mode=True)" in verdict
    assert "2×2" in page.output_grids[0].title.text()


def test_average_pooling_cell_is_checked_as_the_grid_shows_it(main_window):
    from cnnviz.gui.pages.pool_page import PoolPage

    page = predicting(main_window, PoolPage)
    page.load_preset(2)  # the lecture's 3×3 average pooling: 15 / 9 shown as 1.7
    page.show_prediction()  # the size
    assert page.predict.question.asks == "cell"
    assert "✔" in answer(page, "1.7")
    assert texts(page.output_grids[0])[0][0] == "1.7"
    page.next_step()
    verdict = answer(page, "1.5")
    assert "✘" in verdict


# -- Transposed ------------------------------------------------------------------------------
def test_transposed_size_right_and_wrong(main_window):
    from cnnviz.gui.pages.transposed_page import TransposedPage

    page = predicting(main_window, TransposedPage)
    page.load_preset(0)  # 2×2 → 4×4
    assert not page.conv_output_grid.view.isVisibleTo(page)
    assert not page.canvas_grid.view.isVisibleTo(page)
    assert "✔" in answer(page, "4 × 4")
    assert page.conv_output_grid.view.isVisibleTo(page)
    page.load_preset(1)  # kernel 3, stride 2 on 3×3
    h, w = page.predict.question.answer
    verdict = answer(page, f"{h - 1} x {w - 1}")
    assert "✘" in verdict and "+ 1" in verdict
    assert f"{h}×{w}" in page.conv_output_grid.title.text()
    page.view_box.setCurrentIndex(1)  # the convolution view: each output cell is asked
    question = page.predict.question
    assert question.asks == "cell" and texts(page.conv_output_grid)[0][0] == "?"
    assert "✔" in answer(page, f"{page.plan.plan.output[0, 0, 0]:g}")
    assert texts(page.conv_output_grid)[0][0] == f"{page.plan.plan.output[0, 0, 0]:g}"


# -- Architecture ----------------------------------------------------------------------------
def built_architecture(main_window, qtbot, model="deeper"):
    """The Architecture page with Predict first on and ``model`` built (its table held)."""
    from cnnviz.gui.pages.architecture_page import ArchitecturePage

    page = predicting(main_window, ArchitecturePage)
    qtbot.waitUntil(lambda: not page.busy, timeout=60000)
    page.select_model("simple" if model != "simple" else "deeper")
    qtbot.waitUntil(lambda: not page.busy, timeout=60000)
    page.select_model(model)
    qtbot.waitUntil(lambda: not page.busy and bool(page.prediction.held), timeout=60000)
    return page


def test_architecture_asks_a_layers_shape_parameters_and_field(qtbot, main_window):
    from cnnviz.gui.widgets.layer_table import COLUMNS

    page = built_architecture(main_window, qtbot)
    prediction = page.prediction
    first = prediction.layer
    item = page.layers.items[first]
    assert [item.text(col) for col in (2, 3, 5)] == ["?", "?", "?"]
    held = [
        COLUMNS.index(name) for name in ("Output shape", "Parameters", "Multiply-adds", "Field")
    ]
    assert [item.text(col) for col in held] == ["?"] * 4  # multiply-adds give parameters away
    row = next(r for r in page.table.rows if r.name == first)
    assert "?" in {box.shape for node in page.prediction.nodes for box in node.boxes}
    asked = [q.asks for q in prediction.predict.queue]
    assert asked[:2] == ["output_shape", "parameters"]
    assert "✔" in answer_box(prediction.box, " x ".join(map(str, row.output_shape)))
    assert "✔" in answer_box(prediction.box, f"{row.params:,}")
    if prediction.predict.held:  # its receptive field
        size = row.field[0]
        assert "✘" in answer_box(prediction.box, f"{size[0] + 1} x {size[1] + 1}")
    item = page.layers.items[first]
    assert item.text(2) == "×".join(map(str, row.output_shape)) and first not in prediction.held
    assert item.text(COLUMNS.index("Multiply-adds")) == f"{row.macs:,}"
    assert prediction.layer and prediction.layer != first  # the next layer is asked


def test_architecture_asks_every_layers_traced_field_through_inception(qtbot, main_window):
    """Every asked layer with a traced field is asked it, its answer the table's Field column:
    inside the Inception blocks and after them too (a plain walk of the layers cannot)."""
    page = built_architecture(main_window, qtbot, "inception")
    prediction = page.prediction
    rows = {row.name: row for row in page.table.rows if row.call == 1}
    fields = {}
    for name, questions in prediction.questions.items():
        asked = [q for q in questions if q.asks == "receptive_field"]
        if rows[name].field:
            assert len(asked) == 1, name
            assert asked[0].answer == tuple(rows[name].field[0]), name
            fields[name] = asked[0]
    assert {"conv1", "incept1.branch5x5_2", "incept1.branch_pool", "conv2"} <= set(fields)
    assert "incept2.branch3x3dbl_3" in fields
    from cnnviz.gui.widgets.layer_table import field_texts

    name = "conv2"  # after incept1's branches: answered from the box, shown in the row
    page.layers.select_name(name)
    prediction.choose(name)
    while prediction.predict.question.asks != "receptive_field":
        prediction.box.shown.emit()  # Show me: the shape, the parameters
    size = rows[name].field[0]
    assert "✔" in answer_box(prediction.box, f"{size[0]} x {size[1]}")
    item = page.layers.items[name]
    assert item.text(5) == field_texts(rows[name].field)[0] and name not in prediction.held


def test_architecture_wrong_parameters_name_the_bias(qtbot, main_window):
    page = built_architecture(main_window, qtbot, "simple")  # the lecture's net: biases
    prediction = page.prediction
    conv = "conv2"
    page.layers.select_name(conv)
    prediction.choose(conv)
    assert prediction.layer == conv
    prediction.box.shown.emit()  # Show me: the output shape
    question = prediction.predict.question
    assert question.asks == "parameters"
    weights = question.answer - question.settings["kwargs"]["out_channels"]
    verdict = answer_box(prediction.box, str(weights))
    assert "✘" in verdict and "bias was not counted" in verdict


def answer_box(box, text):
    assert box.waiting()
    box.field.setText(text)
    box.check_button.click()
    return box.verdict.text()


# -- Trace -----------------------------------------------------------------------------------
def traced_page(main_window, qtbot):
    """The Trace page with Predict first on, test image 1 traced (its class held back)."""
    from cnnviz.gui.pages.trace_page import TracePage

    page = predicting(main_window, TracePage)
    qtbot.waitUntil(page.traced, timeout=20000)
    page.show_test_image(1)
    qtbot.waitUntil(lambda: page.traced() and page.predicting.predict.holds("class"), timeout=20000)
    return page


def test_trace_asks_what_the_network_says_right_and_wrong(qtbot, main_window):
    page = traced_page(main_window, qtbot)
    box = page.predicting.box
    assert not page.splitter.isVisibleTo(page) and "Predict first" in page.prediction.text()
    question = page.predicting.predict.question
    wrong = "3" if question.answer != "3" else "5"
    verdict = answer_box(box, wrong)
    assert "✘" in verdict and f"The network says {question.answer}" in verdict
    assert page.splitter.isVisibleTo(page) and page.prediction.text().startswith("It is")
    page.show_test_image(0)
    qtbot.waitUntil(lambda: page.predicting.predict.holds("class"), timeout=20000)
    question = page.predicting.predict.question
    assert "✔" in answer_box(box, question.answer)
    assert page.prediction.text().startswith(f"It is {question.answer}")


def test_trace_asks_nothing_about_an_empty_canvas(qtbot, main_window):
    """The class question waits for an input (a test image, or ink), asked of the controller."""
    page = traced_page(main_window, qtbot)
    assert page.controller.has_input()
    page.predicting.box.shown.emit()  # Show me: the class
    page.canvas.clear()
    qtbot.waitUntil(lambda: page.prediction.text() == "Draw a digit", timeout=20000)
    assert not page.controller.has_input()
    assert not page.predicting.predict.holds("class") and page.splitter.isVisibleTo(page)
    page.show_test_image(2)
    qtbot.waitUntil(lambda: page.predicting.predict.holds("class"), timeout=20000)
    assert page.controller.has_input()


def test_trace_field_corners_clicked_on_the_input(qtbot, main_window):
    from test_trace_page import click

    page = traced_page(main_window, qtbot)
    page.predicting.box.shown.emit()  # Show me: the class
    row, col = 2, 3
    click(qtbot, page, "conv2", 0, row, col)
    prediction = page.predicting
    assert prediction.predict.holds("field") and prediction.box.clicking
    assert page.arithmetic.explanation is None and "Predict first" in page.arithmetic.heading.text()
    top, left, bottom, right = prediction.predict.question.answer
    click(qtbot, page, "input", 0, bottom, right)  # either corner first
    assert prediction.predict.holds("field")
    hint = prediction.box.click_hint.text()  # counted from 1, as the question's words
    assert f"row {bottom + 1}, column {right + 1}" in hint
    assert f"row {row + 1}, column {col + 1} see" in prediction.predict.question.prompt
    click(qtbot, page, "input", 0, top, left)
    assert "✔" in prediction.box.verdict.text() and not prediction.predict.held
    rf = page.arithmetic.explanation.receptive_field
    assert (rf.top, rf.left, rf.bottom - 1, rf.right - 1) == (top, left, bottom, right)
    click(qtbot, page, "conv1", 0, 4, 4)
    top, left, bottom, right = prediction.predict.question.answer
    click(qtbot, page, "input", 0, top + 1, left)
    click(qtbot, page, "input", 0, bottom, right)
    assert "✘" in prediction.box.verdict.text()


def inception_net():
    from cnnviz.models import build

    return build("inception")


def same_padding_net():
    """A kernel of 4 padded "same": 1 row and column before, 2 after (asymmetric)."""
    from torch import nn

    return nn.Sequential(
        nn.Conv2d(1, 4, 4, padding="same"), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 28 * 28, 10)
    )


@pytest.mark.parametrize(
    "make, layer, unit",
    [
        (inception_net, "incept1.cat", (20, 4, 4)),
        (inception_net, "incept1.branch5x5_2", (3, 5, 6)),
        (same_padding_net, "0", (1, 0, 27)),
    ],
    ids=["inception-cat", "inception-branch", "asymmetric-padding"],
)
def test_trace_asks_the_field_it_outlines_through_branches_and_any_padding(
    qtbot, main_window, make, layer, unit
):
    """The field question's answer is the box the page outlines on the input, wherever the
    unit is: inside or after an Inception block, behind asymmetric padding."""
    from test_trace_page import click, outlined, use

    page = traced_page(main_window, qtbot)
    page.predicting.box.shown.emit()  # Show me: the class
    use(page, qtbot, make)
    if page.predicting.predict.holds("class"):
        page.predicting.box.shown.emit()
    channel, row, col = unit
    index = click(qtbot, page, layer, channel, row, col)
    prediction = page.predicting
    assert prediction.predict.holds("field")  # asked, not skipped
    top, left, bottom, right = page.trace.dependencies(index, channel, row, col)[0].box
    question = prediction.predict.question
    assert question.answer == (top, left, bottom - 1, right - 1)
    assert f"Of {layer}, which" in question.prompt
    assert f"row {row + 1}, column {col + 1} see" in question.prompt
    click(qtbot, page, "input", 0, top, left)
    click(qtbot, page, "input", 0, bottom - 1, right - 1)
    assert "✔" in prediction.box.verdict.text() and not prediction.predict.held
    assert outlined(page, 0, 0, (top, left, bottom, right))  # what was asked is what shows


def test_trace_unit_title_and_field_question_name_the_same_row_and_column(qtbot, main_window):
    """On one screen: the clicked unit's title, the lesson title, its field question and its
    field's words all count from 1 (the unit's indices stay 0-based)."""
    import re

    from test_trace_page import click

    page = traced_page(main_window, qtbot)
    page.predicting.box.shown.emit()  # Show me: the class
    click(qtbot, page, "conv2", 3, 2, 5)
    question = page.predicting.predict.question
    page.predicting.box.shown.emit()  # Show me: the field and the arithmetic
    title = page.arithmetic.heading.text()
    asked = re.search(r"row (\d+), column (\d+)", question.prompt).groups()
    named = re.search(r"conv2 · channel 4, row (\d+), column (\d+) = ", title).groups()
    assert asked == named == ("3", "6")
    assert page.lesson_title() == "Trace: conv2, channel 4, row 3, column 6"
    assert question.answer_text in page.arithmetic.field.text()  # "rows 5–18, columns 11–24"
    assert page.lesson_state()["unit"] == ["conv2", 3, 2, 5]


# -- Grouped ---------------------------------------------------------------------------------
def test_grouped_asks_weights_then_multiplications(main_window):
    from cnnviz.gui.pages.grouped_page import GroupedPage

    page = predicting(main_window, GroupedPage)
    page.load_preset(1)  # groups 2: 4 channels → 4
    assert page.predict.holds("size") and "Parameters" not in page.costs.text()
    question = page.predict.question
    assert question.asks == "parameters" and question.answer == 36
    verdict = answer(page, "68")  # as if groups were 1
    assert "✘" in verdict and "groups 1" in verdict
    assert page.predict.question.asks == "multiply_adds"  # the costs still wait
    assert "Multiply-adds" not in page.costs.text()
    assert "✔" in answer(page, "128")
    assert "Parameters: 4·2·2·2 + 4 = 36" in page.costs.text()
    page.groups_spin.setValue(4)  # new settings: asked again
    assert page.predict.holds("size") and page.predict.question.asks == "parameters"
    verdict = answer(page, str(page.predict.question.answer - 4))
    assert "✘" in verdict and "bias was not counted" in verdict


# -- Backward --------------------------------------------------------------------------------
def test_backward_gradient_cell_right_and_flipped(main_window):
    from cnnviz.gui.pages.backward_page import BackwardPage

    page = predicting(main_window, BackwardPage)
    page.load_preset(0)  # the lecture's 3×3 and 2×2: ∂L/∂W first
    question = page.predict.question
    assert question.asks == "cell" and "∂L/∂W" in question.prompt
    assert sum(texts(page.gw_grid), []) == ["?"] * 4 and "=" not in page.arithmetic.text()
    assert "✔" in answer(page, f"{question.answer:g}")
    assert texts(page.gw_grid)[0][0] == f"{question.answer:g}"
    assert "=" in page.arithmetic.text()
    page.next_step()
    question = page.predict.question
    flipped = next(w for w, text in question.mistakes if "flipped" in text)
    verdict = answer(page, f"{flipped:g}")
    assert "✘" in verdict and "kernel flipped" in verdict
    page.load_preset(1)  # stride 2, an edge kernel: flipped, it differs
    page.last_step()  # the last cell of ∂L/∂X
    question = page.predict.question
    assert question.settings["of"] == "grad_input" and texts(page.gx_grid)[-1][-1] == "?"
    unflipped = next(w for w, text in question.mistakes if "not flipped" in text)
    verdict = answer(page, f"{unflipped:g}")
    assert "✘" in verdict and "kernel not flipped" in verdict
    assert texts(page.gx_grid)[-1][-1] == f"{question.answer:g}"


def test_backward_max_pooling_routes_to_the_clicked_winner(qtbot, main_window):
    from cnnviz.gui.pages.backward_page import BackwardPage

    page = predicting(main_window, BackwardPage)
    page.load_preset(2)  # max pooling: the lecture's 4×4 slice
    assert page.predict.question.asks == "winner" and page.prediction_box.clicking
    assert "winner" not in page.x_grid.model.highlights.values()
    assert set(sum(texts(page.gx_grid), [])) == {"?"}
    row, col = page.predict.question.answer
    click_cell(qtbot, page.x_grid, row, col)
    assert "✔" in page.prediction_box.verdict.text()
    assert texts(page.gx_grid)[row][col] == "1"
    assert "winner" in page.x_grid.model.highlights.values()
    page.next_step()
    row, col = page.predict.question.answer
    click_cell(qtbot, page.x_grid, (row + 1) % 4, col)
    assert "✘" in page.prediction_box.verdict.text()


# -- every control safe at every moment ------------------------------------------------------
@pytest.mark.parametrize("page_name", ["ConvPage", "PoolPage", "BackwardPage", "TransposedPage"])
def test_any_order_of_actions_leaves_a_consistent_page(main_window, page_name):
    """Answers, Show me, steps, examples, settings and the switch in a seeded random order:
    nothing raises, and whenever nothing waits every number shows that the lesson computed."""
    import random

    from cnnviz.gui.screenshots import page_index

    page = predicting(main_window, page_index(page_name))
    rng = random.Random(7)
    actions = [
        lambda: page.take_prediction(rng.choice(["3", "2x2", "1, 1", "junk", "", "0.5"])),
        page.show_prediction,
        page.next_step,
        page.previous_step,
        page.last_step,
        lambda: page.load_preset(rng.randrange(len(page.presets))),
        page.randomize,
        lambda: page.prediction_box.click("0, 0"),
        lambda: page.input_clicked(0, 0, 0),
        page.copy_output,
        lambda: main_window.predict.action.trigger(),
        lambda: page.stride_spin.set_value((rng.randint(1, 2), rng.randint(1, 2))),
        lambda: page.stride_spin.changed.emit(page.stride_spin.value()),
    ]
    for _ in range(120):
        rng.choice(actions)()
        if not page.predict.held:
            assert page.prediction_box.waiting() is False
            assert not any(grid.view.isHidden() for grid in page.result_grids())
        if not page.predict.on:
            assert "?" not in sum(texts(page.output_grids[0]), [])
