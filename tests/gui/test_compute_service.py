"""The compute service: jobs run in its one thread, on a model built there; a client sees only
its own latest answers; stopping it ends the thread after the slice in hand."""

from __future__ import annotations

import threading

from cnnviz.core.model_source import ModelSource
from cnnviz.gui.workers.compute_service import ComputeClient, ComputeService


class Model:
    def __init__(self):
        self.thread = threading.get_ident()

    def eval(self):
        return self


def test_a_client_gets_its_latest_answer_from_a_model_owned_by_the_service_thread(qtbot):
    service = ComputeService()
    try:
        source = ModelSource("test", lambda: (Model(), "info"))
        client, other = ComputeClient(service, "predict"), ComputeClient(service, "trace")
        answers, others = [], []
        client.result.connect(answers.append)
        other.result.connect(others.append)

        def job(model, info, value):
            return {"value": value, "built_in": model.thread, "ran_in": threading.get_ident()}

        for value in range(5):
            client.submit(source, job, value)
        qtbot.waitUntil(lambda: not client.waiting(), timeout=5000)
        # every request was made before any answer came back: only the latest is answered
        assert [(a["id"], a["value"]) for a in answers] == [(5, 4)]
        assert answers[-1]["built_in"] == answers[-1]["ran_in"] != threading.get_ident()
        assert others == []  # another client's kind never sees this one's answers
    finally:
        assert service.shutdown(5000)


def test_progress_then_result_and_cancel_silences_a_long_job(qtbot):
    service = ComputeService()
    try:
        client = ComputeClient(service, "curve")
        progress, answers = [], []
        client.progress.connect(lambda *args: progress.append(args))
        client.result.connect(answers.append)
        release = threading.Event()

        def curve(steps):
            for done in range(1, steps + 1):
                yield done, steps
                release.wait(5)
            return {"points": steps}

        release.set()
        client.submit(None, curve, 3)
        qtbot.waitUntil(lambda: bool(answers), timeout=5000)
        assert progress == [(1, 1, 3), (1, 2, 3), (1, 3, 3)] and answers[0]["points"] == 3

        release.clear()
        client.submit(None, curve, 100)
        qtbot.waitUntil(lambda: len(progress) > 3, timeout=5000)
        client.cancel()
        release.set()
        qtbot.waitUntil(lambda: not service.worker.queue.has_work(), timeout=5000)
        qtbot.wait(50)  # an outcome sent before the job was closed is delivered by now
        assert len(answers) == 1 and not client.waiting()
    finally:
        assert service.shutdown(5000)


def test_an_error_is_an_answer_with_its_text(qtbot):
    service = ComputeService()
    try:
        client = ComputeClient(service, "bad")
        with qtbot.waitSignal(client.result, timeout=5000) as signal:
            client.submit(None, lambda: int("x"))
        assert signal.args[0] == {"id": 1, "error": "invalid literal for int() with base 10: 'x'"}
    finally:
        assert service.shutdown(5000)
