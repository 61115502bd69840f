"""Opening a model from a file: a good one loads; each failure names the file, line, reason."""

from pathlib import Path

import pytest

pytest.importorskip("torch")

from cnnviz.models import (  # noqa: E402
    ModelFileError,
    available,
    build,
    load_model_file,
    register_user_model,
    unregister,
)

FILES = Path(__file__).parent / "model_files"


def test_a_good_file_loads_and_registers():
    model = load_model_file(FILES / "good_net.py")
    assert model.name == "MyNet"  # the top-level class, not its Block
    name = register_user_model(model)
    try:
        assert name == "good_net.MyNet" and name in available()
        assert build(name)(__import__("torch").zeros(2, 1, 28, 28)).shape == (2, 10)
    finally:
        unregister(name)


def test_build_model_function_is_used():
    assert load_model_file(FILES / "build_fn.py").name == "build_model"


@pytest.mark.parametrize(
    "file, line, reason",
    [
        ("syntax_error.py", 3, "syntax error"),
        ("import_error.py", 2, "import error: No module named 'no_such_module_for_cnnviz_tests'"),
        ("no_model.py", None, "no model found"),
        ("init_error.py", 7, "Net() failed"),
        ("forward_error.py", 18, "fc (Linear) expects 100 input features but gets 320"),
        (
            "wrong_output.py",
            None,
            "output has shape [2, 4, 26, 26] for a batch of 2; it must be [N, 10]",
        ),
        ("missing.py", None, "cannot read the file"),
    ],
)
def test_each_failure_names_file_line_and_reason(file, line, reason):
    with pytest.raises(ModelFileError) as err:
        load_model_file(FILES / file)
    assert err.value.line == line
    assert reason in err.value.reason
    assert str(err.value).startswith(file + (f", line {line}" if line else ""))
