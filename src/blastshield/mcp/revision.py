"""Which MCP protocol revision a message speaks, detected per message.

Session-based revisions (2024-11-05 … 2025-11-25) negotiate once with ``initialize``; the
stateless revision 2026-07-28 has no handshake and puts the protocol version, client info
and capabilities in every request's ``params._meta`` (and, over HTTP, in the
``MCP-Protocol-Version`` / ``Mcp-Method`` / ``Mcp-Name`` headers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SESSION_REVISIONS = ("2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25")
STATELESS_REVISIONS = ("2026-07-28",)
META_PREFIX = "io.modelcontextprotocol/"
PROTOCOL_VERSION_KEY = "io.modelcontextprotocol/protocolVersion"
CLIENT_INFO_KEY = "io.modelcontextprotocol/clientInfo"
CLIENT_CAPABILITIES_KEY = "io.modelcontextprotocol/clientCapabilities"

HEADER_PROTOCOL_VERSION = "mcp-protocol-version"
HEADER_SESSION_ID = "mcp-session-id"
HEADER_METHOD = "mcp-method"
HEADER_NAME = "mcp-name"
#: params key each name-bearing method mirrors in the Mcp-Name header (2026-07-28).
NAME_BEARING = {"tools/call": "name", "prompts/get": "name", "resources/read": "uri"}


@dataclass(frozen=True, slots=True)
class Revision:
    """``era`` is "session", "stateless" or "unknown"; ``version`` the revision date, if known."""

    era: str
    version: str

    def __str__(self) -> str:
        return self.version or self.era


UNKNOWN = Revision("unknown", "")


def envelope(params: Mapping[str, Any]) -> dict[str, Any] | None:
    """The stateless per-request envelope (``io.modelcontextprotocol/*`` keys of ``_meta``), if any."""
    meta = params.get("_meta")
    if not isinstance(meta, Mapping) or PROTOCOL_VERSION_KEY not in meta:
        return None
    return {k: v for k, v in meta.items() if isinstance(k, str) and k.startswith(META_PREFIX)}


def era_of(version: str) -> str:
    if version in STATELESS_REVISIONS:
        return "stateless"
    if version in SESSION_REVISIONS:
        return "session"
    return "unknown"


def detect(method: str, params: Mapping[str, Any], session: Revision | None = None,
           header_version: str = "") -> Revision:
    """The revision one client request speaks.

    A ``_meta`` protocol version marks the stateless revision (the key's prefix is reserved,
    so no session-era message carries it); ``initialize`` proposes a session revision;
    anything else belongs to the session negotiated earlier, or to the HTTP header's version.
    """
    meta = envelope(params)
    if meta is not None and method != "initialize":
        version = str(meta.get(PROTOCOL_VERSION_KEY, ""))
        return Revision("stateless", version)
    if method == "initialize":
        proposed = params.get("protocolVersion")
        return Revision("session", proposed if isinstance(proposed, str) else "")
    if session is not None and session.version:
        return session
    if header_version:
        return Revision(era_of(header_version), header_version)
    return UNKNOWN
