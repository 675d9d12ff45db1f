"""The warm hook server: answers ``blastshield hook`` requests from a process that has
already imported everything a decision needs.

``python -m blastshield.hosts.hook_server [--policy P]`` is started in the background by
the first hook call that found no server (``hook_client.start_server``). One server serves one
policy (or, without ``--policy``, hooks that locate their policy themselves) for one
environment context (see ``hook_client.key_material``). It:

- takes an exclusive flock on ``<name>.lock`` (one server per name), warms up (imports the
  runner, every host adapter, the shell analyzer with its parser, policy loading and the
  audit recorder), then listens on ``<name>.sock`` in a private runtime folder;
- answers each connection in its own thread by calling the very code the in-process hook
  runs (``cli.__main__.dispatch`` over ``cli.commands.hook.run``), with that thread's
  stdout and stderr captured into the reply;
- loads the policy on every request (``run_hook`` does), so an edit is seen at once, and
  never accepts anything that changes the policy or the log; holds one idle connection to
  the SQLite audit log (:class:`LogKeeper`) so records skip a checkpoint each;
- exits when the file of a blastshield module it loaded changed since it started (checked
  at most once a second), when its policy file is gone, after
  ``BLASTSHIELD_HOOK_SERVER_IDLE`` seconds without a request (default 300), and on
  SIGTERM — finishing requests in flight first. docs/hook-server.md has the details.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import signal
import socket
import struct
import sys
import threading
import time
from collections.abc import Mapping
from typing import Any, TextIO, cast

from blastshield.hosts import hook_client as client

DEFAULT_IDLE_S = 300.0
CHECK_EVERY_S = 1.0
REQUEST_TIMEOUT_S = 10.0  # a client that connects and sends nothing is dropped
MAX_ACTIVE = 64  # requests in flight; more are told to answer in-process (no thread per flood)
LOG_LIMIT = 256 * 1024


# ------------------------------------------------------------------ per-thread stdout/stderr

class _ThreadStreams(io.TextIOBase):
    """sys.stdout/sys.stderr stand-in: a request thread's writes go into its own buffer."""

    def __init__(self, real: TextIO, local: threading.local, slot: str) -> None:
        self._real = real
        self._local = local
        self._slot = slot

    def write(self, text: str) -> int:
        target: io.StringIO | None = getattr(self._local, self._slot, None)
        if target is not None:
            return target.write(text)
        return self._real.write(text)

    def flush(self) -> None:
        if getattr(self._local, self._slot, None) is None:
            self._real.flush()


_LOCAL = threading.local()


def answer(host: str, policy: str, payload: bytes, project: Mapping[str, str]) -> tuple[int, bytes, bytes]:
    """(exit code, stdout, stderr) of ``blastshield hook HOST [--policy P]`` on ``payload``.

    The same function the in-process hook runs; needs :func:`capture_streams` installed.
    """
    from blastshield.cli.__main__ import dispatch
    from blastshield.cli.commands import hook

    out, err = io.StringIO(), io.StringIO()
    _LOCAL.out, _LOCAL.err = out, err
    try:
        code = dispatch(hook.namespace(host, policy or None, payload, dict(project)))
    finally:
        _LOCAL.out = _LOCAL.err = None
    return code, out.getvalue().encode("utf-8", "backslashreplace"), \
        err.getvalue().encode("utf-8", "backslashreplace")


def capture_streams() -> None:
    if not isinstance(sys.stdout, _ThreadStreams):
        sys.stdout = cast(TextIO, _ThreadStreams(sys.__stdout__ or sys.stdout, _LOCAL, "out"))
        sys.stderr = cast(TextIO, _ThreadStreams(sys.__stderr__ or sys.stderr, _LOCAL, "err"))


# ------------------------------------------------------------------ the server

def source_snapshot(root: str) -> dict[str, tuple[int, int, int]]:
    """(mtime_ns, size, inode) of every .py file under ``root``."""
    found: dict[str, tuple[int, int, int]] = {}
    stack = [root]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name != "__pycache__":
                    stack.append(entry.path)
            elif entry.name.endswith(".py"):
                try:
                    info = entry.stat()
                except OSError:
                    continue
                found[entry.path] = (info.st_mtime_ns, info.st_size, info.st_ino)
    return found


def warm_up(policy: str) -> None:
    """Import and exercise what requests need, so the first one is as fast as the rest."""
    import blastshield.audit.recorder
    import blastshield.cli.__main__
    import blastshield.cli.commands.hook
    import blastshield.hosts.recording
    import blastshield.hosts.runner  # noqa: F401
    from blastshield.hosts import ADAPTERS, get_adapter
    from blastshield.shell import analyze

    for host in ADAPTERS:
        get_adapter(host)
    for optional in ("blastshield.audit.store_sqlite", "blastshield.report.decision",
                     "blastshield.hosts.write_feedback"):
        with contextlib.suppress(ImportError):
            __import__(optional)
    analyze("cd src && grep -rn TODO . | head -5 > /dev/null", cwd="/", workspace="/")
    if policy:
        from blastshield.errors import BlastshieldError
        from blastshield.policy.load import load_policy

        with contextlib.suppress(BlastshieldError):  # a broken policy: every answer is a deny
            load_policy(policy)


def _identity(path: str) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


class HookServer:
    def __init__(self, policy: str, directory: str, idle_s: float) -> None:
        self.policy = policy
        self.cwd = os.getcwd()
        self.cwd_id = _identity(self.cwd)
        self.material = client.key_material(policy, self.cwd, os.environ)
        self.name = client.server_name(self.material)
        self.directory = directory
        self.path = client.socket_path(directory, self.name)
        self.idle_s = idle_s
        self.stop = threading.Event()
        self.stop_reason = ""
        self.active = 0
        self.answers = 0  # requests answered (logged at exit)
        self.fallbacks = 0  # requests sent back to answer in-process
        self.last_request = time.monotonic()
        self.lock = threading.Lock()
        self.threads: list[threading.Thread] = []
        import blastshield

        self.package = os.path.dirname(os.path.abspath(blastshield.__file__ or ""))
        self.sources = source_snapshot(self.package)
        self.last_check = time.monotonic()

    def stale_reason(self) -> str:
        if self.policy and not os.path.isfile(self.policy):
            return "the policy file is gone"
        if _identity(self.cwd) != self.cwd_id:
            return "its working folder is gone"  # no hook can run there (a throwaway demo, a test)
        changed = self.changed_source()
        return f"blastshield's source files changed ({changed})" if changed else ""

    def changed_source(self) -> str:
        """A loaded blastshield module whose file differs from when this server started."""
        prefix = self.package + os.sep
        for module in list(sys.modules.values()):
            path = getattr(module, "__file__", None)
            if not isinstance(path, str) or not path.startswith(prefix):
                continue
            try:
                info = os.stat(path)
                now: tuple[int, int, int] | None = (info.st_mtime_ns, info.st_size, info.st_ino)
            except OSError:
                now = None
            if now is None or self.sources.get(path) != now:
                return os.path.relpath(path, self.package)
        return ""

    def serve(self, listener: socket.socket) -> str:
        listener.settimeout(CHECK_EVERY_S)
        while not self.stop.is_set():
            try:
                conn: socket.socket | None = listener.accept()[0]
            except TimeoutError:
                conn = None
            now = time.monotonic()
            if now - self.last_check >= CHECK_EVERY_S:
                self.last_check = now
                reason = self.stale_reason()
                if reason:
                    self.stop_reason = reason
                    self.stop.set()
            with self.lock:
                idle = self.active == 0 and now - self.last_request > self.idle_s
            if conn is None:
                if idle and not self.stop.is_set():
                    self.stop_reason = f"idle for {self.idle_s:g} s"
                    self.stop.set()
                continue
            with self.lock:
                crowded = self.active >= MAX_ACTIVE
                if not crowded:
                    self.active += 1
                self.last_request = now
            if crowded:
                self._count(fallback=True)
                with contextlib.suppress(OSError):
                    conn.sendall(client.encode_reply(client.FALLBACK))
                conn.close()
                continue
            fallback = self.stop.is_set()
            thread = threading.Thread(target=self.handle, args=(conn, fallback), daemon=True)
            self.threads = [t for t in self.threads if t.is_alive()] + [thread]
            thread.start()
        return self.stop_reason or "stopped"

    def handle(self, conn: socket.socket, fallback: bool) -> None:
        try:
            conn.settimeout(REQUEST_TIMEOUT_S)
            creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
            if struct.unpack("3i", creds)[1] != os.getuid():
                return
            version, fields = client.read_request(conn)
            if fallback or version != client.PROTOCOL or fields[0] != self.material \
                    or os.fsdecode(fields[2]) != self.policy:
                self._count(fallback=True)
                conn.sendall(client.encode_reply(client.FALLBACK))
                return
            project = client.parse_project(fields[3])
            code, out, err = answer(os.fsdecode(fields[1]), self.policy, fields[4], project)
            self._count(fallback=False)
            conn.sendall(client.encode_reply(client.ANSWER, code, out, err))
        except (OSError, ValueError):
            pass  # the client went away or sent garbage: it answers in-process
        finally:
            conn.close()
            with self.lock:
                self.active -= 1
                self.last_request = time.monotonic()

    def _count(self, *, fallback: bool) -> None:
        with self.lock:
            if fallback:
                self.fallbacks += 1
            else:
                self.answers += 1

    def finish(self, timeout_s: float = 30.0) -> None:
        deadline = time.monotonic() + timeout_s
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))


def _log(directory: str, name: str, text: str) -> None:
    """One lifecycle line in ``<name>.log`` (never a payload, a reply or an environment value)."""
    path = os.path.join(directory, f"{name}.log")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            if os.fstat(fd).st_size > LOG_LIMIT:
                os.ftruncate(fd, 0)
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
            os.write(fd, f"{stamp} pid {os.getpid()}: {text}\n".encode(errors="backslashreplace"))
        finally:
            os.close(fd)
    except OSError:
        pass


def idle_timeout(environ: Mapping[str, str]) -> float:
    try:
        value = float(environ.get(client.IDLE, "") or DEFAULT_IDLE_S)
    except ValueError:
        return DEFAULT_IDLE_S
    return value if value > 0 else DEFAULT_IDLE_S


def run_server(policy: str, spawn_fd: int | None = None) -> int:
    directory = client.runtime_dir(os.environ)
    if not client.prepare_dir(directory):
        return 2
    server = HookServer(client.absolute_policy(policy), directory, idle_timeout(os.environ))
    lock_fd = client.open_lock(os.path.join(directory, f"{server.name}.lock"))
    if not client.try_lock(lock_fd):
        _log(directory, server.name, "another server holds the lock; exiting")
        return 0
    os.ftruncate(lock_fd, 0)
    os.write(lock_fd, f"{os.getpid()}\n".encode())
    try:
        warm_up(server.policy)
        from blastshield.audit.shared import keep_recorders_open

        keep_recorders_open()  # each log stays open between requests (and requests share commits)
        capture_streams()
        if os.path.lexists(server.path):
            os.unlink(server.path)  # a socket left by a server that died: we hold the lock
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old_umask = os.umask(0o177)
        try:
            listener.bind(server.path)
        finally:
            os.umask(old_umask)
        listener.listen(64)
        bound = os.stat(server.path).st_ino
    finally:
        if spawn_fd is not None:
            with contextlib.suppress(OSError):
                os.close(spawn_fd)  # hooks may start a server again (they will find this one)
    signal.signal(signal.SIGTERM, lambda *_: server.stop.set())
    _log(directory, server.name, f"serving policy={server.policy or '(located per request)'} "
                                 f"socket={server.path} idle={server.idle_s:g}s")
    reason = "stopped"
    try:
        reason = server.serve(listener)
    finally:
        listener.close()
        try:
            if os.stat(server.path).st_ino == bound:
                os.unlink(server.path)
        except OSError:
            pass
        server.finish()
        from blastshield.audit.shared import close_all

        close_all()  # the last connection closes: SQLite checkpoints the WAL into the log
        _log(directory, server.name, f"exiting: {reason}; {server.answers} answers, "
                                     f"{server.fallbacks} fallbacks")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m blastshield.hosts.hook_server",
                                     description="warm server for `blastshield hook` (started by the hook)")
    parser.add_argument("--policy", default="", help="the policy file this server answers for")
    parser.add_argument("--spawn-fd", type=int, default=None, help=argparse.SUPPRESS)
    args: Any = parser.parse_args(argv)
    return run_server(args.policy, args.spawn_fd)


if __name__ == "__main__":
    sys.exit(main())
