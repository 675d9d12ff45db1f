"""Key files outside the workspace: ``~/.config/blastshield/keys/`` (dir 0700, files 0600).

Two keys, both created on first use:

- ``redact.key``: 32 random bytes, the HMAC key behind ``[REDACTED:kind:hash]`` markers;
- ``audit-ed25519.key`` / ``.pub``: the checkpoint signing key (raw 32-byte seed, hex) and
  its public half. ``cryptography`` is imported only when a key is generated or used.

The agent cannot read or write this folder (built-in protection ``signing-keys``).
"""

from __future__ import annotations

import hashlib
import os
from typing import NamedTuple

from blastshield.errors import AuditStoreError
from blastshield.paths import home_dir

REDACT_KEY = "redact.key"
SIGNING_KEY = "audit-ed25519.key"
PUBLIC_KEY = "audit-ed25519.pub"


def key_dir() -> str:
    return os.path.join(home_dir(), ".config", "blastshield", "keys")


def _ensure_dir(path: str) -> None:
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        if os.stat(path).st_mode & 0o077:
            os.chmod(path, 0o700)
    except OSError as exc:
        raise AuditStoreError(f"{path}: cannot create the key folder ({exc.strerror})",
                              hint="make ~/.config/blastshield writable by this user") from exc


def _read_or_create(name: str, make: bytes) -> tuple[bytes, bool]:
    """The file's bytes, creating it with ``make`` (0600, exclusive) if it does not exist."""
    folder = key_dir()
    path = os.path.join(folder, name)
    try:
        with open(path, "rb") as handle:
            return handle.read(), False
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise AuditStoreError(f"{path}: cannot read key ({exc.strerror})",
                              hint="fix its permissions (0600, owned by you)") from exc
    _ensure_dir(folder)
    temp = f"{path}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(make)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temp, path)  # atomic, fails if another process won the race
            created = True
        except FileExistsError:
            created = False
        finally:
            os.unlink(temp)
        with open(path, "rb") as handle:
            return handle.read(), created
    except OSError as exc:
        raise AuditStoreError(f"{path}: cannot create key ({exc.strerror})",
                              hint="make ~/.config/blastshield/keys writable by this user") from exc


def redaction_key() -> bytes:
    """The HMAC key for redaction markers (created on first use)."""
    data, _ = _read_or_create(REDACT_KEY, os.urandom(32).hex().encode() + b"\n")
    try:
        key = bytes.fromhex(data.decode().strip())
    except ValueError:
        key = b""
    if len(key) < 16:
        raise AuditStoreError(f"{os.path.join(key_dir(), REDACT_KEY)}: not a valid redaction key",
                              hint="restore it from a backup (or delete it to start a new one)")
    return key


#: seed: the raw Ed25519 private key; public: the raw public key. (The functional form takes
#: real types, not annotation strings that typing would compile at import on the hook path.)
_SigningKeyFields = NamedTuple("_SigningKeyFields", [("seed", bytes), ("public", bytes)])  # noqa: UP014


class SigningKey(_SigningKeyFields):
    __slots__ = ()

    @property
    def key_id(self) -> str:
        return key_id(self.public)


def key_id(public: bytes) -> str:
    """A short stable name for a public key: the first 16 hex of its SHA-256."""
    return hashlib.sha256(public).hexdigest()[:16]


def signing_key(*, create: bool = True) -> SigningKey:
    """The checkpoint signing key (created on first use, with its ``.pub`` beside it).

    ``create=False`` refuses to make a new key: a log that already holds checkpoints
    needs the key that signed them, and a silently new key would hide a lost one.
    """
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    path = os.path.join(key_dir(), SIGNING_KEY)
    if not create and not os.path.exists(path):
        raise AuditStoreError(f"{path}: signing key missing, and this log already has signed checkpoints",
                              hint="restore the key from a backup, or run `blastshield log new-key` to sign"
                                   " from now on with a new one")
    data, _ = _read_or_create(SIGNING_KEY, os.urandom(32).hex().encode() + b"\n")
    try:
        seed = bytes.fromhex(data.decode().strip())
        private = Ed25519PrivateKey.from_private_bytes(seed)
    except ValueError as exc:
        raise AuditStoreError(f"{path}: not a valid Ed25519 key",
                              hint="restore it from a backup (a new key cannot vouch for old checkpoints)",
                              ) from exc
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    _read_or_create(PUBLIC_KEY, public.hex().encode() + b"\n")
    return SigningKey(seed, public)


def load_public_key(path: str) -> bytes:
    """A public key file: 64 hex characters (what ``audit-ed25519.pub`` holds)."""
    try:
        with open(path, encoding="ascii") as handle:
            public = bytes.fromhex(handle.read().strip())
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise AuditStoreError(f"{path}: cannot read an Ed25519 public key",
                              hint="pass the audit-ed25519.pub file (64 hex characters)") from exc
    if len(public) != 32:
        raise AuditStoreError(f"{path}: not an Ed25519 public key (need 32 bytes)",
                              hint="pass the audit-ed25519.pub file")
    return public


def new_signing_key() -> SigningKey:
    """Retire the current signing key (its ``.pub`` stays trusted as ``audit-ed25519.<id>.pub``)
    and create a new one."""
    folder = key_dir()
    private = os.path.join(folder, SIGNING_KEY)
    public = os.path.join(folder, PUBLIC_KEY)
    if os.path.exists(public):
        old = load_public_key(public)
        os.replace(public, os.path.join(folder, f"audit-ed25519.{key_id(old)}.pub"))
    if os.path.exists(private):
        os.unlink(private)
    return signing_key(create=True)


def trusted_public_keys(extra: list[str] | None = None) -> dict[str, bytes]:
    """key id → public key: this user's current and retired keys plus the files in ``extra``."""
    keys: dict[str, bytes] = {}
    folder = key_dir()
    try:
        names = sorted(n for n in os.listdir(folder) if n.startswith("audit-ed25519") and n.endswith(".pub"))
    except OSError:
        names = []
    for name in names:
        public = load_public_key(os.path.join(folder, name))
        keys[key_id(public)] = public
    for path in extra or []:
        public = load_public_key(path)
        keys[key_id(public)] = public
    return keys
