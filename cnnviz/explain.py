"""Public tracing API: ``from cnnviz.explain import trace_forward, explain_unit,
receptive_field``, and the backward pass: ``gradients, explain_gradient, sgd_step,
batch_shares, losses``.

Torch inside, numpy out: every output of the forward pass for one image, the input pixels a
unit depends on, and a unit's arithmetic written out with the trained numbers; the loss of
one image and its label, ∂L/∂ every output and parameter with a gradient unit's terms by the
chain rule, and one optimiser step on a mini-batch.
"""

from cnnviz.core.explain import *  # noqa: F401,F403
from cnnviz.core.explain import __all__  # noqa: F401
