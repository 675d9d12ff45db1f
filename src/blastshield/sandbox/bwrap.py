"""File-system plan + launcher → the bubblewrap command line.

Always: every namespace unshared (user and network included, also as root), no further
user namespaces, all capabilities dropped, die with the parent, the launcher as PID 1
(it reaps, forwards signals and passes the exit status). No ``--new-session``: the
command keeps the terminal so Ctrl-C reaches it; seccomp refuses TIOCSTI instead.
"""

from __future__ import annotations

import os

from blastshield.sandbox.fsplan import FsPlan, MountKind

TYPE_CHECKING = False  # typing only for mypy (Final marks the read-only fields)
if TYPE_CHECKING:
    from typing import Final

SANDBOX_RUNTIME = "/run/blastshield"
#: Where the compiled launcher is bound inside (it may live in a folder the sandbox cannot see).
INSIDE_LAUNCHER = "/run/blastshield-launcher"


class BwrapInfo:
    __slots__ = ("path", "version")

    def __init__(self, path: str, version: tuple[int, ...]) -> None:  # a plain class: no dataclass cost
        self.path: Final = path
        self.version: Final = version

    def __repr__(self) -> str:
        return f"BwrapInfo({self.path!r}, {self.version!r})"

    @property
    def version_text(self) -> str:
        return ".".join(str(part) for part in self.version)

    @property
    def has_disable_userns(self) -> bool:
        return self.version >= (0, 8, 0)


_FOUND: dict[str, BwrapInfo | None] = {}


def which(name: str) -> str | None:
    """``shutil.which`` without importing shutil (it pulls in the archive modules)."""
    for folder in os.environ.get("PATH", os.defpath).split(os.pathsep):
        path = os.path.join(folder or ".", name)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def capture(argv: list[str], env: dict[str, str] | None = None, *, stderr: bool = False) -> tuple[int, str]:
    """Run ``argv`` and return (exit status, stdout and, with ``stderr``, stderr); no subprocess
    import on the ``run`` path."""
    read_end, write_end = os.pipe()
    try:
        with open(os.devnull, "rb") as null:
            pid = os.posix_spawn(argv[0], argv, dict(os.environ) if env is None else env, file_actions=[
                (os.POSIX_SPAWN_DUP2, null.fileno(), 0), (os.POSIX_SPAWN_DUP2, write_end, 1),
                (os.POSIX_SPAWN_DUP2, write_end if stderr else null.fileno(), 2)])
    finally:
        os.close(write_end)
    chunks = []
    with open(read_end, "rb") as pipe:
        while chunk := pipe.read(65536):
            chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), b"".join(chunks).decode(errors="replace")


def find_bwrap() -> BwrapInfo | None:
    """bubblewrap on PATH, with its version; None when absent (asked once per process)."""
    path = which("bwrap")
    if path is None:
        return None
    if path not in _FOUND:
        try:
            code, out = capture([path, "--version"])
        except OSError:
            code, out = 1, ""
        import re  # only when probing: machine facts keep the answer until the next boot

        match = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", out)
        _FOUND[path] = None if code != 0 or match is None else \
            BwrapInfo(path, tuple(int(part or 0) for part in match.groups()))
    return _FOUND[path]


class HideSources:
    """Empty, unreadable stand-ins bound over denied paths (created by ``run``)."""

    __slots__ = ("directory", "file")

    def __init__(self, file: str, directory: str) -> None:
        self.file: Final = file
        self.directory: Final = directory


def bwrap_argv(info: BwrapInfo, plan: FsPlan, *, runtime_dir: str, hide: HideSources, cwd: str,
               command: list[str], info_fd: int | None = None, seccomp_fd: int | None = None,
               launcher: str | None = None) -> list[str]:
    argv = [info.path, "--unshare-all", "--unshare-user", "--die-with-parent", "--cap-drop", "ALL",
            "--as-pid-1", "--hostname", "blastshield"]
    if info.has_disable_userns:
        argv.append("--disable-userns")
    if info_fd is not None:
        argv += ["--info-fd", str(info_fd)]
    if seccomp_fd is not None:
        argv += ["--seccomp", str(seccomp_fd)]  # applied by bubblewrap right before it runs the launcher
    argv += ["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/run"]
    for mount in plan.mounts:
        path = mount.path
        if mount.kind is MountKind.SYMLINK:
            argv += ["--symlink", mount.target, path]
        elif mount.kind is MountKind.TMPFS:
            argv += ["--tmpfs", path]
        elif mount.kind is MountKind.READ_ONLY or mount.kind is MountKind.PROTECT:
            argv += ["--ro-bind", path, path]
        elif mount.kind is MountKind.READ_WRITE:
            argv += ["--bind", path, path]
        elif mount.kind is MountKind.HIDE:
            source = hide.directory if os.path.isdir(path) and not os.path.islink(path) else hide.file
            argv += ["--ro-bind", source, path]
    argv += ["--ro-bind", runtime_dir, SANDBOX_RUNTIME]
    if launcher is not None:
        argv += ["--ro-bind", launcher, INSIDE_LAUNCHER]
    argv += ["--chdir", cwd, "--", *command]
    return argv
