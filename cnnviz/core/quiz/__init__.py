"""Quiz questions about convolution and pooling: generated, seeded, checked and explained.

Qt-free and torch-free: every answer comes from the project's own arithmetic
(cnnviz.core.ops); the tests check each against PyTorch.
"""

from .answers import AnswerError, check, parse_answer
from .question import ASKS, Question
from .sizes import output_shape_question
from .values import cell_question, winner_question

__all__ = [
    "ASKS",
    "AnswerError",
    "Question",
    "cell_question",
    "check",
    "output_shape_question",
    "parse_answer",
    "winner_question",
]
