"""``cnnviz quiz TOPIC``: questions in the terminal, answers from stdin, the score at the
end."""

from __future__ import annotations

import argparse
import random
import sys
from typing import TextIO

from cnnviz.quiz import check, generate, topic_title, topics


def _topic_lines() -> str:
    return "\n".join(f"  {topic:<18} {topic_title(topic)}" for topic in topics())


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="cnnviz quiz",
        description="Practice in the terminal: generated questions on a topic, rising in "
        "difficulty; type each answer (6x6, 1,234, 1.25, ...) and read the arithmetic.",
        epilog="topics:\n" + _topic_lines(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("topic", help="one of the topics below")
    p.add_argument("-n", type=int, default=10, help="how many questions (10)")
    p.add_argument("--seed", type=int, help="the same seed asks the same questions")
    return p


def run(argv, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Run ``cnnviz quiz``; returns the exit code (2 for an unknown topic)."""
    stdin = sys.stdin if stdin is None else stdin
    out = sys.stdout if stdout is None else stdout
    args = parser().parse_args(argv)
    if args.topic not in topics():
        print(f"cnnviz quiz: unknown topic {args.topic!r}; the topics are:", file=sys.stderr)
        print(_topic_lines(), file=sys.stderr)
        return 2
    if args.n < 1:
        print("cnnviz quiz: -n must be at least 1", file=sys.stderr)
        return 2
    seed = random.randrange(10_000) if args.seed is None else args.seed
    questions = generate(args.topic, seed, args.n)
    print(
        f"{topic_title(args.topic)}: {len(questions)} questions (seed {seed}; "
        f"--seed {seed} asks them again)",
        file=out,
    )
    right = asked = 0
    for number, question in enumerate(questions, 1):
        print(f"\nQuestion {number} of {len(questions)}\n{question.prompt}", file=out)
        if question.details():
            print(question.details(), file=out)
        print("> ", end="", file=out, flush=True)
        line = stdin.readline()
        if not line:  # end of input: score what was answered
            print("\n(no more answers)", file=out)
            break
        asked += 1
        correct, explanation = check(question, line.strip())
        right += correct
        print(explanation, file=out)  # it begins "Right:" or says what was wrong
    unanswered = f" ({len(questions) - asked} not answered)" if asked < len(questions) else ""
    print(f"\nScore: {right} of {asked}{unanswered}", file=out)
    return 0
