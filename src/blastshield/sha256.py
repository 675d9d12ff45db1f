"""SHA-256 without ``hashlib``'s start-up cost, and at OpenSSL's speed once a process hashes a lot.

``import hashlib`` initialises OpenSSL's digest tables (about 4 ms per process on this
project's machines); CPython's own ``_sha256`` (3.11) / ``_sha2`` (3.12+) module costs a
tenth of that and computes the same digest. Hook and ``run`` start-up paths hash a few
small inputs (records, policy files), so they use the built-in. It is about 4x slower per
kilobyte, though: a process that has hashed ``SWITCH_AFTER`` inputs (the hook server's
recorder, ``log verify``) switches to OpenSSL's, whose start-up it then pays once.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing costs milliseconds at start-up; mypy honours this name
if TYPE_CHECKING:
    from collections.abc import Callable
    from hashlib import _Hash

    sha256: Callable[[bytes], _Hash]
try:
    from _sha256 import sha256  # type: ignore[no-redef,import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - Python 3.12+ or a build without the module
    try:
        from _sha2 import sha256  # type: ignore[no-redef,import-not-found,unused-ignore]
    except ImportError:
        from hashlib import sha256  # type: ignore[assignment,unused-ignore]

__all__ = ["sha256", "sha256_hex"]

#: After this many calls, :func:`sha256_hex` uses OpenSSL's implementation.
SWITCH_AFTER = 200
_calls = 0


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    global _calls, sha256
    _calls += 1
    if _calls == SWITCH_AFTER:
        try:  # noqa: SIM105 (contextlib is not imported on the hook path)
            from hashlib import sha256  # the same digest, ~4x faster per kilobyte
        except ImportError:  # pragma: no cover - a Python without OpenSSL: keep the built-in
            pass
    return str(sha256(data).hexdigest())
