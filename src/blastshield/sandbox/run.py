"""``blastshield run``: hold a command and all its descendants to the policy, in the kernel.

Order of work: load the policy, check the layers (refuse when one is missing unless
``allow_weaker``), plan the file system, start the egress proxy on a private unix
socket, start bubblewrap with the launcher as PID 1, forward signals, wait, pass the
exit status (or the signal) through, clean up. Without bubblewrap (``allow_weaker``
only) the launcher runs directly: Landlock and seccomp still hold, the network is
limited by Landlock to the bridge's TCP port, and denied paths inside readable trees
stay readable — ``run`` says so before it starts.
"""

from __future__ import annotations

import gc
import os
import sys

from blastshield.errors import SandboxError
from blastshield.paths import expand, home_dir, is_within
from blastshield.policy.load import find_policy, load_policy
from blastshield.policy.model import Policy
from blastshield.sandbox import layers as layer_names
from blastshield.sandbox.bwrap import (
    INSIDE_LAUNCHER,
    SANDBOX_RUNTIME,
    BwrapInfo,
    HideSources,
    bwrap_argv,
)
from blastshield.sandbox.env import filter_environment
from blastshield.sandbox.fsplan import FsPlan, MountKind, plan_filesystem
from blastshield.sandbox.launcher_build import cache_folder, compiled_launcher
from blastshield.sandbox.layers import Layer, probe_layers
from blastshield.sandbox.machine import machine_facts
from blastshield.sandbox.proxy import EgressProxy, LazyConnectionLog
from blastshield.sandbox.supervise import RunResult, die_by, on_terminal, supervise

TYPE_CHECKING = False  # typing, subprocess, shutil, tempfile, json: not on the start-up path
if TYPE_CHECKING:  # the same functions and constants, typed
    import signal
else:  # the C module: signal.py wraps its constants in enums at import (~2 ms)
    import _signal as signal
if TYPE_CHECKING:
    from typing import Final

__all__ = ["RunOptions", "RunResult", "die_by", "run_sandboxed"]

BRIDGE_PORT = 3128
_BOOT = ("import sys; sys.path.insert(0, {root!r}); "
         "from blastshield.sandbox.launcher import main; main()")


# Plain classes, not dataclasses: building a dataclass costs ~0.3 ms at import, on every run.
class RunOptions:
    __slots__ = ("allow_weaker", "command", "cwd", "policy_path", "resolve", "verbose")

    def __init__(self, command: list[str], cwd: str, policy_path: str | None = None,
                 allow_weaker: bool = False, resolve: dict[str, str] | None = None,
                 verbose: bool = False) -> None:
        self.command: Final = command
        self.cwd: Final = cwd
        self.policy_path: Final = policy_path
        self.allow_weaker: Final = allow_weaker
        self.resolve: Final = resolve if resolve is not None else {}
        self.verbose: Final = verbose


def load_run_policy(options: RunOptions) -> Policy:
    """The policy, read and validated afresh; its parsed TOML is kept beside the compiled launcher
    between runs (``policy.tables``: the import of tomllib is most of a policy load)."""
    path = options.policy_path or find_policy(options.cwd)
    if path is None:
        raise SandboxError(f"no .blastshield/policy.toml at or above {options.cwd}",
                           hint="run `blastshield init` or pass --policy PATH")
    return load_policy(path, tables_cache=cache_folder())


def missing_layers(found: tuple[Layer, ...]) -> list[Layer]:
    return [layer for layer in found if not layer.available]


def describe_missing(missing: list[Layer]) -> str:
    return "; ".join(f"without {m.name} ({m.detail}) nothing enforces {m.enforces}" for m in missing)


def run_sandboxed(options: RunOptions) -> RunResult:
    if not options.command:
        raise SandboxError("no command given", hint="write `blastshield run -- CMD ...`")
    policy = load_run_policy(options)
    bwrap, landlock_abi = machine_facts()
    found = probe_layers(bwrap=bwrap, landlock_abi=landlock_abi)
    missing = missing_layers(found)
    if missing and not options.allow_weaker:
        raise SandboxError(f"cannot enforce the whole policy here: {describe_missing(missing)}",
                           hint="run `blastshield doctor` to see how to get it, or pass --allow-weaker")
    for layer in missing:
        print(f"blastshield: warning: running WITHOUT {layer.name}: {layer.enforces} is NOT enforced",
              file=sys.stderr)
    names = {layer.name for layer in missing}
    if names & {layer_names.BUBBLEWRAP, layer_names.USERNS}:
        bwrap = None
    home = home_dir()
    plan = plan_filesystem(policy, home, extra_protected=_store_paths(policy))
    if plan.unenforced and not options.allow_weaker:
        raise SandboxError("cannot hide every denied path: " + "; ".join(plan.unenforced),
                           hint="name the paths without a leading ** or pass --allow-weaker")
    if options.verbose:
        for note in plan.notes:
            print(f"blastshield: note: {note}", file=sys.stderr)
    runtime = _make_runtime_dir()
    try:
        return _run_in(runtime, policy, plan, options, found, bwrap, home)
    finally:
        remove_tree(runtime)


def _make_runtime_dir() -> str:
    """A fresh private folder (``tempfile.mkdtemp`` without importing tempfile and random)."""
    bases = [b for b in (os.environ.get("TMPDIR"), "/tmp", "/var/tmp") if b]
    error: OSError | None = None
    for base in bases:
        for _ in range(20):
            path = os.path.join(os.path.realpath(base), "blastshield-run-" + os.urandom(6).hex())
            try:
                os.mkdir(path, 0o700)
            except FileExistsError:
                continue
            except OSError as exc:
                error = exc
                break
            return path
    raise SandboxError(f"cannot create a private run-time folder in {' or '.join(bases)}: {error}",
                       hint="set TMPDIR to a writable folder")


def remove_tree(path: str) -> None:
    """Delete a folder and everything below it, never following symlinks; errors are ignored."""
    try:
        os.rmdir(path)
        return
    except FileNotFoundError:
        return
    except OSError:
        pass
    try:
        entries = list(os.scandir(path))
    except OSError:
        return
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):
                remove_tree(entry.path)
            else:
                os.unlink(entry.path)
        except OSError:
            continue
    try:  # noqa: SIM105 (contextlib costs start-up time here)
        os.rmdir(path)
    except OSError:
        pass


def _store_paths(policy: Policy) -> tuple[str, ...]:
    store = policy.audit.store
    if not store or "://" in store:
        return ()
    path = expand(store, policy.workspace)
    path = path if os.path.isabs(path) else os.path.join(policy.workspace, path)
    return (os.path.realpath(path),)


def _inside_cwd(cwd: str, plan: FsPlan, workspace: str) -> str:
    real = os.path.realpath(cwd)
    roots = [m.path for m in plan.mounts if m.kind in (MountKind.READ_ONLY, MountKind.READ_WRITE)]
    return real if any(is_within(real, root) for root in roots) else workspace


def _run_in(runtime: str, policy: Policy, plan: FsPlan, options: RunOptions, found: tuple[Layer, ...],
            bwrap: BwrapInfo | None, home: str) -> RunResult:
    available = {layer.name for layer in found if layer.available}
    use_bwrap = bwrap is not None
    hide = HideSources(os.path.join(runtime, "empty-file"), os.path.join(runtime, "empty-dir"))
    with open(hide.file, "w", encoding="ascii"):
        pass
    os.mkdir(hide.directory)
    os.chmod(hide.file, 0)
    os.chmod(hide.directory, 0)
    socket_path = os.path.join(runtime, "proxy.sock")
    inside_runtime = SANDBOX_RUNTIME if use_bwrap else runtime
    log = LazyConnectionLog(policy)
    proxy = EgressProxy(policy, socket_path, log.record, options.resolve)
    proxy.start()
    status_r, status_w = os.pipe()
    info_r, info_w = os.pipe()
    readable = [*plan.readable, inside_runtime]
    scratch = os.path.join(runtime, "tmp")  # without bubblewrap: a private TMPDIR instead of /tmp
    writable = [*plan.writable, "/dev", "/proc"] if use_bwrap else \
        [m.path for m in plan.mounts if m.kind is MountKind.READ_WRITE] + ["/dev", "/proc", scratch]
    if not use_bwrap:
        readable = [p for p in readable if p != home]
    seccomp_program = _seccomp_program() if layer_names.SECCOMP in available else None
    seccomp_fd = _program_fd(runtime, seccomp_program) if seccomp_program is not None else -1
    args = ["--status-fd", str(status_w), "--port", str(BRIDGE_PORT if use_bwrap else 0),
            "--proxy-socket", os.path.join(inside_runtime, "proxy.sock")]
    if use_bwrap:
        args += ["--close-fd", str(info_w)]  # bubblewrap leaves its --info-fd open
    if seccomp_fd >= 0 and not use_bwrap:  # with bubblewrap: bwrap --seccomp installs it
        args += ["--seccomp-fd", str(seccomp_fd)]
    if layer_names.LANDLOCK in available:
        args.append("--landlock")
        args += [item for path in readable for item in ("--read", path)]
        args += [item for path in writable for item in ("--write", path)]
        if not use_bwrap:
            args.append("--limit-tcp")
    if on_terminal():
        args.append("--terminal")
    for sig in (signal.SIGINT, signal.SIGQUIT):
        if signal.getsignal(sig) == signal.SIG_IGN:
            args += ["--ignore", str(int(sig))]
    args += ["--", *options.command]
    binary = compiled_launcher()
    if binary is None:
        launcher = [os.path.realpath(sys.executable), "-I", "-S", "-B", "-c",
                    _BOOT.format(root=_package_root()), *args]
    else:
        launcher = [INSIDE_LAUNCHER if use_bwrap else binary, *args]
    cwd = _inside_cwd(options.cwd, plan, policy.workspace)
    env = filter_environment(os.environ, policy.env).kept
    env["HOME"] = home
    env["BLASTSHIELD_SANDBOX"] = "1"  # `learn --write` and friends refuse to run in here
    try:
        if bwrap is not None:
            argv = bwrap_argv(bwrap, plan, runtime_dir=runtime, hide=hide, cwd=cwd, command=launcher,
                              info_fd=info_w, seccomp_fd=seccomp_fd if seccomp_fd >= 0 else None,
                              launcher=binary)
            return supervise(argv, env, None, (status_r, status_w), (info_r, info_w), seccomp_fd,
                             lambda: _serve(proxy), proxy.prepare)
        os.mkdir(scratch, 0o700)
        env["TMPDIR"] = scratch
        os.close(info_w)
        os.close(info_r)
        return supervise(launcher, env, cwd, (status_r, status_w), (-1, -1), seccomp_fd,
                         lambda: _serve(proxy), proxy.prepare)
    finally:
        proxy.close()
        log.close()


def _serve(proxy: EgressProxy) -> None:
    """The sandbox runs: serve its connections, with the garbage collector back on. ``run``'s fast
    path turns it off for the start-up, which allocates much and frees no cycles (~1-2 ms); what
    the start-up made is frozen, so later collections skip it."""
    gc.freeze()
    gc.enable()
    proxy.serve()


def _package_root() -> str:
    import blastshield

    return os.path.dirname(os.path.dirname(os.path.realpath(blastshield.__file__)))


def _seccomp_program() -> bytes:
    from blastshield.sandbox import seccomp

    try:
        return seccomp.build_filter()
    except (seccomp.SeccompUnavailable, ValueError) as exc:
        raise SandboxError(f"cannot build the seccomp filter: {exc}") from exc


def _program_fd(runtime: str, program: bytes) -> int:
    """The filter in a file bubblewrap reads with ``--seccomp FD`` (unlinked: nothing else sees it)."""
    path = os.path.join(runtime, "seccomp.bpf")
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    os.unlink(path)
    os.write(fd, program)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd
