"""Find numbers that a lesson's prose quotes but none of its outputs shows.

    python tools/claims.py lessons/05_backpropagation.ipynb     # list unbacked numbers
    python tools/claims.py lessons/*.ipynb

The rule (README, Contributing): a number in a Markdown cell is *backed* when a code cell's
stored output in the same notebook shows it (rounded as the prose rounds it), or when the
cell marks it as a textbook fact or a definition with an HTML comment, which readers do
not see: ``<!-- facts: 2×, 1986 -->``. Measured results are never marked: print them, or
write the sentence from the values with ``bpkit.claims.say``.

What counts as a number here (a heuristic, tuned to catch quantities, not labels):
decimals (``0.18``), percentages (``42 %``), factors (``2×``, ``×3``), powers of ten
(``10⁻⁴``, ``1e-4``) and integers of 10 or more. Integers below 10 ("two layers",
"step 3"), zero-padded labels (``lesson 05``), numbers after words such as *Exercise*,
*lesson*, *step*, and everything inside LaTeX (``$...$``), code spans and links is skipped.
"""

from __future__ import annotations

import json
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
SUP = "⁰¹²³⁴⁵⁶⁷⁸⁹"
APPROX = re.compile(r"(about|≈|~|around|roughly|nearly|almost|some|circa)\s*$", re.IGNORECASE)
LABEL_WORDS = re.compile(
    r"(exercise|exercises|lesson|lessons|step|steps|section|figure|cell|example|python|"
    r"version|chapter|part|§|#|mnist|cifar|ptb)\s*$",
    re.IGNORECASE,
)
NUMBER = re.compile(
    rf"""
    (?<![\w.⁻])
    (?:(?P<mult_before>×\s?))?
    (?P<num>\d+(?:,\d{{3}})*(?:\.\d+)?)
    (?:
        (?P<sci>[eE][-+]?\d+)
      | \s?×\s?10(?P<times_pow>[⁻⁺]?[{SUP}]+)
      | (?P<pow>[⁻⁺]?[{SUP}]+)
    )?
    (?P<pct>\s?%)?
    (?P<mult_after>\s?×)?
    (?![\w.]\d)
    """,
    re.VERBOSE,
)
OUTPUT_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:,\d{3})*(?:\.\d+)?(?:[eE][-+]?\d+)?")
FACTS = re.compile(r"<!--\s*facts?\s*:(?P<list>.*?)-->", re.DOTALL)


@dataclass(frozen=True)
class Quoted:
    """A number quoted in prose: its text, value, and the rounding the prose used."""

    text: str
    value: float
    decimals: int  # digits after the point; for powers of ten, the exponent's resolution
    percent: bool
    approx: bool
    power: bool  # written as a power of ten or in e-notation


def strip_non_prose(markdown: str) -> str:
    """Drop what is not prose: comments, LaTeX, code, link targets, images, HTML tags."""
    text = FACTS.sub(" ", markdown)
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.DOTALL)
    text = re.sub(r"```.*?```", " ", text, flags=re.DOTALL)
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.DOTALL)
    text = re.sub(r"(?<!\\)\$.*?(?<!\\)\$", " ", text, flags=re.DOTALL)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", " ", text)
    text = re.sub(r"\]\([^)]*\)", "] ", text)
    text = re.sub(r"</?[a-zA-Z][^>]*>", " ", text)
    return text


def facts_of(markdown: str) -> set[str]:
    """The number texts a cell marks as textbook facts: ``<!-- facts: 2×, 1986 -->``."""
    found: set[str] = set()
    for match in FACTS.finditer(markdown):
        for item in match["list"].split(","):
            item = item.strip()
            if item:
                found.add(_normal(item))
    return found


def _normal(text: str) -> str:
    return re.sub(r"\s+", "", text)


def quoted_numbers(markdown: str) -> list[Quoted]:
    """Every number the prose of one Markdown cell quotes that this rule checks."""
    prose = strip_non_prose(markdown)
    found = []
    for match in NUMBER.finditer(prose):
        before = prose[: match.start()]
        if LABEL_WORDS.search(before):
            continue
        digits = match["num"]
        if len(digits) >= 2 and digits.startswith("0") and "." not in digits:
            continue  # a zero-padded label such as lesson 05
        value = float(digits.replace(",", ""))
        decimals = len(digits.split(".")[1]) if "." in digits else 0
        power = False
        if match["sci"]:
            value, power = float(digits.replace(",", "") + match["sci"]), True
        elif match["times_pow"]:
            value *= 10.0 ** int(match["times_pow"].translate(SUPERSCRIPT))
            power = True
        elif match["pow"]:
            if digits != "10":
                continue  # x² and the like are math, not quantities
            value, power = 10.0 ** int(match["pow"].translate(SUPERSCRIPT)), True
        percent = bool(match["pct"])
        factor = bool(match["mult_before"] or match["mult_after"])
        if not (power or percent or factor or decimals or value >= 10):
            continue
        if factor and match["mult_after"] and re.match(r"\s?\d", prose[match.end() :]):
            factor = False  # "8×8" is a shape; both sides are checked as integers
            if value < 10 and not decimals:
                continue
        text = match.group(0).strip()
        found.append(Quoted(text, value, decimals, percent, bool(APPROX.search(before)), power))
    return found


def output_text(cell: dict) -> str:
    """All text a code cell's stored outputs show (stream, plain, Markdown, errors)."""
    parts = []
    for output in cell.get("outputs", []):
        if output["output_type"] == "stream":
            parts.append("".join(output["text"]))
        data = output.get("data", {})
        for kind in ("text/plain", "text/markdown", "text/latex"):
            if kind in data:
                value = data[kind]
                parts.append(value if isinstance(value, str) else "".join(value))
    return "\n".join(parts)


def output_numbers(nb: dict) -> list[float]:
    """Every number shown by a stored output of the notebook (powers of ten included)."""
    values = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        text = output_text(cell)
        for match in OUTPUT_NUMBER.finditer(text):
            values.append(abs(float(match.group(0).replace(",", ""))))
        for match in re.finditer(rf"10([⁻⁺]?[{SUP}]+)", text):
            values.append(10.0 ** int(match[1].translate(SUPERSCRIPT)))
    return values


def is_backed(quoted: Quoted, shown: list[float]) -> bool:
    """Whether some shown number rounds to the quoted one (or is close, for 'about')."""
    for value in shown:
        candidates = [value, value * 100] if quoted.percent else [value]
        for v in candidates:
            if quoted.power:
                if v > 0 and abs(math.log10(v) - math.log10(quoted.value)) < 0.5:
                    return True
                continue
            if round(v, quoted.decimals) == quoted.value:
                return True
            if quoted.approx and abs(v - quoted.value) <= 0.15 * abs(quoted.value):
                return True
    return False


def unbacked(nb: dict) -> list[tuple[int, str]]:
    """(cell index, number text) for every quoted number no output backs."""
    shown = output_numbers(nb)
    problems = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        source = "".join(cell["source"])
        facts = facts_of(source)
        for quoted in quoted_numbers(source):
            if _normal(quoted.text) in facts or _normal(quoted.text).strip("×%") in facts:
                continue
            if not is_backed(quoted, shown):
                problems.append((i, quoted.text))
    return problems


def main(paths: list[str]) -> int:
    total = 0
    for path in paths:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
        for i, text in unbacked(nb):
            total += 1
            print(f"{path}: markdown cell {i}: {text!r} is quoted, but no output shows it")
    print(f"{total} unbacked number(s) in {len(paths)} notebook(s)")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
