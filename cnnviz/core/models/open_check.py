"""Checking a model file in a separate Python process, which a time limit or Cancel can stop.

Opening a file runs some of its code (its imports above all), and Python cannot stop a thread
part-way: a thread given a deadline would go on importing, or hanging, inside the app. A
process can be ended. So the whole opening (import, build, the checking forward pass) runs
first in a child process that reports each step; it is killed when its time is up or the user
cancels, and the step it was on is said. Only a file whose check finished is then opened in
the app itself (:func:`~.user_file.load_model_file`, the same code, whose imports are mostly
in memory by then): the model must live in the app's process to be trained and drawn.

Nothing is written: the child is started with the ``spawn`` method (a fresh interpreter, no
temporary files) and talks through a pipe. The caller polls (:meth:`OpenCheck.poll`), so a GUI
can drive it from a timer without ever blocking.
"""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

from .user_file import ModelFileError

TIME_LIMIT_S = 60.0  # for the file's own code: imports, building, one forward pass
START_LIMIT_S = 180.0  # for the child to start Python and import PyTorch (a cold disk is slow)
STARTING = "starting a separate Python process and PyTorch to check the file"


class OpenCheck:
    """One file being checked in a child process. Call :meth:`poll` until it returns True;
    then ``summary`` (the check passed: ``{"name", "params"}``), ``error`` (a
    :class:`ModelFileError`: the file cannot be used) or ``stopped`` (a sentence: the time
    limit, Cancel or a crash ended it) says how it went."""

    def __init__(
        self,
        path,
        input_shape=(1, 28, 28),
        num_classes: int | None = 10,
        time_limit_s: float = TIME_LIMIT_S,
        start_limit_s: float = START_LIMIT_S,
        reap_wait_s: float = 5.0,
    ):
        self.path = str(Path(path).resolve())
        self.time_limit_s = time_limit_s
        self.start_limit_s = start_limit_s
        self.stage = STARTING
        self.summary: dict | None = None
        self.error: ModelFileError | None = None
        self.stopped: str | None = None
        self.started_at = time.monotonic()
        # how long ending the check waits for the killed child to be reaped; 0 for a GUI
        # thread, which must not wait (multiprocessing reaps it when it next starts one)
        self.reap_wait_s = reap_wait_s
        self.code_started_at: float | None = None  # when the file's own code began
        context = multiprocessing.get_context("spawn")
        self._conn, child_end = context.Pipe(duplex=False)
        self._process = context.Process(
            target=check_in_child,
            args=(child_end, self.path, tuple(input_shape), num_classes),
            name="cnnviz-open-check",
            daemon=True,
        )
        self._process.start()
        child_end.close()  # the child holds its own copy: EOF here once it has gone

    @property
    def done(self) -> bool:
        return self.summary is not None or self.error is not None or self.stopped is not None

    def elapsed(self) -> float:
        return time.monotonic() - self.started_at

    def poll(self) -> bool:
        """Read what the child said; enforce the time limits. True once finished."""
        if self.done:
            return True
        try:
            while self._conn.poll(0):
                self._receive(self._conn.recv())
                if self.done:
                    self._end()
                    return True
        except (EOFError, OSError):
            code = self._process.exitcode
            self._stop(
                f"The check of the file ended without an answer (exit code {code}) "
                f"while {self.stage}."
            )
            return True
        now = time.monotonic()
        if self.code_started_at is None and now - self.started_at > self.start_limit_s:
            self._stop(f"Stopped after {self.start_limit_s:g} s: {STARTING} took too long.")
        elif self.code_started_at is not None and now - self.code_started_at > self.time_limit_s:
            self._stop(
                f"Stopped after {self.time_limit_s:g} s while {self.stage}: opening a model "
                f"may take {self.time_limit_s:g} s at most. Nothing of the file was kept."
            )
        return self.done

    def _receive(self, message: tuple) -> None:
        kind = message[0]
        if kind == "ready":
            self.code_started_at = time.monotonic()
            self.stage = "reading the file"
        elif kind == "stage":
            self.stage = message[1]
        elif kind == "ok":
            self.summary = message[1]
        elif kind == "error":
            self.error = message[1]

    def cancel(self) -> None:
        """Stop the check now (the child is killed); says what it was doing."""
        if not self.done:
            self._stop(f"Cancelled after {self.elapsed():.0f} s while {self.stage}.")

    def wait(self, timeout: float | None = None, interval: float = 0.02) -> bool:
        """Poll until finished (or ``timeout`` seconds); True when finished."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.poll():
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(interval)
        return True

    def is_alive(self) -> bool:
        return self._process.is_alive()

    def _stop(self, message: str) -> None:
        self.stopped = message
        self._end()

    def _end(self) -> None:
        if self._process.is_alive():
            self._process.kill()
        self._process.join(self.reap_wait_s)
        self._conn.close()


class _AppGone(Exception):
    """The app stopped listening to the check (it was cancelled, or the window closed)."""


def check_in_child(conn, path: str, input_shape, num_classes) -> None:
    """In the child process: open the file as the app would and report each step. Once the
    app has stopped listening, the child ends quietly (no traceback on the terminal)."""
    from .user_file import load_model_file

    def send(message) -> None:
        try:
            conn.send(message)
        except (BrokenPipeError, ConnectionResetError) as exc:
            raise _AppGone from exc

    try:
        try:
            send(("ready",))
            model = load_model_file(
                path, input_shape, num_classes, progress=lambda text: send(("stage", text))
            )
            send(("ok", {"name": model.name, "params": model.params}))
        except ModelFileError as exc:
            send(("error", exc))
        except _AppGone:
            raise
        except BaseException as exc:  # noqa: BLE001 - SystemExit from the file's code included
            send(("error", ModelFileError(path, None, f"{type(exc).__name__}: {exc}")))
    except _AppGone:
        pass
    finally:
        conn.close()
