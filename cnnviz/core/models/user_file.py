"""Opening a user's model from a ``.py`` file: find it, build it, check it, explain failures.

A file is read as a model, not run as a program (:mod:`.script`): its imports, class and
function definitions and simple constant assignments are run; data loading, training loops,
prints and the ``__main__`` block are not, and are listed by line. The model is then built
with no arguments and checked with one forward pass. Warnings the model's own code gives
(``F.log_softmax(x)`` without ``dim``) are kept and shown once, not raised later.
"""

from __future__ import annotations
import __future__

import ast
import contextlib
import inspect
import re
import sys
import time
import traceback
import types
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import nn

from .script import Needed, ScriptPlan, ScriptSettings, needed_names, plan_script, script_settings

Progress = Callable[[str], None]


class ModelFileError(ValueError):
    """A model file that cannot be used: which file, which line, and why."""

    def __init__(self, path: str, line: int | None, reason: str):
        self.path, self.line, self.reason = path, line, reason
        where = f"{Path(path).name}, line {line}" if line else Path(path).name
        super().__init__(f"{where}: {reason}")

    def __reduce__(self):  # crosses from the checking process as it is
        return (type(self), (self.path, self.line, self.reason))


@dataclass
class UserModel:
    """A model class or factory found in a file, checked with one forward pass, with what
    opening it ran and left out."""

    name: str
    path: str
    source: str
    factory: Callable[[], nn.Module]  # a class or function taking no arguments
    plan: ScriptPlan | None = None
    needed: list[Needed] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # "line 41: UserWarning: ..."
    settings: ScriptSettings = field(default_factory=ScriptSettings)
    params: int = 0
    input_shape: tuple = (1, 28, 28)  # the input it was checked on
    outputs: int = 10  # the number of classes its output has
    opened_at: float = field(default_factory=time.monotonic)

    def build(self, **_ignored) -> nn.Module:
        return self.factory()

    def report_lines(self) -> list[str]:
        """What was not run, names needed from it, warnings (shown once), the settings."""
        out = []
        if self.plan is not None and self.plan.skipped:
            out.append(f"Not run: {self.plan.skipped_text()}.")
        out += [f"The model uses {n.describe()}." for n in self.needed]
        out += [f"Warning (shown once, not raised): {w}" for w in self.warnings]
        if self.settings.trainable():
            out.append(f"The script trains with {self.settings.describe()}.")
        return out


def _line_in(path: str, tb) -> int | None:
    """The last line of ``path`` in a traceback (where the user's code failed)."""
    line = None
    for frame in traceback.extract_tb(tb):
        if frame.filename == path:
            line = frame.lineno
    return line


def _find_factory(module: types.ModuleType, path: str):
    if callable(getattr(module, "build_model", None)):
        return "build_model", module.build_model
    classes = [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj) and issubclass(obj, nn.Module) and obj.__module__ == module.__name__
    ]
    if not classes:
        raise ModelFileError(
            path, None, "no model found: define an nn.Module subclass or a build_model() function"
        )
    top = [c for c in classes if not any(c is not o and c in _used_by(o) for o in classes)]
    chosen = (top or classes)[-1]
    return chosen.__name__, chosen


def _used_by(cls) -> set:
    """Classes whose names appear in ``cls``'s source (its building blocks)."""
    try:
        text = inspect.getsource(cls)
    except (OSError, TypeError):
        return set()
    module = inspect.getmodule(cls)
    return {
        obj
        for name, obj in vars(module).items()
        if inspect.isclass(obj) and name in text and obj is not cls
    }


def load_model_file(
    path,
    input_shape=(1, 28, 28),
    num_classes: int | None = 10,
    progress: Progress | None = None,
) -> UserModel:
    """Read ``path`` as a model, build it with no arguments and check one forward pass.

    Only the file's imports, class and function definitions and simple constant assignments
    are run (:func:`~.script.plan_script`); ``progress(text)`` is told each step ("importing
    torchvision (line 7)", "building Net()"). Nothing is written: the file's folder is
    importable while it opens (as for ``python file.py``), without ``__pycache__``.

    Raises :class:`ModelFileError` with the file, the line and the reason for: a file that
    cannot be read, a syntax error, an error while running the file (an import error, say),
    no model found, an exception in ``__init__`` or ``forward`` (a name set only by a
    statement that is not run is named with its line), or an output that is not
    ``[N, num_classes]``.
    """
    say = progress or (lambda _text: None)
    path = str(Path(path).resolve())
    try:
        source = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelFileError(path, None, f"cannot read the file ({exc})") from None
    try:
        plan = plan_script(source, path)
    except SyntaxError as exc:
        raise ModelFileError(path, exc.lineno, f"syntax error: {exc.msg}") from None
    module = types.ModuleType(f"cnnviz_user_{abs(hash(path))}")
    module.__file__ = path
    sys.modules[module.__name__] = module  # so inspect.getsource finds the classes
    with _folder_importable(Path(path).parent):
        _run_kept(plan, path, module, say)
        name, factory = _find_factory(module, path)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            say(f"building {name}()")
            model = _build(factory, name, path, plan)
            say(f"running one forward pass of {name} on a {'×'.join(map(str, input_shape))} input")
            outputs = check_forward(model, path, name, input_shape, num_classes, plan)
    return UserModel(
        name,
        path,
        source,
        factory,
        plan,
        needed_names(plan, source, path, name),
        _keep_warnings_once(caught, path),
        script_settings(plan.tree),
        sum(p.numel() for p in model.parameters()),
        tuple(input_shape),
        outputs,
    )


def _run_kept(plan: ScriptPlan, path: str, module: types.ModuleType, say: Progress) -> None:
    """Run the kept statements one by one (saying which), with the file's line numbers."""
    flags = 0
    for statement in plan.kept:
        if isinstance(statement, ast.ImportFrom) and statement.module == "__future__":
            for alias in statement.names:
                feature = getattr(__future__, alias.name, None)
                flags |= getattr(feature, "compiler_flag", 0)
    for statement in plan.kept:
        say(_stage(statement))
        # dont_inherit: this module's own __future__ imports must not change the file's code
        code = compile(ast.Module([statement], []), path, "exec", flags=flags, dont_inherit=True)
        try:
            exec(code, module.__dict__)
        except Exception as exc:
            kind = "import error" if isinstance(exc, ImportError) else type(exc).__name__
            hint = plan.missing_name_hint(exc.name) if isinstance(exc, NameError) else ""
            line = _line_in(path, exc.__traceback__)
            raise ModelFileError(path, line, f"{kind}: {exc}{hint}") from None


def _stage(statement: ast.stmt) -> str:
    """What running a kept statement does, for the progress line."""
    line = f"(line {statement.lineno})"
    if isinstance(statement, ast.Import):
        return f"importing {', '.join(a.name for a in statement.names)} {line}"
    if isinstance(statement, ast.ImportFrom):
        return f"importing {'.' * statement.level}{statement.module or ''} {line}"
    if isinstance(statement, ast.ClassDef):
        return f"defining class {statement.name} {line}"
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
        return f"defining function {statement.name} {line}"
    if isinstance(statement, ast.Assign | ast.AnnAssign):
        return f"setting {ast.unparse(statement).split('=')[0].strip()} {line}"
    return f"running line {statement.lineno}"


def _build(factory, name: str, path: str, plan: ScriptPlan) -> nn.Module:
    try:
        model = factory()
    except Exception as exc:
        hint = plan.missing_name_hint(exc.name) if isinstance(exc, NameError) else ""
        raise ModelFileError(
            path,
            _line_in(path, exc.__traceback__),
            f"{name}() failed: {type(exc).__name__}: {exc}{hint}",
        ) from None
    if not isinstance(model, nn.Module):
        raise ModelFileError(
            path, None, f"{name}() returned {type(model).__name__}, not an nn.Module"
        )
    return model


def _keep_warnings_once(caught, path: str) -> list[str]:
    """The warnings the file's own code gave while building and running the model, as text;
    from now on they are ignored (shown once, here; never raised later)."""
    texts: list[str] = []
    for warning in caught:
        if warning.filename != path:
            continue
        text = f"line {warning.lineno}: {warning.category.__name__}: {warning.message}"
        if text not in texts:
            texts.append(text)
        # the same warning, wherever torch reports it from (a traced graph runs the same
        # call from torch.fx's code): shown once, here
        warnings.filterwarnings(
            "ignore", message=re.escape(str(warning.message)), category=warning.category
        )
    return texts


@contextlib.contextmanager
def _folder_importable(folder: Path):
    """The file's folder is importable while it opens (last on the path, so it shadows no
    installed package), no ``__pycache__`` is written, and the folder's modules are
    forgotten afterwards (an edited helper is read again next time)."""
    before = set(sys.modules)
    added = str(folder) not in sys.path
    if added:
        sys.path.append(str(folder))
    bytecode, sys.dont_write_bytecode = sys.dont_write_bytecode, True
    try:
        yield
    finally:
        sys.dont_write_bytecode = bytecode
        if added:
            with contextlib.suppress(ValueError):
                sys.path.remove(str(folder))
        for name in set(sys.modules) - before:
            file = getattr(sys.modules[name], "__file__", None) or ""
            if file and Path(file).parent == folder:
                del sys.modules[name]


def check_forward(
    model: nn.Module, path: str, name: str, input_shape, num_classes, plan=None
) -> int:
    """One forward pass on two zero images; the output must be ``[2, num_classes]``.
    Returns the number of classes of the output."""
    model.eval()
    try:
        with torch.no_grad():
            out = model(torch.zeros((2,) + tuple(input_shape)))
    except Exception as exc:
        from cnnviz.core.inspect import explain_forward_failure

        reason = explain_forward_failure(model, input_shape, exc)
        if isinstance(exc, NameError) and plan is not None:
            reason += plan.missing_name_hint(exc.name)
        raise ModelFileError(
            path,
            _line_in(path, exc.__traceback__),
            f"forward failed on a {'×'.join(map(str, input_shape))} input: {reason}",
        ) from None
    shape = tuple(out.shape) if isinstance(out, torch.Tensor) else None
    expected = (2, num_classes) if num_classes else None
    if shape is None or len(shape) != 2 or (expected and shape != expected):
        want = f"[N, {num_classes}]" if num_classes else "[N, classes]"
        got = f"[{', '.join(map(str, shape))}]" if shape else type(out).__name__
        raise ModelFileError(
            path, None, f"{name}'s output has shape {got} for a batch of 2; it must be {want}"
        )
    return int(shape[1])


def register_user_model(model: UserModel) -> str:
    """Put an opened model into the registry (beside the built-in ones); returns its name."""
    from .registry import ZooEntry, register

    name = f"{Path(model.path).stem}.{model.name}"
    register(
        ZooEntry(
            name,
            model.build,
            "\n".join(
                [
                    f"Your model {model.name} ({model.params:,} parameters), opened from "
                    f"{model.path}."
                ]
                + model.report_lines()
            ),
            "Your own model",
            source_path=model.path,
            opened=model,
        )
    )
    return name
