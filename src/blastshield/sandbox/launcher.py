"""PID 1 inside the sandbox: apply Landlock and seccomp, start the bridge, run the command.

Started by bubblewrap as ``python -I -S -c <boot> CONFIG`` (a marshal'd dict: no json
import). In order: open the
bridge's TCP listener on loopback (before seccomp, though TCP stays allowed), apply
Landlock, install the seccomp filter, report ``ready`` on the status pipe, fork the
command, then relay bridge connections, forward signals, reap orphans, and finally
report the command's exit status (``exit N`` or ``signal N``) and exit with it.

If a layer the outer process required cannot be applied, nothing runs: the launcher
reports ``error ...`` and exits 125.

Standard library only: this module runs inside the sandbox.
"""

from __future__ import annotations

import marshal
import os
import signal
import socket
import sys

from blastshield.sandbox import landlock
from blastshield.sandbox.bridge import proxy_environment, start_bridge

TYPE_CHECKING = False  # typing is not imported at run time: this module's start-up is on every run's path
if TYPE_CHECKING:
    from typing import Any

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


def _fail(status: _Status, message: str) -> None:
    status.send(f"error {message}")
    print(f"blastshield: sandbox: {message}", file=sys.stderr)
    os._exit(125)


def _apply_layers(config: dict[str, Any], status: _Status, port: int | None) -> None:
    lock = config.get("landlock") or {}
    if lock.get("enabled"):
        ports = [port] if lock.get("limit_tcp") and port else None
        try:
            landlock.restrict(lock["readable"], lock["writable"], connect_ports=ports)
        except landlock.LandlockUnavailable as exc:
            if lock.get("required", True):
                _fail(status, f"cannot apply Landlock: {exc}")
    program = config.get("seccomp")
    if program:  # without bubblewrap (which otherwise installs the same program with --seccomp)
        from blastshield.sandbox import seccomp

        try:
            seccomp.install(program)
        except (seccomp.SeccompUnavailable, ValueError) as exc:
            _fail(status, f"cannot install the seccomp filter: {exc}")


def _exec_child(config: dict[str, Any], closing: list[int]) -> None:
    for fd in closing:
        try:  # noqa: SIM105 (contextlib costs start-up time here)
            os.close(fd)
        except OSError:
            pass
    ignored = set(config.get("ignored_signals", []))
    for sig in (*_FORWARDED, *_TERMINAL, signal.SIGPIPE, signal.SIGXFSZ):
        signal.signal(sig, signal.SIG_IGN if int(sig) in ignored else signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    argv = config["argv"]
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
    args = sys.argv[1:] if argv is None else argv
    with open(args[0], "rb") as handle:
        config: dict[str, Any] = marshal.load(handle)
    status = _Status(config.get("status_fd"))
    for fd in config.get("close_fds", []):
        try:  # noqa: SIM105 (contextlib costs start-up time here)
            os.close(fd)
        except OSError:
            pass
    closing = [fd for fd in (config.get("status_fd"),) if fd is not None]
    listener: socket.socket | None = None
    port: int | None = None
    if config.get("port") is not None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind(("127.0.0.1", int(config["port"])))
            listener.listen(128)
        except OSError as exc:
            _fail(status, f"cannot listen on 127.0.0.1:{config['port']} for the proxy bridge: {exc}")
        port = int(listener.getsockname()[1])
        os.environ.update(proxy_environment(port))
        closing.append(listener.fileno())
    _apply_layers(config, status, port)
    status.send("ready")
    child = os.fork()
    if child == 0:
        _exec_child(config, closing)
    terminal = bool(config.get("terminal_signals"))

    def forward(signum: int, _frame: object) -> None:
        try:  # noqa: SIM105 (contextlib costs start-up time here)
            os.kill(child, signum)
        except OSError:
            pass

    for sig in _FORWARDED:
        signal.signal(sig, forward)
    for sig in _TERMINAL:
        # On a terminal the command is in the foreground group and gets Ctrl-C itself.
        signal.signal(sig, signal.SIG_IGN if terminal else forward)
    if listener is not None:
        start_bridge(listener, config["proxy_socket"])
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
