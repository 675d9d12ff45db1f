"""JSON-RPC 2.0 as MCP uses it: parse one message, classify it, build errors, encode a line.

Plain data in, plain data out. A message is a ``dict`` exactly as decoded; nothing here
validates the MCP schema (the proxy passes what it does not judge through untouched).
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from typing import Any

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
CONNECTION_CLOSED = -32000
HEADER_MISMATCH = -32020
#: blastshield's code for "the policy refused this call". In the implementation-defined
#: server-error range (-32000..-32099) and used by no MCP revision (they use -32000,
#: -32001, -32002, -32020..-32022, -32042). docs/mcp.md explains the choice.
POLICY_DENIED = -32003


class Shape(enum.StrEnum):
    REQUEST = "request"
    NOTIFICATION = "notification"
    RESPONSE = "response"
    INVALID = "invalid"


@dataclass(frozen=True, slots=True)
class Message:
    """One decoded message and what it is. ``body`` is None only for unparseable input."""

    shape: Shape
    body: dict[str, Any] | None
    problem: str = ""

    @property
    def method(self) -> str:
        value = (self.body or {}).get("method")
        return value if isinstance(value, str) else ""

    @property
    def params(self) -> dict[str, Any]:
        value = (self.body or {}).get("params")
        return value if isinstance(value, dict) else {}

    @property
    def id(self) -> Any:
        return (self.body or {}).get("id")


def classify(body: Any) -> Message:
    """What a decoded JSON value is, as a JSON-RPC 2.0 message."""
    if not isinstance(body, dict):
        return Message(Shape.INVALID, None, "a JSON-RPC message must be a JSON object")
    has_id = "id" in body and body["id"] is not None
    if "method" in body:
        if not isinstance(body["method"], str):
            return Message(Shape.INVALID, body, "method must be a string")
        if has_id and not _valid_id(body["id"]):
            return Message(Shape.INVALID, body, "id must be a string or an integer")
        return Message(Shape.REQUEST if has_id else Shape.NOTIFICATION, body)
    if "result" in body or "error" in body:
        return Message(Shape.RESPONSE, body)
    return Message(Shape.INVALID, body, "neither a request, a notification nor a response")


def _valid_id(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def decode(data: bytes | str) -> Any:
    """JSON text → value. Raises ValueError (json.JSONDecodeError or UnicodeDecodeError)."""
    return json.loads(data)


def encode(body: Any) -> bytes:
    """One message as a newline-terminated line (no embedded newlines: JSON escapes them)."""
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8", "surrogatepass") + b"\n"


def id_key(value: Any) -> str:
    """A dictionary key for a request id that keeps 1 and "1" apart."""
    return json.dumps(value)


def error(request_id: Any, code: int, message: str, data: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        body["data"] = data
    return {"jsonrpc": "2.0", "id": request_id, "error": body}


def request(request_id: Any, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
    if params is not None:
        body["params"] = params
    return body
