"""A small seccomp-BPF filter, written by hand and installed with ctypes.

Why not pyseccomp: it is a binding to libseccomp (a C library that is not always
installed), and the filter we need is short enough to read in full. The program is:

1. refuse to run a foreign syscall ABI (architecture check; x32 on x86_64 is killed);
2. ``EPERM`` for syscalls that escape or inspect the sandbox: ptrace and
   process_vm_*, mount and the new mount API, pivot_root, chroot, bpf, io_uring_*,
   keyctl/add_key/request_key, kernel modules, kexec, perf_event_open, userfaultfd,
   unshare, setns, open_by_handle_at, pidfd_getfd, swap, reboot, clocks, syslog;
3. ``clone`` with any ``CLONE_NEW*`` namespace flag → ``EPERM``; ``clone3`` passes its
   flags in memory that BPF cannot read, so it gets ``ENOSYS`` and libc falls back to
   ``clone`` (what container runtimes do);
4. ``socket``: ``AF_UNIX`` always; ``AF_INET``/``AF_INET6`` only as TCP (the sandbox's
   network namespace holds nothing but loopback, where the bridge to the egress proxy
   listens); everything else — UDP, raw, packet, netlink — ``EPERM``;
5. ``ioctl(TIOCSTI)`` and ``ioctl(TIOCLINUX)`` → ``EPERM`` (no typing into the
   user's terminal; we keep the terminal so Ctrl-C reaches the command).

Standard library only: this module runs inside the sandbox.
"""

from __future__ import annotations

import errno
import os
import struct

# BPF opcodes (linux/filter.h, linux/bpf_common.h)
_LD_W_ABS = 0x20
_JEQ_K = 0x15
_JGE_K = 0x35
_JSET_K = 0x45
_AND_K = 0x54
_RET_K = 0x06

_RET_ALLOW = 0x7FFF0000
_RET_KILL_PROCESS = 0x80000000
_RET_ERRNO = 0x00050000

_OFF_NR = 0
_OFF_ARCH = 4


def _arg_low(index: int) -> int:
    """Offset of the low 32 bits of syscall argument ``index`` (little-endian)."""
    return 16 + 8 * index


_CLONE_NS_FLAGS = (0x00020000 | 0x02000000 | 0x04000000 | 0x08000000  # NEWNS, NEWCGROUP, NEWUTS, NEWIPC
                   | 0x10000000 | 0x20000000 | 0x40000000 | 0x00000080)  # NEWUSER, NEWPID, NEWNET, NEWTIME
_AF_UNIX, _AF_INET, _AF_INET6 = 1, 2, 10
_SOCK_STREAM, _SOCK_TYPE_MASK = 1, 0xF
_IPPROTO_TCP = 6
_TIOCSTI, _TIOCLINUX = 0x5412, 0x541C

_DENIED_NAMES = (
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "process_madvise",
    "mount", "umount2", "pivot_root", "chroot", "open_tree", "move_mount", "fsopen",
    "fsconfig", "fsmount", "fspick", "mount_setattr", "bpf", "io_uring_setup",
    "io_uring_enter", "io_uring_register", "keyctl", "add_key", "request_key",
    "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load",
    "perf_event_open", "userfaultfd", "unshare", "setns", "open_by_handle_at",
    "name_to_handle_at", "swapon", "swapoff", "reboot", "acct", "quotactl",
    "lookup_dcookie", "vhangup", "syslog", "settimeofday", "clock_settime", "clock_adjtime",
    "adjtimex",
)


class _Arch:
    """One architecture's AUDIT_ARCH value and syscall numbers (no dataclass: fast import)."""

    __slots__ = ("audit", "numbers", "x32_bit")

    def __init__(self, audit: int, numbers: dict[str, int], x32_bit: int | None = None) -> None:
        self.audit = audit
        self.numbers = numbers
        self.x32_bit = x32_bit


_X86_64 = _Arch(0xC000003E, {
    "ioctl": 16, "socket": 41, "clone": 56, "ptrace": 101, "syslog": 103, "vhangup": 153,
    "pivot_root": 155, "adjtimex": 159, "chroot": 161, "acct": 163, "settimeofday": 164,
    "mount": 165, "umount2": 166, "swapon": 167, "swapoff": 168, "reboot": 169,
    "init_module": 175, "delete_module": 176, "quotactl": 179, "lookup_dcookie": 212,
    "clock_settime": 227, "kexec_load": 246, "add_key": 248, "request_key": 249, "keyctl": 250,
    "unshare": 272, "perf_event_open": 298, "name_to_handle_at": 303, "open_by_handle_at": 304,
    "clock_adjtime": 305, "setns": 308, "process_vm_readv": 310, "process_vm_writev": 311,
    "finit_module": 313, "kexec_file_load": 320, "bpf": 321, "userfaultfd": 323,
    "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427, "open_tree": 428,
    "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433,
    "clone3": 435, "pidfd_getfd": 438, "process_madvise": 440, "mount_setattr": 442,
}, x32_bit=0x40000000)

_AARCH64 = _Arch(0xC00000B7, {
    "lookup_dcookie": 18, "ioctl": 29, "umount2": 39, "mount": 40, "pivot_root": 41,
    "chroot": 51, "vhangup": 58, "quotactl": 60, "acct": 89, "unshare": 97, "kexec_load": 104,
    "init_module": 105, "delete_module": 106, "clock_settime": 112, "syslog": 116, "ptrace": 117,
    "reboot": 142, "settimeofday": 170, "adjtimex": 171, "socket": 198, "add_key": 217,
    "request_key": 218, "keyctl": 219, "clone": 220, "swapon": 224, "swapoff": 225,
    "perf_event_open": 241, "name_to_handle_at": 264, "open_by_handle_at": 265,
    "clock_adjtime": 266, "setns": 268, "process_vm_readv": 270, "process_vm_writev": 271,
    "finit_module": 273, "bpf": 280, "userfaultfd": 282, "kexec_file_load": 294,
    "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427, "open_tree": 428,
    "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433,
    "clone3": 435, "pidfd_getfd": 438, "process_madvise": 440, "mount_setattr": 442,
})

_ARCHES = {"x86_64": _X86_64, "amd64": _X86_64, "aarch64": _AARCH64, "arm64": _AARCH64}


class SeccompUnavailable(Exception):
    """This machine cannot take our filter (unknown architecture, or the kernel refused)."""


def current_arch() -> _Arch | None:
    return _ARCHES.get(os.uname().machine.lower())


class _Program:
    """A tiny assembler: instructions with symbolic jump targets, resolved at the end."""

    def __init__(self) -> None:
        self.code: list[tuple[int, str | int, str | int, int]] = []
        self.labels: dict[str, int] = {}

    def label(self, name: str) -> None:
        self.labels[name] = len(self.code)

    def load(self, offset: int) -> None:
        self.code.append((_LD_W_ABS, 0, 0, offset))

    def jump(self, op: int, k: int, true: str | int = 0, false: str | int = 0) -> None:
        self.code.append((op, true, false, k))

    def ret(self, value: int) -> None:
        self.code.append((_RET_K, 0, 0, value))

    def alu_and(self, k: int) -> None:
        self.code.append((_AND_K, 0, 0, k))

    def assemble(self) -> bytes:
        out = bytearray()
        for index, (op, true, false, k) in enumerate(self.code):
            jt, jf = (self._offset(index, t) for t in (true, false))
            out += struct.pack("=HBBI", op, jt, jf, k & 0xFFFFFFFF)
        return bytes(out)

    def _offset(self, index: int, target: str | int) -> int:
        if isinstance(target, int):
            return target
        delta = self.labels[target] - index - 1
        if not 0 <= delta <= 255:
            raise ValueError(f"seccomp jump to {target} out of range")
        return delta


def build_filter(arch: _Arch | None = None) -> bytes:
    """The BPF program (``struct sock_filter[]`` bytes) for ``arch`` (default: this machine)."""
    arch = arch or current_arch()
    if arch is None:
        raise SeccompUnavailable(f"no syscall table for architecture {os.uname().machine!r}")
    eperm = _RET_ERRNO | errno.EPERM
    p = _Program()
    p.load(_OFF_ARCH)
    p.jump(_JEQ_K, arch.audit, true=0, false="kill")
    p.load(_OFF_NR)
    if arch.x32_bit is not None:
        p.jump(_JGE_K, arch.x32_bit, true="kill", false=0)
    for name in _DENIED_NAMES:
        p.jump(_JEQ_K, arch.numbers[name], true="eperm", false=0)
    p.jump(_JEQ_K, arch.numbers["clone3"], true="enosys", false=0)
    p.jump(_JEQ_K, arch.numbers["clone"], true="clone", false=0)
    p.jump(_JEQ_K, arch.numbers["socket"], true="socket", false=0)
    p.jump(_JEQ_K, arch.numbers["ioctl"], true="ioctl", false=0)
    p.ret(_RET_ALLOW)

    p.label("clone")
    p.load(_arg_low(0))
    p.jump(_JSET_K, _CLONE_NS_FLAGS, true="eperm", false="allow")

    p.label("socket")
    p.load(_arg_low(0))
    p.jump(_JEQ_K, _AF_UNIX, true="allow", false=0)
    p.jump(_JEQ_K, _AF_INET, true="stream", false=0)
    p.jump(_JEQ_K, _AF_INET6, true="stream", false="eperm")
    p.label("stream")
    p.load(_arg_low(1))
    p.alu_and(_SOCK_TYPE_MASK)
    p.jump(_JEQ_K, _SOCK_STREAM, true=0, false="eperm")
    p.load(_arg_low(2))
    p.jump(_JEQ_K, 0, true="allow", false=0)
    p.jump(_JEQ_K, _IPPROTO_TCP, true="allow", false="eperm")

    p.label("ioctl")
    p.load(_arg_low(1))
    p.jump(_JEQ_K, _TIOCSTI, true="eperm", false=0)
    p.jump(_JEQ_K, _TIOCLINUX, true="eperm", false="allow")

    p.label("allow")
    p.ret(_RET_ALLOW)
    p.label("eperm")
    p.ret(eperm)
    p.label("enosys")
    p.ret(_RET_ERRNO | errno.ENOSYS)
    p.label("kill")
    p.ret(_RET_KILL_PROCESS)
    return p.assemble()


_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2


def install(program: bytes | None = None) -> None:
    """Set no_new_privs and install the filter on the calling thread (inherited by children)."""
    import ctypes  # only where the filter is installed: `run` itself just builds the program

    class _SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    program = program if program is not None else build_filter()
    libc = ctypes.CDLL(None, use_errno=True)
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise SeccompUnavailable(f"prctl(NO_NEW_PRIVS) failed: {errno.errorcode.get(ctypes.get_errno())}")
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        code = ctypes.get_errno()
        raise SeccompUnavailable(f"prctl(SECCOMP_MODE_FILTER) failed: {errno.errorcode.get(code, code)}")


def kernel_supports_filters() -> bool:
    """True when this kernel has seccomp filters (``Seccomp:`` in /proc/self/status)."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            return any(line.startswith("Seccomp:") for line in handle)
    except OSError:
        return False
