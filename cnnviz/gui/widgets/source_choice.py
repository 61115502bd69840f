"""Where the network a page uses comes from (Draw and Trace pages), as plain data: the
Model box's entries and what a lesson file stores of the choice. No Qt here: the pages'
controllers use it."""

from __future__ import annotations

SOURCES = (
    "Default model (simple, shipped)",
    "Current training run",
    "Checkpoint file…",
    "Opened model + weights file…",
)
DEFAULT, TRAINING_RUN, CHECKPOINT, OPENED = range(len(SOURCES))


# -- lesson files: the source in use as plain data ------------------------------------------------
SOURCE_KEYS = ("default", "training run", "checkpoint", "weights")


def source_state(index: int, path=None, name: str | None = None) -> dict:
    """The source in use for a lesson file: ``{"source": "default"}``, ``"training run"``,
    ``"checkpoint"`` with its ``path``, or ``"weights"`` with the opened ``model`` and the
    weights' ``path``."""
    state: dict = {"source": SOURCE_KEYS[index]}
    if index in (CHECKPOINT, OPENED):
        state["path"] = None if path is None else str(path)
    if index == OPENED:
        state["model"] = name
    return state


def check_source(state) -> tuple[int, str | None, str | None]:
    """(index, path, opened model name) of a lesson's source; ``ValueError`` with the reason
    when it names no source this cnnviz has, a file that no longer exists or a model that
    has not been opened."""
    from pathlib import Path

    if not isinstance(state, dict) or state.get("source") not in SOURCE_KEYS:
        raise ValueError(f"its model must be one of {', '.join(SOURCE_KEYS)}, not {state!r}")
    index = SOURCE_KEYS.index(state["source"])
    if index in (DEFAULT, TRAINING_RUN):
        return index, None, None
    path = state.get("path")
    what = "checkpoint" if index == CHECKPOINT else "weights file"
    if not isinstance(path, str) or not path:
        raise ValueError(f"its {what} has no path")
    if not Path(path).is_file():
        raise ValueError(f"its {what} {path} no longer exists")
    if index == CHECKPOINT:
        return index, path, None
    from cnnviz.models import available
    from cnnviz.models import info as zoo_entry

    name = state.get("model")
    if not isinstance(name, str) or name not in available() or zoo_entry(name).opened is None:
        raise ValueError(
            f"its model {name!r} was opened from a file: open it with File → Open model… first"
        )
    return index, path, name


# -- the latest choice wins -----------------------------------------------------------------------
class LatestChoice:
    """Numbers a page's model choices so that the latest wins: a source that comes in its own
    time (a training run's snapshot, served at the run's next batch boundary or at its end; a
    weights file read in the background) is used only when no other model was chosen after it
    was asked for. ``awaited`` names what the latest choice still waits for ("snapshot",
    "weights"), None when nothing."""

    def __init__(self):
        self.latest = 0
        self.awaited: str | None = None

    def choose(self, awaits: str | None = None) -> int:
        """A new choice (its number); ``awaits``: what its source comes as, later."""
        self.latest += 1
        self.awaited = awaits
        return self.latest

    def awaiting(self, what: str | None = None) -> bool:
        """Whether the latest choice waits for its source (for ``what``, if given)."""
        return self.awaited is not None and what in (None, self.awaited)

    def arrived(self, choice: int) -> bool:
        """The source of ``choice`` has come: True, the wait over, when it is still the latest
        choice; False when it is to be dropped."""
        if choice != self.latest:
            return False
        self.awaited = None
        return True

    def take(self, what: str) -> bool:
        """``what`` has come from a worker whose own latest request wins (the weights
        loader): True, the wait over, when the latest choice waits for it; False: dropped."""
        return self.awaited == what and self.arrived(self.latest)

    def ask(self, what: str, callback):
        """A new choice whose source comes later as ``what``: the callback to hand to whoever
        serves it, calling ``callback(source)`` only while the choice is the latest."""
        choice = self.choose(what)

        def answer(source) -> None:
            if self.arrived(choice):
                callback(source)

        return answer

    def stop_waiting(self) -> None:
        """Nothing comes for the latest choice (no training run to ask)."""
        self.awaited = None
