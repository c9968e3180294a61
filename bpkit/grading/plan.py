"""Decide, before anything runs, what each submission is graded as and whether it must be.

For every submission this reads its bytes once, safely (a symlink, a FIFO or a device is
never opened as a notebook), tells which exercise it is (``identity``), who handed it in
(``students``), whose variant it is graded against, and loads that exercise. Nothing a
notebook contains can stop the run: a problem with its metadata, its variant or its
exercise becomes that notebook's status. A notebook is graded again when its bytes, its
exercise (cases, variant) or the limits changed, when its last run was cut short, or when
its run went wrong beside others and was not yet graded again alone. Records of files no
longer handed in are moved to ``OUT/removed/``, so ``grades.csv`` lists the files present.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from bpkit.check.exercises import variant_seed
from bpkit.grading import exercise as ex
from bpkit.grading import identity, report, students

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024  # of code: what is graded (outputs are not)
MAX_FILE_BYTES = 256 * 1024 * 1024  # a notebook file, stored plots included, read at most
NOT_NOTEBOOKS = {  # files handed in instead of the notebook: a row that says so, not silence
    ".py": "a Python file",
    ".html": "an HTML export",
    ".pdf": "a PDF",
    ".zip": "a zip archive",
}
REMOVED = "removed"  # OUT/removed/: the records of files no longer handed in
KINDS = {
    stat.S_IFDIR: "a folder",
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def read_submission(path: Path) -> tuple[bytes | None, str]:
    """Return (the file's bytes, "") or (None, why it is not read).

    The file is opened without following a symlink (a link to the instructor's notebook
    or to a classmate's must not be graded as the student's) and without blocking (a
    FIFO would wait forever); only a regular file is read.
    """
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        if error.errno == errno.ELOOP:
            return None, "symlink: not graded; hand in the notebook file itself"
        return None, f"could not read the file ({error.strerror})"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = KINDS.get(stat.S_IFMT(info.st_mode), "not a file")
            return None, f"not a regular file ({kind}): not graded"
        if info.st_size > MAX_FILE_BYTES:
            return None, f"not graded: the file is larger than {MAX_FILE_BYTES >> 20} MB"
        chunks, size = [], 0
        while size <= MAX_FILE_BYTES and (chunk := os.read(fd, 1 << 20)):
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks), ""
    except OSError as error:
        return None, f"could not read the file ({error.strerror})"
    finally:
        os.close(fd)


def parse_notebook(data: bytes | None, problem: str = "") -> tuple[dict | None, str]:
    """Parse a submission's bytes as a notebook; return (notebook, "") or (None, why not)."""
    if data is None:
        return None, problem
    if len(data) > MAX_FILE_BYTES:
        return None, f"not graded: the file is larger than {MAX_FILE_BYTES >> 20} MB"
    try:
        notebook = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        return None, "not a notebook: the file is not text (UTF-8)"
    except json.JSONDecodeError as error:
        return None, f"not a notebook: invalid JSON at line {error.lineno}"
    except RecursionError:
        return None, "not a notebook: JSON nested too deeply"
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        return None, "not a notebook: valid JSON but no list of cells"
    code = sum(len(text.encode("utf-8")) for text in ex.code_cells(notebook))
    if code > MAX_NOTEBOOK_BYTES:  # outputs (stored plots) do not count: they are not graded
        return None, f"not graded: its code is larger than {MAX_NOTEBOOK_BYTES >> 20} MB"
    return notebook, ""


def not_a_notebook(path: Path) -> str:
    """Why a file handed in is no notebook to grade (``hw5.py``), or "" for a notebook."""
    kind = NOT_NOTEBOOKS.get(Path(path).suffix.lower())
    if kind is None:
        return ""
    return f"not graded: {kind}, not a notebook; hand in the .ipynb file"


@dataclass
class Variant:
    """Whose cases a notebook is graded against, and what its variant metadata says wrong.

    ``learner`` is None for a notebook that is no learner's variant (the default cases);
    ``problem`` is set when the metadata cannot be read: the notebook is not graded.
    """

    learner: str | None = None
    seed: int | None = None
    flags: list[str] = field(default_factory=list)
    problem: str = ""


def read_variant(
    notebook: dict | None,
    exercise: str | None,
    sender: str | None = None,
    sure: bool = False,
    students: list[str] | tuple[str, ...] = (),
) -> Variant:
    """Tie a notebook's variant to the learner who handed it in.

    ``sender`` is who handed it in (``students.sender``), ``sure`` whether a roster says so
    (else its path does). The variant's seed must be the one ``bpkit release`` derived
    from the exercise and the student it names (an edited seed is looked up among the
    sender and ``students``, the roster's ids, to say whose it is); a variant that names
    someone else than a sure sender is graded against the sender's own cases, else against
    the named student's.
    """
    tag = identity.bpkit_tag(notebook)
    variant = tag.get("variant")
    if variant is None or not exercise:
        return Variant()
    # the seed was derived from the exercise the metadata names (content may overrule it)
    released_for = tag["exercise"] if isinstance(tag.get("exercise"), str) else exercise
    fields = identity.variant_fields(variant)
    if fields is None:
        return Variant(
            problem='variant metadata unreadable: expected {"student": an id, "seed": an '
            f"integer}}, got {_short(variant)}; not graded"
        )
    named, seed = fields
    flags = []
    if seed != variant_seed(released_for, named):
        owners = [s for s in (sender, *students) if s and variant_seed(released_for, s) == seed]
        flags.append(
            f"variant edited: it names {named}, but its seed {seed} was released for {owners[0]}"
            if owners
            else f"variant edited: seed {seed} is not the seed released for {named}"
        )
    learner = named
    if sender and _plain(sender) != _plain(named):
        if sure:
            flags.append(f"another learner's variant: released for {named}, handed in by {sender}")
            learner = sender
        else:
            flags.append(
                f"another learner's variant: released for {named}, but its path names {sender} "
                "(with --roster, it is graded against its sender's own cases)"
            )
    if flags:
        flags[-1] += f"; graded against {learner}'s cases"
    return Variant(learner, variant_seed(exercise, learner), flags)


def _short(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _plain(student: str) -> str:
    return students.plain(student)


@dataclass
class Item:
    """One submission, planned: what it is graded as, its cache key, what is known of it."""

    name: str
    path: Path
    exercise: ex.Exercise | None
    fingerprint: str
    facts: dict
    problem: str = ""  # set: the notebook is not run, and scores 0 with this status


@dataclass
class Planner:
    """Plan every submission of one run (``source``: the exercises; ``limits``: their key)."""

    source: Path
    known: identity.Catalogue
    roster: students.Roster | None = None
    forced: str | None = None  # --exercise
    limits: str = ""  # the limits of this run, as text: part of every fingerprint
    hidden: Path | None = None  # --hidden: the folder of NN_topic/hidden.py, else in source
    _loaded: dict[tuple, ex.Exercise | str] = field(default_factory=dict)
    _linked: dict[Path, list[str]] = field(default_factory=dict)  # path → same file's names
    _instructor: dict[tuple[int, int], Path] | None = None

    def exercise(self, name: str, seed: int | None) -> tuple[ex.Exercise | None, str]:
        """Load an exercise (a learner's variant with ``seed``) once; (None, why) if it fails."""
        key = (name, seed)
        if key not in self._loaded:
            try:
                self._loaded[key] = ex.load(name, self.source, seed=seed, hidden=self.hidden)
            except Exception as error:  # an instructor-side problem: one notebook's status
                what = f"{name} for this variant" if seed is not None else name
                detail = f"{type(error).__name__}: {error}"[:200]
                if seed is not None and isinstance(error, TypeError) and "seed" in str(error):
                    detail = "its cases take no seed, so it has no variants"
                why = f"could not load exercise {what} ({detail})"
                self._loaded[key] = f"{why}; tell your instructor"
        loaded = self._loaded[key]
        return (loaded, "") if isinstance(loaded, ex.Exercise) else (None, loaded)

    def see(self, submissions: list[tuple[str, Path, tuple[str, ...]]]) -> None:
        """Note the submissions that are one file under several names (hard links)."""
        files: dict[tuple[int, int], list[tuple[str, Path]]] = {}
        for name, path, _ in submissions:
            try:
                info = path.lstat()
            except OSError:
                continue
            if stat.S_ISREG(info.st_mode) and info.st_nlink > 1:
                files.setdefault((info.st_dev, info.st_ino), []).append((name, path))
        for group in files.values():
            for name, path in group:
                self._linked[path] = [other for other, _ in group if other != name]

    def item(self, name: str, path: Path, parts: tuple[str, ...]) -> Item:
        """Plan one submission: read it, identify it, tie its variant, load its exercise."""
        data, problem = read_submission(path)
        problem = not_a_notebook(path) or problem or self._instructor_file(path)
        notebook, _ = parse_notebook(data, problem)
        names = self.known.names
        who = identity.identify(parts, notebook, self.known, self.forced)
        sender, sure = students.sender(parts, names, self.roster)
        named = identity.variant_fields(identity.bpkit_tag(notebook).get("variant"))
        if sender and not sure and named and students.mentions(parts, named[0]):
            sender = named[0]  # the path names the variant's own student too
        ids = self.roster.ids if self.roster else []
        variant = read_variant(notebook, who.exercise, sender, sure, ids)
        problem = problem or variant.problem
        exercise = None
        if who.exercise:
            exercise, failed = self.exercise(who.exercise, variant.seed)
            if exercise is None and variant.seed is not None:
                exercise, _ = self.exercise(who.exercise, None)  # its points, for the row
            problem = problem or failed
        student = students.student_of(parts, names, self.roster)
        facts = _facts(path, who, self.known, student, notebook)
        facts["flags"] = [*facts["flags"], *variant.flags]
        if self._linked.get(path):
            others = ", ".join(self._linked[path])
            facts["flags"].append(f"the same file as {others} (a hard link); check who wrote it")
        digest = hashlib.sha256(data if data is not None else problem.encode())
        digest.update((exercise.fingerprint if exercise else ex.GRADER_VERSION).encode())
        digest.update(f"{self.limits} {variant.learner}".encode())
        return Item(name, path, exercise, digest.hexdigest()[:24], facts, problem)

    def _instructor_file(self, path: Path) -> str:
        """Refuse a hard link to an instructor file (the same file under another name)."""
        if self._instructor is None:
            self._instructor = {}
            for file in Path(self.source).rglob("*"):
                try:
                    info = file.lstat()
                except OSError:
                    continue
                if stat.S_ISREG(info.st_mode):
                    self._instructor[(info.st_dev, info.st_ino)] = file
        try:
            info = path.lstat()
        except OSError:
            return ""
        if (info.st_dev, info.st_ino) in self._instructor:
            return "a hard link to an instructor file: not graded; hand in your own notebook"
        return ""


def _facts(
    path: Path,
    who: identity.Identity,
    known: identity.Catalogue,
    student: tuple[str, str],
    notebook: dict | None,
) -> dict:
    """What the grader knows of a submission before running it: who, which, how we know."""
    defined = identity.defined_functions(notebook)
    graded = known.functions.get(who.exercise or "", [])
    try:
        mtime = path.lstat().st_mtime
    except OSError:
        mtime = 0.0
    return {
        "student": student[0],
        "notes": [student[1]] if student[1] else [],
        "path": str(path),
        "mtime": mtime,
        "identified_by": who.how,
        "submitted_as": who.submitted_as or "",
        "looks_like": who.looks_like or "",
        "attempted": sum(1 for f in graded if f in defined and not defined[f]),
        "flags": who.flags,
    }


def up_to_date(old: dict | None, item: Item) -> bool:
    """True when ``old`` (the saved record) is the grade ``item`` would get now."""
    return bool(
        old
        and old.get("fingerprint") == item.fingerprint
        and not old.get("retry")  # the sandbox failed: try again
        and not old.get("again")  # went wrong beside others, not yet graded again alone
    )


def set_aside(out: Path, present: set[str]) -> list[str]:
    """Move the records of submissions not handed in now to ``out/removed/``; list them."""
    moved = []
    for path in sorted(Path(out).glob("*.results.json")):
        name = path.name[: -len(".results.json")]
        if name in present or report.read_record(path) is None:
            continue
        folder = Path(out) / REMOVED
        folder.mkdir(exist_ok=True)
        for suffix in (".feedback.md", ".results.json"):  # the results file last: the marker
            old = Path(out) / f"{name}{suffix}"
            if old.exists():
                os.replace(old, folder / old.name)
        moved.append(name)
    return moved
