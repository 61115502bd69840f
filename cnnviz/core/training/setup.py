"""A run's set-up: data, model, optimiser, steps, probe and checkpoint, each stage stoppable."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

import torch
from torch import nn

from cnnviz.core.data.loading import DatasetError, LoadCancelled, open_dataset
from cnnviz.core.models import build
from cnnviz.core.models import info as zoo_entry

from .devices import pick_device
from .probe import Probe
from .steps import Steps, make_optimizer, make_scheduler
from .stopping import StopRequested, import_stoppably

if TYPE_CHECKING:
    from .engine import Engine


def zoo_factory(cfg, shape, class_count: int) -> Callable[[], nn.Module]:
    """Builds the zoo's ``cfg.model`` for images of ``shape`` in ``class_count`` classes."""
    c, h, _ = shape
    return functools.partial(
        build,
        cfg.model,
        in_channels=c,
        num_classes=class_count,
        input_size=h,
        **cfg.model_options,
    )


def read_data(engine: Engine) -> None:
    """The run's train and test sets on its device (read here unless given)."""
    cfg, check = engine.config, engine._check_stop
    train, test = engine._given_data
    engine.dataset_note = ""
    check()
    if train is None or test is None:
        try:
            train, test, engine.dataset_note = open_dataset(
                cfg.dataset, cfg.data_dir, cfg.dataset_options, should_stop=engine._stop.is_set
            )
        except LoadCancelled:
            raise StopRequested from None
        except (OSError, ValueError) as exc:
            raise DatasetError(str(exc)) from None
    check()
    engine.train_data = train.subset(cfg.limit_train).to(engine.device)
    check()
    engine.test_data = test.subset(cfg.limit_test).to(engine.device)
    check()


def make_model(engine: Engine) -> nn.Module:
    """The model (``engine.model`` from the moment it exists), on the device; its factory
    kept for snapshots."""
    cfg, data = engine.config, engine._train
    given = engine._given_factory
    own = given is not None
    factory = given if given is not None else zoo_factory(cfg, data.shape, len(data.class_names))
    engine.model_factory = factory
    engine.model = model = factory()
    engine._check_stop()
    model.to(engine.device)
    # channels_last speeds up convolutions and pooling on CPU and GPU alike; a user's own
    # model may flatten with .view(), which needs the default layout, so it keeps it.
    engine.channels_last = cfg.channels_last and not own and not zoo_entry(cfg.model).source_path
    if engine.channels_last:
        model.to(memory_format=torch.channels_last)
    return model


def set_up(engine: Engine) -> None:
    """Data, model, optimiser, probe, checkpoint; a stop between any two of them (or
    during the dataset read) raises :class:`StopRequested`."""
    cfg, check = engine.config, engine._check_stop
    torch.manual_seed(cfg.seed)
    engine.device = device = pick_device(cfg.device)
    read_data(engine)
    model = make_model(engine)
    check()
    import_stoppably("torch._dynamo", check)  # the first optimiser imports it: 1–2 s
    engine.optimizer = optimizer = make_optimizer(cfg, model.parameters())
    engine.scheduler = make_scheduler(cfg, optimizer)
    # a user's own model may keep Python state across calls that a CUDA graph would freeze
    plain = engine._given_factory is None and not zoo_entry(cfg.model).source_path
    engine.steps = Steps(
        model,
        optimizer,
        device,
        channels_last=engine.channels_last,
        amp=cfg.amp,
        graphs=cfg.cuda_graphs and cfg.optimizer == "sgd" and plain,
    )
    engine.graphed = engine.steps.graphed
    engine.generator = torch.Generator(device=device).manual_seed(cfg.seed)
    check()
    engine.probe = Probe(model, engine._test, cfg.probe_index)
    check()
    if engine._checkpoint is not None:
        engine._restore(engine._checkpoint)
        check()
    engine._stop_hooks.add(model)
