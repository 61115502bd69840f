"""PageJobs: a page's kinds of model job, each a
:class:`~cnnviz.gui.workers.compute_service.ComputeClient` of the window's compute service.

A page made without a window (a lesson exported from the command line) has no compute service
in its context: it then starts one of its own, which it stops when it shuts down.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from cnnviz.gui.workers.compute_service import ComputeClient, ComputeService


class PageJobs(QObject):
    """``submit(name, source, job, *args)`` (the latest request of a name wins) and
    ``cancel(name)``; each answer goes to ``answers[name](result)``."""

    def __init__(self, page, service: ComputeService | None, answers: dict[str, Callable]):
        super().__init__(page)
        self.own = service is None  # stopped with the page
        self.service = ComputeService(self) if service is None else service
        self.clients: dict[str, ComputeClient] = {}
        for name, answer in answers.items():
            client = ComputeClient(self.service, f"{page.title.lower()}-{name}", self)
            client.result.connect(answer)
            self.clients[name] = client

    def submit(self, name: str, source, job: Callable, *args) -> int:
        """Run ``job`` on ``source``'s model (``job(*args)`` without a source); the request id."""
        return self.clients[name].submit(source, job, *args)

    def cancel(self, name: str) -> None:
        """The request of ``name`` in hand is dropped (its answer never comes)."""
        self.clients[name].cancel()

    def waiting(self, name: str) -> bool:
        """Whether the latest request of ``name`` has not been answered yet."""
        return self.clients[name].waiting()

    def shutdown(self) -> None:
        """Cancel every request; a service of the page's own ends after the job in hand."""
        for client in self.clients.values():
            client.cancel()
        if self.own:
            self.service.stop()

    def running(self) -> bool:
        """A service of the page's own has not ended yet (the window's is the window's)."""
        return self.own and self.service.is_running()
