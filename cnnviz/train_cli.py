"""``cnnviz train``: headless training that prints the lecture's log format."""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import signal
import sys
import threading
from pathlib import Path

from cnnviz.core.training.config import DEVICES, OPTIMIZERS, SCHEDULES

INTERRUPTED = 130  # the shell's status for a command ended by Ctrl-C (128 + SIGINT)


class OneLineParser(argparse.ArgumentParser):
    """Bad arguments: one line with the reason, exit status 2."""

    def error(self, message):  # noqa: D401 (argparse's name)
        self.exit(2, f"{self.prog}: error: {message}\n")


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", default="simple", help="a model of the zoo (default simple)")
    parser.add_argument(
        "--dataset", default="mnist", help="mnist (bundled), fashion-mnist, kmnist or cifar10"
    )
    parser.add_argument(
        "--folder", type=Path, help="train on your own images: one sub-folder per class"
    )
    parser.add_argument(
        "--image-size",
        type=positive_int,
        default=28,
        help="side the --folder images are resized to (default 28)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="where downloaded datasets live (default: the app's data folder)",
    )
    parser.add_argument(
        "--download", action="store_true", help="download --dataset first if it is not here yet"
    )
    parser.add_argument("--epochs", type=positive_int, default=9)
    parser.add_argument("--batch-size", type=positive_int, default=64)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--momentum", type=float, default=0.5)
    parser.add_argument("--nesterov", action="store_true")
    parser.add_argument("--weight-decay", type=float, default=0.0)
    parser.add_argument("--optimizer", choices=OPTIMIZERS, default="sgd")
    parser.add_argument("--schedule", choices=SCHEDULES, default="none")
    parser.add_argument("--device", choices=DEVICES, default="auto")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--depth", type=int, help="depth of resnet / plain / densenet")
    parser.add_argument("--limit-train", type=positive_int)
    parser.add_argument("--limit-test", type=positive_int)
    parser.add_argument("--amp", action="store_true", help="mixed precision (CUDA)")
    parser.add_argument(
        "--no-channels-last",
        dest="channels_last",
        action="store_false",
        help="keep the default memory layout (channels_last is faster)",
    )
    parser.add_argument(
        "--no-cuda-graphs",
        dest="cuda_graphs",
        action="store_false",
        help="on a GPU, launch every step's kernels from Python instead of replaying a CUDA "
        "graph of the step (graphs are about 6× faster for the lecture's network)",
    )
    parser.add_argument(
        "--model-file",
        type=Path,
        help="train the model of this .py file (read as a model: its imports, definitions "
        "and constants run; its data loading, training loop and __main__ block do not)",
    )
    parser.add_argument(
        "--weights",
        type=Path,
        help="start from these weights (a state_dict saved by the --model-file script)",
    )
    parser.add_argument(
        "--trust-weights",
        action="store_true",
        help="allow --weights to be a whole pickled model (unpickling runs its code)",
    )
    parser.add_argument(
        "--script-settings",
        action="store_true",
        help="use the --model-file script's optimizer, learning rate, momentum, batch size "
        "and epochs where it sets them literally",
    )
    parser.add_argument("--save", type=Path, help="write a checkpoint here at the end")
    parser.add_argument("--metrics-json", type=Path, help="write per-epoch figures here")


def _print_progress(done: int, total: int | None, name: str) -> None:
    share = f"{100 * done / total:5.1f}%" if total else f"{done / 1e6:.1f} MB"
    print(f"\rDownloading {name}: {share}", end="", file=sys.stderr, flush=True)


def write_json_atomically(path: Path, data: dict) -> None:
    from cnnviz.core.files import write_text_atomically

    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomically(path, json.dumps(data, indent=2))


@contextlib.contextmanager
def first_ctrl_c_stops(engine):
    """While the run lasts: the first Ctrl-C asks ``engine`` to stop after the current batch
    (the caller then saves what was asked); a second one quits at once, status 130, without
    a traceback. The previous handler comes back afterwards."""
    interrupted: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield interrupted  # signals reach the main thread only
        return

    def on_sigint(_signum, _frame):
        if interrupted:
            os.write(2, b"\nInterrupted again: quitting without saving.\n")
            os._exit(INTERRUPTED)
        interrupted.append(1)
        engine.stop()

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield interrupted
    finally:
        signal.signal(signal.SIGINT, previous)


def where_stopped(engine) -> str:
    """``after epoch E, batch B`` for the last whole batch of a stopped run."""
    if not engine.step or engine.train_data is None:
        return "before training started"
    batches = math.ceil(len(engine.train_data) / engine.config.batch_size)
    epoch, batch = divmod(engine.step - 1, batches)
    return f"after epoch {epoch + 1}, batch {batch + 1}"


def open_model_file(args: argparse.Namespace, parser: argparse.ArgumentParser):
    """``--model-file``, ``--weights``, ``--script-settings``: the file's model registered
    (``args.model`` set to it) and the weights as a starting checkpoint, or None. What
    opening left out and the model's warnings go to stderr."""
    from cnnviz.core.data import catalog
    from cnnviz.core.models import (
        ModelFileError,
        WeightsError,
        fit_weights,
        load_model_file,
        read_weights,
        register_user_model,
    )
    from cnnviz.core.models.weights import UnsafeWeightsError, module_of

    if args.model_file is None:
        if args.weights or args.script_settings:
            parser.error("--weights and --script-settings go with --model-file")
        return None
    if args.folder:
        shape = (1, args.image_size, args.image_size)
        classes = None
    else:
        shape = catalog.info(args.dataset).shape if args.dataset in catalog.DATASETS else None
        classes = len(catalog.info(args.dataset).class_names) if shape else None
    try:
        user_model = load_model_file(args.model_file, shape or (1, 28, 28), classes)
    except ModelFileError as exc:
        parser.error(f"argument --model-file: {exc}")
    args.model = register_user_model(user_model)
    print(f"Opened {args.model} ({user_model.params:,} parameters).", file=sys.stderr)
    for line in user_model.report_lines():
        print(f"  {line}", file=sys.stderr)
    settings = user_model.settings
    if args.script_settings:
        if settings.optimizer and args.optimizer == parser.get_default("optimizer"):
            args.optimizer = settings.optimizer
        for name, value in (
            ("lr", settings.lr),
            ("momentum", settings.momentum),
            ("weight_decay", settings.weight_decay),
            ("batch_size", settings.batch_size),
            ("epochs", settings.epochs),
        ):
            # the script's value replaces a default; an option given otherwise wins
            if value is not None and getattr(args, name) == parser.get_default(name):
                setattr(args, name, value)
        if settings.nesterov is not None and not args.nesterov:
            args.nesterov = settings.nesterov
        if settings.trainable():
            print(f"  Using the script's settings: {settings.describe()}.", file=sys.stderr)
    if args.weights is None:
        return None
    try:
        try:
            state = read_weights(args.weights, module_of(user_model), args.trust_weights)
        except UnsafeWeightsError as exc:
            parser.error(f"argument --weights: {exc}; add --trust-weights to read it anyway")
        fit_weights(user_model.build(), state, user_model.name)
    except WeightsError as exc:
        parser.error(f"argument --weights: {exc}")
    print(f"Starting from the weights of {args.weights}.", file=sys.stderr)
    return {"model": args.model, "model_state": state}


def dataset_of(args: argparse.Namespace, parser: argparse.ArgumentParser) -> tuple[str, Path]:
    """The dataset to train on and where datasets live; a missing dataset is downloaded when
    ``--download`` asks (:class:`DownloadError` if that fails), refused otherwise."""
    from cnnviz.core.data import catalog
    from cnnviz.core.data.download import download

    data_dir = args.data_dir or catalog.default_data_dir()
    if args.folder:
        return f"{catalog.FOLDER_PREFIX}{args.folder}", data_dir
    if args.dataset not in catalog.DATASETS:
        parser.error(
            f"argument --dataset: unknown dataset {args.dataset!r} "
            f"(choose from {', '.join(catalog.DATASETS)})"
        )
    if not catalog.is_downloaded(args.dataset, data_dir):
        if not args.download:
            parser.error(
                f"{catalog.info(args.dataset).title} is not in {data_dir} yet: add "
                "--download to fetch it "
                f"({catalog.info(args.dataset).size_text()})"
            )
        download(args.dataset, data_dir, progress=_print_progress)
        print(file=sys.stderr)
    return args.dataset, data_dir


def config_of(args: argparse.Namespace, parser, dataset: str, data_dir: Path):
    """The run's :class:`TrainConfig`, checked (a bad setting is a usage error)."""
    from cnnviz.core.models import build
    from cnnviz.core.training import TrainConfig, pick_device

    options = {"depth": args.depth} if args.depth is not None else {}
    config = TrainConfig(
        model=args.model,
        model_options=options,
        epochs=args.epochs,
        dataset=dataset,
        data_dir=str(data_dir),
        dataset_options={"size": args.image_size} if args.folder else {},
        batch_size=args.batch_size,
        lr=args.lr,
        momentum=args.momentum,
        nesterov=args.nesterov,
        weight_decay=args.weight_decay,
        optimizer=args.optimizer,
        schedule=args.schedule,
        device=args.device,
        seed=args.seed,
        limit_train=args.limit_train,
        limit_test=args.limit_test,
        amp=args.amp,
        channels_last=args.channels_last,
        cuda_graphs=args.cuda_graphs,
        snapshot_every=0,
    )
    try:
        config.validate()
        pick_device(args.device)
        build(args.model, **options)
    except ValueError as exc:
        parser.error(str(exc))
    return config


def report(engine, args: argparse.Namespace, metrics: dict, problems: list[str]) -> None:
    """Print the lecture's log lines as the run goes, keep the per-epoch figures in
    ``metrics`` (written to ``--metrics-json`` after each epoch) and the problems met."""
    from cnnviz.core.training import events
    from cnnviz.core.training.log import test_line, train_line

    def on_started(p):
        metrics["device"] = p["device"]
        metrics["device_name"] = p["device_name"]
        if p.get("dataset_note"):
            print(p["dataset_note"], flush=True)

    def on_losses(p):
        if p["log"]:
            print(train_line(p), flush=True)

    def on_epoch(r):
        print(f"\n{test_line(r)}\n", flush=True)
        metrics["epochs"].append(
            {
                "epoch": r["epoch"],
                "train_seconds": r["train_seconds"],
                "samples_per_second": r["samples_per_second"],
                "test_loss": r["test_loss"],
                "test_accuracy": r["accuracy"],
            }
        )
        if args.metrics_json:
            write_json_atomically(args.metrics_json, metrics)

    def on_paused(p):
        problems.append(p["message"])
        engine.stop()

    engine.on(events.STARTED, on_started)
    engine.on(events.LOSSES, on_losses)
    engine.on(events.EPOCH_DONE, on_epoch)
    engine.on(events.PAUSED, on_paused)
    engine.on(events.FAILED, lambda p: problems.append(p["message"]))


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from cnnviz.core.data.download import DownloadError
    from cnnviz.core.models import available
    from cnnviz.core.training import Engine

    start = open_model_file(args, parser)
    if args.model not in available():
        parser.error(
            f"argument --model: unknown model {args.model!r} (choose from {', '.join(available())})"
        )
    try:
        dataset, data_dir = dataset_of(args, parser)
    except DownloadError as exc:
        print(f"\ncnnviz train: {exc}", file=sys.stderr)
        return 1
    engine = Engine(config_of(args, parser, dataset, data_dir), checkpoint=start)
    metrics = {"model": args.model, "dataset": dataset, "device": "", "epochs": []}
    problems: list[str] = []
    report(engine, args, metrics, problems)
    with first_ctrl_c_stops(engine) as interrupted:
        engine.run()
        if args.metrics_json:
            write_json_atomically(args.metrics_json, metrics)
        if problems:
            print(f"cnnviz train: {problems[0]}", file=sys.stderr)
            return 1
        saved = [str(args.metrics_json)] if args.metrics_json else []
        if args.save and engine.optimizer is not None:
            engine.save(args.save)
            saved.insert(0, str(args.save))
            if not interrupted:
                print(f"Saved checkpoint to {args.save}")
    if interrupted:
        done = f"saved {' and '.join(saved)}" if saved else "nothing to save"
        print(f"Interrupted: stopped {where_stopped(engine)}; {done}.", file=sys.stderr)
        return INTERRUPTED
    return 0
