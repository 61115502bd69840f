"""Helper threads keep no OpenMP team of PyTorch's; a training run gets every default thread."""

import os
import sys
import threading

import pytest

torch = pytest.importorskip("torch")

from cnnviz.core import compute_threads  # noqa: E402

pytestmark = pytest.mark.usefixtures("two_compute_threads")  # a default with a team to see


def os_threads() -> int:
    return len(os.listdir("/proc/self/task"))


def run_in_thread(job):
    """Run ``job`` in a new thread; returns (its result, the process's thread count while the
    thread was still alive after the job, the count just before the thread started)."""
    out = {}
    done, leave = threading.Event(), threading.Event()

    def body():
        out["result"] = job()
        out["alive"] = os_threads()
        done.set()
        leave.wait(10)

    before = os_threads()
    thread = threading.Thread(target=body)
    thread.start()
    assert done.wait(60)
    leave.set()
    thread.join(10)
    return out["result"], out["alive"], before


def big_convolution():
    x = torch.randn(256, 1, 28, 28)
    w = torch.randn(32, 1, 5, 5)
    return float(torch.nn.functional.conv2d(x, w).sum())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="counts threads in /proc")
def test_a_helper_thread_keeps_no_team_and_training_gets_the_default():
    def helper_job():
        compute_threads.for_helper()
        big_convolution()
        return torch.get_num_threads()

    threads, alive, before = run_in_thread(helper_job)
    assert threads == 1
    # the helper itself, and no OpenMP team beside it (a team thread of an earlier test
    # still ending could only make the count lower)
    assert alive <= before + 1

    def training_job():
        compute_threads.for_training()
        big_convolution()
        return torch.get_num_threads()

    threads, _alive, _before = run_in_thread(training_job)
    assert threads == compute_threads.DEFAULT  # not the 1 a helper set before


def test_the_engine_trains_on_the_default_threads_after_a_helper():
    from cnnviz.core.training import Engine, TrainConfig, events

    run_in_thread(compute_threads.for_helper)
    seen = []
    config = TrainConfig(model="simple", epochs=1, limit_train=640, limit_test=64, device="cpu")
    engine = Engine(config)
    engine.on(events.LOSSES, lambda _payload: seen.append(torch.get_num_threads()))
    run_in_thread(engine.run)
    assert seen and set(seen) == {compute_threads.DEFAULT}


def test_a_job_on_every_core_gets_the_default_threads_and_ends_with_its_thread():
    def from_a_helper():
        compute_threads.for_helper()
        inside = compute_threads.on_every_core(torch.get_num_threads)
        with pytest.raises(ValueError, match="bad input"):
            compute_threads.on_every_core(lambda: (_ for _ in ()).throw(ValueError("bad input")))
        return inside, torch.get_num_threads()

    (inside, after), *_ = run_in_thread(from_a_helper)
    assert inside == compute_threads.DEFAULT  # the job: every default thread
    assert after == 1  # the helper itself: still alone
    assert not [t for t in threading.enumerate() if t.name == "cnnviz-every-core"]
