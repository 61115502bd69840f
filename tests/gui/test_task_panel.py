"""ModelTaskPanel, the base of the panels that run model work on the compute service: a
request made while hidden waits until the panel is shown, a stale answer is dropped, shutdown
cancels the job in hand (its answer never comes) and stops the panel's timers."""

import threading

import pytest
from gui_helpers import described
from PySide6.QtWidgets import QLabel, QVBoxLayout
from torch import nn

from cnnviz.core.inference import MNIST_INFO
from cnnviz.core.model_source import ModelSource
from cnnviz.gui.widgets.task_panel import ModelTaskPanel


def echo(model, info, value, started=None, gate=None):
    """Answers ``value``; with ``gate``, says it has ``started`` and waits for the gate."""
    if gate is not None:
        started.set()
        gate.wait(10)
    return {"value": value, "model": type(model).__name__}


def until_cancelled(model, info, started, slices):
    """A long job: says it has ``started``, then yields slices until it is closed."""
    started.set()
    while True:
        slices.append(1)
        threading.Event().wait(0.005)
        yield len(slices), 10**6


class EchoPanel(ModelTaskPanel):
    """The smallest panel: asks for ``value`` and lists each answer it shows."""

    def __init__(self, service):
        super().__init__("echo")
        self.caption = QLabel()
        QVBoxLayout(self).addWidget(self.caption)
        self.value = 0
        self.shown: list = []
        self.use_service(service)
        self.set_model(*described(ModelSource("identity", lambda: (nn.Identity(), MNIST_INFO))))

    def request(self, *args) -> None:
        self.request_id += 1
        self.submit_when_seen(echo, self.value, *args)

    def show_result(self, result: dict) -> None:
        self.result = result
        self.shown.append(result.get("value"))
        self._say(f"value {result.get('value')}")


@pytest.fixture
def panel(qtbot, compute):
    panel = EchoPanel(compute)
    qtbot.addWidget(panel)
    yield panel
    panel.shutdown()


def test_a_request_while_hidden_is_sent_once_the_panel_is_shown(qtbot, panel):
    panel.value = 3
    panel.request()
    assert panel.dirty and not panel.settled() and panel.client.request_id == 0
    panel.show()
    qtbot.waitUntil(panel.settled, timeout=10000)
    assert panel.shown == [3] and not panel.dirty and panel.caption.text() == "value 3"
    assert panel.result["model"] == "Identity"  # the model built from the panel's source
    asked = panel.request_id
    panel.hide()
    panel.show()  # nothing waits: showing it again asks for nothing
    assert panel.request_id == asked and panel.settled() and panel.client.request_id == 1


def test_an_answer_to_an_older_request_is_dropped(qtbot, panel, compute):
    panel.show()
    started, gate = threading.Event(), threading.Event()
    panel.value = 1
    panel.request(started, gate)
    assert started.wait(10)  # the first job runs; the second waits behind it
    panel.value = 2
    panel.request()
    gate.set()
    qtbot.waitUntil(panel.settled, timeout=10000)
    assert compute.worker.queue.processed >= 2  # both ran; the first one's answer was stale
    assert panel.shown == [2] and panel.result["value"] == 2 and panel.shown_id == 2


def test_shutdown_cancels_the_job_in_hand_and_stops_the_timers(qtbot, panel, compute):
    panel.show()
    timer = panel.add_timer(1000, lambda: None)
    timer.start()
    started, slices = threading.Event(), []
    panel.request_id += 1
    panel.submit(until_cancelled, started, slices)
    assert started.wait(10) and panel.is_busy()
    panel.shutdown()
    assert not panel.is_busy() and not timer.isActive()
    qtbot.waitUntil(lambda: not compute.worker.queue.has_work(), timeout=10000)
    ran = len(slices)
    qtbot.wait(50)
    assert len(slices) == ran and not panel.settled()  # closed at a slice: no answer shown
