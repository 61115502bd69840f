"""Attribution and adversarial digits on this CPU with the shipped `simple` model.

    python tests/benchmarks/bench_attribution.py [--samples 100] [--no-robustness]

Prints p50 / p95 of each map on test digits against issue 12's targets (saliency and
Grad-CAM ≤ 50 ms, occlusion 7×7 stride 7 ≤ 200 ms, integrated gradients with 50 steps
≤ 300 ms, an FGSM image and its probabilities (what one ε-slider move costs in the worker)
≤ 30 ms), then the test-set figures quoted in the README: accuracy and fooled fraction under
FGSM at ε = 0.1, 0.2, 0.3 on all 10,000 test images, and how often targeted PGD makes a digit
say the next class.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch


def timed(fn, images, labels, samples: int) -> tuple[float, float]:
    times = []
    for i in range(samples):
        image, label = images[i % len(images)], int(labels[i % len(labels)])
        start = time.perf_counter()
        fn(image, label)
        times.append((time.perf_counter() - start) * 1000)
    return float(np.percentile(times, 50)), float(np.percentile(times, 95))


def speed(model, images, labels, samples: int) -> None:
    from cnnviz.attribution import fgsm, grad_cam, integrated_gradients, occlusion, saliency
    from cnnviz.inference import predict

    cases = [
        ("saliency", lambda im, y: saliency(model, im, y), 50),
        ("Grad-CAM conv2", lambda im, y: grad_cam(model, im, y, layer="conv2"), 50),
        ("Grad-CAM conv1", lambda im, y: grad_cam(model, im, y, layer="conv1"), 50),
        ("occlusion 7×7 stride 7", lambda im, y: occlusion(model, im, y, window=7, stride=7), 200),
        ("occlusion 5×5 stride 1", lambda im, y: occlusion(model, im, y, window=5, stride=1), 200),
        ("integrated gradients 50", lambda im, y: integrated_gradients(model, im, y), 300),
        ("FGSM ε=0.1 + probabilities", lambda im, y: predict(model, fgsm(model, im, y, 0.1)), 30),
    ]
    for name, fn, target in cases:
        fn(images[0], int(labels[0]))  # warm up
        p50, p95 = timed(fn, images, labels, samples)
        verdict = "met" if p95 <= target else "NOT met"
        print(
            f"{name:28s} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  "
            f"(target p95 ≤ {target} ms: {verdict})"
        )


def robustness(model, test) -> None:
    from cnnviz.attribution import fgsm_robustness, pgd
    from cnnviz.inference import predict

    start = time.perf_counter()
    result = fgsm_robustness(model, test.images, test.labels, [0.0, 0.1, 0.2, 0.3])
    seconds = time.perf_counter() - start
    print(f"\nFGSM on all {result.images} test images ({seconds:.1f} s):")
    for eps, accuracy, fooled in zip(result.eps, result.accuracy, result.fooled):
        print(
            f"  ε = {eps:.1f}: accuracy {100 * accuracy:5.1f}%, fooled "
            f"{100 * fooled:5.1f}% of the digits it had right"
        )
    count = 200
    for eps in (0.1, 0.2, 0.3):
        start = time.perf_counter()
        hits = 0
        for i in range(count):
            image = test.images[i].float().numpy() / 255.0
            target = (int(test.labels[i]) + 1) % 10
            adversarial = pgd(model, image, target, eps, 40)
            hits += int(predict(model, adversarial)[0].argmax() == target)
        seconds = time.perf_counter() - start
        print(
            f"  targeted PGD (40 steps) ε = {eps:.1f}, 'say label+1': {100 * hits / count:5.1f}% "
            f"of the first {count} test digits ({1000 * seconds / count:.0f} ms each)"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--no-robustness", action="store_true")
    args = parser.parse_args()
    from cnnviz.core.data import load_mnist
    from cnnviz.inference import load_default_model

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    model = load_default_model()
    test = load_mnist("test")
    images = test.images[:200].float().numpy() / 255.0
    speed(model, images, test.labels[:200].numpy(), args.samples)
    if not args.no_robustness:
        robustness(model, test)


if __name__ == "__main__":
    main()
