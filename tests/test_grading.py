"""The grader: survives every bad submission in one run, grades the rest right, leaks nothing."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from bpkit.cli import main as bpkit_main
from bpkit.grading import cli, codec, lookup, report, runner
from bpkit.grading._harness import transform_magics

FIXTURES = Path(__file__).with_name("grading_fixtures")
sys.path.insert(0, str(FIXTURES))
import corpus  # noqa: E402  (the corpus builder lives beside its fixtures)

REPO = Path(__file__).resolve().parents[1]
IS_ROOT = os.geteuid() == 0


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """A private copy of the fixture exercise (submissions must not touch the repo's)."""
    folder = tmp_path_factory.mktemp("source") / "source"
    shutil.copytree(FIXTURES / "source", folder)
    return folder


@pytest.fixture(scope="module")
def graded(tmp_path_factory, source) -> tuple[Path, dict]:
    """Grade the whole corpus in ONE run with two jobs; return output folder and expectations."""
    root = tmp_path_factory.mktemp("corpus")
    out = root / "out"
    secrets = {
        "source": str(source / "90_fixture.ipynb"),
        "cases": str(source / "cases" / "90_fixture.py"),
        "source_dir": str(source),
        "out": str(out),
    }
    expected = corpus.build(root / "submitted", secrets)
    argv = ["grade", str(root / "submitted"), "--out", str(out), "--source", str(source)]
    limits = ["--timeout", str(corpus.TIMEOUT), "--memory", "512"]
    assert bpkit_main([*argv, "--jobs", "2", *limits]) == 0
    return out, expected


def _record(out: Path, name: str) -> dict:
    return json.loads((out / f"{name}.results.json").read_text())["extra_data"]["bpkit"]


CORPUS_NAMES = sorted(corpus.corpus(dict.fromkeys(["source", "cases", "out", "source_dir"], "/x")))


@pytest.mark.parametrize("entry", CORPUS_NAMES)
def test_corpus_entry_scores_and_status(graded, entry):
    """Each corpus submission gets exactly its expected per-function scores and a clear status."""
    out, expected = graded
    name = f"{entry}_90_fixture"
    scores, status = expected[name]
    record = _record(out, name)
    got = {f: scored["score"] for f, scored in record["functions"].items()}
    assert got == pytest.approx(scores), record["status"]
    assert status in record["status"]


def test_grades_csv_lists_every_submission_once(graded):
    """grades.csv has the promised columns and one row per corpus entry, totals matching JSON."""
    out, expected = graded
    lines = (out / "grades.csv").read_text().splitlines()
    assert lines[0] == (
        "student,exercise,submission,identified_by,"
        "square,normalise,count_positive,total,max,status,note"
    )
    rows = {line.split(",")[2]: line for line in lines[1:]}
    assert sorted(rows) == sorted(expected)
    assert (
        rows["correct_90_fixture"]
        == "correct,90_fixture,correct_90_fixture,file name,2,3,1,6,6,ok,"
    )
    assert rows["released_90_fixture"] == (
        "released,90_fixture,released_90_fixture,file name,0,0,0,0,6,"
        "not attempted: every graded function still raises NotImplementedError,"
    )


def test_results_follow_gradescope_schema(graded):
    """Every results.json has score, output and tests with name/score/max_score/output."""
    out, expected = graded
    for name in expected:
        data = json.loads((out / f"{name}.results.json").read_text())
        assert isinstance(data["score"], float)
        assert isinstance(data["output"], str)
        assert [t["name"] for t in data["tests"]] == ["square", "normalise", "count_positive"]
        assert data["score"] == pytest.approx(sum(t["score"] for t in data["tests"]))
        for test in data["tests"]:
            assert 0 <= test["score"] <= test["max_score"]
            assert isinstance(test["output"], str)
        assert (out / f"{name}.feedback.md").read_text().startswith(f"# Feedback for {name}")


def test_hidden_cases_reveal_no_inputs(graded):
    """Public cases show the exception's message; hidden cases show only its type."""
    out, _ = graded
    text = (out / "raise_at_call_90_fixture.feedback.md").read_text()
    assert "✗ public case 1: raised ValueError: no 3.0" in text
    assert "✗ hidden case 2: raised ValueError\n" in text


def test_hostile_notebooks_wrote_nothing_outside_their_folder(graded, source):
    """No submission planted a file in the output folder or beside the cases."""
    out, _ = graded
    assert not (out / "PWNED.txt").exists()
    assert not (source / "PWNED.txt").exists()
    other = {p.name for p in out.iterdir()} - {"grades.csv"}
    assert all(n.endswith((".results.json", ".feedback.md")) for n in other)


def _uid(out: Path, name: str) -> int | None:
    """The uid the notebook ran as (None if it never ran: not a notebook)."""
    user = _record(out, name).get("sandbox", {}).get("user")
    return int(user.split()[1].rstrip(",")) if user else None


def _processes_of(uid: int) -> list[int]:
    """Pids of the live processes whose real uid is ``uid``."""
    pids = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            lines = status.read_text().splitlines()
        except OSError:
            continue  # it ended while we looked
        uids = next((line.split()[1:] for line in lines if line.startswith("Uid:")), [])
        if uids and int(uids[0]) == uid:
            pids.append(int(status.parent.name))
    return pids


@pytest.mark.skipif(not IS_ROOT, reason="privileges are dropped only when grading as root")
def test_every_notebook_runs_as_an_unprivileged_user_of_its_own(graded):
    """As root, each notebook ran as its own unused uid: kill_others, which signalled every
    process its user could for 4 s beside other notebooks, hurt none of them (their scores
    are checked entry by entry above), and file_access could not read the cases."""
    out, _ = graded
    uids = [_uid(out, f"{entry}_90_fixture") for entry in CORPUS_NAMES]
    uids = [uid for uid in uids if uid is not None]
    assert len(uids) >= 20
    assert all(uid >= runner.FRESH_BASE for uid in uids)
    assert len(set(uids)) == len(uids)
    assert _record(out, "file_access_90_fixture")["functions"]["count_positive"]["score"] == 1


@pytest.mark.skipif(not IS_ROOT, reason="per-run users exist only when grading as root")
def test_no_process_outlives_its_notebook(graded):
    """The orphan entry double-forked a sleeper out of its process group; it is gone."""
    out, _ = graded
    uid = _uid(out, "orphan_90_fixture")
    assert _processes_of(uid) == []


def test_a_notebook_that_hogs_the_cpu_costs_no_other_its_grade(tmp_path, source):
    """Starved by 40 busy processes of the notebook beside them, two correct notebooks hit
    their time limits (or an import cut short fails); they are graded again alone, and
    keep full marks and an "ok"."""
    folder = tmp_path / "submitted"
    folder.mkdir()
    (folder / "a_starve_90_fixture.ipynb").write_bytes(
        corpus.notebook([*corpus.source_cells(), *corpus.STARVE])
    )
    for name in ("b_correct", "c_correct"):
        (folder / f"{name}_90_fixture.ipynb").write_bytes(corpus.with_cells())
    out = tmp_path / "out"
    # On one CPU only (every process the grader starts inherits it), so that the 40 busy
    # processes starve the notebooks beside them and not the rest of the test suite.
    cpus = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(cpus)})
    try:
        _grade(str(folder), "--out", str(out), "--source", str(source), "--jobs", "2",
               "--timeout", "3")  # fmt: skip
    finally:
        os.sched_setaffinity(0, cpus)
    for name in ("b_correct", "c_correct"):
        record = _record(out, f"{name}_90_fixture")
        assert record["status"] == "ok"
        assert {f: s["score"] for f, s in record["functions"].items()} == corpus.FULL


def _grade(*argv: str) -> None:
    assert bpkit_main(["grade", *argv]) == 0


def test_rerun_skips_graded_and_regrades_changed(tmp_path, source, capsys):
    """A second run grades nothing; a changed notebook or --force is graded again."""
    folder = tmp_path / "in"
    folder.mkdir()
    cells = corpus.source_cells()
    (folder / "a_90_fixture.ipynb").write_bytes(corpus.notebook(cells))
    (folder / "b_90_fixture.ipynb").write_bytes(corpus.notebook(corpus.release(cells)))
    args = [str(folder), "--out", str(tmp_path / "out"), "--source", str(source)]
    _grade(*args)
    assert "graded 2, skipped 0" in capsys.readouterr().out
    _grade(*args)
    assert "graded 0, skipped 2" in capsys.readouterr().out
    (folder / "b_90_fixture.ipynb").write_bytes(corpus.notebook(cells))
    _grade(*args)
    assert "graded 1, skipped 1" in capsys.readouterr().out
    assert _record(tmp_path / "out", "b_90_fixture")["total"] == 6
    _grade(*args, "--force")
    assert "graded 2, skipped 0" in capsys.readouterr().out


def test_killed_grader_loses_nothing_and_resumes(tmp_path, source):
    """Killing the grader mid-run keeps finished results valid; a rerun completes the rest."""
    folder = tmp_path / "in"
    folder.mkdir()
    cells = corpus.source_cells()
    (folder / "a_90_fixture.ipynb").write_bytes(corpus.notebook(cells))
    slow = corpus.with_cells(insert=corpus.STUBBORN_LOOP)
    (folder / "b_90_fixture.ipynb").write_bytes(slow)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "bpkit", "grade", str(folder), "--out", str(out)]
    command += ["--source", str(source), "--timeout", "30"]
    grader = subprocess.Popen(command, start_new_session=True, cwd=REPO)
    for _ in range(2400):  # grades.csv is rebuilt just after each results file is written
        if (out / "a_90_fixture.results.json").exists() and (out / "grades.csv").exists():
            break
        time.sleep(0.05)
    os.killpg(grader.pid, signal.SIGKILL)
    grader.wait()
    assert _record(out, "a_90_fixture")["total"] == 6
    assert "a,90_fixture,a_90_fixture,file name,2,3,1,6,6,ok," in (out / "grades.csv").read_text()
    assert not list(out.glob(".*.tmp"))
    (folder / "b_90_fixture.ipynb").write_bytes(corpus.notebook(corpus.release(cells)))
    _grade(str(folder), "--out", str(out), "--source", str(source))
    assert _record(out, "b_90_fixture")["status"].startswith("not attempted")


def test_real_solutions_score_full_marks_and_releases_zero(tmp_path):
    """Every real instructor notebook graded as a submission scores its maximum; releases 0."""
    source = REPO / "exercises"
    folder = tmp_path / "in"
    folder.mkdir()
    for path in source.glob("*/source.ipynb"):
        name = path.parent.name
        shutil.copy(path, folder / f"solution_{name}.ipynb")
        shutil.copy(path.with_name(f"{name}.ipynb"), folder / f"released_{name}.ipynb")
    _grade(str(folder), "--out", str(tmp_path / "out"), "--source", str(source), "--jobs", "2")
    for path in (tmp_path / "out").glob("*.results.json"):
        record = report.read_record(path)
        if record["submission"].startswith("solution"):
            expected = (record["max"], "ok")
        else:
            expected = (0, "not attempted: every graded function still raises NotImplementedError")
        assert (record["total"], record["status"]) == expected, record["submission"]


DTYPES = st.sampled_from(["f8", "f4", "i8", "u1", "?", "c16", ">f8"])


@given(hnp.arrays(DTYPES, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)))
@settings(max_examples=60, deadline=None)
def test_codec_roundtrips_numeric_arrays(array):
    """Any numeric array survives encode → JSON → decode with dtype, shape and bits intact."""
    back = codec.decode(json.loads(json.dumps(codec.encode(array))))
    assert type(back) is np.ndarray
    assert back.dtype == array.dtype.newbyteorder("=")
    assert back.shape == array.shape
    assert back.tobytes() == np.ascontiguousarray(array, dtype=back.dtype).tobytes()


def test_codec_keeps_plain_structure():
    """Tuples, lists, dicts, NaN/inf and scalars come back as the same plain values."""
    value = {"a": (1, 2.5, float("nan")), "b": [None, True, "s", float("-inf")], "c": np.float32(2)}
    back = codec.roundtrip(value)
    assert back["a"][:2] == (1, 2.5)
    assert np.isnan(back["a"][2])
    assert back["b"] == [None, True, "s", float("-inf")]
    assert type(back["a"]) is tuple
    assert back["c"] == 2.0


def test_codec_turns_odd_objects_into_named_placeholders():
    """Objects, object arrays and subclasses never cross; their type name does."""

    class Liar:
        def __eq__(self, other):
            return True

    assert codec.roundtrip(Liar()) == codec.Unsupported("Liar")
    assert codec.roundtrip(np.array([Liar()], dtype=object)) == codec.Unsupported(
        "array of dtype object"
    )
    assert type(codec.roundtrip(np.ma.masked_array([1.0]))) is np.ndarray


@pytest.mark.parametrize(
    "bad",
    [
        {"t": "a", "dtype": "|O", "shape": [1], "b64": ""},
        {"t": "a", "dtype": "<f8", "shape": [2], "b64": "AAAAAAAAAAA="},
        {"t": "a", "dtype": "<f8", "shape": [-1], "b64": ""},
        {"t": "a", "dtype": "<f8", "shape": [1], "b64": "!!!"},
        {"t": "x"},
        {"t": "d", "items": [[1, 2]]},
        {"t": "f", "v": "1e999"},
        {"__reduce__": "os.system"},
        float("nan"),
        json.loads("[" * 40 + "0" + "]" * 40),
    ],
)
def test_codec_refuses_malformed_messages(bad):
    """Anything that is not well-formed tagged plain data raises CodecError, never more."""
    with pytest.raises(codec.CodecError):
        codec.decode(bad)


def test_collect_names_submissions_by_path_inside_folder(tmp_path):
    """Notebooks in subfolders are named folder__stem; checkpoints are ignored; names unique."""
    for rel in ["alice/01_x.ipynb", "bob/01_x.ipynb", ".ipynb_checkpoints/01_x.ipynb"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("{}")
    (tmp_path / "bob 01_x.ipynb").write_text("{}")
    names = [name for name, _, _ in cli.collect([tmp_path])]
    assert names == ["alice__01_x", "bob__01_x", "bob_01_x"]


def test_magics_become_plain_python():
    """Line magics and shell escapes turn into pass; a cell magic's header line is dropped."""
    assert transform_magics("%matplotlib inline\nx = 1\n  !ls") == "pass\nx = 1\npass"
    assert transform_magics("%%time\ny = 2") == "y = 2"


def test_lookup_prefers_bpkit_check_and_never_raises():
    """Drivers and comparisons come from bpkit.check; a broken comparison scores 0."""
    drivers = pytest.importorskip("bpkit.check.drivers")
    assert lookup.driver("call") is drivers.DRIVERS["call"]
    assert lookup.score({"compare": "no_such"}, 1.0, 1.0)[0] == 0.0
    assert lookup.score({"compare": "allclose"}, [1.0, 2.0], [1.0, 2.0]) == (1.0, "")
