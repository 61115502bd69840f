"""TrainForm: the Train page's settings, to and from a :class:`TrainConfig`.

The choices (optimizers, devices) come from the config's own lists, as the command line's
do. The form shows the dataset chosen for every page; picking another one asks the page
(``dataset_requested``), which asks the dataset controller.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from cnnviz.core.data import catalog
from cnnviz.core.lesson_presets import TRAIN
from cnnviz.core.training import TrainConfig
from cnnviz.core.training.config import DEVICES, OPTIMIZERS
from cnnviz.gui.appearance.look import named
from cnnviz.gui.data.datasets import MNIST, DatasetChoice, data_dir
from cnnviz.gui.settings import open_settings, read
from cnnviz.gui.widgets.script_offer import ScriptOffer
from cnnviz.models import available
from cnnviz.models import info as zoo_entry

OPTIMIZER_TIPS = {"sgd": "SGD (with momentum)", "adam": "Adam", "adamw": "AdamW"}
DEVICE_TIP = "auto picks a CUDA GPU, then Apple's GPU, then the CPU"


def spin_box(low, high, value, tip, double=False, decimals=4, step=None):
    spin = QDoubleSpinBox() if double else QSpinBox()
    if double:
        spin.setDecimals(decimals)
    spin.setRange(low, high)
    spin.setValue(value)
    if step:
        spin.setSingleStep(step)
    spin.setToolTip(tip)
    return spin


# (TrainConfig field, form attribute) of what a lesson file keeps (and the dataset)
LESSON_FIELDS = (
    ("model", "model_box"),
    ("epochs", "epochs"),
    ("batch_size", "batch"),
    ("optimizer", "optimizer"),
    ("lr", "lr"),
    ("momentum", "momentum"),
    ("nesterov", "nesterov"),
    ("weight_decay", "weight_decay"),
    ("seed", "seed"),
    ("device", "device"),
    ("probe_index", "probe"),
)

span = TRAIN.span  # a setting's range: the Train page's lesson schema says it once


class TrainForm(QWidget):
    """Dataset, model and hyper-parameters. ``config()`` reads them, ``set_config`` writes
    them; ``dataset_requested(name, options)`` asks for another dataset."""

    dataset_requested = Signal(str, object)
    # (settings key, attribute) of what is remembered between sessions: a lesson's fields but
    # Nesterov and the probe image, which a new session starts without
    SETTINGS = tuple(f for f in LESSON_FIELDS if f[0] not in ("nesterov", "probe_index"))

    def __init__(self, parent=None):
        super().__init__(parent)
        self.dataset: DatasetChoice = MNIST
        self._build_dataset_controls()
        self.model_box = QComboBox()
        self.model_box.addItems(available())
        self.model_box.setToolTip("Any model of the zoo or one you opened on the Architecture page")
        self.offer = ScriptOffer()
        self.offer.use_requested.connect(self.use_script_settings)
        self.model_box.currentTextChanged.connect(self._on_model_chosen)
        self.epochs = spin_box(*span("epochs"), 9, "Epochs (the lecture: range(1, 10) = 9)")
        self.batch = spin_box(*span("batch_size"), 64, "Batch size (the lecture: 64)")
        self.optimizer = QComboBox()
        self.optimizer.addItems(list(OPTIMIZERS))
        self.optimizer.setToolTip(", ".join(OPTIMIZER_TIPS.get(o, o) for o in OPTIMIZERS))
        self.lr = spin_box(
            *span("lr"),
            0.01,
            "Learning rate; can be changed while training",
            double=True,
            decimals=5,
            step=0.001,
        )
        self.momentum = spin_box(
            *span("momentum"),
            0.5,
            "SGD momentum (the lecture: 0.5)",
            double=True,
            decimals=2,
            step=0.05,
        )
        self.nesterov = QCheckBox("Nesterov")
        self.nesterov.setToolTip("Nesterov momentum (SGD with momentum only)")
        self.weight_decay = spin_box(
            *span("weight_decay"), 0.0, "Weight decay (L2)", double=True, decimals=5, step=0.0001
        )
        self.seed = spin_box(*span("seed"), 1, "Random seed: same seed, same run")
        self.device = QComboBox()
        self.device.addItems(list(DEVICES))
        self.device.setToolTip(DEVICE_TIP)
        self.limit_train = spin_box(
            0,
            60000,
            0,
            "Train on the first N images only (all of them: the lowest value; "
            "MNIST has 60,000) for a quicker demonstration",
        )
        self.limit_train.setSpecialValueText("all")
        self.probe = spin_box(
            *span("probe_index"), 0, "The test image whose feature maps are shown live"
        )
        self.probe.setPrefix("test image #")
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        for label, widget in (
            ("Dataset", self.dataset_box),
            ("", self.folder_row),
            ("", self.dataset_label),
            ("Model", self.model_box),
            ("", self.offer),
            ("Epochs", self.epochs),
            ("Batch size", self.batch),
            ("Optimizer", self.optimizer),
            ("Learning rate", self.lr),
            ("Momentum", self.momentum),
            ("", self.nesterov),
            ("Weight decay", self.weight_decay),
            ("Seed", self.seed),
            ("Device", self.device),
            ("Train images", self.limit_train),
            ("Probe", self.probe),
        ):
            form.addRow(label, widget)
        self.restore_settings()

    def _build_dataset_controls(self) -> None:
        self.dataset_box = QComboBox()
        for key, info in catalog.DATASETS.items():
            self.dataset_box.addItem(info.title, key)
        self.dataset_box.addItem("Image folder…", "folder")
        self.dataset_box.setToolTip(
            "The data to train on. MNIST ships with cnnviz; FashionMNIST,"
            " KMNIST and CIFAR-10 are downloaded once (you are asked "
            "first); or a folder of your own images, one sub-folder per "
            "class. The Draw and Architecture pages follow this choice."
        )
        self.dataset_box.activated.connect(self._on_dataset_activated)
        self.dataset_box.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.dataset_box.setMinimumContentsLength(12)
        self.folder_size = spin_box(4, 512, 28, "Your images are resized to this side, in pixels")
        self.folder_size.setSuffix(" px")
        self.folder_colour = QComboBox()
        self.folder_colour.addItems(["Grey", "RGB"])
        self.folder_colour.setToolTip("Read your images as one grey channel or three colours")
        self.folder_row = QWidget()
        row = QHBoxLayout(self.folder_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.folder_size)
        row.addWidget(self.folder_colour)
        self.folder_row.hide()
        self.folder_size.editingFinished.connect(self._on_folder_options)
        self.folder_colour.activated.connect(self._on_folder_options)
        self.dataset_label = QLabel(self.dataset.describe())
        named(self.dataset_label, "presetNote")
        self.dataset_label.setWordWrap(True)
        self.refresh_dataset_items()

    # -- the config -----------------------------------------------------------------------------
    def config(self, **extra) -> TrainConfig:
        """The settings as a config (``extra``: what the page adds, e.g. snapshot rates)."""
        return TrainConfig(
            model=self.model_box.currentText(),
            epochs=self.epochs.value(),
            batch_size=self.batch.value(),
            optimizer=self.optimizer.currentText(),
            lr=self.lr.value(),
            momentum=self.momentum.value(),
            nesterov=self.nesterov.isChecked(),
            weight_decay=self.weight_decay.value(),
            seed=self.seed.value(),
            device=self.device.currentText(),
            limit_train=self.limit_train.value() or None,
            probe_index=self.probe.value(),
            dataset=self.dataset.name,
            data_dir=str(data_dir()),
            dataset_options=dict(self.dataset.options),
            **extra,
        )

    def refresh_models(self) -> None:
        """List the models available now (those opened from files since included)."""
        names = available()
        if names != [self.model_box.itemText(i) for i in range(self.model_box.count())]:
            current = self.model_box.currentText()
            self.model_box.blockSignals(True)
            self.model_box.clear()
            self.model_box.addItems(names)
            self.model_box.setCurrentText(current if current in names else names[0])
            self.model_box.blockSignals(False)
        self._on_model_chosen(self.model_box.currentText())

    def opened_model(self):
        """The chosen model's UserModel when it was opened from a file, else None."""
        try:
            return zoo_entry(self.model_box.currentText()).opened
        except ValueError:
            return None

    def _on_model_chosen(self, _name: str) -> None:
        self.offer.set_model(self.opened_model())

    def use_script_settings(self, settings) -> None:
        """Take over what the script sets literally (the rest stays as it is)."""
        if settings.optimizer:
            self.optimizer.setCurrentText(settings.optimizer)
        for spin, value in (
            (self.lr, settings.lr),
            (self.momentum, settings.momentum),
            (self.weight_decay, settings.weight_decay),
            (self.batch, settings.batch_size),
            (self.epochs, settings.epochs),
        ):
            if value is not None:
                spin.setValue(value)
        if settings.nesterov is not None:
            self.nesterov.setChecked(settings.nesterov)

    def set_config(self, cfg: TrainConfig) -> None:
        """Show ``cfg`` (a dataset other than the current one is asked for)."""
        if cfg.dataset != self.dataset.name:
            self.dataset_requested.emit(cfg.dataset, cfg.dataset_options)
        self.refresh_models()
        self.model_box.setCurrentText(cfg.model)
        for spin, value in (
            (self.epochs, cfg.epochs),
            (self.batch, cfg.batch_size),
            (self.lr, cfg.lr),
            (self.momentum, cfg.momentum),
            (self.weight_decay, cfg.weight_decay),
            (self.seed, cfg.seed),
            (self.limit_train, cfg.limit_train or 0),
            (self.probe, cfg.probe_index),
        ):
            spin.setValue(value)
        self.optimizer.setCurrentText(cfg.optimizer)
        self.nesterov.setChecked(cfg.nesterov)
        self.device.setCurrentText(cfg.device)

    # -- lesson files -----------------------------------------------------------------------------
    def lesson_state(self) -> dict:
        """Every setting of the form (the dataset too), as plain JSON data."""
        state = {key: self._widget_value(getattr(self, name)) for key, name in LESSON_FIELDS}
        state["limit_train"] = self.limit_train.value() or None  # None: all the images
        state["dataset"] = self.dataset.name
        state["dataset_options"] = dict(self.dataset.options)
        return state

    def check_lesson(self, state: dict) -> dict:
        """The settings of a lesson's state, checked by the Train page's lesson schema
        (:data:`cnnviz.core.lesson_presets.TRAIN`, whose ranges the form's controls have); a
        setting missing from it takes the lecture's default. ``ValueError`` names the first
        bad value."""
        self.refresh_models()  # models opened since the form was built
        return TRAIN.check(state)

    def apply_lesson(self, values: dict) -> None:
        """Show the settings :meth:`check_lesson` returned (the dataset is the page's)."""
        for key, name in LESSON_FIELDS:
            widget = getattr(self, name)
            if isinstance(widget, QComboBox):
                widget.setCurrentText(values[key])
            elif isinstance(widget, QCheckBox):
                widget.setChecked(values[key])
            else:
                widget.setValue(values[key])
        self.limit_train.setValue(values["limit_train"] or 0)

    @staticmethod
    def _widget_value(widget):
        if isinstance(widget, QComboBox):
            return widget.currentText()
        if isinstance(widget, QCheckBox):
            return widget.isChecked()
        return widget.value()

    def set_running(self, running: bool) -> None:
        """While a run goes on only the learning rate can change."""
        for widget in (
            self.model_box,
            self.epochs,
            self.batch,
            self.optimizer,
            self.device,
            self.limit_train,
            self.probe,
            self.seed,
            self.dataset_box,
            self.folder_row,
            self.momentum,
            self.nesterov,
            self.weight_decay,
            self.offer,
        ):
            widget.setEnabled(not running)

    # -- the dataset ----------------------------------------------------------------------------
    def set_dataset(self, choice: DatasetChoice) -> None:
        self.dataset = choice
        self.refresh_dataset_items()
        self.folder_row.setVisible(choice.is_folder)
        if choice.is_folder:
            self.folder_size.setValue(choice.options.get("size", 28))
            self.folder_colour.setCurrentIndex(1 if choice.options.get("channels") == 3 else 0)
        self.dataset_label.setText(choice.describe())
        self.limit_train.setMaximum(60000 if choice.name == "mnist" else 10**7)

    def refresh_dataset_items(self) -> None:
        """Item texts say what is downloaded; the current choice is selected."""
        root = data_dir()
        for i in range(self.dataset_box.count()):
            key = self.dataset_box.itemData(i)
            if key == "folder":
                text = (
                    f"Folder: {self.dataset.title}" if self.dataset.is_folder else "Image folder…"
                )
            else:
                info = catalog.info(key)
                text = (
                    info.title
                    if catalog.is_downloaded(key, root)
                    else f"{info.title} ({info.size_text()})"
                )
            self.dataset_box.setItemText(i, text)
        key = "folder" if self.dataset.is_folder else self.dataset.name
        self.dataset_box.setCurrentIndex(max(0, self.dataset_box.findData(key)))

    def folder_options(self) -> dict:
        return {
            "size": self.folder_size.value(),
            "channels": 3 if self.folder_colour.currentIndex() == 1 else 1,
        }

    def _on_dataset_activated(self, index: int) -> None:
        key = self.dataset_box.itemData(index)
        if key != "folder":
            self.dataset_requested.emit(key, None)
            return
        path = QFileDialog.getExistingDirectory(self, "Image folder: one sub-folder per class", "")
        if path:
            self.dataset_requested.emit(f"{catalog.FOLDER_PREFIX}{path}", self.folder_options())
        else:
            self.refresh_dataset_items()

    def _on_folder_options(self, *_args) -> None:
        if self.dataset.is_folder and self.folder_options() != self.dataset.options:
            self.dataset_requested.emit(self.dataset.name, self.folder_options())

    # -- settings ---------------------------------------------------------------------------------
    def save_settings(self, settings) -> None:
        for key, name in self.SETTINGS:
            widget = getattr(self, name)
            value = widget.currentText() if isinstance(widget, QComboBox) else widget.value()
            settings.setValue(f"train/{key}", value)

    def restore_settings(self) -> None:
        settings = open_settings()
        for key, name in self.SETTINGS:
            widget = getattr(self, name)
            if isinstance(widget, QComboBox):
                value = read(settings, f"train/{key}", widget.currentText(), str)
                if widget.findText(value) >= 0:
                    widget.setCurrentText(value)
            else:
                kind = float if isinstance(widget, QDoubleSpinBox) else int
                widget.setValue(
                    read(
                        settings,
                        f"train/{key}",
                        widget.value(),
                        kind,
                        widget.minimum(),
                        widget.maximum(),
                    )
                )
