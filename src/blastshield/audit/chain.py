"""The hash chain: SHA-256 over RFC 8785 canonical JSON, each record naming the previous hash.

A record body is a JSON object holding ``v``, ``log_id``, ``seq``, ``time``, ``prev`` and
the redacted event fields. Its hash is ``sha256(canonical(body))``; the next record puts
that hash in its ``prev``. The first record's ``prev`` is :func:`genesis` of the log id,
so a record cannot be moved into another log without breaking the chain.
"""

from __future__ import annotations

import json
from typing import Any

from blastshield.audit.events import RECORD_VERSION
from blastshield.sha256 import sha256_hex

_SAFE_INT = 2**53


def _plain(value: Any) -> bool:
    """True when ``json.dumps(sort_keys=True)`` already gives the RFC 8785 form of ``value``.

    That holds for ASCII keys (code-point order = UTF-16 order), integers within 2**53,
    strings, booleans, null and non-integral floats in [1e-4, 1e16); RFC 8785 writes
    strings with the same escapes as ``json.dumps(ensure_ascii=False)``. Anything else
    takes the rfc8785 package's path.
    """
    if type(value) is str or value is None or isinstance(value, str | bool):
        return True
    if isinstance(value, int):
        return -_SAFE_INT <= value <= _SAFE_INT
    if isinstance(value, float):
        # Python's repr and ECMAScript agree on shortest digits in fixed notation in this range.
        return not value.is_integer() and 1e-4 <= abs(value) < 1e16
    # Plain loops, not all(<generator>): this runs on every field of every record.
    if isinstance(value, dict):
        for name, item in value.items():  # noqa: SIM110
            if not (isinstance(name, str) and name.isascii() and _plain(item)):
                return False
        return True
    if isinstance(value, list):
        for item in value:  # noqa: SIM110
            if not _plain(item):
                return False
        return True
    return False


class CanonicalFields(dict[str, Any]):
    """Record fields that ``json.dumps(sort_keys=True)`` writes in their RFC 8785 form, as
    :func:`blastshield.audit.screen.screen_fields` found while cleaning them (the check
    :func:`_plain` would repeat). A record body made of them and the chain's own fields
    (ASCII names, hashes, times, sequence numbers) is canonicalised without that check."""

    __slots__ = ()


def with_field(fields: dict[str, Any], name: str, text: str) -> dict[str, Any]:
    """A copy of ``fields`` with one more string field; a string keeps fields canonical."""
    copied = CanonicalFields(fields) if type(fields) is CanonicalFields else dict(fields)
    copied[name] = text
    return copied


#: One encoder for every record: json.dumps would build (and configure) one per call.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _dumps(value: Any) -> bytes:
    return _ENCODER.encode(value).encode("utf-8")


def canonical(value: Any) -> bytes:
    """RFC 8785 (JCS) canonical UTF-8 JSON (a C-speed path for the common case)."""
    if _plain(value):
        return _dumps(value)
    import rfc8785  # only for floats outside the fast range and non-ASCII keys

    data: bytes = rfc8785.dumps(value)
    return data


def digest(value: Any) -> str:
    """Hex SHA-256 of the canonical form."""
    return sha256_hex(canonical(value))


def genesis(log_id: str) -> str:
    """The ``prev`` of a log's first record."""
    return sha256_hex(f"blastshield-audit-v{RECORD_VERSION}:{log_id}".encode())


def make_body(log_id: str, seq: int, time: str, prev: str, fields: dict[str, Any]) -> dict[str, Any]:
    """The object that is hashed and stored for one record."""
    return {"v": RECORD_VERSION, "log_id": log_id, "seq": seq, "time": time, "prev": prev, **fields}


def seal(body: dict[str, Any]) -> tuple[str, bytes]:
    """(hash, canonical bytes) of a body: what the store writes."""
    data = canonical(body)
    return sha256_hex(data), data


def chain_next(log_id: str, head: tuple[int, str] | None, time: str,
               fields: dict[str, Any]) -> tuple[int, str, dict[str, Any], str]:
    """(seq, hash, body, canonical text) of the record that follows ``head`` = (seq, hash)."""
    seq, prev = (head[0] + 1, head[1]) if head else (1, genesis(log_id))
    body = make_body(log_id, seq, time, prev, fields)
    if type(fields) is CanonicalFields:
        text = _ENCODER.encode(body)
        return seq, sha256_hex(text.encode("utf-8")), body, text
    record_hash, data = seal(body)
    return seq, record_hash, body, data.decode("utf-8")
