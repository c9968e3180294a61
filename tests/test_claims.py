"""bpkit.claims and the scan that finds numbers a lesson quotes but never computes."""

import copy
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from bpkit.claims import ClaimError, claim

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import claims as scan  # noqa: E402  (tools/ is not a package)


def notebook(markdown, printed):
    """A two-cell notebook: one Markdown cell, one code cell that printed `printed`."""
    return {
        "cells": [
            {"cell_type": "markdown", "source": markdown, "metadata": {}},
            {
                "cell_type": "code",
                "source": "print(...)",
                "metadata": {},
                "outputs": [{"output_type": "stream", "name": "stdout", "text": printed}],
            },
        ]
    }


def test_claim_prints_a_tick_when_true(capsys):
    """A true claim prints its sentence after a tick."""
    claim(np.float64(1.4) < 2, "backward takes 1.4× forward, below 2×")
    assert capsys.readouterr().out == "✓ backward takes 1.4× forward, below 2×\n"


def test_claim_raises_with_the_sentence_when_false():
    """A false claim raises, naming the sentence, so nbval fails the lesson."""
    with pytest.raises(ClaimError, match="below 2×"):
        claim(np.bool_(False), "backward takes 3.1× forward, below 2×")


def test_claim_refuses_an_array_of_truth_values():
    """An array condition is ambiguous; the error says to use np.all or np.any."""
    with pytest.raises(TypeError, match=r"np\.all"):
        claim(np.array([True, False]), "every entry is small")


def test_scan_flags_a_number_no_output_shows():
    """A percentage quoted in prose but printed nowhere is reported."""
    nb = notebook("The model reaches 42 % accuracy.", "accuracy 0.30\n")
    assert scan.unbacked(nb) == [(0, "42 %")]


@pytest.mark.parametrize(
    ("prose", "printed"),
    [
        ("The model reaches 42 % accuracy.", "accuracy 0.4213\n"),
        ("The model reaches 42 % accuracy.", "accuracy: 42.1%\n"),
        ("The error is off by about 20 %.", "relative error 0.21\n"),
        ("Backward costs 1.43× the forward pass.", "ratio 1.4321\n"),
        ("Every error is below 10⁻⁴.", "max error 1e-04 (all below)\n"),
        ("It has 1,797 images.", "(1797, 64)\n"),
    ],
)
def test_scan_accepts_numbers_an_output_shows(prose, printed):
    """A quoted number is backed by an output that rounds to it (or is near it, for 'about')."""
    assert scan.unbacked(notebook(prose, printed)) == []


@pytest.mark.parametrize(
    "prose",
    [
        "See lesson 05 and Exercise 5.2; step 3 is next.",
        "Two layers, $W \\in \\mathbb{R}^{64 \\times 32}$, and `lr = 0.125`.",
        "A [link](https://example.org/2024/0.5) and $$x^{10} = 1024.5$$.",
        "The 1986 paper made it famous. <!-- facts: 1986 -->",
    ],
)
def test_scan_skips_labels_math_code_and_marked_facts(prose):
    """Labels, LaTeX, code spans, link targets and marked textbook facts are not checked."""
    assert scan.unbacked(notebook(prose, "nothing numeric here\n")) == []


def test_scan_catches_a_number_planted_in_a_real_lesson():
    """Planting an unbacked figure in a stored lesson makes the scan report exactly it."""
    path = ROOT / "lessons" / "05_backpropagation.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    before = scan.unbacked(nb)
    planted = copy.deepcopy(nb)
    index = next(i for i, c in enumerate(planted["cells"]) if c["cell_type"] == "markdown")
    planted["cells"][index]["source"] = "".join(nb["cells"][index]["source"]) + (
        "\n\nOn this machine backward takes 7.31× the forward pass."
    )
    assert sorted(scan.unbacked(planted)) == sorted([*before, (index, "7.31×")])
