"""DrawController: the Draw page's state and rules, without Qt.

Which model is in use (a :class:`~cnnviz.core.model_source.ModelSource`, never a module: the
compute service builds and owns it) and which one is being asked for, the prediction
requests (the latest wins), the exact test image under the drawing, the test images that fit
the model, and what a lesson file stores. The page (:mod:`cnnviz.gui.pages.draw_page`) shows
it and talks to the compute service.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnviz.core.inference import MNIST_INFO, InputContract
from cnnviz.core.lesson_pictures import check_exact, decode_png, exact_state
from cnnviz.core.lesson_schema import whole
from cnnviz.core.model_source import ModelSource, default_source
from cnnviz.gui.widgets.source_choice import (
    CHECKPOINT,
    DEFAULT,
    OPENED,
    TRAINING_RUN,
    LatestChoice,
    check_source,
    source_state,
)

DIGIT_NAMES = tuple(str(d) for d in range(10))
REFUSED = {  # why a model asked for is not used, by its Model-box entry
    DEFAULT: "Cannot use the default model: {}. The previous model stays.",
    TRAINING_RUN: "Cannot use the training run's model: {}. The previous model stays.",
    CHECKPOINT: "Cannot use this checkpoint: {}. The previous model stays.",
    OPENED: "Cannot use these weights: {}. The previous model stays.",
}


@dataclass(frozen=True)
class Choice:
    """A model source with its Model-box entry, and the entry's file (path, opened model
    name) when it has one. ``keep_exact``: the exact test image given with it stays (an
    image opened with its model); otherwise a new model drops it."""

    source: ModelSource
    index: int = DEFAULT
    path: str | None = None
    name: str | None = None
    keep_exact: bool = False


class DrawController:
    """The Draw page's state. ``facts`` is what the compute service said of the model in
    use (:func:`cnnviz.gui.workers.draw_jobs.describe_model`), None until it has."""

    def __init__(self, dataset, data_dir):
        self.data_dir = data_dir  # () -> the folder the datasets are kept in
        self.in_use = Choice(default_source())
        self.asked: Choice | None = self.in_use  # being built and described
        self.facts: dict | None = None
        self.dataset = dataset  # the chosen dataset (test images come from it when they fit)
        self.choices = LatestChoice()  # a snapshot or weights file of an older choice is dropped
        self.exact_input: np.ndarray | None = None  # a test image, as the model takes it
        self._folder_test: tuple = (None, None)  # (folder choice, its test split)
        self.request_id = 0  # the latest prediction request
        self.shown_id = -1  # the request whose answer is shown
        self.rng = np.random.default_rng()

    # -- the model in use ----------------------------------------------------------------------
    @property
    def info(self) -> InputContract:
        return MNIST_INFO if self.facts is None else self.facts["info"]

    @property
    def source(self) -> ModelSource | None:
        """The source of the model in use (None until the first one has been described)."""
        return None if self.facts is None else self.in_use.source

    def ask(self, choice: Choice) -> None:
        """``choice`` is being built in the compute service; the model in use stays until it
        is described (:meth:`adopt`) or refused (:meth:`refuse`)."""
        self.asked = choice

    def adopt(self, facts: dict) -> Choice:
        """The model asked for is described: it is the one in use now."""
        assert self.asked is not None
        self.in_use, self.asked, self.facts = self.asked, None, facts
        if not self.in_use.keep_exact:
            self.exact_input = None
        return self.in_use

    def refuse(self, error: str) -> str:
        """The model asked for cannot be used: what the page says (the model in use stays)."""
        choice, self.asked = self.asked, None
        return REFUSED[choice.index if choice is not None else DEFAULT].format(error)

    @property
    def awaiting_snapshot(self) -> bool:
        """A snapshot of the training run has been asked for and is not in yet."""
        return self.choices.awaiting("snapshot")

    def awaiting_training_model(self) -> bool:
        """Whether the training run's model is on its way: its snapshot, or its build."""
        asked = self.asked
        return self.awaiting_snapshot or (asked is not None and asked.index == TRAINING_RUN)

    def switching(self) -> bool:
        """Whether a model asked for is still being built."""
        return self.asked is not None

    def model_text(self) -> str:
        facts = self.facts
        if facts is None:
            return f"Loading {self.asked.source.description if self.asked else 'a model'}…"
        return (
            f"Using {self.in_use.source.description}: {facts['name']}, "
            f"{facts['parameters']:,} parameters, trained on {self.info.describe()}"
        )

    # -- the dataset ---------------------------------------------------------------------------
    def dataset_fits_model(self) -> bool:
        return tuple(self.dataset.shape) == tuple(self.info.input_shape) and tuple(
            self.dataset.class_names
        ) == tuple(self.info.class_names)

    def dataset_note(self) -> str:
        """A note when the chosen dataset is not what the model was trained on ("" if it is)."""
        if self.dataset_fits_model():
            return ""
        return (
            f"The chosen dataset is {self.dataset.describe()}; this model was trained on "
            f"{self.info.dataset}. Train one on the Train page and pick “Current training "
            "run”, or open a checkpoint."
        )

    def test_set(self):
        """Test images that fit the model: the chosen dataset's, else those the model was
        trained on (when they are here), else MNIST's for an MNIST-shaped model (None)."""
        from cnnviz.core.data import catalog, load_mnist, loading

        info, data_dir = self.info, self.data_dir
        if self.dataset_fits_model():
            if self.dataset.is_folder:  # read once per folder choice, not at every click
                key = (self.dataset.name, tuple(sorted(self.dataset.options.items())))
                if self._folder_test[0] != key:
                    test = loading.open_dataset(self.dataset.name, None, self.dataset.options)[1]
                    self._folder_test = (key, test)
                return self._folder_test[1]
            return loading.load_dataset(self.dataset.name, "test", data_dir())
        for key, entry in catalog.DATASETS.items():
            if entry.title == info.dataset and catalog.is_downloaded(key, data_dir()):
                return loading.load_dataset(key, "test", data_dir())
        if info.input_shape == (1, 28, 28):
            return load_mnist("test")
        return None

    def random_test_image(self) -> tuple:
        """``(image uint8 [C, H, W], label, "")`` of a random test image that fits the model,
        or ``(None, None, why not)``."""
        try:
            test = self.test_set()
        except (OSError, ValueError) as exc:
            return None, None, f"Cannot read the test images: {exc}"
        if test is None or len(test) == 0:
            return None, None, f"No test images here fit this model ({self.info.describe()})."
        index = int(self.rng.integers(len(test)))
        return test.images[index].numpy(), int(test.labels[index]), ""

    # -- predictions ---------------------------------------------------------------------------
    def new_request(self) -> int:
        self.request_id += 1
        return self.request_id

    def answered(self) -> None:
        """The latest request's answer is shown."""
        self.shown_id = self.request_id

    def settled(self) -> bool:
        """No model is being switched to and the latest drawing's answer is shown."""
        return self.asked is None and self.shown_id == self.request_id

    def exact(self, background: bool, strokes: bool) -> np.ndarray | None:
        """The exact test image, when it is on the canvas untouched."""
        if self.exact_input is None or not background or strokes:
            return None
        return self.exact_input

    def set_exact(self, image: np.ndarray | None) -> None:
        """A test image (uint8 ``[C, H, W]``) given to the network exactly (None: none)."""
        self.exact_input = None if image is None else image.astype(np.float32) / 255.0

    def empty_text(self) -> str:
        return "Draw a digit" if self.info.class_names == DIGIT_NAMES else "Draw something"

    def prediction_text(self, probabilities: np.ndarray) -> str:
        names = self.info.class_names
        top = int(np.argmax(probabilities))
        name = names[top] if top < len(names) else str(top)
        article = "a " if names == DIGIT_NAMES else ""
        return f"It is {article}{name} ({100 * probabilities[top]:.1f}%)"

    def error_text(self, error: str) -> str:
        shape = "×".join(map(str, self.info.input_shape))
        return f"This model cannot classify a {shape} image: {error}"

    def layers_to_show(self, layer: str, block: str) -> list[str]:
        """The modules whose outputs a prediction brings back: the layer shown, and the
        branches of the Inception block shown."""
        layers = [layer] if layer else []
        blocks = {} if self.facts is None else self.facts["blocks"]
        return layers + [module for _, module in blocks.get(block, [])]

    def branches(self, activations: dict, block: str) -> tuple[list, tuple]:
        """The ``(label, maps)`` of Inception block ``block``'s branches found in
        ``activations``, and the levels they share."""
        blocks = {} if self.facts is None else self.facts["blocks"]
        found = [(label, activations[m]) for label, m in blocks.get(block, []) if m in activations]
        if not found:
            return [], (0.0, 1.0)
        return found, (min(float(a.min()) for _, a in found), max(float(a.max()) for _, a in found))

    # -- lesson files --------------------------------------------------------------------------
    def lesson_state(self, canvas_png: str, background: bool, strokes: bool, views: dict) -> dict:
        """The model's source, the drawing (PNG text), the exact test image under it if one
        is in use, and ``views`` (layer, block, tab, method)."""
        choice = self.in_use
        return {
            "model": source_state(choice.index, choice.path, choice.name),
            "canvas": canvas_png,
            "exact": exact_state(self.exact(background, strokes)),
            **views,
        }

    def check_lesson(self, state: dict, side: int, methods: tuple, method: str, tabs: int) -> dict:
        """The parts of a Draw lesson, checked (``ValueError`` naming the bad one); without a
        method, ``method`` (the one shown) stays."""
        canvas = decode_png(state.get("canvas", ""), "its drawing")
        if canvas.shape != (side, side):
            raise ValueError(f"its drawing must be {side}×{side} grey pixels")
        layer, block = state.get("layer", ""), state.get("block", "")
        if not (isinstance(layer, str) and isinstance(block, str)):
            raise ValueError("its layer and Inception block must be names")
        method = state.get("method", method)
        if not isinstance(method, str) or method not in methods:
            raise ValueError(f"its attribution method {method!r} is not one cnnviz has")
        return {
            "source": check_source(state.get("model", {"source": "default"})),
            "canvas": canvas,
            "exact": check_exact(state.get("exact")),
            "layer": layer,
            "block": block,
            "tab": whole(state.get("tab", 0), "its tab", 0, tabs - 1),
            "method": method,
        }
