"""Model helpers' jobs: on their own thread alone, or on every core for a whole test set."""

import os
import sys
import threading
import time

import pytest

torch = pytest.importorskip("torch")

from cnnviz.core import compute_threads  # noqa: E402
from cnnviz.gui.workers.model_task_worker import CopyingModelWorker  # noqa: E402


def test_a_model_job_runs_alone_and_a_test_set_job_on_every_core(qapp, two_compute_threads):
    worker = CopyingModelWorker()
    worker.set_model(torch.nn.Linear(4, 2))

    def threads_used(_model, _info, _control):
        return torch.get_num_threads()

    def over_a_test_set(_model, _info, _control):
        return torch.get_num_threads()

    over_a_test_set.every_core = True
    seen = {}

    def in_the_worker_thread():  # what the worker's QThread does for each job
        worker.before_job()
        seen["one image"] = worker._run(1, 1, threads_used)
        worker.before_job()
        seen["test set"] = worker._run(2, 2, over_a_test_set)

    thread = threading.Thread(target=in_the_worker_thread)
    thread.start()
    thread.join(60)
    assert seen == {"one image": 1, "test set": compute_threads.DEFAULT}


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


def test_a_cancel_reaches_a_job_not_started_yet_and_no_job_submitted_after_it(qapp):
    """Cancel pressed before the worker took the job up was lost (the job cleared the flag as
    it started, and ran a whole test set to its end); a cancel long past stopped nothing
    later only by luck. Each job now knows whether a cancel came after it was submitted."""
    worker = CopyingModelWorker()
    worker.set_model(torch.nn.Linear(4, 2))
    asked = []

    def job(_model, _info, control):
        asked.append(control.should_stop())
        return {}

    worker.submit(1, job)
    worker.cancel()  # the job waits: the worker's thread has not taken it up yet
    worker._process()  # now it does
    worker.submit(2, job)  # after the cancel: runs in full
    worker._process()
    worker.submit(3, job)
    worker.cancel()
    worker.submit(4, job)  # replaces job 3, which never runs; itself submitted after the cancel
    worker._process()
    assert asked == [True, False, False]


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
