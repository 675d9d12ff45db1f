"""SHA-256 without ``hashlib``'s start-up cost.

``import hashlib`` initialises OpenSSL's digest tables (about 4 ms per process on this
project's machines); CPython's own ``_sha256`` (3.11) / ``_sha2`` (3.12+) module costs a
tenth of that and computes the same digest. Hook and ``run`` start-up paths hash small
inputs (records, policy files), where the built-in is as fast as OpenSSL.
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


def sha256_hex(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return str(sha256(data).hexdigest())
