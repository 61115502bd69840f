"""Stop latency: the time from ``Engine.stop()`` to ``run()`` returning, at each point of a run.

Points: during set-up (the first read of MNIST included), while training, while paused and
while evaluating, for the lecture's ``simple`` net and a bigger one (``densenet`` by default),
on the CPU unless told otherwise. The stop comes at a random moment inside each phase.
Target: ≤ 0.5 s at every point (max over the trials).

    python tests/benchmarks/bench_stop.py [--models simple densenet] [--trials 5]
                                          [--device cpu]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from cnnviz.core.data import mnist  # noqa: E402
from cnnviz.core.training import Engine, TrainConfig, events  # noqa: E402

TARGET = 0.5
POINTS = ("set-up", "training", "paused", "evaluating")


def config(model: str, device: str, point: str) -> TrainConfig:
    # Evaluating: a short epoch, then a test set that takes a while on the bigger models.
    limit_train = 64 * 3 if point == "evaluating" else 64 * 200
    return TrainConfig(
        model=model,
        epochs=2,
        limit_train=limit_train,
        limit_test=2000,
        test_batch_size=1000,
        device=device,
        snapshot_every=0,
        seed=1,
    )


class Run:
    """An engine running in a thread, with the moment its run() returned."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.returned = 0.0
        self.thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        self.engine.run()
        self.returned = time.perf_counter()

    def stop_and_time(self) -> float:
        asked = time.perf_counter()
        self.engine.stop()
        self.thread.join(600)
        return self.returned - asked


def wait(condition, seconds: float = 600.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the run never reached the point to measure")
        time.sleep(0.002)


def one_trial(model: str, device: str, point: str, rng: random.Random) -> float:
    engine = Engine(config(model, device, point))
    started, testing = threading.Event(), threading.Event()
    engine.on(events.STARTED, lambda p: started.set())

    def watch_eval(module, _inputs, _output):
        if not module.training:
            testing.set()

    engine.on(events.STARTED, lambda p: engine.model.register_forward_hook(watch_eval))
    if point == "set-up":
        with mnist._REMEMBERED_LOCK:  # a first read, as in a fresh app
            mnist._REMEMBERED.clear()
    run = Run(engine)
    run.thread.start()
    if point == "set-up":
        time.sleep(rng.uniform(0.0, 0.35))
        if started.is_set():  # set-up was quicker than the sleep: measure again
            run.stop_and_time()
            return one_trial(model, device, point, rng)
    elif point == "training":
        wait(lambda: engine.step >= 2)
        time.sleep(rng.uniform(0.0, 0.3))
    elif point == "paused":
        wait(lambda: engine.step >= 1)
        engine.pause()
        time.sleep(rng.uniform(0.05, 0.3))
    else:
        wait(testing.is_set)
        time.sleep(rng.uniform(0.0, 0.3))
    return run.stop_and_time()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["simple", "densenet"])
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    import torch

    print(
        f"stop latency (stop() → run() returns), {args.trials} trials per point, "
        f"device {args.device}, torch {torch.__version__}, {torch.get_num_threads()} threads"
    )
    print(f"{'model':<10} {'point':<11} {'p50 s':>7} {'max s':>7}  target ≤ {TARGET} s")
    worst = 0.0
    for model in args.models:
        for point in POINTS:
            times = [one_trial(model, args.device, point, rng) for _ in range(args.trials)]
            worst = max(worst, max(times))
            verdict = "ok" if max(times) <= TARGET else "SLOW"
            print(
                f"{model:<10} {point:<11} {statistics.median(times):7.3f} "
                f"{max(times):7.3f}  {verdict}",
                flush=True,
            )
    print(f"worst {worst:.3f} s: {'within' if worst <= TARGET else 'over'} the {TARGET} s target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
