"""Opening a user's model from a ``.py`` file: find it, build it, check it, explain failures.

Opening a file runs its code, as importing it would.
"""

from __future__ import annotations

import inspect
import traceback
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn


class ModelFileError(ValueError):
    """A model file that cannot be used: which file, which line, and why."""

    def __init__(self, path: str, line: int | None, reason: str):
        self.path, self.line, self.reason = path, line, reason
        where = f"{Path(path).name}, line {line}" if line else Path(path).name
        super().__init__(f"{where}: {reason}")


@dataclass
class UserModel:
    """A model class or factory found in a file, checked with one forward pass."""

    name: str
    path: str
    source: str
    factory: Callable[[], nn.Module]  # a class or function taking no arguments

    def build(self, **_ignored) -> nn.Module:
        return self.factory()


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


def load_model_file(path, input_shape=(1, 28, 28), num_classes: int | None = 10) -> UserModel:
    """Load ``path``, build its model with no arguments and check one forward pass.

    Raises :class:`ModelFileError` with the file, the line and the reason for: a file that
    cannot be read, a syntax error, an error while running the file (an import error, say),
    no model found, an exception in ``__init__`` or ``forward``, or an output that is not
    ``[N, num_classes]``.
    """
    path = str(Path(path).resolve())
    try:
        source = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelFileError(path, None, f"cannot read the file ({exc})") from None
    try:
        code = compile(source, path, "exec")
    except SyntaxError as exc:
        raise ModelFileError(path, exc.lineno, f"syntax error: {exc.msg}") from None
    module = types.ModuleType(f"cnnviz_user_{abs(hash(path))}")
    module.__file__ = path
    import sys

    sys.modules[module.__name__] = module  # so inspect.getsource finds the classes
    try:
        exec(code, module.__dict__)
    except Exception as exc:
        kind = "import error" if isinstance(exc, ImportError) else type(exc).__name__
        raise ModelFileError(path, _line_in(path, exc.__traceback__), f"{kind}: {exc}") from None
    name, factory = _find_factory(module, path)
    try:
        model = factory()
    except Exception as exc:
        raise ModelFileError(
            path, _line_in(path, exc.__traceback__), f"{name}() failed: {type(exc).__name__}: {exc}"
        ) from None
    if not isinstance(model, nn.Module):
        raise ModelFileError(
            path, None, f"{name}() returned {type(model).__name__}, not an nn.Module"
        )
    check_forward(model, path, name, input_shape, num_classes)
    return UserModel(name, path, source, factory)


def check_forward(model: nn.Module, path: str, name: str, input_shape, num_classes) -> None:
    """One forward pass on two zero images; the output must be ``[2, num_classes]``."""
    model.eval()
    try:
        with torch.no_grad():
            out = model(torch.zeros((2,) + tuple(input_shape)))
    except Exception as exc:
        from cnnviz.core.inspect import explain_forward_failure

        reason = explain_forward_failure(model, input_shape, exc)
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


def register_user_model(model: UserModel) -> str:
    """Put an opened model into the registry (beside the built-in ones); returns its name."""
    from .registry import ZooEntry, register

    name = f"{Path(model.path).stem}.{model.name}"
    register(
        ZooEntry(
            name,
            model.build,
            f"Your model {model.name}, opened from {model.path}.",
            "Your own model",
            source_path=model.path,
        )
    )
    return name
