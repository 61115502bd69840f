"""The ``cnnviz`` command: the GUI by default, ``cnnviz train ...`` headless."""

from __future__ import annotations

import sys


def main(argv=None) -> int:
    """Entry point of ``cnnviz`` and ``python -m cnnviz``."""
    import multiprocessing

    # In a frozen app the process that checks an opened model file is this executable
    # again: it must run the check and exit, not start a second window.
    multiprocessing.freeze_support()
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] == "train":
        from cnnviz.train_cli import OneLineParser, add_arguments, run

        parser = OneLineParser(
            prog="cnnviz train",
            description="Train a model of the zoo (or of your own .py file, --model-file) "
            "on MNIST (bundled), FashionMNIST, KMNIST, CIFAR-10 or your own images and "
            "print the lecture's log.",
        )
        add_arguments(parser)
        return run(parser.parse_args(argv[1:]), parser)
    if argv and argv[0] == "export":
        from cnnviz.export_cli import run as run_export

        return run_export(argv[1:])
    if argv and argv[0] == "quiz":
        from cnnviz.quiz_cli import run as run_quiz

        return run_quiz(argv[1:])
    if argv and argv[0] in ("--version", "-V"):
        from cnnviz import __version__

        print(f"cnnviz {__version__}")
        return 0
    if argv and argv[0] in ("--help", "-h"):
        print(
            "usage: cnnviz [--version | --self-test] [LESSON.cnnviz] | cnnviz train --help"
            " | cnnviz export --help | cnnviz quiz --help\n\n"
            "Starts the cnnviz window (opening a lesson file if given); `cnnviz train ...`\n"
            "trains headless; `cnnviz export ...` writes a step-through as GIF, MP4 or PNGs;\n"
            "`cnnviz quiz TOPIC` asks practice questions in the terminal and prints the score;\n"
            "--self-test opens the window, builds every page, prints what it saw and quits\n"
            "(to check an installed or frozen app)."
        )
        return 0
    from cnnviz.gui.platform_check import xcb_problem

    problem = xcb_problem()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    from cnnviz.gui.app import run as run_gui

    self_test = "--self-test" in argv
    argv = [a for a in argv if a != "--self-test"]
    return run_gui([sys.argv[0]] + argv, self_test=self_test)


if __name__ == "__main__":
    sys.exit(main())
