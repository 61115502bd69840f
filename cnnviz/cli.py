"""The ``cnnviz`` command: starts the GUI."""

from __future__ import annotations

import argparse
import sys


def main(argv=None) -> int:
    """Entry point of ``cnnviz`` and ``python -m cnnviz``."""
    parser = argparse.ArgumentParser(
        prog="cnnviz", description="Convolutional neural networks, step by step.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    args, qt_args = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    if args.version:
        from cnnviz import __version__

        print(f"cnnviz {__version__}")
        return 0
    from cnnviz.gui.app import run

    return run([sys.argv[0]] + qt_args)


if __name__ == "__main__":
    sys.exit(main())
