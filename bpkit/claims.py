"""Claims a lesson makes about its own numbers, computed and checked where they are made.

    >>> claim(ratio < 2, f"backward takes {ratio:.2f}× the forward time, less than 2×")
    ✓ backward takes 1.43× the forward time, less than 2×

A claim that stops being true raises ``ClaimError``, so a lesson whose prose and output
disagree fails its test run instead of misleading a learner. ``say`` writes a sentence
from computed values, so a number quoted in prose is the number the code produced.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ClaimError", "claim", "say"]


class ClaimError(AssertionError):
    """A lesson's claim about its own output is no longer true."""


def claim(condition: Any, statement: str) -> None:
    """Print ``✓ statement`` if ``condition`` holds; raise ``ClaimError`` if it does not.

    ``condition`` must be a single truth value (a bool, numpy bool or a size-1 array).
    """
    if not isinstance(statement, str) or not statement.strip():
        raise TypeError(f"claim: statement must be a non-empty sentence, got {statement!r}")
    size = getattr(condition, "size", 1)
    if size != 1:
        raise TypeError(
            f"claim: condition must be one truth value, got an array of {size} values;"
            " wrap it in np.all(...) or np.any(...)"
        )
    if not bool(condition):
        raise ClaimError(
            f"✗ {statement}\nThis claim is no longer true: the code above no longer shows it."
            " Fix the lesson's prose or its code so that they agree."
        )
    print(f"✓ {statement}")


def say(text: str) -> None:
    """Show ``text`` as Markdown in the notebook (use an f-string to quote computed values).

    Outside a notebook it prints the text instead.
    """
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display
    except ImportError:  # plain Python, no IPython installed
        print(text)
        return
    if get_ipython() is None:
        print(text)
    else:
        display(Markdown(text))
