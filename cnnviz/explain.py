"""Public tracing API: ``from cnnviz.explain import trace_forward, explain_unit,
receptive_field``.

Torch inside, numpy out: every output of the forward pass for one image, the input pixels a
unit depends on, and a unit's arithmetic written out with the trained numbers.
"""

from cnnviz.core.explain import *  # noqa: F401,F403
from cnnviz.core.explain import __all__  # noqa: F401
