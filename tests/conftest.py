"""Shared test set-up: a headless matplotlib backend and a hypothesis profile for 2 cores."""

import matplotlib
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")

# The CI machine has 2 noisy cores: no per-example deadline, and a moderate example count.
settings.register_profile(
    "bpkit", deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("bpkit")
