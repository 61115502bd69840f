"""Opening the lecture look-alike scripts as models: the check in a child process (Python and
PyTorch start, the file's imports, building, one forward pass) and the build in the app.

Prints, per script, the child's start-up, the file's own code in the child, the whole check,
and the in-app opening that follows (torch and torchvision already imported there, as in the
app). The child's start-up is the price of a time limit that can really stop the file.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

FILES = Path(__file__).resolve().parents[1] / "core" / "model_files"
SCRIPTS = ("lecture_cnn_script.py", "lecture_inception_script.py")


def main(repeats: int = 3) -> None:
    import torchvision  # noqa: F401 - imported in the app by its preload

    from cnnviz.core.models import OpenCheck, load_model_file

    for name in SCRIPTS:
        start_up, own, whole, in_app = [], [], [], []
        for _ in range(repeats):
            check = OpenCheck(FILES / name)
            assert check.wait(300) and check.summary, check.error or check.stopped
            ended = time.monotonic()
            start_up.append(check.code_started_at - check.started_at)
            own.append(ended - check.code_started_at)
            whole.append(ended - check.started_at)
            begin = time.perf_counter()
            model = load_model_file(FILES / name)
            in_app.append(time.perf_counter() - begin)
        print(
            f"{name} ({model.params:,} parameters), median of {repeats}: child start-up "
            f"{statistics.median(start_up):.2f} s, the file's code in the child "
            f"{statistics.median(own):.2f} s, whole check {statistics.median(whole):.2f} s; "
            f"in the app {statistics.median(in_app) * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
