"""The random-action test: the whole main window driven like a curious class (see monkey.py).

Each seed runs a fixed budget of actions under a wall-clock cap, then closes the window
(training may still be running: the window must stop it itself) and fails on any unhandled
exception, any Qt critical message, a close slower than 2 s or a QThread left running.
A failure prints the seed and the last actions, to reproduce it.
"""

import os
import random
import time

import pytest
from monkey import AutoAnswer, ErrorGuard, Monkey, running_threads
from PySide6.QtWidgets import QApplication

# more seeds on demand: CNNVIZ_MONKEY_SEEDS=1,2,3,4 (and CNNVIZ_MONKEY_SECONDS=30)
SEEDS = tuple(int(s) for s in os.environ.get("CNNVIZ_MONKEY_SEEDS", "11,22,33").split(","))
ACTIONS = 400  # at most, per seed
SECONDS = float(os.environ.get("CNNVIZ_MONKEY_SECONDS", 12.0))  # wall clock, per seed
CLOSE_SECONDS = 2.0


@pytest.mark.parametrize("seed", SEEDS)
def test_random_actions_leave_no_error(qtbot, main_window, tmp_path, seed):
    monkey = Monkey(main_window, seed)
    with (
        ErrorGuard() as guard,
        AutoAnswer(random.Random(seed + 1), tmp_path / "files", monkey.note),
    ):
        guard.context = lambda: monkey.recent[-1] if monkey.recent else "set-up"
        done = monkey.run(ACTIONS, SECONDS)
        monkey.note("close the window")
        start = time.perf_counter()
        main_window.close()  # a running worker is asked to stop; the window closes after it
        deadline = start + 2 * CLOSE_SECONDS
        while main_window.isVisible() and time.perf_counter() < deadline:
            QApplication.processEvents()
            time.sleep(0.005)
        close_seconds = time.perf_counter() - start
        threads = [t.objectName() or repr(t) for t in running_threads()]
        QApplication.processEvents()
    problems = list(guard.errors) + monkey.size_changes
    if close_seconds > CLOSE_SECONDS:
        problems.append(
            f"the window took {close_seconds:.2f} s to close (at most {CLOSE_SECONDS} s)"
        )
    if main_window.isVisible():
        problems.append(
            "the window did not close; still waiting for: "
            f"{main_window.busy_texts() or 'nothing (the close was refused)'}"
        )
    if threads:
        problems.append(f"threads still running after the window closed: {threads}")
    print(
        f"seed {seed}: {done} actions, closed in {close_seconds:.2f} s, "
        f"{len(guard.warnings)} Qt warnings; {dict(sorted(monkey.counts.items()))}"
    )
    assert not problems, (
        "\n\n".join(problems) + "\n\nTo reproduce: " + monkey.report(tmp_path / "monkey.log")
    )
