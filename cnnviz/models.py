"""Public model zoo API: ``from cnnviz.models import available, build``."""

from cnnviz.core.models import *  # noqa: F401,F403
from cnnviz.core.models import __all__  # noqa: F401
