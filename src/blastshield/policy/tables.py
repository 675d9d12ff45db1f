"""A policy file's TOML tables, kept between ``blastshield run`` starts.

``tomllib`` costs more than anything else ``run`` imports (about 10 ms with the ``typing``,
``datetime`` and ``string`` modules it pulls in, and a millisecond to parse the ``init``
template), and a policy file rarely changes between two runs. So ``run`` keeps what
``tomllib.loads`` returned for a policy file in a small file (``marshal`` data) named after
the policy's path and headed by the SHA-256 of the exact bytes it was parsed from. Only the
parser's output is kept: each run still reads the policy file, validates every key and builds
the Policy, the file-system plan and the rest from it, so the policy on disk is what holds,
byte for byte. A different digest, another format, anything unreadable or unexpected, and the
file is parsed afresh (and the entry rewritten).

The entries live where ``run`` keeps the compiled launcher and the machine facts
(``sandbox.launcher_build.cache_folder``): the package's own ``__pycache__`` when it is writable
(whoever can write there can replace the code itself) or ``~/.config/blastshield/launcher``,
which no sandbox can see and no hook lets an agent write.
"""

from __future__ import annotations

import marshal
import os

from blastshield.sha256 import sha256_hex

TYPE_CHECKING = False  # typing only for mypy: this module is on the `run` start-up path
if TYPE_CHECKING:
    from typing import Any

_FORMAT = f"blastshield-policy-tables 1 marshal {marshal.version}\n".encode()
_PREFIX = "policy-"
#: Entries kept per folder; storing one more removes the oldest (test suites make many).
MAX_ENTRIES = 64


def entry_path(folder: str, policy_path: str) -> str:
    """One entry per policy file (its resolved path), so the folder never grows with edits."""
    return os.path.join(folder, _PREFIX + sha256_hex(os.path.realpath(policy_path).encode())[:24])


def cached(folder: str, policy_path: str, digest: str) -> dict[str, Any] | None:
    """The tables parsed from bytes whose SHA-256 is ``digest``, if this entry holds them."""
    try:
        with open(entry_path(folder, policy_path), "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    head = _FORMAT + digest.encode() + b"\n"
    if not data.startswith(head):
        return None
    try:
        tables = marshal.loads(data[len(head):])
    except (EOFError, ValueError, TypeError):
        return None
    return tables if type(tables) is dict else None


def store(folder: str, policy_path: str, digest: str, tables: dict[str, Any]) -> None:
    """Keep ``tables`` for the next run (atomically; skipped for values marshal cannot hold,
    such as TOML dates, and on any write error)."""
    try:
        payload = marshal.dumps(tables)
    except ValueError:
        return
    path = entry_path(folder, policy_path)
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        with open(temporary, "wb") as handle:
            handle.write(_FORMAT + digest.encode() + b"\n" + payload)
        os.rename(temporary, path)  # concurrent runs never read half an entry
    except OSError:
        try:  # noqa: SIM105 (contextlib costs start-up time here)
            os.unlink(temporary)
        except OSError:
            pass
        return
    _prune(folder)


def _prune(folder: str) -> None:
    """Remove the oldest entries beyond :data:`MAX_ENTRIES` (only after a store: runs that find
    their entry never list the folder)."""
    try:
        with os.scandir(folder) as it:
            found = [(entry.stat().st_mtime_ns, entry.path) for entry in it
                     if entry.name.startswith(_PREFIX) and "." not in entry.name]
    except OSError:
        return
    found.sort()
    for _, path in found[:max(0, len(found) - MAX_ENTRIES)]:
        try:  # noqa: SIM105 (contextlib costs start-up time here)
            os.unlink(path)
        except OSError:
            pass
