"""The Backward lesson's controller: gradients, the loss and the SGD step, without Qt."""

import numpy as np
import pytest

from cnnviz.core.ops import format_number
from cnnviz.gui.pages.backward_controller import BackwardLessonController

NO_ROUNDING = (False, True)


def lesson_of(kind="conv", loss_is_sum=True, stride=(1, 1)):
    lesson = BackwardLessonController(
        lambda: lesson.plan_for(kind, (2, 2), stride, (0, 0), loss_is_sum, NO_ROUNDING)
    )
    lesson.inputs = np.arange(1, 10, dtype=float).reshape(1, 3, 3)
    return lesson


def test_l_the_sum_gives_the_lecture_gradients_and_their_words():
    lesson = lesson_of()
    assert lesson.rebuild() is None and lesson.shown_kind == "conv"
    np.testing.assert_array_equal(lesson.plan.grad_weight[0, 0], [[12, 16], [24, 28]])
    assert lesson.loss() == 80
    assert lesson.loss_text(True) == "L = sum of the output = 80"
    first = lesson.describe(lesson.plan[0])
    assert first.startswith("<b>∂L/∂W row 1, column 1</b>") and first.endswith("= 12")
    assert lesson.describe(lesson.plan[4]).startswith("<b>∂L/∂b</b> = Σ ∂L/∂Y: 1 + 1")
    assert lesson.step_of("input", 4) == 9 and lesson.step_at_output(0, 0) is None
    assert lesson.output_text() == "1\t2\t1\n2\t4\t2\n1\t2\t1\n\n12\t16\n24\t28"


def test_a_typed_gradient_is_kept_and_fitted_to_the_output():
    lesson = lesson_of(loss_is_sum=False)
    lesson.grad_out = np.array([[1.0, -2.0, 5.0]])
    assert lesson.rebuild() is None
    np.testing.assert_array_equal(lesson.grad_out, [[1, -2], [0, 0]])
    assert lesson.loss_text(False) == "L = Σ ∂L/∂Y·Y = -20"  # 1·12 − 2·16


def test_the_sgd_step_and_its_words():
    lesson = lesson_of()
    lesson.rebuild()
    update = lesson.sgd_update(0.01)
    np.testing.assert_allclose(update.after, [[0.88, 0.84], [0.76, 0.72]])
    lesson.kernel = update.after
    lesson.rebuild()
    lesson.note_update(update, 80.0)
    assert lesson.last_update.startswith("SGD step, lr 0.01: w ← w − lr·∂L/∂W")
    assert lesson.loss() == pytest.approx(80 - 0.01 * (12**2 + 16**2 + 24**2 + 28**2))
    assert lesson.last_update.endswith(f"L: 80 → {format_number(lesson.loss())}")
    assert "    SGD step" in lesson.loss_text(True)
    with pytest.raises(ValueError):
        lesson.sgd_update(-1)


def test_pooling_routes_back_and_has_no_weights():
    lesson = lesson_of("max", stride=(1, 1))
    assert lesson.rebuild() is None and lesson.shown_kind == "max"
    assert lesson.sgd_update(0.1) is None and lesson.step_of("weight", 0) is None
    assert lesson.step_at_output(1, 1) == 3
    text = lesson.describe(lesson.plan[0])
    assert text.startswith("<b>∂L/∂Y row 1, column 1:</b>") and text.endswith("X cell (2, 2)")
    assert lesson.output_text() == "0\t0\t0\n0\t1\t1\n0\t1\t1"


def test_a_kernel_resized_keeps_its_corner():
    lesson = lesson_of()
    lesson.kernel = np.array([[1.0, 2.0], [3.0, 4.0]])
    lesson.resize_kernel((3, 2))
    np.testing.assert_array_equal(lesson.kernel, [[1, 2], [3, 4], [0, 0]])
