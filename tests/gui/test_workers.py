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


def test_the_preload_imports_once_started_and_keeps_what_failed_for_the_page():
    """Nothing is imported until the window asks (once it has been painted); a failed import
    or warm-up is kept for the page that needs it to report, and the preload is done; the
    modules imported after that (LATER) fail quietly, for their users to meet again."""
    from cnnviz.gui.workers.preload import Preload

    seen = []

    def fails():
        raise RuntimeError("a broken installation")

    preload = Preload(modules=("json",), warm=(lambda: seen.append(1),))
    assert not preload.done() and seen == []
    preload.start()
    preload.start()  # once only
    assert preload.wait(30) and seen == [1] and preload.error is None
    broken = Preload(modules=("json",), warm=(fails,))
    assert broken.wait(30)  # started by the wait itself
    assert isinstance(broken.error, RuntimeError)
    # what is imported once the pages can be built does not hold them up, nor break them
    later = Preload(modules=("json",), warm=(), later=("cnnviz_no_such_module",))
    assert later.wait(30) and later.error is None
    later._thread.join(30)
    assert isinstance(later.later_error, ModuleNotFoundError)
