"""`cnnviz train --model-file FILE [--weights FILE]`: a lecture script trains headless, read
as a model; its settings on request; weights trained elsewhere as the starting point."""

from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from cnnviz.models import load_model_file, unregister  # noqa: E402

FILES = Path(__file__).parent / "model_files"
SCRIPT = FILES / "lecture_cnn_script.py"
TINY = ["--epochs", "1", "--limit-train", "128", "--limit-test", "50", "--device", "cpu"]


@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    """Run ``cnnviz *args`` in this process from an empty folder: (status, out, err)."""
    from cnnviz.cli import main

    folder = tmp_path / "cwd"
    folder.mkdir()
    monkeypatch.chdir(folder)

    def run(*args):
        try:
            status = main(["train", *map(str, args)])
        except SystemExit as exc:
            status = exc.code
        out = capsys.readouterr()
        return status, out.out, out.err

    run.folder = folder
    yield run
    unregister("lecture_cnn_script.Net")
    unregister("main_block_script.SmallNet")


def test_a_lecture_script_trains_headless_without_running_its_loop(cli, tmp_path):
    status, out, err = cli("--model-file", SCRIPT, "--save", tmp_path / "run.pt", *TINY)
    assert status == 0, err
    assert "Opened lecture_cnn_script.Net (8,490 parameters)." in err
    assert (
        "Not run: lines 15–30: data loading; line 51: model instance; line 53: optimizer; "
        "lines 84–86: training loop." in err
    )
    assert err.count("Implicit dimension choice for log_softmax") == 1
    assert out.count("Test set: Average loss") == 1
    assert list(cli.folder.iterdir()) == []  # no data/ folder, nothing else either
    assert (tmp_path / "run.pt").is_file()


def test_script_settings_replace_the_defaults_not_the_options_given():
    from cnnviz.train_cli import OneLineParser, add_arguments, open_model_file

    parser = OneLineParser(prog="cnnviz train")
    add_arguments(parser)
    args = parser.parse_args(
        ["--model-file", str(FILES / "main_block_script.py"), "--script-settings", "--lr", "0.1"]
    )
    try:
        assert open_model_file(args, parser) is None
        assert (args.optimizer, args.batch_size, args.weight_decay) == ("adam", 128, 0.0001)
        assert args.lr == 0.1 and args.model == "main_block_script.SmallNet"
    finally:
        unregister("main_block_script.SmallNet")


def test_training_starts_from_weights_trained_elsewhere(cli, tmp_path):
    trained = load_model_file(SCRIPT).build()
    torch.save(trained.state_dict(), tmp_path / "mnist_cnn.pt")
    status, _out, err = cli(
        "--model-file", SCRIPT, "--weights", tmp_path / "mnist_cnn.pt", "--lr", "1e-9",
        "--momentum", "0", "--save", tmp_path / "run.pt", *TINY,
    )  # fmt: skip
    assert status == 0, err
    assert f"Starting from the weights of {tmp_path / 'mnist_cnn.pt'}." in err
    saved = torch.load(tmp_path / "run.pt", weights_only=True)["model_state"]
    assert torch.allclose(saved["fc.weight"], trained.fc.weight, atol=1e-6)


def test_weights_that_do_not_fit_or_need_unpickling_are_refused(cli, tmp_path):
    inception = load_model_file(FILES / "lecture_inception_script.py").build()
    torch.save(inception.state_dict(), tmp_path / "inception.pt")
    status, _out, err = cli("--model-file", SCRIPT, "--weights", tmp_path / "inception.pt")
    assert status == 2
    assert err.strip().endswith(
        "argument --weights: the weights do not fit Net: layer conv2: conv2.weight is "
        "20×10×5×5 in Net but 20×88×5×5 in the file"
    )
    torch.save({"optimizer": torch.optim.SGD}, tmp_path / "pickled.pt")
    status, _out, err = cli("--model-file", SCRIPT, "--weights", tmp_path / "pickled.pt")
    assert status == 2 and "add --trust-weights to read it anyway" in err
    status, _out, err = cli("--weights", tmp_path / "inception.pt")
    assert status == 2 and "--weights and --script-settings go with --model-file" in err
