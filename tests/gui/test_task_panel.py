"""ModelTaskPanel, the base of the panels that run model work in their own thread: a request
made while hidden waits until the panel is shown, a stale answer is dropped, shutdown ends
the thread (and the job in hand) and stops the panel's timers."""

import threading

import pytest
from PySide6.QtWidgets import QLabel, QVBoxLayout
from torch import nn

from cnnviz.gui.widgets.task_panel import ModelTaskPanel
from cnnviz.gui.workers.base import live_threads


def echo(model, info, control, value, started=None, gate=None):
    """Answers ``value``; with ``gate``, says it has ``started`` and waits for the gate."""
    if gate is not None:
        started.set()
        gate.wait(10)
    return {"value": value}


def until_stopped(model, info, control, started):
    """Says it has ``started``, then runs until its worker is asked to stop."""
    started.set()
    while not control.should_stop():
        threading.Event().wait(0.005)
    return {"stopped": True}


class EchoPanel(ModelTaskPanel):
    """The smallest panel: asks for ``value`` and lists each answer it shows."""

    def __init__(self):
        super().__init__("echo")
        self.caption = QLabel()
        QVBoxLayout(self).addWidget(self.caption)
        self.value = 0
        self.shown: list = []
        self.task.worker.set_model(nn.Identity())

    def request(self, *args) -> None:
        self.request_id += 1
        self.submit_when_seen(echo, self.value, *args)

    def show_result(self, result: dict) -> None:
        self.result = result
        self.shown.append(result.get("value", result.get("stopped")))
        self._say(f"value {result.get('value')}")


@pytest.fixture
def panel(qtbot):
    panel = EchoPanel()
    qtbot.addWidget(panel)
    yield panel
    panel.shutdown()
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=10000)


def test_a_request_while_hidden_is_sent_once_the_panel_is_shown(qtbot, panel):
    panel.value = 3
    panel.request()
    assert panel.dirty and not panel.settled() and panel.task.worker.processed == 0
    panel.show()
    qtbot.waitUntil(panel.settled, timeout=10000)
    assert panel.shown == [3] and not panel.dirty and panel.caption.text() == "value 3"
    asked = panel.request_id
    panel.hide()
    panel.show()  # nothing waits: showing it again asks for nothing
    assert panel.request_id == asked and panel.settled() and panel.task.worker.processed == 1


def test_an_answer_to_an_older_request_is_dropped(qtbot, panel):
    panel.show()
    started, gate = threading.Event(), threading.Event()
    panel.value = 1
    panel.request(started, gate)
    assert started.wait(10)  # the first job runs; the second waits behind it
    panel.value = 2
    panel.request()
    gate.set()
    qtbot.waitUntil(panel.settled, timeout=10000)
    assert panel.task.worker.processed == 2  # both ran; the first one's answer was stale
    assert panel.shown == [2] and panel.result["value"] == 2 and panel.shown_id == 2


def test_shutdown_stops_the_job_in_hand_the_thread_and_the_timers(qtbot, panel):
    panel.show()
    timer = panel.add_timer(1000, lambda: None)
    timer.start()
    started = threading.Event()
    panel.request_id += 1
    panel.submit(until_stopped, started)
    assert started.wait(10) and panel.is_busy()
    panel.shutdown()
    qtbot.waitUntil(lambda: not panel.is_busy(), timeout=10000)
    assert not timer.isActive()
    assert not [name for name in live_threads() if name.startswith("cnnviz-echo")]
