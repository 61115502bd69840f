"""Reading a script as a model: which top-level statements define the model and which make it
a program (data loading, training loops, prints, the ``__main__`` block).

Course and tutorial scripts download a dataset and train at module level; importing one runs
all of that. :func:`plan_script` sorts the statements with :mod:`ast` so that only imports,
class and function definitions and simple constant assignments are run; the rest is listed by
line range with a word for what it is. :func:`needed_names` finds, with :mod:`symtable`, the
names the model's code takes from statements that are not run. :func:`script_settings` reads
the script's literal optimizer settings, batch size, epochs and input normalisation.
"""

from __future__ import annotations

import ast
import builtins
import symtable
from dataclasses import dataclass

MAIN_BLOCK = "__main__ block"
OPTIMIZERS = {"SGD": "sgd", "Adam": "adam", "AdamW": "adamw"}  # the Train page's choices
DATA_WORDS = {
    "dataset",
    "datasets",
    "dataloader",
    "loader",
    "mnist",
    "fashionmnist",
    "kmnist",
    "cifar10",
    "cifar100",
    "imagefolder",
    "transforms",
    "transform",
    "totensor",
    "normalize",
    "compose",
}
LOSS_WORDS = {"crossentropyloss", "nllloss", "mseloss", "bceloss", "bcewithlogitsloss", "criterion"}
SAVE_WORDS = {"save", "open", "write", "mkdir", "makedirs", "savefig", "to_csv", "savetxt"}


@dataclass(frozen=True)
class Skipped:
    """Top-level lines that are not run: ``first``–``last`` (1-based) and what they are."""

    first: int
    last: int
    kind: str

    def describe(self) -> str:
        lines = (
            f"line {self.first}" if self.first == self.last else f"lines {self.first}–{self.last}"
        )
        return f"{lines}: {self.kind}"


@dataclass(frozen=True)
class Needed:
    """A name the model's code uses that only a statement not run would set."""

    name: str
    line: int
    kind: str

    def describe(self) -> str:
        return (
            f"{self.name!r}, set on line {self.line} ({self.kind}), which is not run: "
            "give it a constant value in the file (or a default argument)"
        )


@dataclass
class ScriptPlan:
    """What opening a file runs (``kept``, statements in file order) and leaves out."""

    tree: ast.Module
    kept: list[ast.stmt]
    skipped: list[Skipped]
    bound_by_skipped: dict[str, tuple[int, str]]  # name -> (line, kind) of its first binding
    kept_names: set[str]

    def skipped_text(self) -> str:
        """``lines 14–30: data loading; lines 88–90: training loop`` (empty when none)."""
        return "; ".join(s.describe() for s in self.skipped)

    def missing_name_hint(self, name: str | None) -> str:
        """Why ``name`` is not defined when a skipped statement sets it, else ""."""
        if name is None or name in self.kept_names or name not in self.bound_by_skipped:
            return ""
        line, kind = self.bound_by_skipped[name]
        return (
            f": {name!r} is set on line {line} ({kind}), which opening does not run; "
            "give it a constant value in the file"
        )


@dataclass(frozen=True)
class ScriptSettings:
    """The script's literal training settings (None where the script has none)."""

    optimizer: str | None = None  # a key of the Train page's optimizers
    optimizer_name: str | None = None  # as written: SGD, Adam, RMSprop, ...
    lr: float | None = None
    momentum: float | None = None
    weight_decay: float | None = None
    nesterov: bool | None = None
    batch_size: int | None = None
    epochs: int | None = None
    mean: float | None = None  # the input normalisation the script trains with
    std: float | None = None
    lines: tuple[int, ...] = ()

    def trainable(self) -> bool:
        """Something the Train page can take over."""
        return self.optimizer is not None or self.batch_size is not None

    def describe(self) -> str:
        """``SGD, lr 0.01, momentum 0.5, batch 64, 9 epochs``."""
        parts = []
        if self.optimizer_name:
            parts.append(self.optimizer_name)
        for label, value in (
            ("lr", self.lr),
            ("momentum", self.momentum),
            ("weight decay", self.weight_decay),
        ):
            if value is not None:
                parts.append(f"{label} {value:g}")
        if self.nesterov:
            parts.append("Nesterov")
        if self.batch_size is not None:
            parts.append(f"batch {self.batch_size}")
        if self.epochs is not None:
            parts.append(f"{self.epochs} epochs")
        return ", ".join(parts)


# -- sorting the statements ------------------------------------------------------------------
def plan_script(source: str, path: str = "<model file>") -> ScriptPlan:
    """Sort the top-level statements of ``source`` into run and not run (raises SyntaxError)."""
    tree = ast.parse(source, path)
    classes = {s.name for s in tree.body if isinstance(s, ast.ClassDef)}
    functions = {s.name for s in tree.body if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef)}
    kept: list[ast.stmt] = []
    kept_names: set[str] = set()
    skipped: list[Skipped] = []
    bound: dict[str, tuple[int, str]] = {}
    last_was_skipped = False
    for statement in tree.body:
        if _keep(statement, kept_names):
            kept.append(statement)
            kept_names |= _bound_names(statement)
            last_was_skipped = False
            continue
        kind = _kind(statement, classes, functions)
        last = statement.end_lineno or statement.lineno
        if last_was_skipped and skipped[-1].kind == kind:
            skipped[-1] = Skipped(skipped[-1].first, last, kind)
        else:
            skipped.append(Skipped(statement.lineno, last, kind))
        last_was_skipped = True
        for name, line in _bindings(statement):
            bound.setdefault(name, (line, kind))
    return ScriptPlan(tree, kept, skipped, bound, kept_names)


def _keep(statement: ast.stmt, known: set[str]) -> bool:
    if isinstance(
        statement,
        ast.Import | ast.ImportFrom | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef,
    ):
        return True
    if isinstance(statement, ast.Pass):
        return True
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
        return True  # a docstring or a bare constant
    if isinstance(statement, ast.Assign):
        return all(_simple_target(t) for t in statement.targets) and _constant(
            statement.value, known
        )
    if isinstance(statement, ast.AnnAssign):
        return (
            isinstance(statement.target, ast.Name)
            and statement.value is not None
            and _constant(statement.value, known)
        )
    if isinstance(statement, ast.Try):
        # try: import a / except ImportError: import b -- run only when all of it would be
        inner = statement.body + statement.orelse + statement.finalbody
        inner += [s for handler in statement.handlers for s in handler.body]
        return all(_keep(s, known) for s in inner)
    return False


def _simple_target(target: ast.expr) -> bool:
    if isinstance(target, ast.Name):
        return True
    return isinstance(target, ast.Tuple | ast.List) and all(
        isinstance(e, ast.Name) for e in target.elts
    )


def _constant(node: ast.expr, known: set[str]) -> bool:
    """A literal, or arithmetic, comparisons and containers of literals and of names set
    by earlier constant assignments (``batch_size = 64``, ``hidden = 2 * batch_size``)."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Name):
        return node.id in known
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return all(_constant(e, known) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is None or _constant(k, known) for k in node.keys) and all(
            _constant(v, known) for v in node.values
        )
    if isinstance(node, ast.UnaryOp):
        return _constant(node.operand, known)
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.Pow) and not (
            isinstance(node.right, ast.Constant)
            and isinstance(node.right.value, int)
            and abs(node.right.value) <= 64
        ):
            return False  # 10 ** 10 ** 10 is a constant that never finishes
        return _constant(node.left, known) and _constant(node.right, known)
    if isinstance(node, ast.BoolOp):
        return all(_constant(v, known) for v in node.values)
    if isinstance(node, ast.Compare):
        return _constant(node.left, known) and all(_constant(c, known) for c in node.comparators)
    return False


def _bound_names(statement: ast.stmt) -> set[str]:
    return {name for name, _line in _bindings(statement)}


def _bindings(statement: ast.stmt) -> list[tuple[str, int]]:
    """Names a top-level statement binds at module level, with their lines (not those of
    nested functions, classes, lambdas or comprehensions: they are local there)."""
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found.append((node.name, node.lineno))
            return
        if isinstance(node, ast.Lambda | ast.ListComp | ast.SetComp | ast.DictComp):
            return
        if isinstance(node, ast.GeneratorExp):
            return
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            found.append((node.id, node.lineno))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                name = alias.asname or alias.name.split(".")[0]
                if name != "*":
                    found.append((name, node.lineno))
        elif isinstance(node, ast.ExceptHandler) and node.name:
            found.append((node.name, node.lineno))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(statement)
    return found


# -- a word for what a statement is ------------------------------------------------------------
def _words(statement: ast.stmt) -> tuple[set[str], set[str]]:
    """(every name and attribute in the statement, the names of what it calls), lower-case."""
    words: set[str] = set()
    calls: set[str] = set()
    for node in ast.walk(statement):
        if isinstance(node, ast.Name):
            words.add(node.id.lower())
        elif isinstance(node, ast.Attribute):
            words.add(node.attr.lower())
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            calls.add(name.lower())
    return words, calls


def _is_main_block(statement: ast.stmt) -> bool:
    if not isinstance(statement, ast.If) or not isinstance(statement.test, ast.Compare):
        return False
    sides = [statement.test.left, *statement.test.comparators]
    return any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides) and any(
        isinstance(s, ast.Constant) and s.value == "__main__" for s in sides
    )


def _kind(statement: ast.stmt, classes: set[str], functions: set[str]) -> str:
    """A word for what a statement that is not run does."""
    if _is_main_block(statement):
        return MAIN_BLOCK
    words, calls = _words(statement)
    targets = {name.lower() for name, _ in _bindings(statement)}
    if isinstance(statement, ast.For | ast.AsyncFor | ast.While):
        if "epoch" in words or calls & {"train", "test", "backward", "step"}:
            return "training loop"
        return "loop"
    if calls and calls <= {"print", "format"}:
        return "printing"
    if words & {"argparse", "argumentparser", "parse_args", "add_argument"}:
        return "command-line arguments"
    if words & DATA_WORDS or any(
        w.endswith(("_loader", "_dataset", "_data", "_set")) for w in targets | words
    ):
        return "data loading"
    if words & {"optim", "optimizer", "lr_scheduler", "scheduler"} or calls & {
        n.lower() for n in OPTIMIZERS
    }:
        return "optimizer"
    if words & LOSS_WORDS:
        return "loss function"
    if words & {"plt", "pyplot", "matplotlib", "imshow", "plot"}:
        return "plotting"
    if calls & {"load", "load_state_dict"}:
        return "weights loading"
    if calls & SAVE_WORDS:
        return "saving files"
    if calls & {c.lower() for c in classes}:
        return "model instance"
    if calls & {"manual_seed", "seed"}:
        return "random seed"
    if words & {"device", "cuda", "is_available", "mps"}:
        return "device set-up"
    if calls & {"train", "test", "fit", "evaluate"}:
        return "training run"
    called = sorted(calls & {f.lower() for f in functions})
    if called:
        return f"call of {called[0]}()"
    if isinstance(statement, ast.Assign | ast.AnnAssign | ast.AugAssign):
        return "variable set-up"
    if isinstance(statement, ast.Expr):
        return "function call"
    return f"{type(statement).__name__.lower()} statement"


# -- names the model needs ----------------------------------------------------------------------
def needed_names(plan: ScriptPlan, source: str, path: str, top: str) -> list[Needed]:
    """Names the definition ``top`` (and the kept definitions it uses, followed through)
    reads from module level that only statements not run would set."""
    tables: dict[str, list[symtable.SymbolTable]] = {}
    for child in symtable.symtable(source, path, "exec").get_children():
        tables.setdefault(child.get_name(), []).append(child)
    seen: set[str] = set()
    needed: dict[str, Needed] = {}
    todo = [top]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for table in tables.get(name, []):
            for used in _globals_used(table):
                if used in plan.kept_names:
                    todo.append(used)
                elif used in plan.bound_by_skipped and used not in needed:
                    line, kind = plan.bound_by_skipped[used]
                    needed[used] = Needed(used, line, kind)
    return sorted(needed.values(), key=lambda n: n.line)


def _globals_used(table: symtable.SymbolTable) -> set[str]:
    used = {
        s.get_name()
        for s in table.get_symbols()
        if s.is_referenced() and (s.is_global() or s.is_declared_global())
    }
    for child in table.get_children():
        used |= _globals_used(child)
    return used - set(dir(builtins))


# -- the script's training settings ------------------------------------------------------------
def script_settings(tree: ast.Module) -> ScriptSettings:
    """The literal optimizer settings, batch size, epochs and normalisation of a script
    (found anywhere in it: at top level, in ``main()``, in the ``__main__`` block)."""
    constants = _module_constants(tree)
    found: dict = {}
    lines: list[int] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        if name in OPTIMIZERS or (name in {"RMSprop", "Adagrad", "Adadelta"} and _is_optim(node)):
            if "optimizer_name" not in found:
                _read_optimizer(node, name, constants, found)
                lines.append(node.lineno)
        elif name == "DataLoader" and "loader_batch" not in found:
            value = _value(_keyword(node, "batch_size"), constants)
            if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                found["loader_batch"] = value
                lines.append(node.lineno)
        elif name == "Normalize" and "mean" not in found and len(node.args) >= 2:
            mean, std = (_value(a, constants) for a in node.args[:2])
            mean, std = _first(mean), _first(std)
            if isinstance(mean, int | float) and isinstance(std, int | float) and std > 0:
                found["mean"], found["std"] = float(mean), float(std)
        elif name == "ToTensor":
            found["to_tensor"] = True
        elif name == "range" and "epochs" not in found:
            _read_epochs(node, tree, constants, found)
    batch = found.pop("loader_batch", None)
    if batch is None:
        value = constants.get("batch_size", constants.get("BATCH_SIZE"))
        batch = value if isinstance(value, int) and not isinstance(value, bool) else None
    if "mean" not in found and found.pop("to_tensor", False):
        found["mean"], found["std"] = 0.0, 1.0  # ToTensor alone: pixels in [0, 1]
    found.pop("to_tensor", None)
    if found.get("optimizer_name") not in OPTIMIZERS:
        found.pop("optimizer", None)
    return ScriptSettings(batch_size=batch, lines=tuple(sorted(lines)), **found)


def _module_constants(tree: ast.Module) -> dict:
    values: dict = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
            if isinstance(target, ast.Name):
                value = _value(statement.value, values)
                if value is not None:
                    values[target.id] = value
    return values


def _value(node: ast.expr | None, constants: dict):
    """The literal value of ``node`` (a name set to a literal counts), else None."""
    if node is None:
        return None
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def _first(value):
    return value[0] if isinstance(value, tuple | list) and value else value


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _is_optim(node: ast.Call) -> bool:
    func = node.func
    return isinstance(func, ast.Attribute) and "optim" in ast.unparse(func.value)


def _keyword(node: ast.Call, name: str) -> ast.expr | None:
    for keyword in node.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def _read_optimizer(node: ast.Call, name: str, constants: dict, found: dict) -> None:
    found["optimizer_name"] = name
    found["optimizer"] = OPTIMIZERS.get(name)
    lr_node = _keyword(node, "lr") or (node.args[1] if len(node.args) > 1 else None)
    for key, value_node in (
        ("lr", lr_node),
        ("momentum", _keyword(node, "momentum")),
        ("weight_decay", _keyword(node, "weight_decay")),
    ):
        value = _value(value_node, constants)
        if isinstance(value, int | float) and not isinstance(value, bool):
            found[key] = float(value)
    nesterov = _value(_keyword(node, "nesterov"), constants)
    if isinstance(nesterov, bool):
        found["nesterov"] = nesterov


def _read_epochs(node: ast.Call, tree: ast.Module, constants: dict, found: dict) -> None:
    """``for epoch in range(1, 10)``: 9 epochs (only a loop over a name with "epoch" in it)."""
    for loop in ast.walk(tree):
        if (
            isinstance(loop, ast.For)
            and loop.iter is node
            and isinstance(loop.target, ast.Name)
            and "epoch" in loop.target.id.lower()
        ):
            bounds = [_value(a, constants) for a in node.args]
            if not bounds or not all(isinstance(b, int) for b in bounds) or len(bounds) > 2:
                return
            start, stop = (0, bounds[0]) if len(bounds) == 1 else bounds
            if stop > start:
                found["epochs"] = stop - start
            return
