"""The backward pass's core on this CPU (no drawing): what the training-step page waits for.

- backward: a new image → ``gradients`` (the forward trace, the loss, ∂L/∂ every traced output
  and parameter) of the lecture's simple net (trained) and of the Inception net. The page's
  target, with drawing, is p95 ≤ 150 ms.
- explain: a click on a gradient unit → ``BackwardTrace.explain`` from the numbers in hand
  (random units of random nodes; a weight cell every fifth click). Target p95 ≤ 50 ms.
- step: ``sgd_step`` on a batch of 64 (a copy of the model, one SGD step with momentum, the
  loss before and after). Target p95 ≤ 300 ms.
Printed beside the bare forward + backward of the same net in torch (``loss.backward()``).
torch runs one thread, as in the app's compute thread (``--threads N`` to change it).
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))


def _p(values, q) -> float:
    return float(np.percentile(values, q))


def _line(what: str, values, target: float) -> str:
    p95 = _p(values, 95)
    verdict = "met" if p95 <= target else "NOT met"
    return (
        f"{what:34s} p50 {_p(values, 50):7.2f} ms  p95 {p95:7.2f} ms  "
        f"(target ≤ {target:g} ms: {verdict})"
    )


def _bare(model, image, target: int) -> list[float]:
    """Forward and ``loss.backward()`` in torch alone, for scale."""
    import torch
    import torch.nn.functional as F

    from cnnviz.core.inference import MNIST_INFO

    x = torch.from_numpy((image - MNIST_INFO.mean) / MNIST_INFO.std).float()[None]
    times = []
    for _ in range(30):
        start = time.perf_counter()
        loss = F.cross_entropy(model(x), torch.tensor([target]))
        loss.backward()
        model.zero_grad(set_to_none=True)
        times.append((time.perf_counter() - start) * 1000)
    return times


def bench(name: str, model, runs: int = 30, clicks: int = 200) -> None:
    from cnnviz.core.inference import MNIST_INFO
    from cnnviz.explain import gradients, sgd_step

    rng = np.random.default_rng(0)
    images = rng.random((runs + 1, 1, 28, 28)).astype(np.float32)
    gradients(model, images[-1], 0, MNIST_INFO)  # torch.fx traces the model once
    backward = []
    for i in range(runs):
        start = time.perf_counter()
        back = gradients(model, images[i], i % 10, MNIST_INFO)
        backward.append((time.perf_counter() - start) * 1000)
    nodes = back.trace.nodes
    weights = [n for n, v in back.parameters.items() if v.ndim >= 1]
    explain = []
    for k in range(clicks):
        node = nodes[int(rng.integers(len(nodes)))]
        start = time.perf_counter()
        if k % 5 == 4:
            param = weights[int(rng.integers(len(weights)))]
            shape = back.parameters[param].shape
            back.explain_parameter(param, tuple(int(rng.integers(s)) for s in shape))
        elif node.is_map:
            c, h, w = node.shape
            back.explain(
                node.index, int(rng.integers(c)), int(rng.integers(h)), int(rng.integers(w))
            )
        else:
            back.explain(node.index, int(rng.integers(node.value.size)))
        explain.append((time.perf_counter() - start) * 1000)
    batch = rng.random((64, 1, 28, 28)).astype(np.float32)
    labels = rng.integers(0, 10, 64)
    start = time.perf_counter()  # the process's first optimiser imports torch._dynamo
    sgd_step(model, batch, labels, MNIST_INFO, 0.01, 0.5)
    first = (time.perf_counter() - start) * 1000
    step, buffer = [], None
    for _ in range(30):
        start = time.perf_counter()
        result = sgd_step(model, batch, labels, MNIST_INFO, 0.01, 0.5, buffer)
        buffer = result.momentum_buffer
        step.append((time.perf_counter() - start) * 1000)
    bare = _bare(model, images[0], 3)
    print(f"{name} ({len(nodes)} nodes, {sum(v.size for v in back.parameters.values())} weights)")
    print("  " + _line("backward (gradients) of an image", backward, 150))
    print("  " + _line("explain a gradient unit or weight", explain, 50))
    print("  " + _line("sgd_step on a batch of 64", step, 300) + f"  first {first:.0f} ms")
    print(f"  {'bare torch forward + backward':34s} p50 {_p(bare, 50):7.1f} ms")


def main() -> None:
    import argparse

    import torch

    from cnnviz.core.inference import load_default_model
    from cnnviz.core.models import build

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="torch threads (the app: 1)")
    torch.set_num_threads(parser.parse_args().threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    bench("simple (trained)", load_default_model().eval())
    torch.manual_seed(0)
    bench("inception", build("inception").eval())


if __name__ == "__main__":
    main()
