"""What the hook process runs: hand the payload to a warm hook server, or answer in-process.

``python -m blastshield hook HOST [--policy P]`` ends up in :func:`main`. A cold Python
process that imports what a decision needs (dataclasses, tomllib, json, re, sqlite3,
tree-sitter ...) costs several times a bare interpreter start, so this module imports
only modules the interpreter has already loaded at start-up (``os``, ``sys``, ``stat``,
``time``) plus the C modules ``_socket`` and ``_sha256``: no json, no re, no dataclasses,
no other blastshield module. It reads stdin (at most 8 MiB + 1 byte), sends one framed
request to the server's unix socket and copies the server's bytes to stdout/stderr.

The server answers with exactly what the in-process path prints (the same function makes
the reply, see hook_server.py). Whenever that does not work — no socket, connection
refused, a timeout, a short or malformed reply, another protocol version, or the server
says "fallback" — the hook answers in-process (the fail-closed path as before) and then
starts a server in the background for the next call. ``BLASTSHIELD_HOOK_SERVER=0``
turns the server off. docs/hook-server.md explains the design and its security.

Wire format (all integers big-endian; a *field* is a u32 length and that many bytes):

- request: ``b"BSHQ"``, u8 version, fields: key material, host, policy path, project
  environment (``NAME=value`` lines), payload;
- reply: ``b"BSHR"``, u8 version, u8 status (0 answer, 1 fallback), u8 exit code,
  fields: stdout, stderr.
"""

from __future__ import annotations

import os
import stat
import sys
import time

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy honours this name
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from socket import socket as _Socket

    InProcess = Callable[[str, "str | None", "bytes | None"], int]

PROTOCOL = 1
REQUEST_MAGIC = b"BSHQ"
REPLY_MAGIC = b"BSHR"
ANSWER = 0
FALLBACK = 1
MAX_PAYLOAD = 8 * 1024 * 1024  # the same bound as hosts.runner.MAX_PAYLOAD
CONNECT_TIMEOUT_S = 1.0
REPLY_TIMEOUT_S = 5.0  # well under every host's hook timeout (Claude Code: 60 s)
SOCKET_PATH_MAX = 107  # sun_path is 108 bytes with its terminating NUL
# Largest request field the server accepts: key material, host, policy, project variables, payload.
FIELD_LIMITS = (1 << 20, 256, 1 << 16, 1 << 18, MAX_PAYLOAD + 1)

SWITCH = "BLASTSHIELD_HOOK_SERVER"  # "0" (or "off", "no", "false"): always in-process
IDLE = "BLASTSHIELD_HOOK_SERVER_IDLE"  # the server's idle timeout in seconds
# Variables runner.locate_policy reads when no --policy is given: sent with each request.
PROJECT_VARS = ("CLAUDE_PROJECT_DIR", "GEMINI_PROJECT_DIR", "CURSOR_PROJECT_DIR")
# Everything else the hook path reads from the environment (HOME for ~ and the key folder,
# BLASTSHIELD_* settings, OTLP and PostgreSQL client settings) is part of the server's
# identity: a hook whose values differ talks to a different server.
CONTEXT_VARS = ("HOME", "TZ", "LANG", "LC_ALL")
CONTEXT_PREFIXES = ("BLASTSHIELD_", "OTEL_", "PG")
SERVER_KNOBS = (SWITCH, IDLE)


def parse_argv(argv: list[str]) -> tuple[str, str | None] | None:
    """``HOST [--policy P | --policy=P]`` → (host, policy); None for anything else."""
    if not argv or argv[0].startswith("-"):
        return None
    rest = argv[1:]
    if not rest:
        return argv[0], None
    if len(rest) == 2 and rest[0] == "--policy":
        return argv[0], rest[1]
    if len(rest) == 1 and rest[0].startswith("--policy="):
        return argv[0], rest[0].split("=", 1)[1]
    return None


def enabled(environ: Mapping[str, str]) -> bool:
    return environ.get(SWITCH, "1").strip().lower() not in ("0", "off", "no", "false")


def absolute_policy(policy: str | None) -> str:
    """The policy path as the server keys it ('' when the hook locates the policy itself)."""
    return os.path.abspath(policy) if policy else ""


def key_material(policy: str, cwd: str, environ: Mapping[str, str]) -> bytes:
    """Everything that must be equal for a server's answer to equal this process's answer.

    The working folder is part of it: a payload with a relative ``cwd`` or path is
    resolved against the process's own folder, so the server runs in the hook's folder.
    """
    import blastshield

    package = os.path.dirname(os.path.abspath(blastshield.__file__ or ""))
    context = sorted((name, value) for name, value in environ.items()
                     if (name in CONTEXT_VARS or name.startswith(CONTEXT_PREFIXES))
                     and name not in SERVER_KNOBS)
    lines = [f"protocol={PROTOCOL}", f"python={sys.executable}", f"version={blastshield.__version__}",
             f"package={package}", f"policy={policy}", f"cwd={cwd}", *(f"env:{n}={v}" for n, v in context)]
    return os.fsencode("\n".join(lines))


def server_name(material: bytes) -> str:
    """A short, stable name for the server that serves ``material``."""
    for module in ("_sha256", "_sha2"):  # C modules: importing hashlib costs milliseconds
        try:
            digest: str = __import__(module).sha256(material).hexdigest()
            return digest[:16]
        except ImportError:
            continue
    import hashlib

    return hashlib.sha256(material).hexdigest()[:16]


def runtime_dir(environ: Mapping[str, str]) -> str:
    """Where sockets live: ``$XDG_RUNTIME_DIR/blastshield`` or ``/tmp/blastshield-<uid>``."""
    runtime = environ.get("XDG_RUNTIME_DIR", "")
    if runtime.startswith("/") and len(runtime) <= 64:
        return os.path.join(runtime, "blastshield")
    return f"/tmp/blastshield-{os.getuid()}"


def private_dir_ok(path: str) -> bool:
    """True when ``path`` is a real directory owned by us that nobody else can enter."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o077


def socket_path(directory: str, name: str) -> str:
    return os.path.join(directory, f"{name}.sock")


def _field(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def encode_request(material: bytes, host: str, policy: str, project: Mapping[str, str],
                   payload: bytes) -> bytes:
    env_lines = "".join(f"{name}={project[name]}\n" for name in PROJECT_VARS if name in project)
    return (REQUEST_MAGIC + bytes((PROTOCOL,)) + _field(material) + _field(os.fsencode(host))
            + _field(os.fsencode(policy)) + _field(os.fsencode(env_lines)) + _field(payload))


def decode_reply(data: bytes) -> tuple[int, bytes, bytes] | None:
    """(exit code, stdout, stderr) of an answer; None for a fallback or anything malformed."""
    if len(data) < 15 or data[:4] != REPLY_MAGIC or data[4] != PROTOCOL or data[5] != ANSWER:
        return None
    code = data[6]
    out_len = int.from_bytes(data[7:11], "big")
    out_end = 11 + out_len
    if len(data) < out_end + 4:
        return None
    err_len = int.from_bytes(data[out_end:out_end + 4], "big")
    if len(data) != out_end + 4 + err_len:
        return None
    return code, data[11:out_end], data[out_end + 4:]


def _recv_exact(conn: _Socket, size: int) -> bytes:
    chunks: list[bytes] = []
    while size:
        chunk = conn.recv(min(size, 1 << 20))
        if not chunk:
            raise ConnectionError("short request")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def read_request(conn: _Socket) -> tuple[int, list[bytes]]:
    """The server's side: (protocol version, fields) of one request; ConnectionError when malformed.

    ``FIELD_LIMITS`` bounds each field: key material, host, policy, project variables, payload.
    """
    head = _recv_exact(conn, 5)
    if head[:4] != REQUEST_MAGIC:
        raise ConnectionError("not a hook request")
    if head[4] != PROTOCOL:
        return head[4], []
    fields = []
    for limit in FIELD_LIMITS:
        size = int.from_bytes(_recv_exact(conn, 4), "big")
        if size > limit:
            raise ConnectionError("request field too large")
        fields.append(_recv_exact(conn, size))
    return PROTOCOL, fields


def encode_reply(status: int, code: int = 0, out: bytes = b"", err: bytes = b"") -> bytes:
    return (REPLY_MAGIC + bytes((PROTOCOL, status, code & 0xFF))
            + len(out).to_bytes(4, "big") + out + len(err).to_bytes(4, "big") + err)


def parse_project(block: bytes) -> dict[str, str]:
    project: dict[str, str] = {}
    for line in os.fsdecode(block).split("\n"):
        name, sep, value = line.partition("=")
        if sep and name in PROJECT_VARS:
            project[name] = value
    return project


def read_stdin(limit: int = MAX_PAYLOAD + 1) -> bytes:
    """Up to ``limit`` bytes of stdin (one byte over 8 MiB is enough for the hook to refuse it)."""
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = os.read(0, min(1 << 20, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def ask_server(path: str, request: bytes) -> tuple[int, bytes, bytes] | None:
    """Send ``request`` to the server at ``path``; its answer, or None when it cannot give one."""
    import _socket

    deadline = time.monotonic() + REPLY_TIMEOUT_S
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.settimeout(CONNECT_TIMEOUT_S)
        sock.connect(path)
        sock.settimeout(REPLY_TIMEOUT_S)
        sock.sendall(request)
        chunks: list[bytes] = []
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            sock.settimeout(left)
            chunk = sock.recv(1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
        return decode_reply(b"".join(chunks))
    except OSError:  # no socket, refused, reset, timeout (TimeoutError is an OSError)
        return None
    finally:
        sock.close()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def open_lock(path: str) -> int:
    return os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)


def try_lock(fd: int) -> bool:
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def prepare_dir(directory: str) -> bool:
    """Create the runtime folder (0700) if needed; False when it is not safely ours."""
    try:
        os.mkdir(directory, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return False
    return private_dir_ok(directory)


def start_server(policy: str, cwd: str, directory: str, material: bytes, environ: Mapping[str, str]) -> bool:
    """Start a server in the background unless one runs or is starting; True when started.

    Never raises: the hook has already answered in-process, a server is only for next time.
    """
    try:
        return _start(policy, cwd, directory, material, environ)
    except Exception as exc:
        print(f"blastshield: hook server not started: {type(exc).__name__}: {exc}", file=sys.stderr)
        return False


def _start(policy: str, cwd: str, directory: str, material: bytes, environ: Mapping[str, str]) -> bool:
    if policy and not os.path.isfile(policy):
        return False  # nothing to serve: the hook denies until the policy exists
    name = server_name(material)
    if len(os.fsencode(socket_path(directory, name))) > SOCKET_PATH_MAX:
        return False
    if not prepare_dir(directory):
        print(f"blastshield: hook server disabled: {directory} is not a folder only you can use "
              f"(owned by you, mode 0700); hooks run in-process", file=sys.stderr)
        return False
    spawn_fd = open_lock(os.path.join(directory, f"{name}.spawn"))
    try:
        if not try_lock(spawn_fd):
            return False  # another hook is starting it right now
        server_fd = open_lock(os.path.join(directory, f"{name}.lock"))
        try:
            if not try_lock(server_fd):
                return False  # a server runs (it may be busy or just exiting)
        finally:
            os.close(server_fd)  # releases our probe lock
        import subprocess

        argv = [sys.executable, "-m", "blastshield.hosts.hook_server", "--spawn-fd", str(spawn_fd)]
        if policy:
            argv += ["--policy", policy]
        # The server inherits the spawn lock and releases it once it listens: hooks that come
        # meanwhile answer in-process and do not start another one.
        subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, cwd=cwd, env=dict(environ),
                         start_new_session=True, close_fds=True, pass_fds=(spawn_fd,))
        return True
    finally:
        os.close(spawn_fd)


def main(argv: list[str], in_process: InProcess, environ: Mapping[str, str] | None = None) -> int | None:
    """Run the hook for ``argv`` (after ``hook``); None when ``argv`` is not ``HOST [--policy P]``."""
    parsed = parse_argv(argv)
    if parsed is None:
        return None
    host, policy = parsed
    env = os.environ if environ is None else environ
    if not enabled(env):
        return in_process(host, policy, None)
    try:
        raw = read_stdin()
    except OSError:
        return in_process(host, policy, None)  # the in-process path reports the unreadable stdin
    try:
        answer, spawn = _ask(host, policy, raw, env)
    except Exception:  # the fast path must never end in a traceback: answer in-process
        answer, spawn = None, None
    if answer is not None:
        code, out, err = answer
        try:
            _write_all(2, err)
            _write_all(1, out)
        except OSError:
            pass  # the host went away; nothing left to tell it
        return code
    code = in_process(host, policy, raw)
    sys.stdout.flush()
    sys.stderr.flush()
    if spawn is not None:
        start_server(*spawn)
    return code


def _ask(host: str, policy: str | None, raw: bytes, env: Mapping[str, str]) \
        -> tuple[tuple[int, bytes, bytes] | None, tuple[str, str, str, bytes, Mapping[str, str]] | None]:
    """The server's answer (None: answer in-process) and what starting a server needs (None: don't)."""
    try:
        cwd = os.getcwd()
    except OSError:
        return None, None  # our folder is gone: nothing to key a server on
    absolute = absolute_policy(policy)
    material = key_material(absolute, cwd, env)
    directory = runtime_dir(env)
    path = socket_path(directory, server_name(material))
    answer = None
    if len(os.fsencode(path)) <= SOCKET_PATH_MAX and private_dir_ok(directory):
        project = {name: env[name] for name in PROJECT_VARS if name in env}
        answer = ask_server(path, encode_request(material, host, absolute, project, raw))
    return answer, (absolute, cwd, directory, material, env)
