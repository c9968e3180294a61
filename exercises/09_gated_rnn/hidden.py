"""Hidden grading cases for exercise 09 (gated recurrence). Instructor only."""

from __future__ import annotations

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


def grading_cases() -> list[dict]:
    opts = {"rtol": 1e-7, "atol": 1e-10}
    cases = []
    for seed, T, batch, n_in, n_hidden in [(90, 6, 3, 2, 4), (91, 1, 4, 1, 1), (92, 10, 2, 3, 3)]:
        sizes = {"seed": seed, "T": T, "batch": batch, "n_in": n_in, "n_hidden": n_hidden}
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
