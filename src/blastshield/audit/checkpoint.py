"""Signed checkpoints: Ed25519 over the canonical statement (log id, record count, head hash, time).

``cryptography`` is imported inside these functions only: most hook calls never sign.
"""

from __future__ import annotations

from blastshield.audit.chain import canonical
from blastshield.audit.events import Checkpoint
from blastshield.audit.keys import SigningKey


def sign_checkpoint(key: SigningKey, log_id: str, count: int, head: str, time: str) -> Checkpoint:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    unsigned = Checkpoint(log_id, count, head, time, key.key_id, "")
    signature = Ed25519PrivateKey.from_private_bytes(key.seed).sign(canonical(unsigned.statement()))
    return Checkpoint(log_id, count, head, time, key.key_id, signature.hex())


def signature_valid(checkpoint: Checkpoint, public: bytes) -> bool:
    """True when ``checkpoint.signature`` is a valid signature of its statement by ``public``."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(public).verify(
            bytes.fromhex(checkpoint.signature), canonical(checkpoint.statement()))
    except (InvalidSignature, ValueError):
        return False
    return True
