"""``python -m cnnviz`` starts the GUI."""

import sys

from cnnviz.cli import main

sys.exit(main())
