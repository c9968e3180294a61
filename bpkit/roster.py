"""Read a roster and match its students in paths: the one roster reader of bpkit.

``bpkit grade --roster``, ``bpkit gradebook --roster`` and ``bpkit release --variants`` read
rosters here. A roster is a CSV with a header and one row per student: an id column
(``student``, ``id``, … or else the first) and any others (names, logins, LMS ids, several
in one cell separated by ``;``). Names are compared as LMS file names spell them: words
without case, punctuation or accents (:func:`fold`).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

SHORTEST = 3  # roster fragments shorter than this (a "1", an "al") match too much
ID_COLUMNS = ("student", "student_id", "id", "sis_id", "sis user id", "login", "username")
# Letters that Unicode does not decompose into a base letter and an accent.
LETTERS = str.maketrans(
    {
        "ß": "ss",
        "ø": "o",
        "Ø": "O",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "đ": "d",
        "Đ": "D",
        "ł": "l",
        "Ł": "L",
        "þ": "th",
        "Þ": "Th",
        "ð": "d",
        "Ð": "D",
        "ı": "i",
    }
)


def fold(text: str) -> str:
    """Text as LMS file names spell it: no accents (Gödel → godel, ß → ss, ø → o), lowercase.

    NFKD splits an accented letter into its base and the accent, which is dropped, so the
    composed (Windows, Linux) and decomposed (macOS) spellings of a name fold alike.
    """
    text = unicodedata.normalize("NFKD", text.translate(LETTERS))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\W_]+", fold(text)) if w]


def plain(text: str) -> str:
    """One spelling of a name or id to compare: folded letters and digits only."""
    return "".join(_words(text))


@dataclass
class Roster:
    """Student ids, each with the name fragments that identify it in a path."""

    ids: list[str]
    keys: dict[str, set[str]]  # id → fragments as joined lowercase words
    fields: dict[str, dict[str, str]] = field(default_factory=dict)  # id → {column: value}

    def match(self, parts: tuple[str, ...]) -> tuple[str | None, str]:
        """Return (student id, "") or (None, why no single student matched)."""
        windows = _windows(parts)
        best: dict[str, int] = {}
        for student, keys in self.keys.items():
            hits = [len(k) for k in keys if k in windows]
            if hits:
                best[student] = max(hits)
        if not best:
            return None, "not on the roster"
        top = max(best.values())
        winners = [s for s, n in best.items() if n == top]
        if len(winners) > 1:
            return None, f"matches several roster students ({', '.join(sorted(winners))})"
        return winners[0], ""


def _windows(parts: tuple[str, ...]) -> set[str]:
    """Every run of up to 6 consecutive words of each part of a path, joined, lowercase."""
    windows: set[str] = set()
    for part in parts:
        words = _words(part[:-6] if part.endswith(".ipynb") else part)
        for i in range(len(words)):
            for j in range(i + 1, min(len(words), i + 6) + 1):
                windows.add("".join(words[i:j]))
    return windows


def read_roster(path: Path, option: str = "--roster") -> Roster:
    """Read a roster CSV: an id column (``student``, ``id``, … or the first), any others.

    The one reader of rosters: ``bpkit grade --roster``, ``bpkit gradebook --roster`` and
    ``bpkit release --variants`` (``option`` names the option in error messages).
    """
    where = f"bpkit: {option} {path}"
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except OSError as error:
        raise SystemExit(f"{where}: {error.strerror}") from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise SystemExit(f"{where}: not a CSV text file ({error})") from None
    if len(rows) < 2 or not rows[0]:
        raise SystemExit(f"{where}: expected a header and one row per student")
    header = [h.strip().lower() for h in rows[0]]
    column = next((header.index(c) for c in ID_COLUMNS if c in header), 0)
    ids, keys, fields = [], {}, {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        student = row[column].strip() if column < len(row) else ""
        if not student:
            raise SystemExit(f"{where}, line {number}: no {header[column]!r}")
        if student in keys:
            raise SystemExit(f"{where}, line {number}: {student!r} listed twice")
        ids.append(student)
        fields[student] = {
            h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header)
        }
        keys[student] = set()
        for cell in row:
            for fragment in cell.split(";"):
                words = _words(fragment)
                if len("".join(words)) >= SHORTEST:
                    keys[student].add("".join(words))
                if 2 <= len(words) <= 3 and all(w.isalpha() for w in words):
                    keys[student].add("".join(reversed(words)))  # "John Smith" ~ "smithjohn"
    return Roster(ids, keys, fields)
