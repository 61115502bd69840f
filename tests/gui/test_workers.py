"""Worker threads: the compute service runs a job submitted and cancelled before it began
not at all, and one submitted after the cancel in full; a worker thread yields the CPU to
the window; the preload pauses garbage collection while it imports."""

import os
import sys
import threading
import time

import pytest

torch = pytest.importorskip("torch")


def test_a_cancel_reaches_a_job_not_started_yet_and_no_job_submitted_after_it(qtbot, compute):
    """Cancel pressed before the service took the job up must stop it (it was lost once: a
    whole test set ran to its end); a job submitted after the cancel runs in full."""
    from cnnviz.gui.workers.compute_service import ComputeClient

    client, blocker = ComputeClient(compute, "curve"), ComputeClient(compute, "blocker")
    gate, started, ran = threading.Event(), threading.Event(), []

    def hold():
        started.set()
        gate.wait(10)
        return {}

    def job(tag):
        ran.append(tag)
        yield 1, 1
        return {"tag": tag}

    blocker.submit(None, hold)
    assert started.wait(10)  # the service is busy: the next jobs wait
    client.submit(None, job, "cancelled before it began")
    client.cancel()
    answers = []
    client.result.connect(answers.append)
    client.submit(None, job, "submitted after the cancel")
    gate.set()
    qtbot.waitUntil(lambda: bool(answers), timeout=10000)
    assert ran == ["submitted after the cancel"] and answers[0]["tag"] == ran[0]


def test_the_compute_thread_runs_pytorch_on_itself_alone(qtbot, compute):
    """Its jobs are one image or a slice: a team of OpenMP threads made a stroke wait for a
    second thread at the worker's low priority (see compute_service.one_torch_thread)."""
    from cnnviz.gui.workers.compute_service import ComputeClient

    client = ComputeClient(compute, "threads")
    with qtbot.waitSignal(client.result, timeout=10000) as answer:
        client.submit(None, lambda: {"threads": torch.get_num_threads()})
    assert answer.args[0]["threads"] == 1


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a niceness per thread: Linux")
def test_a_worker_thread_and_the_threads_it_starts_yield_the_cpu_to_the_window(qapp):
    from PySide6.QtCore import QObject, Slot

    from cnnviz.gui.workers.base import BACKGROUND_NICE, WorkerThread

    def niceness() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    seen = {}

    class Worker(QObject):
        @Slot()
        def go(self):
            seen["worker"] = niceness()
            child = threading.Thread(target=lambda: seen.setdefault("child", niceness()))
            child.start()  # as PyTorch's OpenMP team is started by a training thread
            child.join(10)

    window = niceness()
    worker = Worker()
    run = WorkerThread(worker, "priority-test", worker.go)
    run.start()
    try:
        deadline = time.monotonic() + 10
        while "child" not in seen and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        assert run.shutdown(10000)
    expected = min(19, window + BACKGROUND_NICE)
    assert seen == {"worker": expected, "child": expected}
    assert niceness() == window  # the GUI thread keeps its own


def test_no_automatic_garbage_collection_while_the_preload_imports():
    """Full collections during the imports walked every object made so far with the Python
    lock held: 100-300 ms of a still window each. They are off while the preload thread
    imports (and back as they were after, whether the imports succeed or fail)."""
    import gc

    from cnnviz.gui.workers.preload import Preload

    seen = []

    def fails():
        raise RuntimeError("a broken installation")

    assert gc.isenabled()
    for warm in ((lambda: seen.append(gc.isenabled()),), (fails,)):
        preload = Preload(modules=("json",), warm=warm)
        assert preload.wait(30)
        assert gc.isenabled()
    assert seen == [False]
    assert isinstance(preload.error, RuntimeError)


def test_garbage_is_collected_in_the_gui_thread_only_while_a_window_lives(qtbot, new_window):
    """A collection runs in whichever thread allocates past a threshold: often a worker,
    which then freed widgets' wrappers outside the GUI thread and held the Python lock for
    50-93 ms at its lower priority. While a main window lives, automatic collection is off
    and the GUI thread collects on a timer (once the start-up imports are done); closed,
    collection is Python's again."""
    import gc
    import threading
    import weakref

    assert gc.isenabled()
    window = new_window()
    assert not gc.isenabled()
    assert window.preload.wait(60)
    threads = []

    def note(phase, _info):
        if phase == "start":
            threads.append(threading.current_thread().name)

    class Node:
        pass

    def make_cycles(refs):  # in a worker: far past the first generation's threshold
        for _ in range(5 * gc.get_threshold()[0]):
            a, b = Node(), Node()
            a.other, b.other = b, a
            refs.append(weakref.ref(a))

    refs: list = []
    gc.callbacks.append(note)
    try:
        worker = threading.Thread(target=make_cycles, args=(refs,), name="a worker")
        worker.start()
        worker.join()
        assert "a worker" not in threads  # nothing collected there
        assert any(r() is not None for r in refs)  # the cycles wait for the GUI thread
        qtbot.waitUntil(lambda: all(r() is None for r in refs), timeout=5000)
        assert set(threads) == {threading.main_thread().name}
        assert window.collector.collections[0] > 0
    finally:
        gc.callbacks.remove(note)
    window.close()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10000)
    assert gc.isenabled()


def test_a_window_that_fails_to_build_gives_garbage_collection_back(qapp, monkeypatch):
    """The collector is made first in the window's set-up: a set-up that then fails (a page,
    the settings) left automatic collection off for the rest of the process."""
    import gc

    from cnnviz.gui.main_window import MainWindow

    def broken(self):
        raise RuntimeError("a broken set-up")

    monkeypatch.setattr(MainWindow, "_set_up", broken)
    assert gc.isenabled()
    with pytest.raises(RuntimeError, match="broken set-up"):
        MainWindow()
    assert gc.isenabled()
