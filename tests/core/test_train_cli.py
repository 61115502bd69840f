"""`cnnviz train`: the lecture's log lines exactly, the metrics JSON, bad arguments."""

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("torch")
ROOT = Path(__file__).resolve().parents[2]
TRAIN_LINE = re.compile(r"^Train Epoch: \d+ \[\d+/\d+ \(\d+%\)\]\tLoss: \d+\.\d{6}$")
TEST_LINE = re.compile(r"^Test set: Average loss: \d+\.\d{4}, Accuracy: \d+/\d+ \(\d+%\)$")


def cnnviz(*args, timeout=300):
    return subprocess.run(
        [sys.executable, "-m", "cnnviz", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_log_format_and_metrics_json(tmp_path):
    metrics, ckpt = tmp_path / "m.json", tmp_path / "run.pt"
    out = cnnviz(
        "train",
        "--model",
        "simple",
        "--epochs",
        "2",
        "--batch-size",
        "64",
        "--lr",
        "0.01",
        "--momentum",
        "0.5",
        "--optimizer",
        "sgd",
        "--device",
        "cpu",
        "--seed",
        "1",
        "--limit-train",
        "1280",
        "--limit-test",
        "300",
        "--save",
        str(ckpt),
        "--metrics-json",
        str(metrics),
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    train = [line for line in lines if line.startswith("Train Epoch")]
    assert train[0] == train[0] and TRAIN_LINE.match(train[0])
    assert train[0].startswith("Train Epoch: 1 [0/1280 (0%)]\tLoss: ")
    assert train[1].startswith("Train Epoch: 1 [640/1280 (50%)]\tLoss: ")
    assert all(TRAIN_LINE.match(line) for line in train) and len(train) == 4
    tests = [line for line in lines if line.startswith("Test set")]
    assert len(tests) == 2 and all(TEST_LINE.match(line) for line in tests)
    assert tests[0].split("Accuracy: ")[1].split("/")[1].startswith("300 ")
    data = json.loads(metrics.read_text())
    assert data["model"] == "simple" and data["device"] == "cpu"
    assert [e["epoch"] for e in data["epochs"]] == [1, 2]
    for e in data["epochs"]:
        assert set(e) == {
            "epoch",
            "train_seconds",
            "samples_per_second",
            "test_loss",
            "test_accuracy",
        }
        assert 0 <= e["test_accuracy"] <= 1 and e["samples_per_second"] > 0
    accuracy = int(tests[-1].split("Accuracy: ")[1].split("/")[0]) / 300
    assert data["epochs"][-1]["test_accuracy"] == pytest.approx(accuracy)
    assert ckpt.is_file()


def in_process(capsys, *args):
    """``cnnviz *args`` in this process (no interpreter start): (status, stdout, stderr)."""
    from cnnviz.cli import main

    try:
        status = main(list(args))
    except SystemExit as exc:
        status = exc.code
    out = capsys.readouterr()
    return status, out.out, out.err


def test_train_on_an_image_folder_and_a_downloaded_dataset(tmp_path, capsys):
    from fake_data import install_fake, make_folder

    folder = make_folder(tmp_path / "shapes", ["circle", "square"], n=10)
    metrics = tmp_path / "m.json"
    status, out, err = in_process(
        capsys,
        "train",
        "--folder",
        str(folder),
        "--image-size",
        "16",
        "--epochs",
        "1",
        "--device",
        "cpu",
        "--metrics-json",
        str(metrics),
    )
    assert status == 0, err
    assert "20 images in 2 classes (circle: 10, square: 10)" in out
    assert json.loads(metrics.read_text())["dataset"] == f"folder:{folder}"
    assert any(TEST_LINE.match(line) for line in out.splitlines())

    data = tmp_path / "data"
    install_fake("fashion-mnist", data, n_train=128, n_test=40)
    status, out, err = in_process(
        capsys,
        "train",
        "--dataset",
        "fashion-mnist",
        "--data-dir",
        str(data),
        "--epochs",
        "1",
        "--device",
        "cpu",
        "--save",
        str(tmp_path / "f.pt"),
    )
    assert status == 0, err
    assert "Test set: Average loss:" in out and "/40 (" in out
    import torch

    saved = torch.load(tmp_path / "f.pt", weights_only=False)
    assert (
        saved["class_names"][0] == "T-shirt/top" and saved["config"]["dataset"] == "fashion-mnist"
    )


@pytest.mark.parametrize(
    "args, reason",
    [
        (["--dataset", "imagenet"], "unknown dataset 'imagenet'"),
        (
            ["--dataset", "kmnist", "--data-dir", "/nonexistent/cnnviz"],
            "KMNIST is not in /nonexistent/cnnviz yet: add --download",
        ),
        (["--epochs", "0"], "--epochs: must be at least 1"),
        (["--model", "alexnet"], "unknown model 'alexnet'"),
        (["--optimizer", "rmsprop"], "invalid choice: 'rmsprop'"),
        (["--lr", "-1"], "learning rate must be positive"),
        (["--lr", "fast"], "invalid float value: 'fast'"),
        (["--model", "resnet", "--depth", "10"], "depth must be 6n + 2"),
        (["--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_bad_arguments_exit_non_zero_with_one_line(args, reason, capsys):
    status, out, err = in_process(capsys, "train", *args)
    assert status == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and reason in err


def test_the_lectures_broken_net_fails_with_the_explanation(capsys):
    status, out, err = in_process(
        capsys,
        "train",
        "--model",
        "simple_broken",
        "--epochs",
        "1",
        "--device",
        "cpu",
        "--limit-train",
        "128",
        "--limit-test",
        "64",
    )
    assert status == 1
    assert err.strip() == (
        "cnnviz train: Training failed: fc (Linear) expects 100 input features but gets 320: "
        "the output of mp (call 2) (MaxPool2d) flattens to 20 channels × 4 × 4 = 320 "
        "features. Use nn.Linear(320, 10)."
    )


def test_ctrl_c_stops_saves_what_was_asked_and_exits_130(tmp_path):
    """A real SIGINT to a real process, sent once its first epoch's test line is out."""
    metrics, ckpt = tmp_path / "m.json", tmp_path / "run.pt"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cnnviz",
            "train",
            "--epochs",
            "50",
            "--limit-train",
            "640",
            "--limit-test",
            "100",
            "--device",
            "cpu",
            "--save",
            str(ckpt),
            "--metrics-json",
            str(metrics),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(
        target=lambda: [lines.put(line) for line in process.stdout], daemon=True
    ).start()
    deadline = time.monotonic() + 120
    try:
        while True:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if line.startswith("Test set"):
                break
        process.send_signal(signal.SIGINT)
        status = process.wait(timeout=120)
    finally:
        process.kill()
    stderr = process.stderr.read()
    assert status == 130, stderr
    assert "Traceback" not in stderr
    (message,) = stderr.strip().splitlines()
    files = f"{re.escape(str(ckpt))} and {re.escape(str(metrics))}"
    assert re.fullmatch(
        rf"Interrupted: stopped after epoch \d+, batch \d+; saved {files}\.", message
    ), message
    epochs = json.loads(metrics.read_text())["epochs"]
    assert epochs and epochs[0]["epoch"] == 1
    import torch

    saved = torch.load(ckpt, weights_only=False)
    assert saved["model"] == "simple" and saved["step"] >= 10


def test_a_second_ctrl_c_quits_at_once_and_the_old_handler_comes_back(monkeypatch):
    from cnnviz import train_cli

    class Quit(Exception):
        pass

    class FakeEngine:
        stops = 0

        def stop(self):
            self.stops += 1

    def fake_exit(status):
        raise Quit(status)

    monkeypatch.setattr(train_cli.os, "_exit", fake_exit)
    before = signal.getsignal(signal.SIGINT)
    engine = FakeEngine()
    with train_cli.first_ctrl_c_stops(engine) as interrupted:
        signal.raise_signal(signal.SIGINT)
        assert engine.stops == 1 and interrupted
        with pytest.raises(Quit) as quit_:
            signal.raise_signal(signal.SIGINT)
        assert quit_.value.args == (130,) and engine.stops == 1
    assert signal.getsignal(signal.SIGINT) is before


def test_no_cuda_graphs_reaches_the_engines_config(monkeypatch):
    import argparse

    from cnnviz import train_cli
    from cnnviz.core import training

    seen = []

    class Made(Exception):
        pass

    def engine(config, checkpoint=None):
        seen.append(config.cuda_graphs)
        raise Made

    monkeypatch.setattr(training, "Engine", engine)  # run() imports it from there
    parser = argparse.ArgumentParser()
    train_cli.add_arguments(parser)
    for argv in (["--no-cuda-graphs"], []):
        with pytest.raises(Made):
            train_cli.run(parser.parse_args(argv), parser)
    assert seen == [False, True]
