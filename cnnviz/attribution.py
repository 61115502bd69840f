"""Public attribution API: ``from cnnviz.attribution import saliency, occlusion, fgsm``."""

from cnnviz.core.attribution import *  # noqa: F401,F403
from cnnviz.core.attribution import __all__  # noqa: F401
