""" "Predict first" on the Architecture page: a layer's output shape, its parameter count and
its receptive field, asked before its row of the table (and its box of the diagram) shows them.

:func:`layer_questions` runs in the compute thread with the inspect job (it reads the layers'
settings off the model there and returns plain questions); :class:`ArchitecturePrediction`
holds the rows back on the page and asks about one layer at a time — the first held one, or
the one the student clicks."""

from __future__ import annotations

from dataclasses import replace

from cnnviz.core.quiz import (
    known_field_question,
    output_shape_question,
    parameters_question,
    receptive_field_question,
)
from cnnviz.gui.pages.predict_controller import PredictController, short_prompt
from cnnviz.gui.widgets.layer_table import COLUMNS
from cnnviz.gui.widgets.prediction_box import PredictionBox

# the layer table's columns held back while a layer's questions wait: the answers, and the
# multiply-adds, which give the parameters away (multiply-adds ÷ (H_out·W_out), + the bias)
HELD_NAMES = ("Output shape", "Parameters", "Multiply-adds", "Field")
HELD_COLUMNS = tuple(COLUMNS.index(name) for name in HELD_NAMES)
PASS_THROUGH = ("ReLU", "BatchNorm2d", "Dropout", "Dropout2d", "Identity", "LeakyReLU", "Tanh")


def layer_settings(module) -> tuple[str, dict] | None:
    """(torch.nn class name, constructor keywords) of a layer the quiz asks about, or None."""
    kind = type(module).__name__
    if kind == "Conv2d":
        kwargs = {
            "in_channels": module.in_channels,
            "out_channels": module.out_channels,
            "kernel_size": tuple(module.kernel_size),
            "stride": tuple(module.stride),
            "padding": module.padding if isinstance(module.padding, str) else tuple(module.padding),
            "dilation": tuple(module.dilation),
            "groups": module.groups,
            "bias": module.bias is not None,
        }
        return kind, kwargs
    if kind in ("MaxPool2d", "AvgPool2d"):
        kwargs = {
            "kernel_size": module.kernel_size,
            "stride": module.stride,
            "padding": module.padding,
            "ceil_mode": module.ceil_mode,
        }
        if kind == "MaxPool2d":
            kwargs["dilation"] = module.dilation
        else:
            kwargs["count_include_pad"] = module.count_include_pad
        return kind, kwargs
    if kind == "Linear":
        kwargs = {
            "in_features": module.in_features,
            "out_features": module.out_features,
            "bias": module.bias is not None,
        }
        return kind, kwargs
    return None


def field_question(name: str, chain, field, input_shape):
    """The field question of layer ``name``: its answer is the table's traced field size
    (``field`` = (size, jump)); asked with the walk's arithmetic where the layers so far are
    a plain ``chain`` that gives the same size, else with the traced size's words."""
    size, jump = field
    if chain:
        try:
            question = receptive_field_question(chain, input_shape)
        except ValueError:
            question = None
        if question is not None and tuple(question.answer) == tuple(size):
            return question
    return known_field_question(name, input_shape, size, jump=jump)


def _questions_of(layer: str, kwargs: dict, row, chain, input_shape) -> list:
    found = []
    if layer != "Linear" and row.input_shape is not None and len(row.input_shape) == 3:
        question = output_shape_question(layer, kwargs, row.input_shape, with_channels=True)
        if tuple(question.answer) == tuple(row.output_shape or ()):
            found.append(question)
    if layer in ("Conv2d", "Linear"):
        found.append(parameters_question(layer, kwargs))
    if row.field:  # a traced size: not "all" (None) nor unknown ("")
        found.append(field_question(row.name, chain, row.field, input_shape))
    return found


def in_order(modules: dict, name: str) -> bool:
    """Whether layer ``name`` runs after the one before it, input to output: every module
    around it is a Sequential (a block's branches and shortcuts run side by side)."""
    parts = name.split(".")[:-1]
    return all(
        type(modules.get(".".join(parts[: i + 1]))).__name__ == "Sequential"
        for i in range(len(parts))
    )


def layer_questions(model, table) -> dict[str, list]:
    """For each layer of ``table`` (first call) that the quiz asks about: its questions, in
    order (output shape, parameters, receptive field). The receptive field asked is the
    table's traced one, whatever the layers before (branches, blocks, any padding)."""
    modules = dict(model.named_modules())
    found: dict[str, list] = {}
    chain: list | None = []  # the window layers so far; None once the chain has ended
    for row in table.rows:
        module = modules.get(row.name)
        if not row.is_leaf or row.failed or module is None or row.call != 1:
            continue
        settings = layer_settings(module)
        if not in_order(modules, row.name):
            chain = None
        if settings is None or settings[0] == "Linear":
            if settings is not None or type(module).__name__ not in PASS_THROUGH:
                chain = None
            if settings is None:
                continue
        layer, kwargs = settings
        if chain is not None:
            chain.append({"layer": layer, "kwargs": kwargs})
        try:
            questions = _questions_of(layer, kwargs, row, chain and list(chain), table.input_shape)
        except ValueError:
            continue
        if questions:
            found[row.name] = questions
    return found


def held_nodes(nodes, held: set) -> list:
    """The diagram's nodes with the shapes of the ``held`` layers hidden ("?")."""

    def box(b):
        return replace(b, shape="?") if b.name in held else b

    return [
        replace(
            node,
            shape="?" if node.name in held else node.shape,
            boxes=[box(b) for b in node.boxes],
            branches=[(title, [box(b) for b in boxes]) for title, boxes in node.branches],
        )
        for node in nodes
    ]


class ArchitecturePrediction:
    """The Architecture page's "Predict first": ``box`` to place on the page; the page calls
    :meth:`shown` with each table it shows and :meth:`set_on` with the switch."""

    def __init__(self, page):
        self.page = page
        self.predict = PredictController()
        self.box = PredictionBox()
        self.box.answered.connect(lambda text: self._after(self.predict.answer(text)))
        self.box.shown.connect(lambda: self._after(self.predict.show_me()))
        self.questions: dict[str, list] = {}
        self.held: set = set()  # the layers whose rows are held back
        self.layer = ""  # the layer asked about
        self.nodes: list = []  # the diagram's nodes as drawn (held shapes hidden)
        page.layers.layer_selected.connect(self.choose)
        page.diagram.box_clicked.connect(self.choose)

    def set_on(self, on: bool) -> None:
        if self.predict.set_on(on):
            self.box.idle()
            if self.held:  # off: the rows held show; on: asking starts with the next table
                self.held = set()
                self._show()

    def shown(self, questions: dict) -> None:
        """A new table is on the page: hold back its layers and ask about the first (the
        page's own drawing stands while nothing is held)."""
        self.questions, self.layer = questions, ""
        self.predict.release()
        self.predict.forget()
        self.box.idle()
        self.held = set(questions) if self.predict.on else set()
        if self.held:
            self._show()
            self._ask_next()

    def choose(self, name: str) -> None:
        """The student picked a layer (table or diagram): ask about it if it is held."""
        if name in self.held and name != self.layer:
            self.predict.queue = []  # the layer asked before stays held, unasked
            self._ask(name)

    def _ask_next(self) -> None:
        """Ask about the first held layer, in the table's order."""
        rows = self.page.table.rows if self.page.table is not None else []
        for name in (row.name for row in rows):
            if name in self.held:
                self._ask(name)
                return

    def _ask(self, name: str) -> None:
        self.layer = name
        if self.predict.ask(("layer", name), self.questions[name]):
            self.page.layers.select_name(name)
            self.page.diagram.select(name)
            self._prompt()

    def _prompt(self) -> None:
        question = self.predict.question
        self.box.ask(f"{self.layer}: {short_prompt(question)}", "", question.prompt)

    def _after(self, verdict) -> None:
        if verdict is None:
            return
        self.box.tell(verdict.correct, verdict.explanation)
        if self.predict.held:
            self._prompt()
            return
        self.held.discard(self.layer)
        self.layer = ""
        self._show()
        self._ask_next()

    def _show(self) -> None:
        """The table and diagram with the held rows' numbers as "?"."""
        page = self.page
        if page.table is None:
            return
        page.layers.set_table(page.table)
        # a block's row and box say its last layer's shape: held while a layer inside is
        held = self.held | {
            row.name
            for row in page.table.rows
            if any(name.startswith(f"{row.name}.") for name in self.held)
        }
        for name in held:
            item = page.layers.items.get(name)
            for col in HELD_COLUMNS if item is not None else ():
                item.setText(col, "?")
        c, h, w = page.table.input_shape
        self.nodes = held_nodes(page.nodes, held)
        page.diagram.set_nodes(self.nodes, f"{c}×{h}×{w}")
