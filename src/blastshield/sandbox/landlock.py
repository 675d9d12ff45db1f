"""Landlock through raw syscalls (ctypes): a second, mount-independent file-system layer.

The launcher calls :func:`restrict` inside the sandbox before it runs the command: from
then on the process and all its descendants may read only below the readable roots and
write only below the writable roots, whatever mounts exist. From ABI 6 the domain is
also scoped: no signals to, and no abstract unix sockets of, processes outside it.

Standard library only: this module runs inside the sandbox.
"""

from __future__ import annotations

import ctypes
import os
import stat
import struct

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

_SYS = {"x86_64": (444, 445, 446), "amd64": (444, 445, 446),
        "aarch64": (444, 445, 446), "arm64": (444, 445, 446)}

_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_RULE_NET_PORT = 2
_NET_BIND_TCP = 1 << 0  # ABI 4
_NET_CONNECT_TCP = 1 << 1  # ABI 4

EXECUTE = 1 << 0
WRITE_FILE = 1 << 1
READ_FILE = 1 << 2
READ_DIR = 1 << 3
REMOVE_DIR = 1 << 4
REMOVE_FILE = 1 << 5
MAKE_CHAR = 1 << 6
MAKE_DIR = 1 << 7
MAKE_REG = 1 << 8
MAKE_SOCK = 1 << 9
MAKE_FIFO = 1 << 10
MAKE_BLOCK = 1 << 11
MAKE_SYM = 1 << 12
REFER = 1 << 13  # ABI 2
TRUNCATE = 1 << 14  # ABI 3
IOCTL_DEV = 1 << 15  # ABI 5

SCOPE_ABSTRACT_UNIX_SOCKET = 1 << 0  # ABI 6
SCOPE_SIGNAL = 1 << 1  # ABI 6

_FILE_ONLY = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV


class LandlockUnavailable(Exception):
    """The kernel has no Landlock (or refused to apply it)."""


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _numbers() -> tuple[int, int, int]:
    numbers = _SYS.get(os.uname().machine.lower())
    if numbers is None:
        raise LandlockUnavailable(f"no Landlock syscall numbers for {os.uname().machine!r}")
    return numbers


def abi_version() -> int:
    """The kernel's Landlock ABI version; 0 when Landlock is absent or disabled."""
    try:
        create, _, _ = _numbers()
    except LandlockUnavailable:
        return 0
    libc = _libc()
    libc.syscall.restype = ctypes.c_long
    value = libc.syscall(ctypes.c_long(create), None, ctypes.c_size_t(0),
                         ctypes.c_uint32(_CREATE_RULESET_VERSION))
    return int(value) if value > 0 else 0


def handled_access(abi: int) -> int:
    """Every file-system right this ABI knows (all of them are handled, i.e. denied by default)."""
    rights = (1 << 13) - 1
    if abi >= 2:
        rights |= REFER
    if abi >= 3:
        rights |= TRUNCATE
    if abi >= 5:
        rights |= IOCTL_DEV
    return rights


def read_rights() -> int:
    return EXECUTE | READ_FILE | READ_DIR


def write_rights(abi: int) -> int:
    """Read, write, create and delete below a root (everything handled for this ABI)."""
    return handled_access(abi)


def restrict(readable: Iterable[str], writable: Iterable[str], *, abi: int | None = None,
             connect_ports: Iterable[int] | None = None) -> int:
    """Apply a Landlock domain to the calling thread; returns the ABI used.

    Paths that do not exist are skipped. With ``connect_ports`` (ABI 4+), TCP connect is
    limited to those ports and TCP bind is refused. Raises LandlockUnavailable when the
    kernel has no Landlock or any step fails (the caller decides whether that is fatal).
    """
    abi = abi_version() if abi is None else abi
    if abi < 1:
        raise LandlockUnavailable("the kernel has no Landlock (or it is disabled at boot)")
    create, add_rule, restrict_self = _numbers()
    libc = _libc()
    libc.syscall.restype = ctypes.c_long
    handled = handled_access(abi)
    scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0
    net = _NET_BIND_TCP | _NET_CONNECT_TCP if connect_ports is not None and abi >= 4 else 0
    if abi >= 6:
        attr = struct.pack("=QQQ", handled, net, scoped)
    elif abi >= 4:
        attr = struct.pack("=QQ", handled, net)
    else:
        attr = struct.pack("=Q", handled)
    attr_buf = ctypes.create_string_buffer(attr, len(attr))
    ruleset = libc.syscall(ctypes.c_long(create), attr_buf, ctypes.c_size_t(len(attr)), ctypes.c_uint32(0))
    if ruleset < 0:
        raise LandlockUnavailable(f"landlock_create_ruleset failed: {os.strerror(ctypes.get_errno())}")
    try:
        for paths, rights in ((readable, read_rights()), (writable, write_rights(abi))):
            for path in paths:
                _add_path(libc, add_rule, int(ruleset), path, rights & handled)
        for port in (connect_ports or ()) if net else ():
            rule = struct.pack("=QQ", _NET_CONNECT_TCP, port)
            buf = ctypes.create_string_buffer(rule, len(rule))
            if libc.syscall(ctypes.c_long(add_rule), ctypes.c_int(ruleset), ctypes.c_int(_RULE_NET_PORT),
                            buf, ctypes.c_uint32(0)) != 0:
                raise LandlockUnavailable(f"landlock_add_rule(port {port}) failed: "
                                          f"{os.strerror(ctypes.get_errno())}")
        if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
            raise LandlockUnavailable(f"prctl(NO_NEW_PRIVS) failed: {os.strerror(ctypes.get_errno())}")
        if libc.syscall(ctypes.c_long(restrict_self), ctypes.c_int(ruleset), ctypes.c_uint32(0)) != 0:
            raise LandlockUnavailable(f"landlock_restrict_self failed: {os.strerror(ctypes.get_errno())}")
    finally:
        os.close(int(ruleset))
    return abi


def _add_path(libc: ctypes.CDLL, add_rule: int, ruleset: int, path: str, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            rights &= _FILE_ONLY
        attr = struct.pack("=Qi", rights, fd)
        buf = ctypes.create_string_buffer(attr, len(attr))
        if libc.syscall(ctypes.c_long(add_rule), ctypes.c_int(ruleset), ctypes.c_int(_RULE_PATH_BENEATH),
                        buf, ctypes.c_uint32(0)) != 0:
            raise LandlockUnavailable(f"landlock_add_rule({path}) failed: {os.strerror(ctypes.get_errno())}")
    finally:
        os.close(fd)
