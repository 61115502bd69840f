"""Public arithmetic API: ``from cnnviz.ops import conv2d, pool2d, conv2d_steps, ...``.

Numpy only; the numbers are those of ``torch.nn.functional`` (torch is the tests' oracle,
never imported here).
"""

from cnnviz.core.ops import *  # noqa: F401,F403
from cnnviz.core.ops import __all__  # noqa: F401
