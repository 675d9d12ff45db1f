"""This machine's bubblewrap version and Landlock ABI, remembered until the next boot.

``run`` needs both on every start: the version decides ``--disable-userns``, the ABI
whether Landlock is there at all. Asking costs a process (``bwrap --version``) and the
ctypes import (the Landlock syscall), about 3 ms of every run. Neither changes while the
machine is up (Landlock comes from the kernel's boot-time LSM list; bubblewrap only by
being replaced), so the answers are kept in a small text file keyed by the boot id and
bubblewrap's path and inode/size/mtime. Any difference, or an unreadable file, means a
fresh probe. The file sits next to the compiled launcher (``launcher_build``): whoever can
change it could already replace the launcher itself. It only ever weakens nothing on its
own: a stale "Landlock present" makes the launcher fail closed when it applies Landlock.
"""

from __future__ import annotations

import os

from blastshield.sandbox.bwrap import BwrapInfo, find_bwrap, which

FILE_NAME = "machine-facts"
_FORMAT = "blastshield-machine-facts 1"


def _boot_id() -> str:
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as handle:
            return handle.read().strip()
    except OSError:
        return ""


def _key(bwrap_path: str | None) -> str:
    """Boot id, bubblewrap's path and file identity: what the cached answers depend on."""
    boot = _boot_id()
    if not boot:
        return ""
    if bwrap_path is None:
        return f"{boot} -"
    try:
        st = os.stat(bwrap_path)
    except OSError:
        return ""
    return f"{boot} {bwrap_path} {st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"


def _read(path: str, key: str) -> tuple[BwrapInfo | None, int] | None:
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().split("\n")
    except (OSError, UnicodeError):
        return None
    if len(lines) < 5 or lines[0] != _FORMAT or lines[1] != key:
        return None
    bwrap_path, version_text, abi_text = lines[2], lines[3], lines[4]
    try:
        abi = int(abi_text)
        version = tuple(int(part) for part in version_text.split(".")) if version_text else ()
    except ValueError:
        return None
    info = BwrapInfo(bwrap_path, version) if bwrap_path and version else None
    return info, abi


def _write(path: str, key: str, info: BwrapInfo | None, abi: int) -> None:
    temporary = f"{path}.{os.getpid()}.tmp"
    text = "\n".join([_FORMAT, key, info.path if info else "", info.version_text if info else "",
                      str(abi), ""])
    try:
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.rename(temporary, path)  # atomic: concurrent runs never read half a file
    except OSError:
        try:  # noqa: SIM105 (contextlib costs start-up time here)
            os.unlink(temporary)
        except OSError:
            pass


def machine_facts(folder: str | None = None) -> tuple[BwrapInfo | None, int]:
    """(bubblewrap on PATH with its version or None, the kernel's Landlock ABI or 0); the answers
    are kept in ``folder`` (default: the compiled launcher's folder)."""
    bwrap_path = which("bwrap")
    key = _key(bwrap_path)
    if key and folder is None:
        from blastshield.sandbox.launcher_build import cache_folder

        folder = cache_folder()
    path = os.path.join(folder, FILE_NAME) if folder else ""
    if path:
        cached = _read(path, key)
        if cached is not None and (cached[0].path if cached[0] else None) == bwrap_path:
            return cached
    from blastshield.sandbox import landlock

    info = find_bwrap()
    abi = landlock.abi_version()
    if path and (info is not None or bwrap_path is None):  # a failed --version is asked again next time
        _write(path, key, info, abi)
    return info, abi
