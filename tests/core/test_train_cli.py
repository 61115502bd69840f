"""`cnnviz train`: the lecture's log lines exactly, the metrics JSON, bad arguments."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("torch")
ROOT = Path(__file__).resolve().parents[2]
TRAIN_LINE = re.compile(r"^Train Epoch: \d+ \[\d+/\d+ \(\d+%\)\]\tLoss: \d+\.\d{6}$")
TEST_LINE = re.compile(r"^Test set: Average loss: \d+\.\d{4}, Accuracy: \d+/\d+ \(\d+%\)$")


def cnnviz(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "cnnviz", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def test_log_format_and_metrics_json(tmp_path):
    metrics, ckpt = tmp_path / "m.json", tmp_path / "run.pt"
    out = cnnviz("train", "--model", "simple", "--epochs", "2", "--batch-size", "64",
                 "--lr", "0.01", "--momentum", "0.5", "--optimizer", "sgd", "--device", "cpu",
                 "--seed", "1", "--limit-train", "1280", "--limit-test", "300",
                 "--save", str(ckpt), "--metrics-json", str(metrics))
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
        assert set(e) == {"epoch", "train_seconds", "samples_per_second", "test_loss",
                          "test_accuracy"}
        assert 0 <= e["test_accuracy"] <= 1 and e["samples_per_second"] > 0
    accuracy = int(tests[-1].split("Accuracy: ")[1].split("/")[0]) / 300
    assert data["epochs"][-1]["test_accuracy"] == pytest.approx(accuracy)
    assert ckpt.is_file()


def test_train_on_an_image_folder_and_a_downloaded_dataset(tmp_path):
    from fake_data import install_fake, make_folder

    folder = make_folder(tmp_path / "shapes", ["circle", "square"], n=10)
    metrics = tmp_path / "m.json"
    out = cnnviz("train", "--folder", str(folder), "--image-size", "16", "--epochs", "1",
                 "--device", "cpu", "--metrics-json", str(metrics))
    assert out.returncode == 0, out.stderr
    assert "20 images in 2 classes (circle: 10, square: 10)" in out.stdout
    assert json.loads(metrics.read_text())["dataset"] == f"folder:{folder}"
    assert any(TEST_LINE.match(line) for line in out.stdout.splitlines())

    data = tmp_path / "data"
    install_fake("fashion-mnist", data, n_train=128, n_test=40)
    out = cnnviz("train", "--dataset", "fashion-mnist", "--data-dir", str(data), "--epochs", "1",
                 "--device", "cpu", "--save", str(tmp_path / "f.pt"))
    assert out.returncode == 0, out.stderr
    assert "Test set: Average loss:" in out.stdout and "/40 (" in out.stdout
    import torch

    saved = torch.load(tmp_path / "f.pt", weights_only=False)
    assert saved["class_names"][0] == "T-shirt/top" and saved["config"]["dataset"] == \
        "fashion-mnist"


@pytest.mark.parametrize("args, reason", [
    (["--dataset", "imagenet"], "unknown dataset 'imagenet'"),
    (["--dataset", "kmnist", "--data-dir", "/nonexistent/cnnviz"],
     "KMNIST is not in /nonexistent/cnnviz yet: add --download"),
    (["--epochs", "0"], "--epochs: must be at least 1"),
    (["--model", "alexnet"], "unknown model 'alexnet'"),
    (["--optimizer", "rmsprop"], "invalid choice: 'rmsprop'"),
    (["--lr", "-1"], "learning rate must be positive"),
    (["--lr", "fast"], "invalid float value: 'fast'"),
    (["--model", "resnet", "--depth", "10"], "depth must be 6n + 2"),
    (["--bogus"], "unrecognized arguments: --bogus"),
])
def test_bad_arguments_exit_non_zero_with_one_line(args, reason):
    out = cnnviz("train", *args, timeout=120)
    assert out.returncode == 2
    assert out.stdout == ""
    assert len(out.stderr.strip().splitlines()) == 1 and reason in out.stderr
