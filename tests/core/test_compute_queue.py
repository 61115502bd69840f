"""ComputeQueue: the latest request of a kind wins, long jobs run in slices with short jobs
between them, cancel stops them, and each source's model is built once, in the stepping
thread."""

from __future__ import annotations

import threading

from cnnviz.core.compute_queue import ComputeQueue
from cnnviz.core.model_source import ModelSource


class Model:
    def __init__(self):
        self.thread = threading.get_ident()

    def eval(self):
        return self


def counting_source(counter: list) -> ModelSource:
    def build():
        counter.append(1)
        return Model(), "info"

    return ModelSource("a test model", build)


def run_all(queue: ComputeQueue) -> list:
    outcomes = []
    while (outcome := queue.step()) is not None:
        outcomes.append(outcome)
    return outcomes


def test_the_latest_request_of_a_kind_replaces_the_waiting_one():
    queue = ComputeQueue()
    queue.submit("predict", 1, None, lambda x: {"x": x}, 1)
    queue.submit("predict", 2, None, lambda x: {"x": x}, 2)
    queue.submit("trace", 1, None, lambda: {"t": 0})
    outcomes = run_all(queue)
    assert [(o.kind, o.request_id, o.result) for o in outcomes] == [
        ("predict", 2, {"x": 2}),
        ("trace", 1, {"t": 0}),
    ]
    assert queue.dropped == 1 and queue.processed == 2 and not queue.has_work()


def test_a_model_is_built_once_per_source_in_the_stepping_thread_and_jobs_get_it():
    built: list = []
    source = counting_source(built)
    queue = ComputeQueue()
    seen = []
    for i in range(3):
        queue.submit(f"k{i}", 1, source, lambda model, info: seen.append((model, info)) or {})
    thread = threading.Thread(target=run_all, args=(queue,))
    thread.start()
    thread.join()
    assert len(built) == 1
    assert len({id(model) for model, _ in seen}) == 1 and seen[0][1] == "info"
    assert seen[0][0].thread == thread.ident  # built where it is used, not where submitted


def test_a_long_job_runs_in_slices_and_a_short_job_is_answered_between_them():
    queue = ComputeQueue()

    def long_job():
        for done in range(1, 4):
            yield done, 3
        return {"curve": [1, 2, 3]}

    queue.submit("curve", 1, None, long_job)
    first = queue.step()
    assert first.progress == (1, 3) and not first.final
    queue.submit("predict", 5, None, lambda: {"p": 9})
    assert queue.step().result == {"p": 9}  # before the long job's next slice
    rest = run_all(queue)
    assert [o.progress for o in rest[:-1]] == [(2, 3), (3, 3)]
    assert rest[-1].result == {"curve": [1, 2, 3]} and rest[-1].request_id == 1


def test_cancel_closes_a_long_job_and_drops_a_waiting_request():
    queue = ComputeQueue()
    closed = []

    def long_job():
        try:
            while True:
                yield 0, 10
        finally:
            closed.append(True)

    queue.submit("curve", 1, None, long_job)
    queue.step()
    queue.submit("other", 1, None, lambda: {"ran": True})
    queue.cancel("curve")
    queue.cancel("other")
    assert run_all(queue) == []
    assert closed == [True] and not queue.has_work()


def test_a_new_request_replaces_a_long_job_in_progress():
    queue = ComputeQueue()

    def long_job(tag):
        yield 0, 1
        return {"tag": tag}

    queue.submit("curve", 1, None, long_job, "old")
    queue.step()
    queue.submit("curve", 2, None, long_job, "new")
    finals = [o for o in run_all(queue) if o.final]
    assert [(o.request_id, o.result) for o in finals] == [(2, {"tag": "new"})]


def test_errors_become_text_the_user_can_read():
    def fails_to_build():
        raise ValueError("its weights do not fit 'simple'")

    queue = ComputeQueue()
    queue.submit("a", 1, None, lambda: 1 / 0)
    queue.submit("b", 1, ModelSource("broken", fails_to_build), lambda model, info: {})

    def bad_long():
        yield 1, 2
        raise ValueError("bad input")

    queue.submit("c", 1, None, bad_long)
    errors = {o.kind: o.error for o in run_all(queue) if o.final}
    assert errors == {
        "a": "ZeroDivisionError: division by zero",
        "b": "its weights do not fit 'simple'",
        "c": "bad input",
    }
