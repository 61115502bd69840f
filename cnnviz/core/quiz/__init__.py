"""Quiz questions about convolution and pooling: generated, seeded, checked and explained.

Qt-free and torch-free: every answer comes from the project's own arithmetic
(cnnviz.core.ops); the tests check each against PyTorch.

- :func:`topics`, :func:`generate` (seeded sets rising in difficulty), :func:`check`;
- the builders a page calls with its own settings, so that it asks about what it shows:
  :func:`output_shape_question`, :func:`cell_question`, :func:`winner_question`,
  :func:`parameters_question`, :func:`multiply_adds_question`,
  :func:`receptive_field_question`, :func:`known_field_question` (a field the page has
  traced already), :func:`gradient_cell_question`, :func:`route_question`,
  :func:`class_question` (what a network will say, from its probabilities).

Positions (``Question.cell``, a winner's or a field's ``answer``) count from 0, as PyTorch
indexes; every text a student reads, and a typed answer, counts rows and columns from 1.
"""

from .answers import AnswerError, check, parse_answer
from .classes import class_question
from .counts import multiply_adds_question, parameters_question
from .fields import receptive_field_question
from .generate import generate, level_of, topic_title, topics
from .gradients import GRAD_INPUT, GRAD_WEIGHT, gradient_cell_question, route_question
from .known_fields import known_field_question
from .question import ASKS, Question, details
from .sizes import output_shape_question
from .values import cell_question, winner_question

__all__ = [
    "ASKS",
    "AnswerError",
    "GRAD_INPUT",
    "GRAD_WEIGHT",
    "Question",
    "cell_question",
    "class_question",
    "check",
    "details",
    "generate",
    "gradient_cell_question",
    "known_field_question",
    "level_of",
    "multiply_adds_question",
    "output_shape_question",
    "parameters_question",
    "parse_answer",
    "receptive_field_question",
    "route_question",
    "topic_title",
    "topics",
    "winner_question",
]
