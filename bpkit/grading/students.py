"""Who handed a notebook in, and which of a student's notebooks counts.

The student column comes, in order:
1. from ``--roster roster.csv``: the roster row one of whose cells (its id, a name, a login,
   an LMS user id; 3 letters or digits at least) appears in the notebook's path, compared as
   words with case, punctuation and accents ignored (``Smith, John`` matches
   ``smith_john_…`` and Canvas's ``smithjohn_…``; ``Kurt Gödel`` matches ``godelkurt_…``);
   the longest match wins, a tie matches no one;
2. else, for a file named as Canvas or Moodle name their downloads, from its name (rule 3),
   whatever folder holds it; else from the first folder below the submitted folder
   (``submitted/<student>/…``), skipping folders named after an exercise
   (``04_feedforward/``, ``hw4/``) and dropping Moodle's ``_assignsubmission_file_``;
3. else from a flat file's name: the words before the exercise part, without ``late`` or
   ``Copy of``, up to the first number of three or more digits (an LMS user id; later
   numbers are per-upload ids): ``smith_john_12345_late_04_feedforward-1.ipynb`` gives
   ``smith_john_12345``;
4. else the file's name itself (``hw4.ipynb`` → ``hw4``): such a file is a student of its own.

A student with several notebooks for one exercise gets one row. The one that counts is, in
order: one that attempts a graded function (not only ``NotImplementedError`` stubs), one
handed in as the exercise it is, the latest modified, the last by name. The others are named
in its note and never added up.
"""

from __future__ import annotations

import re

from bpkit.grading.identity import NUMBERED, TWO_DIGITS
from bpkit.roster import ID_COLUMNS, Roster, _windows, fold, plain, read_roster

__all__ = ["ID_COLUMNS", "Roster", "fold", "plain", "read_roster"]  # the roster, for the grader

MOODLE_SUFFIX = re.compile(r"_assignsubmission_\w*$")
EXERCISE_FOLDER = re.compile(r"(?i)(?:ex|exercise|hw|homework|lab|assignment)[ _-]?\d{1,2}")
# An LMS's download names: Canvas's lastfirst[_late]_<user id>_<submission id>_<file> and
# Moodle's flat <Full Name>_<user id>_assignsubmission_file_<file>. Such a name is the student's
# even inside a folder (a whole Canvas download in canvas_hw05/ is not one student).
LMS_FILE = re.compile(r"(?i)^(?:[^\W_]+(?:_late)?_\d+_\d+_.|.+?_\d+_assignsubmission_file_)")
CROWDED = 3  # this many notebooks of one exercise for one student: likely several students'


def from_file_name(filename: str, names: list[str]) -> str:
    """The student a flat file's name gives (rule 3), or its stem (rule 4)."""
    stem = filename[:-6] if filename.endswith(".ipynb") else filename
    return _named_in_file_name(filename, names) or stem


def _named_in_file_name(filename: str, names: list[str]) -> str:
    """The student a flat file's name gives (rule 3), or "" when it names none."""
    stem = filename[:-6] if filename.endswith(".ipynb") else filename
    cut = len(stem)
    for name in names:
        at = stem.lower().find(name.lower())
        cut = min(cut, at) if at >= 0 else cut
    numbered = NUMBERED.search(stem)
    cut = min(cut, numbered.start(0)) if numbered else cut
    for number in TWO_DIGITS.finditer(stem):  # "ann_04.ipynb": an exercise's number alone
        if any(name[:2] == number[1] for name in names):
            cut = min(cut, number.start())
    words = [w for w in re.split(r"[\W_]+", stem[:cut]) if w and w.lower() != "late"]
    if [w.lower() for w in words[:2]] == ["copy", "of"]:
        words = words[2:]
    ids = [i for i, w in enumerate(words) if w.isdigit() and len(w) >= 3]
    if ids:
        words = words[: ids[0] + 1]
    return "_".join(words)


def from_path_parts(parts: tuple[str, ...], names: list[str]) -> str:
    """The student a path below the submitted folder gives, by rules 2 to 4."""
    return _named_in_path(parts, names) or from_file_name(parts[-1], names)


def _named_in_path(parts: tuple[str, ...], names: list[str]) -> str:
    """The student a path gives by rules 2 and 3, or "" when it names none."""
    if len(parts) > 1 and LMS_FILE.match(parts[-1]):  # an LMS download's file, in any folder
        named = _named_in_file_name(parts[-1], names)
        if named:
            return named
    for folder in parts[:-1]:
        exercise = any(name.lower() in folder.lower() for name in names)
        if not exercise and not EXERCISE_FOLDER.fullmatch(folder):
            return MOODLE_SUFFIX.sub("", folder).strip() or folder
    return _named_in_file_name(parts[-1], names)


def mentions(parts: tuple[str, ...], student: str) -> bool:
    """True when the path names ``student`` as words (``s001_own.ipynb`` names ``s001``)."""
    return plain(student) in _windows(parts)


def crowded(record: dict, others: list[dict]) -> str:
    """A warning when one student has ``CROWDED`` or more notebooks of one exercise.

    Without a roster, a folder holding a whole class's download (``canvas_hw05/``, files not
    named as an LMS names them) makes one "student" of everyone in it; only one would count.
    """
    if len(others) + 1 < CROWDED:
        return ""
    return (
        f"{len(others) + 1} notebooks for {record['exercise']} under one student "
        f"({record.get('student') or record['submission']}): if they are several students' "
        "(a whole LMS download in one folder), grade with --roster or one folder per student"
    )


def student_of(parts: tuple[str, ...], names: list[str], roster: Roster | None) -> tuple:
    """Return (student, note) for a notebook at ``parts`` below the submitted folder."""
    if roster is not None:
        student, why = roster.match(parts)
        if student:
            return student, ""
        return from_path_parts(parts, names), why
    return from_path_parts(parts, names), ""


def sender(parts: tuple[str, ...], names: list[str], roster: Roster | None) -> tuple:
    """Return (who handed a notebook in, whether a roster says so), or (None, False).

    Without a roster match, the path's student (rules 2 and 3) is the sender; a path that
    names no student (rule 4) gives none.
    """
    if roster is not None:
        student, _ = roster.match(parts)
        if student:
            return student, True
    return _named_in_path(parts, names) or None, False


def rank(record: dict) -> tuple:
    """Order a student's notebooks for one exercise: the greatest counts (see module doc)."""
    right = not record.get("submitted_as") or record.get("submitted_as") == record["exercise"]
    tried = record.get("attempted", 0) > 0
    return (tried, right, record.get("mtime", 0.0), record["submission"])


def counted(records: list[dict]) -> list[tuple[dict, list[dict]]]:
    """One (counted record, others) per student and exercise; unknown exercises stay apart."""
    groups: dict[tuple, list[dict]] = {}
    for record in records:
        student = record.get("student") or record["submission"]
        key = (student, record["exercise"] or f"?{record['submission']}")
        groups.setdefault(key, []).append(record)
    chosen = []
    for key in sorted(groups):
        group = sorted(groups[key], key=rank, reverse=True)
        chosen.append((group[0], group[1:]))
    return chosen
