"""Model helpers' jobs: on their own thread alone, or on every core for a whole test set."""

import threading

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
        seen["one image"] = worker._run(1, threads_used)
        worker.before_job()
        seen["test set"] = worker._run(2, over_a_test_set)

    thread = threading.Thread(target=in_the_worker_thread)
    thread.start()
    thread.join(60)
    assert seen == {"one image": 1, "test set": compute_threads.DEFAULT}
