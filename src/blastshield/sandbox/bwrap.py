"""File-system plan + launcher → the bubblewrap command line.

Always: every namespace unshared (user and network included, also as root), no further
user namespaces, all capabilities dropped, die with the parent, the launcher as PID 1
(it reaps, forwards signals and passes the exit status). No ``--new-session``: the
command keeps the terminal so Ctrl-C reaches it; seccomp refuses TIOCSTI instead.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass

from blastshield.sandbox.fsplan import FsPlan, MountKind

SANDBOX_RUNTIME = "/run/blastshield"


@dataclass(frozen=True, slots=True)
class BwrapInfo:
    path: str
    version: tuple[int, ...]

    @property
    def version_text(self) -> str:
        return ".".join(str(part) for part in self.version)

    @property
    def has_disable_userns(self) -> bool:
        return self.version >= (0, 8, 0)


def find_bwrap() -> BwrapInfo | None:
    """bubblewrap on PATH (or /usr/bin), with its version; None when absent."""
    path = shutil.which("bwrap")
    if path is None:
        return None
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", out.stdout)
    if out.returncode != 0 or match is None:
        return None
    return BwrapInfo(path, tuple(int(part or 0) for part in match.groups()))


@dataclass(frozen=True, slots=True)
class HideSources:
    """Empty, unreadable stand-ins bound over denied paths (created by ``run``)."""

    file: str
    directory: str


def bwrap_argv(info: BwrapInfo, plan: FsPlan, *, runtime_dir: str, hide: HideSources, cwd: str,
               command: list[str], info_fd: int | None = None) -> list[str]:
    argv = [info.path, "--unshare-all", "--unshare-user", "--die-with-parent", "--cap-drop", "ALL",
            "--as-pid-1", "--hostname", "blastshield"]
    if info.has_disable_userns:
        argv.append("--disable-userns")
    if info_fd is not None:
        argv += ["--info-fd", str(info_fd)]
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
    argv += ["--ro-bind", runtime_dir, SANDBOX_RUNTIME, "--chdir", cwd, "--", *command]
    return argv
