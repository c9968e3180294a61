"""Which exercise, which student, one grade each: identity, statuses, roster and gradebook."""

from __future__ import annotations

import csv
import json
import os
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

from bpkit.cli import main as bpkit_main
from bpkit.grading import cli, exercise, gradebook, identity, plan, report, runner, students

FIXTURES = Path(__file__).with_name("grading_fixtures")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(FIXTURES))
import corpus  # noqa: E402  (the corpus builder lives beside its fixtures)

OTHER = "91_other"  # a second fixture exercise, so that a notebook can be the wrong one
OTHER_CELLS = [
    "import numpy as np",
    "def cube(x):\n    ### BEGIN SOLUTION\n    return np.asarray(x, dtype=np.float64) ** 3\n"
    "    ### END SOLUTION",
    "def halve(x):\n    ### BEGIN SOLUTION\n    return np.asarray(x, dtype=np.float64) / 2\n"
    "    ### END SOLUTION",
]
OTHER_CASES = """POINTS = {"cube": 1, "halve": 1}


def grading_cases():
    return [
        {"function": "cube", "args": [2.0]},
        {"function": "cube", "args": [[1.0, -3.0]]},
        {"function": "halve", "args": [3.0]},
    ]
"""
NAMES = ["90_fixture", OTHER]


def solution(name: str) -> list[str]:
    """The instructor solution cells of a fixture exercise."""
    return corpus.source_cells() if name == "90_fixture" else list(OTHER_CELLS)


def make_source(folder: Path) -> Path:
    """Instructor sources of the two fixture exercises, in a private folder."""
    shutil.copytree(FIXTURES / "source", folder)
    (folder / f"{OTHER}.ipynb").write_bytes(corpus.notebook(OTHER_CELLS))
    (folder / "cases" / f"{OTHER}.py").write_text(OTHER_CASES)
    return folder


def stamped(cells: list[str], exercise: str, source: Path, release: str = "") -> dict:
    """A notebook with ``metadata.bpkit`` as ``bpkit release`` writes it (or an older one)."""
    notebook = json.loads(corpus.notebook(cells))
    stamp = identity.current_stamp(exercise, source / f"{exercise}.ipynb")
    if release:
        stamp = {"release": release, "cases_hash": "sha256:" + "0" * 64}
    notebook["metadata"]["bpkit"] = {"exercise": exercise, **stamp, "variant": None}
    return notebook


def write(path: Path, notebook: dict | bytes, mtime: float | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(notebook if isinstance(notebook, bytes) else json.dumps(notebook).encode())
    if mtime is not None:
        os.utime(path, (mtime, mtime))


def rows(out: Path) -> dict[tuple[str, str], dict]:
    """grades.csv as {(student, exercise): row}, failing on a repeated pair."""
    table: dict[tuple[str, str], dict] = {}
    with open(out / "grades.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            key = (row["student"], row["exercise"])
            assert key not in table, f"two rows for {key}"
            table[key] = row
    return table


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    return make_source(tmp_path_factory.mktemp("src") / "source")


@pytest.fixture(scope="module")
def klass(tmp_path_factory, source) -> Path:
    """One class's submissions, one folder per student, graded in one run; the output."""
    root = tmp_path_factory.mktemp("class")
    sub = root / "submitted"
    fixture, other = solution("90_fixture"), solution(OTHER)
    write(sub / "alice" / "90_fixture.ipynb", corpus.notebook(fixture), mtime=1e9)
    write(sub / "alice" / "Copy of 90_fixture.ipynb", corpus.notebook(fixture), mtime=2e9)
    write(sub / "bob" / "90_fixture.ipynb", corpus.notebook(other))  # 91's work, 90's name
    write(sub / "carl" / "90_fixture.ipynb", stamped(corpus.release(other), OTHER, source))
    write(sub / "dana" / "90_fixture.ipynb", corpus.notebook([]))
    write(sub / "erin" / "90_fixture.ipynb", corpus.notebook(corpus.release(fixture)))
    write(sub / "fay" / "90_fixture.ipynb", corpus.notebook(["import numpy as np"]))
    write(sub / "gus" / "hw.ipynb", stamped(fixture, "90_fixture", source, release="0.0.1+abc"))
    write(sub / "hal" / "good.ipynb", corpus.notebook(other))
    write(sub / "hal" / "91_other.ipynb", corpus.notebook(corpus.release(other)), mtime=3e9)
    write(sub / "ivy" / "90_fixture.ipynb", corpus.notebook(other), mtime=1e9)
    write(sub / "ivy" / "91_other.ipynb", corpus.notebook(corpus.release(other)), mtime=3e9)
    out = root / "out"
    assert bpkit_main(["grade", str(sub), "--out", str(out), "--source", str(source)]) == 0
    return out


def test_two_copies_in_one_student_folder_count_once(klass):
    """Two correct copies in alice/ give one row at full marks, naming the other copy."""
    row = rows(klass)[("alice", "90_fixture")]
    assert (row["total"], row["max"], row["status"]) == ("6", "6", "ok")
    assert row["submission"] == "alice__Copy_of_90_fixture"  # the later one
    assert "not counted: alice__90_fixture" in row["note"]
    assert [key for key in rows(klass) if key[0] == "alice"] == [("alice", "90_fixture")]
    assert "alice: 2 notebooks for 90_fixture; counted alice__Copy_of_90_fixture, " in "\n".join(
        report.duplicates(klass)
    )


def test_wrong_exercise_is_graded_as_what_it_is_and_reported(klass):
    """91's work in 90's file is graded as 91, by its content or its metadata, and says so."""
    table = rows(klass)
    bob = table[("bob", OTHER)]
    assert (bob["total"], bob["identified_by"]) == ("2", "content")
    assert bob["status"].startswith("wrong exercise: handed in as 90_fixture (by its file name)")
    assert "it looks like 91_other (it defines cube, halve)" in bob["status"]
    carl = table[("carl", OTHER)]
    assert carl["identified_by"] == "metadata"
    assert "but its metadata says 91_other" in carl["status"]
    assert ("bob", "90_fixture") not in table
    feedback = (klass / "bob__90_fixture.feedback.md").read_text()
    assert "Status: wrong exercise: handed in as 90_fixture" in feedback
    assert "Student `bob`; exercise recognised by the graded functions it defines." in feedback


def test_nothing_that_ran_no_graded_function_is_ok(klass):
    """Empty, stub-only and function-less notebooks are "not attempted", never "ok"."""
    table = rows(klass)
    assert table[("dana", "90_fixture")]["status"].startswith("not attempted: empty notebook")
    erin = table[("erin", "90_fixture")]["status"]
    assert erin == "not attempted: every graded function still raises NotImplementedError"
    carl = table[("carl", OTHER)]["status"]
    assert carl.endswith("not attempted: every graded function still raises NotImplementedError")
    fay = table[("fay", "90_fixture")]["status"]
    assert fay.startswith("not attempted: the notebook defines none of the graded functions")
    assert all(row["total"] == "0" for key, row in table.items() if key[0] in "dana erin fay")


def test_older_release_is_graded_and_flagged(klass):
    """A notebook stamped by an older release keeps its full marks and says it is older."""
    row = rows(klass)[("gus", "90_fixture")]
    assert (row["total"], row["identified_by"]) == ("6", "metadata")
    assert row["status"].startswith("older release: released as 0.0.1+abc, current ")


def test_an_attempt_counts_before_a_later_untouched_copy(klass):
    """hal's later, untouched 91 notebook does not replace the work in good.ipynb."""
    row = rows(klass)[("hal", OTHER)]
    assert (row["submission"], row["total"], row["identified_by"]) == ("hal__good", "2", "content")
    assert "not counted: hal__91_other" in row["note"]


def test_work_in_the_wrong_slot_counts_before_an_untouched_right_one(klass):
    """ivy's 91 work handed in as 90 counts for 91 before her later, untouched 91 notebook."""
    row = rows(klass)[("ivy", OTHER)]
    assert (row["submission"], row["total"]) == ("ivy__90_fixture", "2")
    assert row["status"].startswith("wrong exercise: handed in as 90_fixture")
    assert "not counted: ivy__91_other" in row["note"]


def test_roster_maps_folders_to_ids_without_regrading(klass, source, tmp_path, capsys):
    """A roster renames students in place (nothing regraded); an unknown folder is noted."""
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name,login\ns001,Alice Liddell,alice\ns002,Bob Dylan,bob\n")
    out = tmp_path / "out"
    shutil.copytree(klass, out)
    args = ["grade", str(klass.parent / "submitted"), "--out", str(out), "--source", str(source)]
    assert bpkit_main([*args, "--roster", str(roster)]) == 0
    assert "graded 0, skipped 12" in capsys.readouterr().out
    table = rows(out)
    assert table[("s001", "90_fixture")]["total"] == "6"
    assert table[("s002", OTHER)]["total"] == "2"
    assert table[("carl", OTHER)]["note"] == "not on the roster"


@pytest.mark.parametrize(
    ("parts", "student"),
    [
        (("smith_john_12345_late_04_feedforward-1.ipynb",), "smith_john_12345"),
        (("smithjohn_late_12345_67890_04_feedforward.ipynb",), "smithjohn_12345"),
        (("Copy of 04_feedforward.ipynb",), "Copy of 04_feedforward"),
        (("hw4.ipynb",), "hw4"),
        (("good.ipynb",), "good"),
        (("ann_ex04.ipynb",), "ann"),
        (("ann_04.ipynb",), "ann"),
        (("alice", "Copy of 04_feedforward.ipynb"), "alice"),
        (("04_feedforward", "alice.ipynb"), "alice"),
        (("Ann Lee_4242_assignsubmission_file_", "nb.ipynb"), "Ann Lee_4242"),
    ],
)
def test_student_comes_from_the_path_by_the_documented_rules(parts, student):
    """One folder per student, Canvas/Moodle names, copies and bare names give the student."""
    assert students.from_path_parts(parts, ["04_feedforward", "05_backpropagation"]) == student


def test_roster_matches_names_logins_and_lms_ids(tmp_path):
    """Roster cells match path words in any case or order; ties and strangers are refused."""
    roster = tmp_path / "r.csv"
    roster.write_text('Name,ID,Login\n"Smith, John",12345,jsmith\nJohn Smithers,999,js2\n')
    known = students.read_roster(roster)
    assert known.ids == ["12345", "999"]
    assert known.match(("smithjohn_late_12345_67890_04_x.ipynb",)) == ("12345", "")
    assert known.match(("jsmith", "04_x.ipynb")) == ("12345", "")
    assert known.match(("John_Smithers_04_x.ipynb",)) == ("999", "")
    assert known.match(("nobody_04_x.ipynb",)) == (None, "not on the roster")
    both = students.Roster(["a", "b"], {"a": {"lee"}, "b": {"lee"}})
    assert both.match(("lee.ipynb",))[0] is None


def test_identity_prefers_metadata_then_name_then_content(source):
    """Metadata wins, then the path, then the graded functions the notebook defines."""
    known = identity.catalogue({n: source / f"{n}.ipynb" for n in NAMES})
    fixture = json.loads(corpus.notebook(solution("90_fixture")))
    meta = stamped(solution("90_fixture"), "90_fixture", source)
    assert identity.identify(("x.ipynb",), meta, known).how == "metadata"
    assert identity.identify(("hw90.ipynb",), fixture, known).how == "file name"
    found = identity.identify(("good.ipynb",), fixture, known)
    assert (found.exercise, found.how, found.flags) == ("90_fixture", "content", [])
    forced = identity.identify(("good.ipynb",), fixture, known, forced=OTHER)
    assert forced.exercise == "90_fixture"
    assert forced.flags[0].startswith("wrong exercise: handed in as 91_other (by --exercise)")
    assert identity.identify(("x.ipynb",), {"cells": []}, known).exercise is None


def test_gradebook_joins_exercises_one_cell_each(tmp_path, source):
    """Grade folders join into one row per student; duplicates, even across folders, count
    once, so a total never exceeds its maximum."""
    for name in NAMES:
        sub = tmp_path / f"in_{name}"
        write(sub / "ann" / f"{name}.ipynb", corpus.notebook(solution(name)))
        write(sub / "ann" / f"Copy of {name}.ipynb", corpus.notebook(solution(name)))
        write(sub / "ben" / f"{name}.ipynb", corpus.notebook(corpus.release(solution(name))))
        argv = ["grade", str(sub), "--out", str(tmp_path / name), "--source", str(source)]
        assert bpkit_main(argv) == 0
    late = tmp_path / "late"  # ann hands 90 in again, in another assignment's download
    write(late / "ann" / "90_fixture.ipynb", corpus.notebook(solution("90_fixture")))
    argv = ["grade", str(late), "--out", str(tmp_path / "late_out"), "--source", str(source)]
    assert bpkit_main(argv) == 0
    roster = tmp_path / "roster.csv"
    roster.write_text("student\nzoe\nann\nben\n")
    book = tmp_path / "gradebook.csv"
    folders = [str(tmp_path / name) for name in [*NAMES, "late_out"]]
    assert bpkit_main(["gradebook", *folders, "--out", str(book), "--roster", str(roster)]) == 0
    assert book.read_text().splitlines() == [
        "student,90_fixture,91_other,total,note",
        "zoe,,,0,",
        "ann,6,2,8,",
        "ben,0,0,0,",
    ]
    assert gradebook.table([tmp_path / "90_fixture"])[1] == {"90_fixture": 6.0}


def _error(kind: str, where: list[str] | None = None) -> tuple[str, dict]:
    return ("error", {"type": kind, "message": "", "where": where or []})


@pytest.mark.parametrize(
    ("outcomes", "notes"),
    [
        ([("value", 1.0), _error("NotImplementedError")], []),
        ([_error("ValueError", ["line 2 in cube"]), _error("Missing")], []),
        (
            [_error("NotImplementedError"), _error("Missing")],
            ["not attempted: every graded function still raises NotImplementedError"],
        ),
        (
            [_error("Missing"), _error("Missing")],
            ["not attempted: the notebook defines none of the graded functions (cube, halve)"],
        ),
        (
            [_error("LookupError"), _error("LookupError")],
            [
                "no graded function ran: the grader could not call cube, halve (LookupError); "
                "tell your instructor"
            ],
        ),
        (
            [("value", 1.0), _error("LookupError")],
            ["the grader could not call halve (LookupError); tell your instructor"],
        ),
    ],
)
def test_status_is_never_ok_when_no_graded_function_ran(outcomes, notes):
    """A case counts as run only if it returned or raised inside the learner's code."""
    cases = [{"function": "cube"}, {"function": "halve"}]
    fixture = exercise.Exercise(OTHER, {"cube": 1.0, "halve": 1.0}, cases)
    run = runner.Run(results=dict(enumerate(outcomes)))
    assert cli._run_notes(run, fixture) == notes


def test_released_notebooks_and_variants_are_current_and_recognised():
    """Every released notebook, and a learner's variant of 04, carry today's stamp: no flag;
    an edited seed is called edited (not an older release) and graded with the real one."""
    from bpkit import release
    from bpkit.check import exercises

    sources = exercise.available(REPO / "exercises")
    known = identity.catalogue(sources)
    variant = {"student": "s001", "seed": exercises.variant_seed("04_feedforward", "s001")}
    notebooks = [(n, json.loads(release.release_text(path))) for n, path in sources.items()]
    text = release.release_text(sources["04_feedforward"], variant)
    notebooks.append(("04_feedforward", json.loads(text)))
    for name, notebook in notebooks:
        found = identity.identify(("anything.ipynb",), notebook, known)
        assert (found.exercise, found.how, found.flags) == (name, "metadata", [])
    seed = variant["seed"] + 1
    edited = {**notebook["metadata"]["bpkit"], "variant": {**variant, "seed": seed}}
    notebook["metadata"]["bpkit"] = edited
    assert identity.identify(("anything.ipynb",), notebook, known).flags == []  # not "older"
    found = plan.read_variant(notebook, "04_feedforward")
    assert found.flags == [
        f"variant edited: seed {seed} is not the seed released for s001; "
        "graded against s001's cases"
    ]
    assert found.seed == variant["seed"]


@pytest.fixture
def graded_folders(tmp_path, source):
    """Two exercises graded for ann (full marks on 90) and ben (a fresh release)."""
    folders = []
    for name in NAMES:
        sub = tmp_path / f"in_{name}"
        write(sub / "ann" / f"{name}.ipynb", corpus.notebook(solution(name)))
        write(sub / "ben" / f"{name}.ipynb", corpus.notebook(corpus.release(solution(name))))
        argv = ["grade", str(sub), "--out", str(tmp_path / name), "--source", str(source)]
        assert bpkit_main(argv) == 0
        folders.append(str(tmp_path / name))
    return folders


LMS_ROSTER = (
    "student,name,email,section,sis user id,sis login id\n"
    'zoe,"Zoe, Ada",zoe@uni.example,A,9001,zoe1\n'
    'ann,"Ann, Lee",ann@uni.example,A,9002,ann1\n'
    'ben,"Ben, Roy",ben@uni.example,B,9003,ben1\n'
)


def test_canvas_gradebook_follows_canvas_import_format(tmp_path, graded_folders):
    """Canvas's import columns (Student, ID, SIS User ID, SIS Login ID, Section), a Points
    Possible row, one column per exercise, and no total (Canvas would make it an assignment)."""
    roster = tmp_path / "roster.csv"
    roster.write_text(LMS_ROSTER)
    book = tmp_path / "canvas.csv"
    argv = ["gradebook", *graded_folders, "--out", str(book), "--roster", str(roster)]
    assert bpkit_main([*argv, "--format", "canvas"]) == 0
    rows = list(csv.reader(book.read_text().splitlines()))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *NAMES]
    assert rows[1] == ["Points Possible", "", "", "", "", "6", "2"]
    assert rows[2:] == [
        ["Zoe, Ada", "", "9001", "zoe1", "A", "", ""],
        ["Ann, Lee", "", "9002", "ann1", "A", "6", "2"],
        ["Ben, Roy", "", "9003", "ben1", "B", "0", "0"],
    ]


def test_moodle_gradebook_has_one_identifying_column(tmp_path, graded_folders):
    """Moodle maps one column to a user field: the roster's email, then the exercises."""
    roster = tmp_path / "roster.csv"
    roster.write_text(LMS_ROSTER)
    book = tmp_path / "moodle.csv"
    argv = ["gradebook", *graded_folders, "--out", str(book), "--roster", str(roster)]
    assert bpkit_main([*argv, "--format", "moodle"]) == 0
    assert book.read_text().splitlines() == [
        f"Email address,{','.join(NAMES)}",
        "zoe@uni.example,,",
        "ann@uni.example,6,2",
        "ben@uni.example,0,0",
    ]


def test_lms_formats_need_a_roster_with_the_ids_they_match_by(tmp_path, graded_folders):
    book = tmp_path / "book.csv"
    with pytest.raises(SystemExit, match="needs --roster"):
        bpkit_main(["gradebook", *graded_folders, "--out", str(book), "--format", "canvas"])
    bare = tmp_path / "bare.csv"
    bare.write_text("student\nann\nben\n")
    argv = ["gradebook", *graded_folders, "--out", str(book), "--roster", str(bare)]
    with pytest.raises(SystemExit, match="needs a column 'email address'"):
        bpkit_main([*argv, "--format", "moodle"])


@pytest.fixture(scope="module")
def zip_04(tmp_path_factory) -> Path:
    """Exercise 04's Gradescope zip with hidden cases shown after publishing, unpacked."""
    root = tmp_path_factory.mktemp("gradescope") / "autograder"
    archive = root.parent / "autograder.zip"
    argv = ["autograder", "--out", str(archive), "--source", str(REPO / "exercises")]
    argv += ["--exercise", "04_feedforward", "--hidden-visibility", "after_published"]
    assert bpkit_main(argv) == 0
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(root / "source")
    return root


def test_gradescope_names_the_exercise_a_wrong_notebook_is(zip_04):
    """A 03 notebook handed to the 04 zip is named as 03, not only 'defines none of …'."""
    from test_autograder import _run

    solved_03 = (REPO / "exercises" / "03_gradient_descent" / "source.ipynb").read_bytes()
    results = _run(zip_04, {"my_work.ipynb": solved_03})
    assert results["score"] == 0
    assert results["output"].startswith(
        "This notebook is exercise 03_gradient_descent (it defines gradient_descent, "
        "largest_stable_lr, momentum_descent), but this assignment is 04_feedforward"
    )


def test_gradescope_hidden_cases_follow_the_chosen_visibility(zip_04):
    """Each function is a visible public-cases test and a hidden-cases test shown as chosen;
    the points add up to the function's, and the total to bpkit grade's."""
    from test_autograder import _run

    solved = (REPO / "exercises" / "04_feedforward" / "source.ipynb").read_bytes()
    results = _run(zip_04, {"04_feedforward.ipynb": solved})
    assert results["score"] == 7
    assert round(sum(t["max_score"] for t in results["tests"]), 4) == 7
    seen = {t["name"]: t["visibility"] for t in results["tests"]}
    assert seen["sigmoid (public cases)"] == "visible"
    assert seen["sigmoid (hidden cases)"] == "after_published"
    assert all(v == "after_published" for n, v in seen.items() if "hidden" in n)
