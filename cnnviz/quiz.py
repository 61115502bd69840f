"""Public quiz API: ``from cnnviz.quiz import topics, generate, check``.

Questions about convolution and pooling (output sizes, cells, parameters, multiply-adds,
receptive fields), seeded, checked leniently and explained with their arithmetic.
"""

from cnnviz.core.quiz import *  # noqa: F401,F403
from cnnviz.core.quiz import __all__  # noqa: F401
