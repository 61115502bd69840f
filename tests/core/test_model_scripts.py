"""Opening a lecture-style script as a model: what runs, what is listed as not run, names
needed from skipped lines, the script's settings, warnings kept once, nothing written, the
checking process's time limit and Cancel, and weights trained elsewhere."""

import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from cnnviz.core.models.script import needed_names, plan_script  # noqa: E402
from cnnviz.models import (  # noqa: E402
    ModelFileError,
    OpenCheck,
    UnsafeWeightsError,
    WeightsError,
    fit_weights,
    load_model_file,
    model_with_weights,
    read_weights,
)

FILES = Path(__file__).parent / "model_files"
LECTURE = [
    (
        "lecture_cnn_script.py",
        8_490,
        "lines 15–30: data loading; line 51: model instance; line 53: optimizer; "
        "lines 84–86: training loop",
        48,
    ),
    (
        "lecture_inception_script.py",
        97_298,
        "lines 12–19: data loading; line 78: model instance; line 80: optimizer; "
        "lines 103–105: training loop",
        75,
    ),
]


@pytest.fixture
def empty_cwd(tmp_path, monkeypatch):
    """The current folder is an empty one (opening must leave it so)."""
    folder = tmp_path / "cwd"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


@pytest.mark.parametrize("file, params, skipped, softmax_line", LECTURE)
def test_lecture_scripts_open_as_models_without_running(
    empty_cwd, file, params, skipped, softmax_line
):
    steps = []
    model = load_model_file(FILES / file, progress=steps.append)
    assert model.name == "Net" and model.params == params
    assert model.plan.skipped_text() == skipped
    assert "importing torchvision (line 8)" in steps
    assert steps[-2:] == ["building Net()", "running one forward pass of Net on a 1×28×28 input"]
    assert model.settings.describe() == "SGD, lr 0.01, momentum 0.5, batch 64, 9 epochs"
    assert (model.settings.mean, model.settings.std) == (0.0, 1.0)  # ToTensor only
    assert model.warnings == [
        f"line {softmax_line}: UserWarning: Implicit dimension choice for log_softmax has "
        "been deprecated. Change the call to include dim=X as an argument."
    ]
    assert list(empty_cwd.iterdir()) == []  # no data/ folder: nothing was downloaded


def test_the_log_softmax_warning_is_kept_once_and_never_raised(empty_cwd):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning raised anywhere below would fail
        model = load_model_file(FILES / "lecture_cnn_script.py")
        net = model.build()
        out = net(torch.rand(4, 1, 28, 28))
        torch.nn.functional.nll_loss(out, torch.tensor([1, 2, 3, 4])).backward()
    assert out.shape == (4, 10) and len(model.warnings) == 1


def test_settings_and_main_block_of_an_examples_style_script():
    model = load_model_file(FILES / "main_block_script.py")
    assert model.name == "SmallNet"
    assert model.plan.skipped_text() == "lines 44–45: __main__ block"
    assert model.settings.describe() == "Adam, lr 0.001, weight decay 0.0001, batch 128"
    assert model.settings.optimizer == "adam"
    assert (model.settings.mean, model.settings.std) == (0.1307, 0.3081)
    assert model.warnings == [] and model.needed == []


def test_a_name_needed_from_a_skipped_line_is_named_with_its_line(empty_cwd):
    with pytest.raises(ModelFileError) as err:
        load_model_file(FILES / "needs_skipped_name.py")
    assert err.value.line == 11
    assert err.value.reason == (
        "Net() failed: NameError: name 'num_classes' is not defined: 'num_classes' is set on "
        "line 5 (data loading), which opening does not run; give it a constant value in the file"
    )
    assert list(empty_cwd.iterdir()) == []


def test_needed_names_follow_the_model_through_its_helpers():
    source = textwrap.dedent(
        """\
        import argparse
        import torch.nn as nn
        args = argparse.ArgumentParser().parse_args()
        scale = args.scale
        unused = args.other
        WIDTH = 8

        def widen(n):
            return n * scale

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(WIDTH, widen(2))
        """
    )
    plan = plan_script(source, "net.py")
    needed = needed_names(plan, source, "net.py", "Net")
    assert [(n.name, n.line, n.kind) for n in needed] == [("scale", 4, "variable set-up")]
    assert plan.skipped_text() == "line 3: command-line arguments; lines 4–5: variable set-up"


def test_a_needed_name_is_reported_even_when_the_model_builds(tmp_path):
    (tmp_path / "net.py").write_text(
        "import torch\nimport torch.nn as nn\n\n"
        "device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')\n\n\n"
        "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.fc = nn.Linear(28 * 28, 10)\n\n"
        "    def forward(self, x):\n        return self.fc(x.flatten(1))\n\n"
        "    def moved(self):\n        return self.to(device)\n"
    )
    model = load_model_file(tmp_path / "net.py")
    assert model.report_lines() == [
        "Not run: line 4: device set-up.",
        "The model uses 'device', set on line 4 (device set-up), which is not run: give it a "
        "constant value in the file (or a default argument).",
    ]


@pytest.mark.parametrize(
    "code, kind",
    [
        ('if __name__ == "__main__":\n    main()', "__main__ block"),
        ("print('hello')", "printing"),
        ("device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')", "device set-up"),
        ("torch.manual_seed(1)", "random seed"),
        ("model = Net().to(device)", "model instance"),
        ("criterion = nn.CrossEntropyLoss()", "loss function"),
        ("for epoch in range(3):\n    train(epoch)", "training loop"),
        ("scheduler = optim.lr_scheduler.StepLR(opt, 1)", "optimizer"),
        ("torch.save(model.state_dict(), 'm.pt')", "saving files"),
        ("model.load_state_dict(torch.load('m.pt'))", "weights loading"),
        ("plt.plot(losses)", "plotting"),
    ],
)
def test_a_word_for_each_kind_of_statement_not_run(code, kind):
    source = "import torch\nclass Net:\n    pass\n" + code + "\n"
    plan = plan_script(source)
    assert plan.skipped_text().split(": ", 1)[1] == kind


def test_constants_and_guarded_imports_run_calls_do_not():
    source = textwrap.dedent(
        """\
        try:
            import torch
        except ImportError:
            torch = None
        SIZE = 28
        HIDDEN: int = SIZE * 2
        FLAT, CLASSES = 320, 10
        BIG = 10 ** 10 ** 10
        WORKERS = os.cpu_count()
        """
    )
    plan = plan_script(source)
    assert {"torch", "SIZE", "HIDDEN", "FLAT", "CLASSES"} <= plan.kept_names
    assert plan.skipped_text() == "lines 8–9: variable set-up"


def test_opening_writes_nothing(empty_cwd):
    model = load_model_file(FILES / "writes_at_import.py")
    assert model.plan.skipped_text() == (
        "lines 6–8: saving files; line 20: saving files; line 21: printing"
    )
    assert list(empty_cwd.iterdir()) == []


def test_the_files_folder_is_importable_and_left_clean(tmp_path):
    (tmp_path / "helper_for_cnnviz_test.py").write_text("WIDTH = 16\n")
    (tmp_path / "net.py").write_text(
        "import torch.nn as nn\nfrom helper_for_cnnviz_test import WIDTH\n\n"
        "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.fc = nn.Linear(28 * 28, 10 + 0 * WIDTH)\n\n"
        "    def forward(self, x):\n        return self.fc(x.flatten(1))\n"
    )
    assert load_model_file(tmp_path / "net.py").name == "Net"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["helper_for_cnnviz_test.py", "net.py"]
    assert "helper_for_cnnviz_test" not in sys.modules and str(tmp_path) not in sys.path


# -- the checking process -------------------------------------------------------------------------
def test_the_check_process_passes_a_lecture_script_and_reports_errors(empty_cwd):
    good = OpenCheck(FILES / "lecture_cnn_script.py")
    bad = OpenCheck(FILES / "needs_skipped_name.py")
    assert good.wait(120) and bad.wait(120)
    assert good.summary == {"name": "Net", "params": 8_490} and good.error is None
    assert bad.error.line == 11 and "'num_classes' is set on line 5" in bad.error.reason
    assert not good.is_alive() and not bad.is_alive()
    assert list(empty_cwd.iterdir()) == []


def test_a_hanging_import_is_stopped_at_the_time_limit_saying_where():
    check = OpenCheck(FILES / "hangs_on_import.py", time_limit_s=2.0)
    assert check.wait(120)
    assert check.stopped == (
        "Stopped after 2 s while importing slow_import_helper (line 2): opening a model may "
        "take 2 s at most. Nothing of the file was kept."
    )
    assert check.summary is None and check.error is None and not check.is_alive()


def test_cancel_stops_the_check_at_once_saying_where():
    check = OpenCheck(FILES / "hangs_on_import.py")
    while "slow_import_helper" not in check.stage:
        assert not check.wait(0.05), check.stopped or check.error
    check.cancel()
    assert check.done and not check.is_alive()
    assert check.stopped.startswith("Cancelled after ")
    assert check.stopped.endswith(" while importing slow_import_helper (line 2).")


# -- weights trained elsewhere -----------------------------------------------------------------
@pytest.fixture
def lecture_net(empty_cwd):
    return load_model_file(FILES / "lecture_cnn_script.py")


def test_a_plain_state_dict_loads_onto_the_opened_model(lecture_net, tmp_path):
    trained = lecture_net.build()
    torch.save(trained.state_dict(), tmp_path / "mnist_cnn.pt")
    model = model_with_weights(lecture_net, tmp_path / "mnist_cnn.pt")
    assert torch.equal(model.fc.weight, trained.fc.weight) and not model.training


def test_a_checkpoint_dict_and_dataparallel_names_load_too(lecture_net, tmp_path):
    trained = lecture_net.build()
    state = {f"module.{k}": v for k, v in trained.state_dict().items()}
    torch.save({"epoch": 3, "model_state_dict": state}, tmp_path / "ckpt.pt")
    model = model_with_weights(lecture_net, tmp_path / "ckpt.pt")
    assert torch.equal(model.conv2.weight, trained.conv2.weight)


def test_a_mismatch_names_the_first_layer_that_differs(lecture_net, empty_cwd, tmp_path):
    inception = load_model_file(FILES / "lecture_inception_script.py").build()
    torch.save(inception.state_dict(), tmp_path / "inception.pt")
    net = lecture_net.build()
    before = net.conv1.weight.clone()
    with pytest.raises(WeightsError) as err:
        fit_weights(net, read_weights(tmp_path / "inception.pt"), "Net")
    assert str(err.value) == (
        "the weights do not fit Net: layer conv2: conv2.weight is 20×10×5×5 in Net but "
        "20×88×5×5 in the file"
    )
    assert torch.equal(net.conv1.weight, before)  # unchanged


def test_a_whole_pickled_model_is_read_only_when_allowed(lecture_net, tmp_path):
    """A script's ``torch.save(model, ...)`` pickles ``__main__.Net``: refused by
    ``weights_only=True``, then read with the opened file's classes once allowed."""
    plan = lecture_net.plan
    kept = "\n".join(ast_segment(lecture_net.source, s) for s in plan.kept)
    script = tmp_path / "save_whole.py"
    script.write_text(kept + "\ntorch.manual_seed(0)\ntorch.save(Net(), 'whole.pt')\n")
    subprocess.run([sys.executable, str(script)], cwd=tmp_path, check=True, timeout=120)
    with pytest.raises(UnsafeWeightsError, match="not plain weights"):
        model_with_weights(lecture_net, tmp_path / "whole.pt")
    model = model_with_weights(lecture_net, tmp_path / "whole.pt", allow_pickle=True)
    torch.manual_seed(0)
    assert torch.equal(model.conv1.weight, lecture_net.build().conv1.weight)


def test_a_file_that_is_not_weights_says_so(lecture_net, tmp_path):
    (tmp_path / "notes.pt").write_bytes(b"not a torch file")
    with pytest.raises(WeightsError, match="notes.pt is not a readable weights file"):
        read_weights(tmp_path / "notes.pt")
    torch.save({"lr": 0.1}, tmp_path / "settings.pt")
    with pytest.raises(WeightsError, match="settings.pt holds no model weights"):
        read_weights(tmp_path / "settings.pt")


def ast_segment(source, statement):
    import ast

    return ast.get_source_segment(source, statement)


def test_the_check_ends_quietly_once_the_app_has_stopped_listening(capsys):
    """The app cancelled the check, or its window closed: the child's next report finds the
    pipe closed, and it ends without a traceback on the terminal (and without an error)."""
    import multiprocessing

    from cnnviz.core.models.open_check import check_in_child

    child_end, app_end = multiprocessing.Pipe()
    app_end.close()
    check_in_child(child_end, str(FILES / "good_net.py"), (1, 28, 28), 10)
    assert child_end.closed
    assert "Traceback" not in capsys.readouterr().err
