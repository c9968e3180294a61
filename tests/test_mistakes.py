"""The mistake corpus: every wrong version fails ``check``, and its feedback names the mistake
without handing over the answer (issue: exercise feedback a learner can trust)."""

from __future__ import annotations

import contextlib
import io
import re
import sys
from pathlib import Path

import pytest

from bpkit.check import check

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mistakes import ex01_04, ex05_08, ex06_07, ex09

FILES = [ex01_04, ex05_08, ex06_07, ex09]
CORPUS = [{"named": named, "code": code} for f in FILES for named, code in f.MISTAKES]
ANSWERS = {name: phrases for f in FILES for name, phrases in f.ANSWERS.items()}
NAME = re.compile(r"^def (\w+)", re.MULTILINE)


def graded(code: str) -> str:
    """The graded function a corpus entry defines: its last top-level ``def``."""
    return NAME.findall(code)[-1]


def function_of(code: str):
    space: dict = {}
    exec(compile(code, "<mistake>", "exec"), space)
    return space[graded(code)]


def feedback(code: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        check(function_of(code))
    return out.getvalue()


IDS = [f"{graded(e['code'])}-{i}" for i, e in enumerate(CORPUS)]


@pytest.mark.parametrize("entry", CORPUS, ids=IDS)
def test_a_wrong_version_fails_and_its_mistake_is_named(entry):
    text = feedback(entry["code"])
    assert not text.startswith("✓"), f"a wrong version passed:\n{entry['code']}\n{text}"
    lowered = text.lower()
    missing = [word for word in entry["named"] if word.lower() not in lowered]
    assert not missing, f"feedback does not name the mistake ({missing}):\n{text}"


@pytest.mark.parametrize("entry", CORPUS, ids=IDS)
def test_no_feedback_hands_over_the_answer(entry):
    name = graded(entry["code"])
    lowered = feedback(entry["code"]).lower()
    given = [phrase for phrase in ANSWERS.get(name, []) if phrase.lower() in lowered]
    assert not given, f"the feedback gives the answer away ({given}) for:\n{entry['code']}"


def test_every_graded_function_in_the_corpus_has_three_mistakes():
    counts: dict[str, int] = {}
    for entry in CORPUS:
        name = graded(entry["code"])
        counts[name] = counts.get(name, 0) + 1
    few = {name: n for name, n in counts.items() if n < 3}
    assert len(counts) >= 23, counts
    assert not few, few
