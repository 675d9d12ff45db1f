"""What this machine can enforce: one :class:`Layer` per sandbox layer, with how to get it.

``probe_layers()`` reads the kernel and the PATH (cheap, used by ``run``); with
``deep=True`` it also starts a tiny bubblewrap sandbox to prove user and network
namespaces really work (``doctor``).
"""

from __future__ import annotations

import os

from blastshield.sandbox import seccomp
from blastshield.sandbox.bwrap import BwrapInfo, find_bwrap

TYPE_CHECKING = False  # typing only for mypy (Final marks the read-only fields)
if TYPE_CHECKING:
    from typing import Final

BUBBLEWRAP = "bubblewrap"
USERNS = "user-namespaces"
LANDLOCK = "landlock"
SECCOMP = "seccomp"


class Layer:
    __slots__ = ("available", "detail", "enforces", "name", "remedy")

    def __init__(self, name: str, available: bool, detail: str, enforces: str, remedy: str) -> None:
        self.name: Final = name
        self.available: Final = available
        self.detail: Final = detail  # what was found (or why not)
        self.enforces: Final = enforces  # what the layer holds when present
        self.remedy: Final = remedy  # how to get it when missing

    def __repr__(self) -> str:
        return f"Layer({self.name!r}, available={self.available}, detail={self.detail!r})"


_ENFORCES = {
    BUBBLEWRAP: "mount isolation (denied paths absent, read-only paths read-only) and a private "
                "network namespace (no direct network, all TCP through the egress proxy)",
    USERNS: "an unprivileged sandbox with every capability dropped (needed by bubblewrap, also as root)",
    LANDLOCK: "a second file-system layer that holds even if a mount is wrong (no writes outside "
              "the writable roots, no reads outside the readable ones)",
    SECCOMP: "no ptrace, mount, bpf, io_uring, keyctl, kernel-module or namespace syscalls, no UDP, "
             "raw or netlink sockets, no TIOCSTI terminal injection",
}


def _read_int(path: str) -> int | None:
    try:
        with open(path, encoding="ascii") as handle:
            return int(handle.read().strip())
    except (OSError, ValueError):
        return None


def _bubblewrap(info: BwrapInfo | None) -> Layer:
    if info is None:
        return Layer(BUBBLEWRAP, False, "bwrap not found on PATH", _ENFORCES[BUBBLEWRAP],
                     "install it: `sudo apt-get install bubblewrap` (Debian/Ubuntu), "
                     "`sudo dnf install bubblewrap` (Fedora), `sudo pacman -S bubblewrap` (Arch)")
    return Layer(BUBBLEWRAP, True, f"bubblewrap {info.version_text} at {info.path}",
                 _ENFORCES[BUBBLEWRAP], "")


def _userns(info: BwrapInfo | None, deep: bool) -> Layer:
    remedy = ("enable unprivileged user namespaces: `sudo sysctl -w kernel.unprivileged_userns_clone=1` "
              "(Debian), `sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0` (Ubuntu 24.04+), "
              "and user.max_user_namespaces > 0")
    maximum = _read_int("/proc/sys/user/max_user_namespaces")
    if maximum == 0:
        return Layer(USERNS, False, "user.max_user_namespaces is 0", _ENFORCES[USERNS], remedy)
    if os.geteuid() != 0:
        if _read_int("/proc/sys/kernel/unprivileged_userns_clone") == 0:
            return Layer(USERNS, False, "kernel.unprivileged_userns_clone is 0", _ENFORCES[USERNS], remedy)
        if _read_int("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == 1:
            return Layer(USERNS, False, "AppArmor restricts unprivileged user namespaces",
                         _ENFORCES[USERNS], remedy)
    if deep and info is not None:
        problem = _try_bwrap(info)
        if problem:
            return Layer(USERNS, False, f"a test sandbox failed: {problem}", _ENFORCES[USERNS], remedy)
        return Layer(USERNS, True, "a test sandbox with user + network namespaces started",
                     _ENFORCES[USERNS], "")
    return Layer(USERNS, True, f"user.max_user_namespaces = {maximum}", _ENFORCES[USERNS], "")


def _try_bwrap(info: BwrapInfo) -> str:
    import subprocess  # doctor only: not on the `run` start-up path

    argv = [info.path, "--unshare-all", "--unshare-user", "--cap-drop", "ALL", "--die-with-parent",
            "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "--", "true"]
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    return "" if out.returncode == 0 else (out.stderr.strip().splitlines() or ["exit status"])[-1]


def _landlock(abi: int | None) -> Layer:
    if abi is None:
        from blastshield.sandbox import landlock  # ctypes: only when the ABI is not known yet

        abi = landlock.abi_version()
    if abi < 1:
        return Layer(LANDLOCK, False, "the kernel has no Landlock (or it is not in the lsm= list)",
                     _ENFORCES[LANDLOCK], "use Linux 5.13+ built with CONFIG_SECURITY_LANDLOCK and "
                     "`landlock` in the lsm= boot parameter (ABI 6+, Linux 6.12, adds signal scoping)")
    extra = " (with signal and abstract-socket scoping)" if abi >= 6 else ""
    return Layer(LANDLOCK, True, f"Landlock ABI {abi}{extra}", _ENFORCES[LANDLOCK], "")


def _seccomp() -> Layer:
    if seccomp.current_arch() is None:
        return Layer(SECCOMP, False, "no syscall table for this CPU architecture", _ENFORCES[SECCOMP],
                     "blastshield's filter covers x86_64 and aarch64")
    if not seccomp.kernel_supports_filters():
        return Layer(SECCOMP, False, "the kernel has no seccomp filters", _ENFORCES[SECCOMP],
                     "use a kernel built with CONFIG_SECCOMP_FILTER")
    return Layer(SECCOMP, True, "seccomp-BPF filters", _ENFORCES[SECCOMP], "")


def probe_layers(*, deep: bool = False, bwrap: BwrapInfo | None = None,
                 landlock_abi: int | None = None) -> tuple[Layer, ...]:
    """``landlock_abi``: the ABI when already known (``machine.machine_facts``), else probed."""
    info = bwrap if bwrap is not None else find_bwrap()
    return (_bubblewrap(info), _userns(info, deep), _landlock(landlock_abi), _seccomp())
