"""PID 1 inside the sandbox: apply Landlock (and seccomp without bubblewrap), start the
bridge, run the command. The Python twin of ``launcher.c``, used when no C compiler is
available (``launcher_build``); both take the same arguments (see :func:`launcher_args`):

    [--status-fd N] [--close-fd N]... [--port N --proxy-socket PATH] [--seccomp-fd N]
    [--landlock] [--read PATH]... [--write PATH]... [--limit-tcp] [--terminal]
    [--ignore SIGNUM]... -- CMD ARGS...

Started as ``python -I -S -B -c <boot> ARGS``. In order: open the bridge's TCP listener on
loopback (before Landlock, which may refuse TCP bind), apply Landlock, install the seccomp
program read from ``--seccomp-fd`` (only without bubblewrap; with it, ``bwrap --seccomp``
installed the same program before the launcher started), report ``ready`` on the status
pipe, fork the command, then relay bridge connections, forward signals, reap orphans, and
finally report the command's exit status (``exit N`` or ``signal N``) and exit with it.

If a layer the outer process required cannot be applied, nothing runs: the launcher
reports ``error ...`` and exits 125.

Standard library only: this module runs inside the sandbox.
"""

from __future__ import annotations

import os
import signal
import socket
import sys

from blastshield.sandbox import landlock
from blastshield.sandbox.bridge import proxy_environment, start_bridge

TYPE_CHECKING = False  # typing is not imported at run time: this module's start-up is on every run's path
if TYPE_CHECKING:
    from typing import NoReturn

_FORWARDED = (signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2, signal.SIGCONT)
_TERMINAL = (signal.SIGINT, signal.SIGQUIT)


class _Status:
    def __init__(self, fd: int | None) -> None:
        self.fd = fd

    def send(self, line: str) -> None:
        if self.fd is None:
            return
        try:  # noqa: SIM105 (contextlib costs start-up time here)
            os.write(self.fd, (line.replace("\n", " ") + "\n").encode())
        except OSError:
            pass


def _fail(status: _Status, message: str) -> NoReturn:
    status.send(f"error {message}")
    print(f"blastshield: sandbox: {message}", file=sys.stderr)
    os._exit(125)


class _Args:
    """The launcher's arguments (a plain class: no dataclass import inside the sandbox)."""

    def __init__(self) -> None:
        self.status_fd: int | None = None
        self.close_fds: list[int] = []
        self.port: int | None = None
        self.proxy_socket = ""
        self.seccomp_fd: int | None = None
        self.landlock = False
        self.readable: list[str] = []
        self.writable: list[str] = []
        self.limit_tcp = False
        self.terminal = False
        self.ignored: list[int] = []
        self.command: list[str] = []


_FLAGS = {"--landlock": "landlock", "--limit-tcp": "limit_tcp", "--terminal": "terminal"}
_INTS = {"--status-fd": "status_fd", "--port": "port", "--seccomp-fd": "seccomp_fd"}
_LISTS = {"--close-fd": "close_fds", "--read": "readable", "--write": "writable", "--ignore": "ignored"}


def parse_args(argv: list[str]) -> _Args:
    args = _Args()
    index = 0
    while index < len(argv):
        arg = argv[index]
        if arg == "--":
            args.command = argv[index + 1:]
            break
        if arg in _FLAGS:
            setattr(args, _FLAGS[arg], True)
            index += 1
            continue
        if index + 1 >= len(argv):
            raise ValueError(f"option {arg} needs a value")
        value = argv[index + 1]
        if arg in _INTS:
            setattr(args, _INTS[arg], int(value))
        elif arg in ("--close-fd", "--ignore"):
            getattr(args, _LISTS[arg]).append(int(value))
        elif arg in _LISTS:
            getattr(args, _LISTS[arg]).append(value)
        elif arg == "--proxy-socket":
            args.proxy_socket = value
        else:
            raise ValueError(f"unknown option {arg}")
        index += 2
    if not args.command:
        raise ValueError("no command")
    return args


def _apply_layers(args: _Args, status: _Status, port: int | None) -> None:
    if args.landlock:
        ports = [port] if args.limit_tcp and port else None
        try:
            landlock.restrict(args.readable, args.writable, connect_ports=ports)
        except landlock.LandlockUnavailable as exc:
            _fail(status, f"cannot apply Landlock: {exc}")
    if args.seccomp_fd is not None:
        from blastshield.sandbox import seccomp

        with open(args.seccomp_fd, "rb") as handle:
            program = handle.read()
        try:
            seccomp.install(program)
        except (seccomp.SeccompUnavailable, ValueError) as exc:
            _fail(status, f"cannot install the seccomp filter: {exc}")


def _exec_child(args: _Args, closing: list[int]) -> None:
    for fd in closing:
        try:  # noqa: SIM105 (contextlib costs start-up time here)
            os.close(fd)
        except OSError:
            pass
    for sig in (*_FORWARDED, *_TERMINAL, signal.SIGPIPE, signal.SIGXFSZ):
        signal.signal(sig, signal.SIG_IGN if int(sig) in args.ignored else signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    argv = args.command
    try:
        os.execvp(argv[0], argv)
    except OSError as exc:
        print(f"blastshield: cannot run {argv[0]!r}: {exc.strerror}", file=sys.stderr)
        os._exit(126 if isinstance(exc, PermissionError) else 127)


def _wait_for(child: int) -> int:
    """Reap everything; return the raw wait status of ``child``."""
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            return 0
        if pid == child:
            return status


def main(argv: list[str] | None = None) -> None:
    try:
        args = parse_args(sys.argv[1:] if argv is None else argv)
    except ValueError as exc:
        _fail(_Status(None), f"launcher: {exc}")
    status = _Status(args.status_fd)
    for fd in args.close_fds:
        try:  # noqa: SIM105 (contextlib costs start-up time here)
            os.close(fd)
        except OSError:
            pass
    closing = [fd for fd in (args.status_fd,) if fd is not None]
    listener: socket.socket | None = None
    port: int | None = None
    if args.port is not None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind(("127.0.0.1", args.port))
            listener.listen(128)
        except OSError as exc:
            _fail(status, f"cannot listen on 127.0.0.1:{args.port} for the proxy bridge: {exc}")
        port = int(listener.getsockname()[1])
        os.environ.update(proxy_environment(port))
        closing.append(listener.fileno())
    _apply_layers(args, status, port)
    status.send("ready")
    child = os.fork()
    if child == 0:
        _exec_child(args, closing)

    def forward(signum: int, _frame: object) -> None:
        try:  # noqa: SIM105 (contextlib costs start-up time here)
            os.kill(child, signum)
        except OSError:
            pass

    for sig in _FORWARDED:
        signal.signal(sig, forward)
    for sig in _TERMINAL:
        # On a terminal the command is in the foreground group and gets Ctrl-C itself.
        signal.signal(sig, signal.SIG_IGN if args.terminal else forward)
    if listener is not None:
        start_bridge(listener, args.proxy_socket)
    raw = _wait_for(child)
    if os.WIFSIGNALED(raw):
        number = os.WTERMSIG(raw)
        status.send(f"signal {number}")
        os._exit(128 + number)
    code = os.waitstatus_to_exitcode(raw)
    status.send(f"exit {code}")
    os._exit(code)


if __name__ == "__main__":
    main()
