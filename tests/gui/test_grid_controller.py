"""The grid lessons' controller: state and rules without Qt (no display, no widgets)."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cnnviz.core.ops import ConvPlan, PoolPlan
from cnnviz.gui.pages.grid_controller import GridLessonController, field_key, window_marks

ROOT = Path(__file__).resolve().parents[2]


def conv_lesson(stride=1):
    kernel = np.ones((1, 2, 2))
    lesson = GridLessonController(lambda: ConvPlan(lesson.inputs, kernel, 0, stride, 0, 1))
    lesson.inputs = np.arange(9, dtype=float).reshape(1, 3, 3)
    return lesson


def test_imports_and_runs_with_qt_unavailable():
    code = (
        "import sys\n"
        "for name in ('PySide6', 'pyqtgraph', 'shiboken6'):\n"
        "    sys.modules[name] = None  # any import of them now fails\n"
        "import numpy as np\n"
        "from cnnviz.core.ops import ConvPlan\n"
        "from cnnviz.gui.pages.grid_controller import GridLessonController\n"
        "lesson = GridLessonController(lambda: ConvPlan(lesson.inputs, np.ones((1, 2, 2))))\n"
        "assert lesson.rebuild() is None and lesson.step_count() == 9\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr


def test_a_plan_that_fails_keeps_the_last_good_one_and_says_why():
    lesson = conv_lesson()
    assert lesson.rebuild() is None
    good = lesson.plan
    np.testing.assert_array_equal(good.output, [[8, 12], [20, 24]])
    lesson.inputs = np.zeros((1, 1, 1))  # smaller than the kernel
    problem = lesson.rebuild()
    assert problem and lesson.plan is good
    assert field_key(problem, {"size": 0, "kernel": 0}) in ("size", "kernel")


def test_field_key_prefers_the_parameter_a_message_starts_with():
    keys = {"size", "stride", "padding", "kernel"}
    assert field_key("stride must be at least 1 (got 0)", keys) == "stride"
    assert field_key("the kernel is larger than the padded input (stride 2)", keys) == "kernel"
    assert field_key("dilation must be at least 1", keys) == "size"  # no such setting here
    assert field_key("input too small", keys) == "size"


def test_edits_are_refused_in_words_and_accepted_into_the_grid():
    lesson = conv_lesson()
    assert "not a number" in GridLessonController.edit(lesson.inputs, "input", 0, 0, 1, "x")
    assert lesson.inputs[0, 0, 1] == 1
    outside = GridLessonController.edit(lesson.inputs, "input", 0, 5, 0, "2")
    assert outside.startswith("The input is 3×3 now: row 6, column 1 is outside it")
    assert GridLessonController.edit(lesson.inputs, "input", 0, 2, 2, "-4.5") is None
    assert lesson.inputs[0, 2, 2] == -4.5


def test_resize_channels_randomize_clear():
    lesson = conv_lesson()
    lesson.resize((2, 4))
    np.testing.assert_array_equal(lesson.inputs[0], [[0, 1, 2, 0], [3, 4, 5, 0]])
    lesson.set_channel_count(3)
    assert lesson.inputs.shape == (3, 2, 4)
    assert ((lesson.inputs[1:] >= 0) & (lesson.inputs[1:] <= 9)).all()
    np.testing.assert_array_equal(lesson.inputs[0], [[0, 1, 2, 0], [3, 4, 5, 0]])
    lesson.set_channel_count(1)
    assert lesson.inputs.shape == (1, 2, 4)
    lesson.randomize()
    values = lesson.inputs
    assert values.shape == (1, 2, 4) and (values == values.round()).all() and values.max() <= 9
    lesson.clear()
    assert not lesson.inputs.any()


def test_paste_resizes_every_channel_or_says_why_not():
    lesson = conv_lesson()
    lesson.set_channel_count(2)
    pasted = lesson.pasted("1 2\n3 4", channel=1)
    assert pasted.shape == (2, 2, 2)
    np.testing.assert_array_equal(pasted[1], [[1, 2], [3, 4]])
    np.testing.assert_array_equal(pasted[0], [[0, 1], [3, 4]])
    assert lesson.inputs.shape == (2, 3, 3)  # nothing changes until the page takes it
    with pytest.raises(ValueError, match="^Cannot paste: "):
        lesson.pasted("1 2\n3", channel=0)


def test_hovering_names_the_readers_and_marks_them_on_their_output():
    lesson = conv_lesson()
    lesson.rebuild()
    assert lesson.hover_input(0, 1, 1) == "This input cell is read by 4 output cells (green)."
    marks, pending, here = lesson.output_marks(lesson.plan[0], 0, 1)
    assert here and pending == 0
    assert marks[(0, 0)] == "current" and marks[(1, 1)] == "reader"
    assert lesson.hover_input(0, 0, 0) == "This input cell is read by 1 output cell (green)."
    lesson.leave_input()
    assert lesson.output_marks(lesson.plan[3], 0, 1) == ({(1, 1): "current"}, 3, True)
    strided = conv_lesson(stride=2)
    strided.rebuild()
    assert strided.hover_input(0, 1, 2) == "No output cell reads this input cell."


def test_output_marks_of_one_grid_per_channel():
    lesson = GridLessonController(lambda: PoolPlan(lesson.inputs, "max", (2, 2), (2, 2)))
    lesson.inputs = np.arange(32, dtype=float).reshape(2, 4, 4)
    lesson.rebuild()
    step = lesson.plan[5]  # channel 2's second window
    assert lesson.output_marks(step, 0, 2) == ({}, None, False)  # channel 1 is done
    assert lesson.output_marks(step, 1, 2) == ({(0, 1): "current"}, 1, True)
    assert lesson.output_marks(lesson.plan[0], 1, 2)[1] == -1  # channel 2 not begun
    assert window_marks(step, 1)[(1, 3)] == "winner" and window_marks(step, 0) == {}
    assert lesson.output_text() == "5\t7\n13\t15\n\n21\t23\n29\t31"


def test_shipped_examples_and_their_names():
    lesson = GridLessonController(lambda: None, "conv")
    names = [p.name for p in lesson.presets]
    assert names and lesson.problems_text() == ""
    assert lesson.preset_index(names[1]) == 1 and lesson.preset_index("no such") is None
    assert GridLessonController(lambda: None).presets == ()


def test_the_convolution_keeps_one_kernel_per_channel_and_writes_its_steps():
    from cnnviz.core.ops import ActivatedPlan
    from cnnviz.gui.pages.conv_controller import ConvLessonController

    lesson = ConvLessonController(
        lambda: ActivatedPlan(ConvPlan(lesson.inputs, lesson.kernels, -10, 1, 0, 1))
    )
    lesson.inputs = np.arange(9, dtype=float).reshape(1, 3, 3)
    lesson.resize_kernels((2, 2))
    assert lesson.rebuild() is None
    np.testing.assert_array_equal(lesson.plan.activated, [[0, 2], [10, 14]])
    assert lesson.describe(lesson.plan[1]).startswith("<b>Output row 1, column 2:</b> ")
    assert lesson.describe(lesson.plan[4]).startswith("<b>Activation:</b> ReLU: max(0, x)")
    lesson.kernels[0, 0, 0] = 5
    lesson.fit_kernels(3)
    assert lesson.kernels.shape == (3, 2, 2) and lesson.kernels[0, 0, 0] == 5
    assert (lesson.kernels[1:] == 1).all()
    lesson.fit_kernels(1)
    np.testing.assert_array_equal(lesson.kernels, [[[5, 1], [1, 1]]])
