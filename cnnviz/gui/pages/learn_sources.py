"""The One step page's Model box: the Trace page's sources (the shipped model, the Train page's
run, a checkpoint file, an opened model with a weights file) and the page's fresh nets.

Each choice becomes a :class:`~cnnviz.core.model_source.ModelSource` handed to the page's
controller, which steps a module of its own built from it in the compute thread: the page never
holds a model, and a lesson file keeps the choice, never the weights.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog

from cnnviz.core.model_source import checkpoint_source, opened_source
from cnnviz.gui.pages.learn_controller import CHOICES, MODELS
from cnnviz.gui.widgets.source_choice import CHECKPOINT, SOURCE_KEYS, TRAINING_RUN, LatestChoice
from cnnviz.gui.widgets.weights_dialogs import ask_before_unpickling, ask_weights_file
from cnnviz.gui.workers.weights_loader import NO_OPENED_MODEL, WeightsLoader, latest_opened_model


class LearnSources(QObject):
    """What the page's Model box offers, taken as the Trace page takes it."""

    def __init__(self, page):
        super().__init__(page)
        self.page = page
        self.loader = WeightsLoader(page, ask_before_unpickling)
        self.loader.loaded.connect(self._on_weights_loaded)
        self.loader.failed.connect(self._on_weights_failed)
        # Every choice gets a number; a snapshot or weights file that arrives for an older
        # choice is dropped, so the latest choice wins whatever comes back first. A snapshot
        # comes at the run's next batch boundary, or at its end — which may follow the Train
        # page's "ended" (the finish is handled there before the training thread serves the
        # requests left).
        self.choices = LatestChoice()
        page.model_box.activated.connect(self.chosen)

    @property
    def awaiting_snapshot(self) -> bool:
        """A snapshot of the training run asked for and not in yet."""
        return self.choices.awaiting("snapshot")

    def awaiting(self) -> bool:
        """The model chosen last is on its way (the run's snapshot, a weights file)."""
        return self.choices.awaiting()

    @property
    def controller(self):
        return self.page.controller

    def chosen(self, index: int) -> None:
        """The Model box's entry ``index`` (a file is asked for first; cancelled, the model in
        use stays)."""
        key = CHOICES[index]
        if key in MODELS:
            self.use_model(key)
        elif index == TRAINING_RUN:
            self.use_training_run()
        elif index == CHECKPOINT:
            path, _ = QFileDialog.getOpenFileName(
                self.page, "Model checkpoint", "", "Checkpoints (*.pt)"
            )
            if path:
                self.use_checkpoint(path)
            else:
                self.page.show_model(CHOICES.index(self.controller.model))
        else:
            name = latest_opened_model()
            path = ask_weights_file(self.page, name) if name else ""
            if path:
                self.use_weights(name, path)
            elif name is None:
                self.controller.refused(NO_OPENED_MODEL)
            else:
                self.page.show_model(CHOICES.index(self.controller.model))

    def use_model(self, key: str) -> None:
        """Step ``key``'s model, one of :data:`MODELS` (a new choice: whatever was on its way
        is dropped when it comes)."""
        self.choices.choose()
        self.controller.use_model(key)

    def use_training_run(self) -> bool:
        """Step the Train page's run from its latest weights (a snapshot taken between two
        batches); False, said on the page, without a run."""
        self.page.show_model_text("Taking a snapshot of the training run…")
        # asked before the request: a run that is not active answers at once
        if not self.page.context.request_training_model(
            self.choices.ask("snapshot", self._on_training_snapshot)
        ):
            self.choices.stop_waiting()
            self.controller.refused(
                "No training run yet: start one on the Train page. The previous model stays."
            )
            return False
        return True

    def _on_training_snapshot(self, source) -> None:
        if source is None:
            self.controller.refused(
                "The training run has no model yet (it is still setting up). "
                "The previous model stays."
            )
            return
        self.controller.use_source(
            SOURCE_KEYS[TRAINING_RUN], source, description="a snapshot of the current training run"
        )

    def use_checkpoint(self, path) -> None:
        """Step the model of the checkpoint file ``path``."""
        self.choices.choose()
        self.controller.use_source("checkpoint", checkpoint_source(str(path)), (str(path), None))

    def use_weights(self, name: str, path) -> None:
        """Step the model opened as ``name`` with the weights of ``path`` (read in the
        background)."""
        self.page.show_model_text(f"Reading the weights of {path}…")
        self.choices.choose("weights")
        self.loader.load(name, path)

    def _on_weights_loaded(self, result: dict) -> None:
        if not self.choices.take("weights"):
            return  # another model was chosen while the file was read
        source = opened_source(result["name"], result["path"], result["state"])
        self.controller.use_source("weights", source, (result["path"], result["name"]))

    def _on_weights_failed(self, text: str) -> None:
        if not self.choices.take("weights"):
            return  # a file no longer chosen
        self.controller.refused(f"Cannot use these weights: {text}. The previous model stays.")

    def busy(self) -> bool:
        return self.loader.thread_running()

    def shutdown(self) -> None:
        self.loader.shutdown()
