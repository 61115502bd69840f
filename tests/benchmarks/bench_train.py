"""Training speed, side by side in one run, and the window's responsiveness while training.

(a) the lecture's loop: torchvision MNIST + ToTensor + DataLoader, batch 64, the simple net;
(b) cnnviz's engine headless; (t) the same in worker threads, as the app runs it; (c) the
engine driven by the Train page with every live view on.
Targets: b/a ≥ 2.0× samples per second on CPU (≥ 10× on CUDA); c/b ≥ 0.95; a 10 ms QTimer
on the GUI thread late by ≤ 50 ms at the 99th percentile; Stop honoured within 0.5 s.

    python tests/benchmarks/bench_train.py [--device cpu|cuda] [--batches 300] [--arms abtc]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from cnnviz.core.data.mnist import bundled_folder
from cnnviz.core.training import Engine, TrainConfig, pick_device
from cnnviz.models import build


def lecture_loop(device: torch.device, batches: int) -> float:
    """The lecture's training loop as written there, timed over ``batches`` batches."""
    from torchvision import datasets, transforms

    root = Path(tempfile.mkdtemp(prefix="cnnviz-bench-"))
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for gz in bundled_folder().glob("*.gz"):
        with gzip.open(gz) as src, open(raw / gz.stem, "wb") as dst:
            shutil.copyfileobj(src, dst)
    try:
        dataset = datasets.MNIST(
            str(root), train=True, download=False, transform=transforms.ToTensor()
        )
        loader = torch.utils.data.DataLoader(dataset, batch_size=64, shuffle=True)
        torch.manual_seed(1)
        model = build("simple").to(device)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.5)
        model.train()
        seen, start = 0, None
        for batch_idx, (data, target) in enumerate(loader):
            if batch_idx == 20:  # warm-up done
                seen, start = 0, time.perf_counter()
            data, target = data.to(device), target.to(device)
            optimizer.zero_grad()
            output = model(data)
            loss = F.nll_loss(output, target)
            loss.backward()
            optimizer.step()
            if batch_idx % 10 == 0:
                loss.item()  # the lecture prints loss.data[0] every 10 batches
            seen += len(data)
            if batch_idx == 20 + batches:
                break
        if device.type == "cuda":
            torch.cuda.synchronize()
        return seen / (time.perf_counter() - start)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def config(device: str, batches: int, **extra) -> TrainConfig:
    return TrainConfig(
        model="simple",
        epochs=1,
        limit_train=64 * batches,
        limit_test=1000,
        device=device,
        snapshot_every=0,
        **extra,
    )


def engine_headless(device: str, batches: int) -> float:
    Engine(config(device, 20)).run()  # warm-up
    engine = Engine(config(device, batches))
    engine.run()
    return engine.history["epochs"][-1]["samples_per_second"]


def engine_in_threads(device: str, batches: int) -> float:
    """(t) the engine headless, but as the app runs it: a warm-up run in one thread, the
    measured run in another (each run of the Train page has its own QThread). Set beside
    (c) it shows what the page's live views cost; set beside (b), what a thread costs."""
    import threading

    rates = []

    def one(n: int) -> None:
        engine = Engine(config(device, n))
        engine.run()
        rates.append(engine.history["epochs"][-1]["samples_per_second"])

    for n in (20, batches):
        thread = threading.Thread(target=one, args=(n,))
        thread.start()
        thread.join()
    return rates[-1]


def engine_in_page(device: str, batches: int) -> tuple[float, list[float], float]:
    """(samples/s with every live view on, GUI timer lateness in ms, Stop latency in s)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop, QTimer

    from cnnviz.gui.app import staged_window
    from cnnviz.gui.pages.train_page import TrainPage

    app, window = staged_window()  # noqa: F841 (the app is kept alive for the run)
    page = window.show_page(TrainPage)
    page.form.model_box.setCurrentText("simple")
    lateness: list[float] = []
    last = [time.perf_counter()]

    def tick():
        now = time.perf_counter()
        lateness.append(max(0.0, (now - last[0]) * 1000 - 10))
        last[0] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    live = dict(
        snapshot_every=page.config().snapshot_every, snapshot_seconds=page.config().snapshot_seconds
    )
    cfg = config(device, batches)
    cfg.snapshot_every, cfg.snapshot_seconds = live["snapshot_every"], live["snapshot_seconds"]

    def run_until(condition) -> None:
        loop = QEventLoop()
        poll = QTimer()
        poll.timeout.connect(lambda: loop.quit() if condition() else None)
        poll.start(20)
        loop.exec()
        poll.stop()

    page.start(config(device, 20))  # warm-up, as for (b)
    run_until(lambda: page.ended)
    page.start(cfg)  # (c): every live view on, nothing else running in the GUI thread
    run_until(lambda: page.ended)
    rate = page.engine.history["epochs"][-1]["samples_per_second"]
    page.start(cfg)  # the same run again, now with the 10 ms timer measuring lateness
    last[0] = time.perf_counter()
    timer.start()
    run_until(lambda: page.ended)
    timer.stop()
    page.start(TrainConfig(model="simple", epochs=50, device=device))
    run_until(lambda: len(page.losses) >= 30)
    pressed = time.perf_counter()
    page.stop()
    page.run.thread.wait()
    stop_seconds = time.perf_counter() - pressed
    from closing import close_window  # beside this script

    close_window(window)
    return rate, lateness, stop_seconds


def arm(name: str, device: str, batches: int) -> dict:
    """One arm in its own process, so that thread pools of one do not slow another."""
    out = subprocess.run(
        [sys.executable, __file__, "--arm", name, "--device", device, "--batches", str(batches)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="auto")
    parser.add_argument("--batches", type=int, default=300)
    parser.add_argument("--arm", choices=("a", "b", "t", "c"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--arms",
        default="abtc",
        help="which arms to run (default abtc; abt on a machine without Qt: a GPU server)",
    )
    args = parser.parse_args()
    device = pick_device(args.device)
    if args.arm == "a":
        print(json.dumps({"rate": lecture_loop(device, args.batches)}))
        return
    if args.arm == "b":
        print(json.dumps({"rate": engine_headless(device.type, args.batches)}))
        return
    if args.arm == "t":
        print(json.dumps({"rate": engine_in_threads(device.type, args.batches)}))
        return
    if args.arm == "c":
        rate, lateness, stop_s = engine_in_page(device.type, args.batches)
        print(json.dumps({"rate": rate, "lateness": lateness, "stop": stop_s}))
        return
    name = (
        torch.cuda.get_device_name(device)
        if device.type == "cuda"
        else f"CPU, {torch.get_num_threads()} threads"
    )
    print(
        f"device: {device.type} ({name}); torch {torch.__version__}; {args.batches} batches of 64"
    )
    runs: dict[str, list] = {key: [] for key in "abtc" if key in args.arms}
    lateness, stops = [], []
    # interleaved, so that drift of the machine hits all arms; the order reverses every other
    # round, so that no arm always runs right after another (the rounds' ratios are paired)
    for round_ in range(args.rounds):
        for key in list(runs)[:: 1 if round_ % 2 == 0 else -1]:
            result = arm(key, device.type, args.batches)
            runs[key].append(result["rate"])
            if key == "c":
                lateness += result["lateness"]
                stops.append(result["stop"])
    med = {key: float(np.median(vals)) for key, vals in runs.items()}
    print(
        "per round (samples/s): "
        + "; ".join(f"{k}: " + ", ".join(f"{v:,.0f}" for v in vals) for k, vals in runs.items())
    )
    print(f"medians of {args.rounds} rounds:")
    labels = {
        "a": "(a) lecture loop (torchvision + DataLoader)",
        "b": "(b) cnnviz engine, headless",
        "t": "(t) the engine headless in worker threads",
        "c": "(c) engine driven by the Train page, live",
    }
    for key, rate in med.items():
        print(f"{labels[key]:46s}{rate:10,.0f} samples/s")
    if {"a", "b"} <= med.keys():
        target_ba = 10.0 if device.type == "cuda" else 2.0
        ratio = med["b"] / med["a"]
        print(
            f"b/a = {ratio:5.2f}×  (target ≥ {target_ba:g}×: "
            f"{'met' if ratio >= target_ba else 'NOT met'})"
        )
    if {"b", "c"} <= med.keys():
        own = [cr / br for cr, br in zip(runs["c"], runs["b"], strict=True)]
        ratio = med["c"] / med["b"]
        print(
            f"c/b = {ratio:5.2f}   (target ≥ 0.95: {'met' if ratio >= 0.95 else 'NOT met'}); "
            f"median of the rounds' own c/b: {float(np.median(own)):.2f} "
            f"(range {min(own):.2f}–{max(own):.2f})"
        )
    if {"b", "t"} <= med.keys():
        print(f"t/b = {med['t'] / med['b']:5.2f}   (the cost of training in a thread of its own)")
    if {"c", "t"} <= med.keys():
        print(f"c/t = {med['c'] / med['t']:5.2f}   (the cost of the page and its live views)")
    if lateness:
        p50, p99 = np.percentile(lateness, 50), np.percentile(lateness, 99)
        print(
            f"10 ms GUI timer lateness while training: p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
            f"max {max(lateness):.1f} ms over {len(lateness)} ticks "
            f"(target p99 ≤ 50 ms: {'met' if p99 <= 50 else 'NOT met'})"
        )
        stop_s = max(stops)
        print(
            f"Stop → thread finished, worst of {len(stops)}: {stop_s * 1000:.0f} ms "
            f"(target ≤ 500 ms: {'met' if stop_s <= 0.5 else 'NOT met'})"
        )


if __name__ == "__main__":
    main()
