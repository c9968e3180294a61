"""Rosters and folders as LMS exports really are (issue 21 §4), each with its row in grades.csv.

Accented names match their LMS spelling (Gödel ↔ godel, ß ↔ ss, ø ↔ o), a Canvas download in
one folder is not one student, files that are not ``.ipynb`` get a row or are graded, stored
plots do not count towards the size limit, and a wrong-exercise hand-in is a 0 with a note in
the gradebook, not a blank.
"""

from __future__ import annotations

import csv
import json
import unicodedata
from pathlib import Path

import pytest
from test_grading_identity import OTHER, corpus, make_source, solution, write

from bpkit.cli import main as bpkit_main
from bpkit.grading import students

FIXTURE = "90_fixture"
NAMES = [FIXTURE, OTHER]


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("Kurt Gödel", "kurt gödel".replace("ö", "o")),
        ("Straße", "strasse"),
        ("Søren Kierkegaard", "soren kierkegaard"),
        ("Łukasz Æbelø", "lukasz aebelo"),
        (unicodedata.normalize("NFD", "Gödel"), "godel"),  # macOS file names are decomposed
    ],
)
def test_fold_spells_names_as_lms_file_names_do(written, folded):
    """Accents go, letters without a decomposition get their usual ASCII spelling."""
    assert students.fold(written) == folded


def test_roster_matches_accented_names_in_lms_file_names(tmp_path):
    """Kurt Gödel on the roster is Canvas's godelkurt and Moodle's folder 'Kurt Gödel_…'."""
    roster = tmp_path / "roster.csv"
    roster.write_text("student,name\ns1,Kurt Gödel\ns2,Søren Kierkegaard\ns3,Max Straße\n")
    known = students.read_roster(roster)
    assert known.match(("godelkurt_1234_5678_05_backpropagation.ipynb",)) == ("s1", "")
    assert known.match(("Kurt Gödel_4242_assignsubmission_file_", "nb.ipynb")) == ("s1", "")
    assert known.match(("kierkegaardsoren_late_99_1_x.ipynb",)) == ("s2", "")
    assert known.match(("strassemax_7_8_x.ipynb",)) == ("s3", "")
    nfd = unicodedata.normalize("NFD", "Kurt Gödel_4242_assignsubmission_file_")
    assert known.match((nfd, "nb.ipynb")) == ("s1", "")


@pytest.mark.parametrize(
    ("parts", "student"),
    [
        (("canvas_hw05", "godelkurt_1234_5678_05_backpropagation.ipynb"), "godelkurt_1234"),
        (("canvas_hw05", "smithjohn_late_12345_67890_05_b.ipynb"), "smithjohn_12345"),
        (("hw5", "Ann Lee_4242_assignsubmission_file_nb.ipynb"), "Ann_Lee_4242"),
        (("alice", "05_backpropagation.ipynb"), "alice"),  # a student's own folder still wins
    ],
)
def test_lms_file_names_name_the_student_inside_any_folder(parts, student):
    """A Canvas or Moodle download's file names its student, whatever folder holds it."""
    assert students.from_path_parts(parts, ["05_backpropagation"]) == student


def _big(cells: list[str], megabytes: int) -> dict:
    """A solved notebook whose stored plot output weighs ``megabytes`` MB."""
    notebook = json.loads(corpus.notebook(cells))
    plot = {"image/png": "A" * (megabytes << 20), "text/plain": "<Figure>"}
    notebook["cells"][-1]["outputs"] = [{"output_type": "display_data", "data": plot}]
    return notebook


def _rows(out: Path) -> list[dict]:
    with (out / "grades.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """One LMS-like class graded without a roster: (its rows by submission, stderr)."""
    root = tmp_path_factory.mktemp("lms")
    source = make_source(root / "source")
    sub, solved = root / "submitted", corpus.notebook(solution(FIXTURE))
    canvas = sub / "canvas_hw90"
    write(canvas / "godelkurt_1234_5678_90_fixture.ipynb", solved)
    write(canvas / "kierkegaardsoren_late_1235_5679_90_fixture.ipynb", solved)
    for name in ("ann", "ben", "cy"):  # a whole class in one folder, not named as an LMS does
        write(sub / "downloads" / f"{FIXTURE}_{name}.ipynb", solved)
    write(sub / "dan" / f"{FIXTURE}.py", b"def square(x):\n    return x * x\n")
    write(sub / "eve" / f"{FIXTURE}.IPYNB", solved)
    write(sub / "fox" / f"{FIXTURE}.ipynb.json", solved)
    write(sub / "gil" / f"{FIXTURE}.ipynb", _big(solution(FIXTURE), 21))
    out = root / "out"
    return source, sub, out


def test_lms_class_rows_in_grades_csv(graded, capsys):
    """Each case of an LMS export has its row in grades.csv, and stderr warns of the crowd."""
    source, sub, out = graded
    assert bpkit_main(["grade", str(sub), "--out", str(out), "--source", str(source)]) == 0
    err = capsys.readouterr().err
    rows = {row["submission"]: row for row in _rows(out)}
    by_student = {row["student"]: row for row in rows.values()}
    # the Canvas download in one folder: one student per file, from its LMS name
    assert by_student["godelkurt_1234"]["total"] == "6"
    assert by_student["kierkegaardsoren_1235"]["total"] == "6"
    # a folder of several students' notebooks, not LMS-named: said in the row and on stderr
    crowd = by_student["downloads"]
    assert crowd["note"].startswith("3 notebooks for 90_fixture under one student (downloads)")
    assert "grade with --roster or one folder per student" in err
    # a .py hand-in is a row that says what it is; .IPYNB and .ipynb.json are graded
    assert by_student["dan"]["status"] == (
        "not graded: a Python file, not a notebook; hand in the .ipynb file"
    )
    assert by_student["eve"]["total"] == by_student["fox"]["total"] == "6"
    # 21 MB of stored plots: the code is what is graded, and it is small
    assert by_student["gil"]["total"] == "6"
    assert by_student["gil"]["status"] == "ok"


def test_code_over_the_limit_is_still_refused(tmp_path):
    """The 20 MB limit still applies to a notebook's code."""
    from bpkit.grading import plan

    notebook = corpus.notebook(["x = 1\n" + "# " + "a" * (21 << 20)])
    parsed, problem = plan.parse_notebook(notebook)
    assert parsed is None
    assert problem == "not graded: its code is larger than 20 MB"


def test_wrong_exercise_is_zero_with_a_note_in_the_gradebook(tmp_path, capsys):
    """A 91 notebook handed in as 90: 90 shows 0 (not a blank) and the note says why."""
    source = make_source(tmp_path / "source")
    sub = tmp_path / "submitted"
    write(sub / "ann" / f"{FIXTURE}.ipynb", corpus.notebook(solution(FIXTURE)))
    write(sub / "bob" / f"{FIXTURE}.ipynb", corpus.notebook(solution(OTHER)))
    out = tmp_path / "out"
    assert bpkit_main(["grade", str(sub), "--out", str(out), "--source", str(source)]) == 0
    book = tmp_path / "gradebook.csv"
    capsys.readouterr()
    assert bpkit_main(["gradebook", str(out), "--out", str(book)]) == 0
    assert book.read_text().splitlines() == [
        "student,90_fixture,91_other,total,note",
        "ann,6,,6,",
        'bob,0,2,2,"90_fixture: handed in a 91_other notebook, graded as 91_other; '
        '0 for 90_fixture"',
    ]
    assert "bob: 90_fixture: handed in a 91_other notebook" in capsys.readouterr().err


def test_accented_roster_names_get_their_rows(tmp_path):
    """With a roster, Canvas's godelkurt_… and kierkegaardsoren_… rows are its s1 and s2."""
    source = make_source(tmp_path / "source")
    canvas = tmp_path / "submitted" / "canvas_hw90"
    write(canvas / "godelkurt_1234_5678_90_fixture.ipynb", corpus.notebook(solution(FIXTURE)))
    write(canvas / "kierkegaardsoren_late_1235_5679_90_fixture.ipynb", corpus.notebook([]))
    roster = tmp_path / "roster.csv"
    roster.write_text("student,name\ns1,Kurt Gödel\ns2,Søren Kierkegaard\n", encoding="utf-8")
    out = tmp_path / "out"
    argv = ["grade", str(canvas.parent), "--out", str(out), "--source", str(source)]
    assert bpkit_main([*argv, "--roster", str(roster)]) == 0
    rows = {row["student"]: row for row in _rows(out)}
    assert sorted(rows) == ["s1", "s2"]
    assert (rows["s1"]["total"], rows["s1"]["note"]) == ("6", "")
    assert rows["s2"]["note"] == ""
