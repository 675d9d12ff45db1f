"""The sandbox's process: start it, forward signals, wait, and read how it ended.

``run`` hands over the finished command line (bubblewrap's, or the launcher's without it); the
launcher inside reports on ``--status-fd`` (``ready``, then ``exit N`` or ``signal N``, or
``error ...``) and bubblewrap names the sandbox's first process on ``--info-fd``.
"""

from __future__ import annotations

import os
import sys

from blastshield.errors import SandboxError

TYPE_CHECKING = False  # typing only for mypy: `run` imports this module at start-up
if TYPE_CHECKING:  # the same functions and constants, typed
    import signal
else:  # the C module: signal.py wraps its constants in enums at import (~2 ms)
    import _signal as signal
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import FrameType
    from typing import Final

_FORWARDED = (signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2)


# A plain class, not a dataclass: building a dataclass costs ~0.3 ms at import, on every run.
class RunResult:
    """How the command ended: an exit code, or the signal that killed it (code = 128 + signal)."""

    __slots__ = ("code", "signal")

    def __init__(self, code: int, signal: int | None = None) -> None:
        self.code: Final = code
        self.signal: Final = signal

    def __repr__(self) -> str:
        return f"RunResult(code={self.code}, signal={self.signal})"


def on_terminal() -> bool:
    """Is this process in the terminal's foreground group (so Ctrl-C reaches the command itself)?"""
    try:
        return os.isatty(0) and os.tcgetpgrp(0) == os.getpgrp()
    except OSError:
        return False


def supervise(argv: list[str], env: dict[str, str], cwd: str | None, status: tuple[int, int],
              info: tuple[int, int], seccomp_fd: int,
              started: Callable[[], None] | None = None,
              meanwhile: Callable[[], None] | None = None) -> RunResult:
    """Start the sandbox (``cwd`` None: bubblewrap, which changes folder itself), forward signals,
    wait. bubblewrap and the launcher inherit SIGINT/SIGQUIT/... ignored: only the command acts on them.
    ``started`` runs once the sandbox process exists (it starts the proxy); ``meanwhile`` once
    signals are forwarded, before waiting (the proxy's imports, overlapping the sandbox's start-up)."""
    status_r, status_w = status
    info_r, info_w = info
    watched = (signal.SIGINT, signal.SIGQUIT, *_FORWARDED)
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in watched}
    fds = tuple(fd for fd in (status_w, info_w, seccomp_fd) if fd >= 0)
    try:
        pid, wait = _spawn(argv, env, cwd, fds)
    except OSError as exc:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for fd in (status_r, info_r):
            if fd >= 0:
                os.close(fd)
        raise SandboxError(f"cannot start {argv[0]}: {exc.strerror}") from exc
    finally:
        for fd in fds:
            os.close(fd)
    if started is not None:
        started()
    child = _read_child_pid(info_r) if info_r >= 0 else pid

    def forward(signum: int, _frame: FrameType | None) -> None:
        try:  # noqa: SIM105 (contextlib costs start-up time here)
            os.kill(child or pid, signum)
        except OSError:
            pass

    try:
        for sig in _FORWARDED:
            signal.signal(sig, forward)
        if not on_terminal():
            signal.signal(signal.SIGINT, forward)
            signal.signal(signal.SIGQUIT, forward)
        if meanwhile is not None:
            meanwhile()
        code = wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    lines = _read_all(status_r).splitlines()
    return _outcome(lines, code)


def _spawn(argv: list[str], env: dict[str, str], cwd: str | None,
           fds: tuple[int, ...]) -> tuple[int, Callable[[], int]]:
    """Start ``argv``; returns its pid and a function that waits for its exit code. ``fds`` stay
    open in the child (every other fd is close-on-exec already, PEP 446)."""
    if cwd is None:  # the bubblewrap path: posix_spawn, no subprocess import
        for fd in fds:
            os.set_inheritable(fd, True)
        pid = os.posix_spawn(argv[0], argv, env, setsigdef=(signal.SIGPIPE, signal.SIGXFSZ))
        return pid, lambda: _wait(pid)
    import subprocess  # posix_spawn has no chdir in Python 3.11; only the weaker path needs it

    proc = subprocess.Popen(argv, env=env, cwd=cwd, pass_fds=fds)
    return proc.pid, proc.wait


def _wait(pid: int) -> int:
    while True:
        try:
            _, status = os.waitpid(pid, 0)
        except InterruptedError:
            continue
        except ChildProcessError:
            return 0
        return os.waitstatus_to_exitcode(status)


def _read_child_pid(fd: int) -> int | None:
    """bubblewrap writes one JSON object to --info-fd once the sandbox exists (EOF if it failed)."""
    data = b""
    try:
        while b"}" not in data and (chunk := os.read(fd, 4096)):
            data += chunk
    finally:
        os.close(fd)
    return child_pid(data)


def child_pid(info: bytes) -> int | None:
    """The N of ``"child-pid": N`` in bubblewrap's info JSON (no json or re on this path)."""
    _, found, rest = info.partition(b'"child-pid"')
    rest = rest.lstrip()
    if not found or not rest.startswith(b":"):
        return None
    rest = rest[1:].lstrip()
    end = 0
    while rest[end:end + 1].isdigit():
        end += 1
    return int(rest[:end]) if end else None


def _read_all(fd: int) -> str:
    chunks = []
    try:
        while chunk := os.read(fd, 65536):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks).decode(errors="replace")


def _outcome(lines: list[str], code: int) -> RunResult:
    for line in lines:
        if line.startswith("error "):
            raise SandboxError(f"the sandbox could not be set up: {line[6:]}")
    if "ready" not in lines:
        raise SandboxError(f"the sandbox could not be set up (bubblewrap exit status {code}; "
                           "its message is above)", hint="run `blastshield doctor`")
    for line in lines:
        kind, _, number = line.partition(" ")
        if kind == "signal" and number.isdigit():
            return RunResult(128 + int(number), int(number))
        if kind == "exit" and number.lstrip("-").isdigit():
            return RunResult(int(number))
    return RunResult(code)


def die_by(signum: int) -> None:
    """Leave the way the command left: by the same signal (shells and CI see the same thing)."""
    if signum in (signal.SIGKILL, signal.SIGSTOP, signal.SIGCONT, signal.SIGCHLD, signal.SIGWINCH):
        return
    sys.stdout.flush()
    sys.stderr.flush()
    signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signum])
    os.kill(os.getpid(), signum)
