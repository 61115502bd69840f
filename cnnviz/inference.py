"""Public inference API:
``from cnnviz.inference import preprocess, predict, load_default_model``."""

from cnnviz.core.inference import *  # noqa: F401,F403
from cnnviz.core.inference import __all__  # noqa: F401
