"""``python -m cnnviz`` starts the GUI."""

import sys

from cnnviz.cli import main

if __name__ == "__main__":  # not when a checking process imports the main module again
    sys.exit(main())
