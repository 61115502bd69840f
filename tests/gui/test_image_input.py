"""ImageInput, the Trace and One step pages' image: its number box and Random go as far as the
test set has images; a typed number, Random and a stroke are signalled, what a page puts in
is not."""

import numpy as np
from gui_helpers import drag

from cnnviz.gui.widgets.image_input import ImageInput


def test_the_test_set_s_size_bounds_the_box_and_random(qtbot):
    box = ImageInput("Trace this image of the test set", "Random", "A test image at random")
    qtbot.addWidget(box)
    chosen, changed = [], []
    box.test_chosen.connect(chosen.append)
    box.image_changed.connect(changed.append)
    assert not box.random_button.isEnabled()  # the size is not known before the first image
    box.random_button.click()
    assert chosen == []
    box.put_test_image(3, np.full((1, 28, 28), 0.5, np.float32), count=7)
    assert (
        box.test_spin.maximum() == 6
        and box.test_number() == 3
        and "7 images" in (box.test_spin.toolTip())
    )
    assert chosen == [] and changed == []  # put in by the page: nothing signalled
    for _ in range(30):
        box.random_button.click()
    assert len(chosen) == 30 and set(chosen) <= set(range(7)) and len(set(chosen)) > 1
    box.test_spin.setValue(5)
    box.test_spin.editingFinished.emit()
    assert chosen[-1] == 5


def test_a_stroke_makes_the_drawing_the_input_and_a_drawing_put_in_is_silent(qtbot):
    box = ImageInput("Trace this image of the test set", "Random", "A test image at random")
    qtbot.addWidget(box)
    box.show()
    qtbot.waitExposed(box)
    changed = []
    box.image_changed.connect(changed.append)
    box.put_test_image(2, np.zeros((1, 28, 28), np.float32), count=10)
    drag(box.canvas, [(0.5, 0.2), (0.5, 0.8)])
    assert changed and changed[-1] is True and box.test_number() is None
    changed.clear()
    box.show_test_number(4)
    box.put_drawing(np.zeros((280, 280), np.uint8), blank_clears=True)
    assert changed == [] and box.test_number() is None and not box.canvas.strokes
    box.clear_button.click()
    assert changed == [True]
