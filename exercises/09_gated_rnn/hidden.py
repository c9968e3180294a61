"""Hidden grading cases for exercise 09 (gated recurrence). Instructor only."""

from __future__ import annotations

from bpkit.check.exercises import sibling

cases_module = sibling(__file__, "cases")

POINTS = {
    "lstm_step_forward": 2,
    "lstm_step_backward": 3,
    "lstm_backward": 4,
    "gru_step_backward": 3,
}


DRIVER = {
    "lstm_step_forward": "lstm_step_outputs",
    "lstm_step_backward": "lstm_step_gradients",
    "lstm_backward": "lstm_sequence_gradients",
    "gru_step_backward": "gru_step_gradients",
}


FIXED = [(90, 6, 3, 2, 4), (91, 1, 4, 1, 1), (92, 10, 2, 3, 3)]


def grading_cases(seed: int | None = None) -> list[dict]:
    """Hidden cases; a variant (``seed``) gets problems of its own, as in ``cases.sizes``."""
    opts = {"rtol": 1e-7, "atol": 1e-10}
    cases = []
    if seed is None:
        problems = [dict(zip(cases_module.SIZE_NAMES, row, strict=True)) for row in FIXED]
    else:
        problems = cases_module.sizes(seed, "sequence", 1)
    for sizes in problems:
        for function, driver in DRIVER.items():
            cases.append(
                {
                    "function": function,
                    "driver": driver,
                    "compare": "allclose",
                    "options": opts,
                    "kwargs": sizes,
                }
            )
    return cases
