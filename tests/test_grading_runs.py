"""Runs whose grades match the files: bad metadata, variants, deleted files, limits, Ctrl-C."""

from __future__ import annotations

import csv
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpkit.check.exercises import variant_seed
from bpkit.cli import main as bpkit_main
from bpkit.grading import identity, plan, report, runner, students

FIXTURES = Path(__file__).with_name("grading_fixtures")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(FIXTURES))
import corpus  # noqa: E402  (the corpus builder lives beside its fixtures)

NO_SEED = "91_noseed"  # a fixture exercise whose cases take no seed: it has no variants


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """The fixture exercise 90 (with variants) and 91 (without), in a private folder."""
    folder = tmp_path_factory.mktemp("source") / "source"
    shutil.copytree(FIXTURES / "source", folder)
    (folder / f"{NO_SEED}.ipynb").write_bytes(
        corpus.notebook(
            [
                "import numpy as np",
                "def one():\n    ### BEGIN SOLUTION\n    return 1.0\n    ### END SOLUTION",
            ]
        )
    )
    (folder / "cases" / f"{NO_SEED}.py").write_text(
        'POINTS = {"one": 1}\n\n\ndef grading_cases():\n    return [{"function": "one"}]\n'
    )
    return folder


@pytest.fixture(scope="module")
def planner(source) -> plan.Planner:
    from bpkit.grading import exercise

    return plan.Planner(source, identity.catalogue(exercise.available(source)))


def _grade(*argv: str) -> int:
    return bpkit_main(["grade", *argv])


def _rows(out: Path) -> dict[str, dict]:
    with open(out / "grades.csv", newline="") as handle:
        return {row["submission"]: row for row in csv.DictReader(handle)}


def _variant(student: object, seed: object, exercise: str = "90_fixture") -> bytes:
    cells = corpus.source_cells() if exercise == "90_fixture" else ["x = 1"]
    stamp = identity.current_stamp(exercise, corpus.SOURCE) if exercise == "90_fixture" else {}
    tag = {"exercise": exercise, **stamp, "variant": {"student": student, "seed": seed}}
    return corpus.with_bpkit(corpus.notebook(cells), tag)


# --- hole 3: nothing in a notebook stops the run -------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=12,
)
TAGS = st.fixed_dictionaries(
    {},
    optional={
        "exercise": st.sampled_from(["90_fixture", NO_SEED, "99_none"]) | JSON,
        "variant": st.fixed_dictionaries(
            {}, optional={"student": st.text(max_size=6) | JSON, "seed": st.integers() | JSON}
        )
        | JSON,
        "release": JSON,
        "cases_hash": JSON,
    },
)


@given(tag=TAGS | JSON, name=st.sampled_from(["90_fixture", NO_SEED, "hw", "bob/90_fixture"]))
@settings(max_examples=150, deadline=None)
def test_no_metadata_stops_planning(planner, tmp_path_factory, tag, name):
    """Whatever metadata.bpkit holds, planning a notebook returns an item (a problem is that
    notebook's status), never an exception."""
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / f"{name}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(corpus.with_bpkit(corpus.notebook(corpus.source_cells()), tag))
    item = planner.item("x", path, tuple(Path(f"{name}.ipynb").parts))
    assert isinstance(item.problem, str)
    assert all(isinstance(flag, str) for flag in item.facts["flags"])


def test_variant_of_an_exercise_without_variants_fails_that_notebook(planner, tmp_path):
    """A variant of an exercise whose cases take no seed is that notebook's status."""
    path = tmp_path / f"{NO_SEED}.ipynb"
    path.write_bytes(_variant("bob", variant_seed(NO_SEED, "bob"), NO_SEED))
    item = planner.item("x", path, (path.name,))
    assert item.problem == (
        f"could not load exercise {NO_SEED} for this variant (its cases take no seed, so it "
        "has no variants); tell your instructor"
    )
    assert item.exercise is not None
    assert item.exercise.points == {"one": 1.0}


def test_real_09_variants_grade_with_per_notebook_statuses(tmp_path):
    """09 takes a seed: a 09 notebook with variant metadata no longer stops the run (it
    raised TypeError, exit 1); an unreadable variant fails only its notebook."""
    released = json.loads((REPO / "exercises/09_gated_rnn/09_gated_rnn.ipynb").read_text())
    variants = {"ann": None, "bob": {"student": "bob", "seed": 1}, "carl": {"student": [1]}}
    for student, variant in variants.items():
        released["metadata"]["bpkit"]["variant"] = variant
        path = tmp_path / "in" / student / "09_gated_rnn.ipynb"
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(released))
    out = tmp_path / "out"
    assert _grade(str(tmp_path / "in"), "--out", str(out), "--source", str(REPO / "exercises")) == 0
    status = {key.split("__")[0]: row["status"] for key, row in _rows(out).items()}
    assert status["ann"].startswith("not attempted")
    assert status["bob"].startswith(
        "variant edited: seed 1 is not the seed released for bob; graded against bob's cases"
    )
    assert status["carl"].startswith("variant metadata unreadable")


# --- hole 6: a variant is tied to the learner it was released for ---------------------------


def test_with_a_roster_a_borrowed_variant_is_graded_against_the_senders_cases(
    planner, source, tmp_path
):
    """s002 hands in s001's variant: flagged, and graded against s002's own cases."""
    roster_file = tmp_path / "roster.csv"
    roster_file.write_text("id,name\ns001,Ada Lovelace\ns002,Alan Turing\n")
    roster = students.read_roster(roster_file)
    path = tmp_path / "alan_turing" / "90_fixture.ipynb"
    path.parent.mkdir()
    path.write_bytes(_variant("s001", variant_seed("90_fixture", "s001")))
    borrowed = plan.Planner(source, planner.known, roster).item("x", path, path.parts[-2:])
    assert borrowed.facts["flags"] == [
        "another learner's variant: released for s001, handed in by s002; "
        "graded against s002's cases"
    ]
    own_seed = variant_seed("90_fixture", "s002")
    assert borrowed.exercise.fingerprint == planner.exercise("90_fixture", own_seed)[0].fingerprint
    path.write_bytes(_variant("s002", own_seed))
    own = plan.Planner(source, planner.known, roster).item("x", path, path.parts[-2:])
    assert own.facts["flags"] == []
    assert own.exercise.fingerprint == borrowed.exercise.fingerprint
    lender_seed = variant_seed("90_fixture", "s001")
    path.write_bytes(_variant("s002", lender_seed))  # s001's variant, its student edited
    edited = plan.Planner(source, planner.known, roster).item("x", path, path.parts[-2:])
    assert edited.facts["flags"] == [
        f"variant edited: it names s002, but its seed {lender_seed} was released for s001; "
        "graded against s002's cases"
    ]
    assert edited.exercise.fingerprint == own.exercise.fingerprint


def test_without_a_roster_a_path_that_names_the_variants_student_raises_no_flag(planner, tmp_path):
    """s001's variant as s001_own_90_fixture.ipynb is s001's; as hers_90_fixture.ipynb it is
    flagged (its path names someone else) and graded against s001's cases."""
    for name, flags in (
        ("s001_own_90_fixture.ipynb", []),
        (
            "hers_90_fixture.ipynb",
            [
                "another learner's variant: released for s001, but its path names hers (with "
                "--roster, it is graded against its sender's own cases); graded against s001's "
                "cases"
            ],
        ),
    ):
        path = tmp_path / name
        path.write_bytes(_variant("s001", variant_seed("90_fixture", "s001")))
        assert planner.item("x", path, (name,)).facts["flags"] == flags


def test_a_sender_comes_from_the_roster_else_the_path():
    """students.sender: a roster match is sure; a folder or an LMS file name is not; a
    file name with no student in it gives none."""
    names = ["90_fixture"]
    assert students.sender(("s002", "90_fixture.ipynb"), names, None) == ("s002", False)
    assert students.sender(("smith_12345_90_fixture.ipynb",), names, None) == (
        "smith_12345",
        False,
    )
    assert students.sender(("90_fixture.ipynb",), names, None) == (None, False)
    assert students.mentions(("s001_own_90_fixture.ipynb",), "s001")
    assert not students.mentions(("s0012_90_fixture.ipynb",), "s001")


# --- hole 4: links and pipes are not notebooks ---------------------------------------------


def test_links_and_pipes_are_refused_without_being_opened(tmp_path):
    """read_submission never follows a symlink nor blocks on a FIFO; a folder is refused."""
    real = tmp_path / "real.ipynb"
    real.write_bytes(corpus.notebook(["x = 1"]))
    (tmp_path / "link.ipynb").symlink_to(real)
    os.mkfifo(tmp_path / "pipe.ipynb")
    (tmp_path / "dir.ipynb").mkdir()
    assert plan.read_submission(real)[0] == real.read_bytes()
    assert plan.read_submission(tmp_path / "link.ipynb") == (
        None,
        "symlink: not graded; hand in the notebook file itself",
    )
    assert plan.read_submission(tmp_path / "pipe.ipynb")[1] == (
        "not a regular file (a FIFO): not graded"
    )
    assert plan.read_submission(tmp_path / "dir.ipynb")[1] == (
        "not a regular file (a folder): not graded"
    )


def test_two_submissions_that_are_one_file_are_flagged(planner, tmp_path):
    """A hard link between two submissions is graded, and both are flagged."""
    first, second = tmp_path / "ann_90_fixture.ipynb", tmp_path / "bob_90_fixture.ipynb"
    first.write_bytes(corpus.with_cells())
    os.link(first, second)
    found = [("ann", first, (first.name,)), ("bob", second, (second.name,))]
    linked = plan.Planner(planner.source, planner.known)
    linked.see(found)
    flags = [linked.item(*entry).facts["flags"] for entry in found]
    assert flags == [
        ["the same file as bob (a hard link); check who wrote it"],
        ["the same file as ann (a hard link); check who wrote it"],
    ]


# --- hole 7: grades.csv describes the files present, with the limits used now -------------


def _two(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a_90_fixture.ipynb").write_bytes(corpus.with_cells())
    (folder / "b_90_fixture.ipynb").write_bytes(
        corpus.notebook(corpus.release(corpus.source_cells()))
    )


def test_a_deleted_submission_leaves_grades_csv(tmp_path, source, capsys):
    """After b is deleted, a rerun moves its records to out/removed/ and grades.csv lists a
    only (it listed both, and b's grade still counted)."""
    folder, out = tmp_path / "in", tmp_path / "out"
    _two(folder)
    args = [str(folder), "--out", str(out), "--source", str(source)]
    assert _grade(*args) == 0
    assert sorted(_rows(out)) == ["a_90_fixture", "b_90_fixture"]
    (folder / "b_90_fixture.ipynb").unlink()
    capsys.readouterr()
    assert _grade(*args) == 0
    assert "graded 0, skipped 1, set aside 1 no longer handed in (removed/)" in (
        capsys.readouterr().out
    )
    assert sorted(_rows(out)) == ["a_90_fixture"]
    assert report.read_record(out / "removed" / "b_90_fixture.results.json")["total"] == 0
    assert (out / "removed" / "b_90_fixture.feedback.md").exists()


def test_new_limits_regrade_and_a_pending_alone_regrade_survives(tmp_path, source, capsys):
    """Changing --timeout or --memory regrades (limits are part of the cache key); a record
    still waiting to be graded again alone ("again") is graded on the next run."""
    folder, out = tmp_path / "in", tmp_path / "out"
    _two(folder)
    args = [str(folder), "--out", str(out), "--source", str(source)]
    assert _grade(*args, "--timeout", "5") == 0
    assert _grade(*args, "--timeout", "5") == 0
    assert "graded 0, skipped 2" in capsys.readouterr().out
    assert _grade(*args, "--timeout", "6") == 0
    assert "graded 2, skipped 0" in capsys.readouterr().out
    assert _grade(*args, "--timeout", "6", "--memory", "900") == 0
    assert "graded 2, skipped 0" in capsys.readouterr().out
    results = out / "a_90_fixture.results.json"
    data = json.loads(results.read_text())
    data["extra_data"]["bpkit"]["again"] = True  # as a run killed before the alone step left it
    results.write_text(json.dumps(data))
    assert _grade(*args, "--timeout", "6", "--memory", "900") == 0
    assert "graded 1, skipped 1" in capsys.readouterr().out
    assert not report.read_record(results).get("again")


def test_ctrl_c_keeps_what_finished_and_exits_130(tmp_path, source):
    """SIGINT during a run: queued notebooks are dropped, the running one killed, what
    finished stays graded, grades.csv lists it; one line on stderr, no traceback, exit 130."""
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    (folder / "a_90_fixture.ipynb").write_bytes(corpus.with_cells())
    for name in ("b", "c"):
        slow = corpus.with_cells(insert=corpus.STUBBORN_LOOP)
        (folder / f"{name}_90_fixture.ipynb").write_bytes(slow)
    command = [sys.executable, "-m", "bpkit", "grade", str(folder), "--out", str(out)]
    command += ["--source", str(source), "--timeout", "60"]
    env = {**os.environ, "TMPDIR": str(tmp_path)}  # its bpkit-sub-* folders, to count them
    grader = subprocess.Popen(command, cwd=REPO, env=env, stderr=subprocess.PIPE, text=True)
    marker = out / "a_90_fixture.results.json"
    for _ in range(2400):  # the first notebook's record is written as soon as it is graded
        if marker.exists() or grader.poll() is not None:
            break
        time.sleep(0.05)
    grader.send_signal(signal.SIGINT)
    _, stderr = grader.communicate(timeout=60)
    assert grader.returncode == 130
    assert stderr.strip().splitlines()[-1] == (
        "bpkit grade: interrupted; kept 1 graded, 2 not graded"
    )
    assert "Traceback" not in stderr
    assert sorted(_rows(out)) == ["a_90_fixture"]
    assert not list(tmp_path.glob("bpkit-sub-*"))


def test_ctrl_c_before_grading_began_exits_130_and_leaves_no_folder(
    tmp_path, source, monkeypatch, capsys
):
    """SIGINT while the exercises load or the sandbox is probed (the first seconds of a run)
    says so in one line and exits 130 (it ended in a KeyboardInterrupt traceback, status -2),
    and the probe's temporary folder is gone (one stayed when Ctrl-C came before its start)."""
    import tempfile

    from bpkit.grading import cli

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    _two(tmp_path / "in")
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    args = [str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--source", str(source)]
    previous = signal.getsignal(signal.SIGINT)
    for where, name in ((cli.ex, "available"), (cli, "sandbox_for"), (runner, "_library")):
        with monkeypatch.context() as patch:
            patch.setattr(where, name, interrupted)
            try:
                assert _grade(*args) == 130
            finally:
                signal.signal(signal.SIGINT, previous)
        err = capsys.readouterr().err
        assert err == "bpkit grade: interrupted before any notebook was graded\n"
        assert not list((tmp_path / "tmp").iterdir())


# --- two graders at once (issue 23: each run touches only what it created) -----------------

SLEEPER = "123457.25"  # seconds a notebook's double-forked child sleeps: its name in /proc
SLOW_FORKING = f"""
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv("/bin/sleep", ["sleep", "{SLEEPER}"])
    os._exit(0)
time.sleep(5)
"""


def _sleepers() -> list[int]:
    """The pids of every process sleeping SLEEPER seconds, whoever started it."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if SLEEPER.encode() in cmdline.read_bytes():
                found.append(int(cmdline.parent.name))
        except OSError:
            continue  # it ended while we looked
    return found


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill-9"])
def test_stopping_one_grader_leaves_another_running_beside_it_whole(tmp_path, source, stop):
    """Two graders share the temporary folder and start together; one is stopped while both
    run notebooks. The other (grading a slow notebook whose child double-forked) grades all
    three right, exits 0 and leaves no folder or process; the stopped one keeps its finished
    grade (Ctrl-C) and, when killed, only its own folders stay, for the next grader."""
    assert not _sleepers()
    folders = {name: tmp_path / f"in_{name}" for name in ("a", "b")}
    for folder in folders.values():
        folder.mkdir()
        (folder / "a_90_fixture.ipynb").write_bytes(corpus.with_cells())
    slow_first = corpus.with_cells(insert=SLOW_FORKING)
    (folders["a"] / "0_90_fixture.ipynb").write_bytes(slow_first)
    (folders["a"] / "b_90_fixture.ipynb").write_bytes(corpus.with_cells())
    (folders["b"] / "b_90_fixture.ipynb").write_bytes(
        corpus.with_cells(insert=corpus.STUBBORN_LOOP)
    )
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    graders = {}
    for name, folder in folders.items():
        command = [sys.executable, "-m", "bpkit", "grade", str(folder)]
        command += ["--out", str(tmp_path / f"out_{name}"), "--source", str(source)]
        command += ["--timeout", "20"]
        graders[name] = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    marker = tmp_path / "out_b" / "a_90_fixture.results.json"
    for _ in range(1200):  # b's first record: b now runs its stubborn notebook
        if marker.exists() or graders["b"].poll() is not None:
            break
        time.sleep(0.05)
    time.sleep(0.5)
    assert graders["a"].poll() is None, "a ended before b was stopped: nothing was tested"
    assert _sleepers(), "the slow notebook's child is not running: nothing was tested"
    graders["b"].send_signal(stop)
    _, b_err = graders["b"].communicate(timeout=30)
    a_out, a_err = graders["a"].communicate(timeout=60)
    assert graders["a"].returncode == 0, a_err
    assert "graded 3, skipped 0" in a_out
    rows = _rows(tmp_path / "out_a")
    assert sorted(rows) == ["0_90_fixture", "a_90_fixture", "b_90_fixture"]
    assert {(row["total"], row["max"], row["status"]) for row in rows.values()} == {
        ("6", "6", "ok")
    }
    assert sorted(_rows(tmp_path / "out_b")) == ["a_90_fixture"]
    left = [p.name for p in tmp_path.glob("bpkit-sub-*")]
    if stop == signal.SIGINT:
        assert graders["b"].returncode == 130
        assert b_err.strip().splitlines()[-1] == (
            "bpkit grade: interrupted; kept 1 graded, 1 not graded"
        )
        assert left == []
    else:  # the killed grader could not clean up: its folders only, named after it
        assert graders["b"].returncode == -signal.SIGKILL
        assert all(name.startswith(f"bpkit-sub-{graders['b'].pid}-") for name in left)
        assert left  # it was running its stubborn notebook
        assert len(runner.clean_stale_workdirs(str(tmp_path))) == len(left)
        assert not list(tmp_path.glob("bpkit-*"))
    deadline = time.monotonic() + 5  # a killed sandbox's processes end as the kernel gets to them
    while _sleepers() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _sleepers()


@pytest.mark.parametrize("cell", ["pass", "import os\nos._exit(3)", "import time\ntime.sleep(60)"])
def test_a_sandbox_is_reaped_only_after_its_group_is_killed(monkeypatch, cell):
    """Every kill of a sandbox's process group happens while its first process is unreaped
    (so that group id cannot belong to another grader's sandbox yet), and the registry Ctrl-C
    kills from is empty afterwards; the exit code is still read (os._exit(3) says code 3)."""
    signalled = []

    def killpg(pgid, number, real=os.killpg):
        try:  # WNOWAIT: only looks; ChildProcessError once the child was reaped
            os.waitid(os.P_PID, pgid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            signalled.append("unreaped")
        except ChildProcessError:
            signalled.append("reaped")
        real(pgid, number)

    monkeypatch.setattr(runner.os, "killpg", killpg)
    limits = runner.Limits(cell_seconds=2)
    run = runner.run([cell], [], limits, runner.Sandbox(runner.FRESH_USER, True, [], []))
    assert signalled
    assert set(signalled) == {"unreaped"}
    assert not runner._running
    assert ("code 3" in run.problem) == ("_exit" in cell)


HOLD_LOCK = """import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
fcntl.flock(fd, fcntl.LOCK_SH)
print("locked", flush=True)
time.sleep(60)
"""


def test_a_running_graders_folder_is_kept_even_when_its_pid_cannot_be_seen(tmp_path):
    """A folder whose grader this one cannot look up (another PID namespace: here a pid no
    kernel gives) stays while a process holds its lock, and goes once that process is gone;
    this grader's own folders hold their lock until removed."""
    other = tmp_path / f"{runner.WORKDIR_PREFIX}999999999-12345-abc"
    other.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(other)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline() == "locked\n"
        assert runner.clean_stale_workdirs(str(tmp_path)) == []
    finally:
        holder.kill()
        holder.communicate()
    assert runner.clean_stale_workdirs(str(tmp_path)) == [str(other)]
    mine = Path(runner.make_workdir())
    try:
        assert runner._locked(mine)
    finally:
        runner.remove_workdir(str(mine))
    assert not mine.exists()
    assert str(mine) not in runner._held


def test_two_graders_never_share_a_user_id():
    """Each grader's runs use user ids of a block of their own, for any two pids the kernel
    can give (before, ids repeated for pids a million apart: one grader's kill(-1) as its run's
    user would have reached the other's notebook)."""
    pids = [1, 2, 999_999, 1_000_000, 1_000_001, 1_999_999, runner.PID_LIMIT - 1]
    blocks = {pid: {runner.fresh_ids(pid, count)["uid"] for count in range(1000)} for pid in pids}
    assert all(len(ids) == 1000 for ids in blocks.values())
    for one, other in itertools.combinations(pids, 2):
        assert not blocks[one] & blocks[other]
    assert min(map(min, blocks.values())) >= runner.FRESH_BASE
    assert max(map(max, blocks.values())) < 2**32 - 1  # (uid_t)-1 means "no change"
    assert runner.fresh_ids(7, 1000) == runner.fresh_ids(7, 0)
    with pytest.raises(ValueError, match="outside the kernel's range"):
        runner.fresh_ids(runner.PID_LIMIT, 0)


def test_gradescope_refuses_a_symlink_to_the_instructor_notebook(tmp_path):
    """In the Gradescope layout, a submitted symlink to the zip's instructor notebook scores
    0 with the symlink status (it scored full marks)."""
    import zipfile

    archive = tmp_path / "autograder.zip"
    argv = ["autograder", "--out", str(archive), "--source", str(FIXTURES / "source")]
    assert bpkit_main([*argv, "--exercise", "90_fixture", "--timeout", "3"]) == 0
    root = tmp_path / "autograder"
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(root / "source")
    (root / "submission").mkdir()
    target = root / "source" / "exercises" / "source" / "90_fixture.ipynb"
    (root / "submission" / "90_fixture.ipynb").symlink_to(target)
    env = {**os.environ, "BPKIT_AUTOGRADER_ROOT": str(root), "BPKIT_PYTHON": sys.executable}
    script = root / "source" / "run_autograder"
    subprocess.run(["bash", str(script)], env=env, check=True, capture_output=True, timeout=120)
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 0
    assert "status symlink: not graded" in results["output"]
