"""Give a notebook a world of its own: mount, network and PID namespaces and a minimal root.

``enter(config, report)`` is called by ``sandbox.confine`` before any student code. As root
it unshares the namespaces directly. As any other user it first enters a user namespace of
its own (``CLONE_NEWUSER``, its uid and gid mapped to themselves), which gives it the right
to make the others there; the notebook's process then drops every capability
(``sandbox.drop_capabilities``), so it can change no mount, and cannot chroot out of its root.
Three processes come out of it, and only the last returns:

- the harness's own process (H) unshares the namespaces, forks the reaper and waits for it;
  it ends the way the notebook's process ended (same exit code or signal), so the grader
  reads the outcome from the process it started;
- the reaper (R) is PID 1 of the new PID namespace. It builds the root, forks the notebook's
  process, reaps every orphan, and exits when the notebook's process ends. When PID 1 exits
  the kernel kills every process left in the namespace, double-forked or not;
- the notebook's process (N) returns and goes on confining itself (user switch).

Each process dies with its parent: the grader → H → R by ``PR_SET_PDEATHSIG``, and R's
death takes the namespace with it. A pipe that only H holds open tells R, after it set its
own parent-death signal, whether H was already gone.

The root is a tmpfs. It holds: ``/usr``, ``/bin``, ``/lib``… (read-only binds: the
system's programs and libraries), a few files of ``/etc``, ``/dev/null`` and friends, a
``/proc`` of the new PID namespace mounted with ``hidepid=2``, an empty ``/tmp`` with the
working directory ``/tmp/work``, the Python installation (read-only), of its site-packages
only numpy, matplotlib and what they require, bpkit's package folder, and the exercises'
public parts (copies of ``__init__.py``, ``*/cases.py``, ``*/hints.py``). Nothing else of
the machine: no repository or ``.git``, no exercise sources, no submissions, no output.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import select
import shutil
import signal
import sys
from pathlib import Path

from bpkit.grading import sandbox

SYSTEM = ("usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32")
ETC = ("ld.so.cache", "ld.so.conf", "nsswitch.conf", "localtime", "host.conf", "fonts")
DEVICES = ("null", "zero", "full", "random", "urandom")
LIBRARIES = ("numpy", "matplotlib")  # with what they require: what a notebook may import
WORKDIR = "/tmp/work"


def enter(config: dict, report: dict) -> str | None:
    """Unshare, fork the reaper and the notebook's process; return its working directory.

    Returns None (and says why in ``report``) when the kernel refuses the namespaces.
    """
    import ctypes

    libc = sandbox._libc()
    if os.geteuid() != 0:
        problem = _enter_user_namespace(libc)
        if problem:
            report["namespace"] = f"not available (user namespace: {problem})"
            return None
    flags = sandbox.CLONE_NEWNS | sandbox.CLONE_NEWNET | sandbox.CLONE_NEWPID
    if libc.unshare(flags) != 0:
        report["namespace"] = f"not available ({os.strerror(ctypes.get_errno())})"
        return None
    status_r, status_w = os.pipe()
    life_r, life_w = os.pipe()
    plan = _plan(config)  # computed before the fork: the reaper cannot see the old root
    pid = os.fork()
    if pid:  # H: wait for the reaper, then end as the notebook ended
        os.close(status_w)
        os.close(life_r)
        _release_fds(keep={status_r, life_w})
        _wait_and_mirror(pid, status_r)
    os.close(status_r)
    os.close(life_w)
    libc.prctl(sandbox.PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if select.select([life_r], [], [], 0)[0]:  # EOF: H died before the line above
        os._exit(70)
    try:
        _build_root(libc, config, plan)
    except OSError as error:
        print(f"bpkit sandbox: could not build the root: {error}", file=sys.stderr, flush=True)
        os._exit(71)
    child = os.fork()
    if child:  # R: PID 1, reaps everything, ends with the notebook's process
        _release_fds(keep={status_w})
        _reap(child, status_w)
    os.close(status_w)
    os.close(life_r)
    report["namespace"] = sandbox.ISOLATED
    report["pid"] = str(os.getpid())
    return WORKDIR


def _enter_user_namespace(libc) -> str:
    """Unshare a user namespace that maps only this uid and gid (to themselves); "" or why not.

    Inside it this process holds every capability, over namespaces it creates from now on
    only; the uid stays the grader's own, so files keep their owners and nothing is root.
    """
    import ctypes

    uid, gid = os.geteuid(), os.getegid()
    if libc.unshare(sandbox.CLONE_NEWUSER) != 0:
        return os.strerror(ctypes.get_errno())
    try:
        for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1")):
            Path(f"/proc/self/{name}").write_text(text)
        Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
    except OSError as error:
        return f"cannot map the ids ({error.strerror})"
    return ""


def _release_fds(keep: set[int]) -> None:
    """Close stdin and the protocol pipe in H and R: only the notebook's process talks."""
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.close(null)
    for fd in _open_fds():
        if fd not in keep | {0, 1, 2}:
            with contextlib.suppress(OSError):
                os.close(fd)


def _open_fds() -> list[int]:
    try:
        return [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        return list(range(3, 256))


def _wait_and_mirror(pid: int, status_r: int) -> None:
    """H: wait for the reaper; end with the notebook's exit code or its fatal signal."""
    os.waitpid(pid, 0)
    data = os.read(status_r, 64)
    status = int(data) if data.strip().isdigit() else 70 << 8
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        with contextlib.suppress(OSError, ValueError):  # SIGKILL has no handler to reset
            signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 70)


def _reap(child: int, status_w: int) -> None:
    """R: reap every process of the namespace until the notebook's process has ended."""
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE):
        signal.signal(number, signal.SIG_IGN)
    while True:
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            os._exit(70)
        if pid == child:
            with contextlib.suppress(OSError):
                os.write(status_w, str(status).encode())
            os._exit(0)  # PID 1 ends: the kernel kills whatever the notebook left behind


def _site_dirs() -> list[str]:
    """The site-packages folders on sys.path outside the base installation (bound whole)."""
    base = os.path.realpath(sys.base_prefix)
    sites = [
        os.path.realpath(p)
        for p in sys.path
        if p.endswith(("site-packages", "dist-packages")) and os.path.isdir(p)
    ]
    return [s for s in sites if not s.startswith(base + "/")]


@functools.cache
def library_entries() -> dict[str, list[str]]:
    """For each site folder, the names numpy, matplotlib and their requirements consist of.

    The grader works this out once and passes it on: it takes a fifth of a second.
    """
    from importlib import metadata

    found: dict[str, set[str]] = {site: set() for site in _site_dirs()}
    seen: set[str] = set()
    todo = list(LIBRARIES)
    while todo:
        name = todo.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen:
            continue
        seen.add(key)
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        site = os.path.realpath(dist.locate_file(""))  # its files are relative to it
        if site in found:
            found[site].update(p.parts[0] for p in dist.files or [] if p.parts[0] != "..")
        for requirement in dist.requires or []:
            if "extra ==" not in requirement:
                todo.append(re.match(r"[A-Za-z0-9_.-]+", requirement)[0])
    return {site: sorted(entries) for site, entries in found.items()}


def _imported_from(site: str) -> set[str]:
    """The names in ``site`` of modules this process has already imported (bpkit's own)."""
    entries = set()
    for module in list(sys.modules.values()):
        where = os.path.realpath(getattr(module, "__file__", None) or "/")
        if where.startswith(site + "/"):
            entries.add(where[len(site) + 1 :].split("/")[0])
    return entries


def _plan(config: dict) -> dict:
    """What the root will hold, worked out while the machine's files are still visible."""
    import bpkit

    base = os.path.realpath(sys.base_prefix)
    prefix = os.path.realpath(sys.prefix)
    package = os.path.dirname(os.path.realpath(bpkit.__file__))
    known = config.get("library") or library_entries()
    sites = {site: set(known.get(site, [])) | _imported_from(site) for site in _site_dirs()}
    sites = {
        site: {e for e in entries if e and not e.endswith(".pth")}
        for site, entries in sites.items()
    }
    plan = {
        "base": base,
        "prefix": prefix if prefix != base else None,
        "package": package,
        "sites": {site: sorted(entries - {"__pycache__"}) for site, entries in sites.items()},
        "exercises": _exercise_files(),
        "etc": [f"/etc/{n}" for n in ETC if os.path.exists(f"/etc/{n}")],
        "executable": os.path.realpath(sys.executable),
        "mpl_cache": {},  # matplotlib's font list, read now: its folder is not in the root
    }
    for path in config.get("mpl_cache", []):
        with contextlib.suppress(OSError):
            plan["mpl_cache"][os.path.basename(path)] = Path(path).read_bytes()
    return plan


def _exercise_files() -> dict[str, bytes]:
    """The public parts of the exercises the harness loaded, by every path they go by."""
    module = sys.modules.get("bpkit_exercises")
    folders = list(getattr(module, "__path__", []) or [])
    files: dict[str, bytes] = {}
    for folder in {*folders, *(os.path.realpath(f) for f in folders)}:
        root = Path(folder)
        for path in [root / "__init__.py", *root.glob("*/cases.py"), *root.glob("*/hints.py")]:
            with contextlib.suppress(OSError):
                files[str(path)] = path.read_bytes()
    return files


def _bind(libc, source: str, target: str, read_only: bool = True) -> None:
    if os.path.isdir(source):
        os.makedirs(target, mode=0o755, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
        open(target, "a").close()
    sandbox._mount(libc, source, target, None, sandbox.MS_BIND | sandbox.MS_REC, "")
    if read_only:
        flags = sandbox.MS_BIND | sandbox.MS_REMOUNT | sandbox.MS_RDONLY | sandbox.MS_NOSUID
        sandbox._mount(libc, "none", target, None, flags | _kept_flags(source), "")


def _kept_flags(path: str) -> int:
    """The flags of the mount holding ``path`` that a remount must keep (nodev, noexec, atime
    options): in a user namespace the kernel locks them and refuses a remount that drops one."""
    found = os.statvfs(path).f_flag
    locked = sandbox.MS_NODEV | sandbox.MS_NOEXEC | sandbox.MS_NOATIME | sandbox.MS_NODIRATIME
    kept = found & locked
    return kept | (sandbox.MS_RELATIME if found & os.ST_RELATIME else 0)


def _build_root(libc, config: dict, plan: dict) -> None:
    """Build the root on a tmpfs over the run's temporary folder, then enter it."""
    sandbox._mount(libc, "none", "/", None, sandbox.MS_REC | sandbox.MS_PRIVATE, "")
    root = config["workdir"]
    sandbox._mount(libc, "tmpfs", root, "tmpfs", sandbox.MS_NOSUID, "mode=0755,size=16m")
    for name in SYSTEM:
        host = f"/{name}"
        if os.path.islink(host):
            os.symlink(os.readlink(host), f"{root}{host}")
        elif os.path.isdir(host):
            _bind(libc, host, f"{root}{host}")
    os.makedirs(f"{root}/etc", mode=0o755)
    for path in plan["etc"]:
        with contextlib.suppress(OSError):
            if os.path.isdir(path):
                shutil.copytree(path, f"{root}{path}", symlinks=True)
            else:
                shutil.copy(path, f"{root}{path}", follow_symlinks=True)
    os.makedirs(f"{root}/dev", mode=0o755)
    for name in DEVICES:
        _bind(libc, f"/dev/{name}", f"{root}/dev/{name}", read_only=False)
    _scratch(libc, root, config)  # first: a library folder under /tmp is bound on top of it
    os.mkdir(f"{root}{WORKDIR}/.matplotlib", 0o700)  # sandbox._home hands it to the user
    for name, data in plan["mpl_cache"].items():
        Path(f"{root}{WORKDIR}/.matplotlib/{name}").write_bytes(data)
    _bind(libc, plan["base"], root + plan["base"])
    if plan["prefix"]:
        for part in ("bin", "pyvenv.cfg"):
            if os.path.exists(f"{plan['prefix']}/{part}"):
                _bind(libc, f"{plan['prefix']}/{part}", f"{root}{plan['prefix']}/{part}")
    for site, entries in plan["sites"].items():
        os.makedirs(root + site, mode=0o755, exist_ok=True)
        for entry in entries:
            _bind(libc, f"{site}/{entry}", f"{root}{site}/{entry}")
    _bind(libc, plan["package"], root + plan["package"])
    for path, data in plan["exercises"].items():
        os.makedirs(os.path.dirname(root + path), mode=0o755, exist_ok=True)
        Path(root + path).write_bytes(data)
    if not os.path.exists(root + plan["executable"]):
        _bind(libc, plan["executable"], root + plan["executable"])
    os.chdir(root)
    sandbox._mount(libc, root, "/", None, sandbox.MS_MOVE, "")
    os.chroot(".")
    os.chdir("/")


def _scratch(libc, root: str, config: dict) -> None:
    """/proc of the new PID namespace, an empty /tmp with the working directory, /dev/shm."""
    os.makedirs(f"{root}/proc", mode=0o555)
    flags = sandbox.MS_NOSUID | sandbox.MS_NODEV | sandbox.MS_NOEXEC
    sandbox._mount(libc, "proc", f"{root}/proc", "proc", flags, "hidepid=2")
    size = f"size={config['file_mb'] * 2}m"
    for scratch in ("/tmp", "/dev/shm"):
        os.makedirs(root + scratch, mode=0o755, exist_ok=True)
        tmpfs_flags = sandbox.MS_NOSUID | sandbox.MS_NODEV
        sandbox._mount(libc, "tmpfs", root + scratch, "tmpfs", tmpfs_flags, f"mode=1777,{size}")
    os.mkdir(root + WORKDIR, 0o700)
    user = config.get("user")
    if user is not None:
        os.chown(root + WORKDIR, user["uid"], user["gid"])
