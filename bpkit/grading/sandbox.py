"""Confine the submission's process before any student code runs (child side).

``confine(config)`` is called by the harness while it is still trusted code. In order:
1. resource limits, as hard limits: address space (memory), CPU seconds, file size, open
   files, no core dumps, and, when a user switch follows, processes (in a user namespace:
   once inside it);
2. where the kernel allows it: new mount, network and PID namespaces (see ``isolate``; a
   user that is not root enters a user namespace of its own first, and the notebook's
   process then holds no capability). The notebook's process is then the child of a
   reaper that is PID 1 of its own PID namespace: when the reaper ends (the notebook
   ended, or the grader died and the parent-death signals killed the chain), the kernel
   kills every process in the namespace, however it was forked. Its root is a fresh
   tmpfs holding only the Python installation, the site-packages entries of numpy and
   matplotlib (and what they require), bpkit's package, the exercises' public parts
   (``cases.py``, ``hints.py``), a few device files, ``/proc`` of its own namespace with
   ``hidepid=2``, and an empty ``/tmp``: no repository, no ``.git``, no exercise
   sources, no other submission, no grader process;
3. when started as root: switch to the unprivileged user (groups, gid, uid), set
   no-new-privileges, and check that root cannot be regained.
It returns a plain dict saying what was achieved, which the grader records. Where the
namespaces are not available it says so (``namespace``), and ``bpkit grade`` refuses to go
on unless told to grade without isolation.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import shutil
import signal
import sys
import types
from importlib.abc import Loader, MetaPathFinder
from importlib.util import spec_from_loader
from pathlib import Path
from typing import Any

CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWPID = 0x00020000, 0x40000000, 0x20000000
CLONE_NEWUSER = 0x10000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_MOVE, MS_REC, MS_PRIVATE = 32, 4096, 8192, 16384, 1 << 18
MS_NOATIME, MS_NODIRATIME, MS_RELATIME = 1024, 2048, 1 << 21
ISOLATED = "private mount, network and PID namespaces; minimal root"
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 24, 38
PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
_CAPABILITY_VERSION_3 = 0x20080522
MB = 1024 * 1024


def _libc() -> Any:
    return ctypes.CDLL(None, use_errno=True)


def _mount(libc: Any, source: str, target: str, fstype: str | None, flags: int, data: str) -> None:
    encode = os.fsencode
    result = libc.mount(
        encode(source), encode(target), encode(fstype) if fstype else None, flags, data.encode()
    )
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"mount {target}: {os.strerror(errno)}")


def set_limits(config: dict) -> None:
    """Set hard resource limits (an unprivileged process cannot raise them again)."""
    limits = {
        resource.RLIMIT_CORE: 0,
        resource.RLIMIT_AS: config["memory_mb"] * MB,
        resource.RLIMIT_CPU: int(config["cpu_seconds"]),
        resource.RLIMIT_FSIZE: config["file_mb"] * MB,
        resource.RLIMIT_NOFILE: 256,
    }
    if config.get("user") is not None:
        limits[resource.RLIMIT_NPROC] = 64  # counted per user: stops fork bombs
    for which, value in limits.items():
        resource.setrlimit(which, (value, value))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an oversized write fails, it doesn't kill


def _needed_paths() -> list[str]:
    paths = {os.path.realpath(sys.executable), sys.prefix, sys.base_prefix, sys.exec_prefix}
    paths.update(p for p in sys.path if p and os.path.isdir(p))
    import bpkit

    paths.add(os.path.dirname(os.path.dirname(os.path.abspath(bpkit.__file__))))
    return sorted(os.path.realpath(p) for p in paths)


def _drop_privileges(uid: int, gid: int, report: dict) -> None:
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    if _libc().prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError("could not set no-new-privileges")
    try:
        os.setuid(0)
    except PermissionError:
        report["user"] = f"uid {uid}, gid {gid}"
        return
    raise OSError("privileges were not dropped: setuid(0) still works")


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [(name, ctypes.c_uint32) for name in ("effective", "permitted", "inheritable")]


def drop_capabilities(report: dict) -> None:
    """Give up every capability for good: the bounding and ambient sets, then the effective,
    permitted and inheritable ones; set no-new-privileges. Checked by reading them back."""
    libc = _libc()
    for number in range(64):
        if libc.prctl(PR_CAPBSET_DROP, number, 0, 0, 0) != 0 and ctypes.get_errno() == 22:
            break  # EINVAL: past the last capability this kernel knows
    libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header, data = _CapHeader(_CAPABILITY_VERSION_3, 0), (_CapData * 2)()
    if libc.capset(ctypes.byref(header), data) != 0:
        raise OSError(ctypes.get_errno(), "could not drop capabilities")
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError("could not set no-new-privileges")
    status = Path("/proc/self/status").read_text()
    held = [line for line in status.splitlines() if line.startswith(("CapEff", "CapPrm", "CapBnd"))]
    if any(int(line.split()[1], 16) for line in held):
        raise OSError(f"capabilities were not dropped: {held}")
    report["user"] = f"uid {os.getuid()} in a user namespace of its own, no capabilities"


def _home(workdir: str, config: dict, owner: tuple[int, int] | None) -> None:
    """Make ``workdir`` the home and cwd, with a copy of matplotlib's font cache."""
    mpl = os.path.join(workdir, ".matplotlib")
    os.makedirs(mpl, exist_ok=True)
    for path in config.get("mpl_cache", []):
        with contextlib.suppress(OSError):
            shutil.copy(path, mpl)
    if owner is not None:
        for path in (workdir, mpl, *(os.path.join(mpl, f) for f in os.listdir(mpl))):
            os.chown(path, *owner)
    os.environ.update(HOME=workdir, TMPDIR=workdir, MPLCONFIGDIR=mpl)
    os.chdir(workdir)


def confine(config: dict) -> dict:
    """Apply limits, namespaces and the user switch; return what was achieved.

    With namespaces, only the notebook's process returns from here: the harness's original
    process and the reaper wait for it (``isolate``) and exit with its status.
    """
    report: dict = {"user": f"uid {os.getuid()} (unchanged)", "namespace": "not requested"}
    set_limits(config)
    os.umask(0o022)
    workdir = config["workdir"]
    is_root = os.geteuid() == 0
    parent = config["grader_pid"]
    if config.get("namespace"):
        from bpkit.grading import isolate

        _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:
            os._exit(70)
        isolated = isolate.enter(config, report)
        if isolated:
            workdir, parent = isolated, 1  # the reaper is PID 1 of the notebook's namespace
            if not is_root:  # it held every capability in its user namespace: none now
                drop_capabilities(report)
                # Counted in this user namespace only, so the grader's own processes are not.
                resource.setrlimit(resource.RLIMIT_NPROC, (64, 64))
    user = config.get("user")
    owner = (user["uid"], user["gid"]) if (is_root and user) else None
    _home(workdir, config, owner)
    os.umask(0o077)
    if owner is not None:
        _drop_privileges(*owner, report)
        for path in _needed_paths():
            if not os.access(path, os.R_OK | os.X_OK):
                raise PermissionError(
                    f"user uid {owner[0]} cannot read {path}: install Python and bpkit where "
                    "every user can read them, or grade where mount namespaces are allowed"
                )
    # Die with the grader: a killed grader must not leave notebooks running (set after the
    # user switch, which clears it).
    _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(70)
    return report


class _Inert:
    """Stands in for any widget or display object: accepts every call, does nothing."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return args[0]  # used as a decorator, e.g. @interact(x=(0, 10)): keep the function
        return _Inert()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return _Inert()

    def __iter__(self) -> Any:
        return iter(())

    def __repr__(self) -> str:
        return "<display disabled while grading>"


class _InertModule(types.ModuleType):
    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return _Inert if name[:1].isupper() else _Inert()


class _InertFinder(MetaPathFinder, Loader):
    """Import widget and display packages as inert modules, so nothing can hang on a front end."""

    ROOTS = ("ipywidgets", "IPython", "ipympl", "ipycanvas", "bpkit.widgets")

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if any(fullname == root or fullname.startswith(root + ".") for root in self.ROOTS):
            return spec_from_loader(fullname, self, is_package=True)
        return None

    def create_module(self, spec: Any) -> types.ModuleType:
        module = _InertModule(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        pass


def neutralise_displays() -> None:
    """Make widget and display imports inert and force matplotlib's Agg backend."""
    for name in list(sys.modules):
        if any(name == r or name.startswith(r + ".") for r in _InertFinder.ROOTS):
            del sys.modules[name]
    sys.meta_path.insert(0, _InertFinder())
    os.environ["MPLBACKEND"] = "Agg"


def notebook_builtins() -> dict:
    """Names a Jupyter kernel provides without an import: ``display`` and ``get_ipython``."""
    return {"display": _Inert(), "get_ipython": _Inert()}
