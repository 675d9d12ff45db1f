"""OpenTelemetry logs: audit records and checkpoints as OTLP log records, sent over OTLP/HTTP.

Attribute names follow the OpenTelemetry GenAI conventions (``gen_ai.operation.name =
execute_tool``, ``gen_ai.tool.name``, ``gen_ai.tool.call.id``, ``gen_ai.conversation.id``)
plus ``blastshield.*`` for the decision, rule, policy hash and chain. The log body is
the record's canonical JSON, so a collector holds enough to re-verify the chain and
each signed checkpoint off the machine.

Configuration is the standard environment (``OTEL_EXPORTER_OTLP_[LOGS_]ENDPOINT``,
``_HEADERS``, ``_TIMEOUT``, ``_PROTOCOL`` = http/protobuf | http/json, ``_COMPRESSION``,
``_CERTIFICATE``, ``OTEL_SERVICE_NAME``, ``OTEL_RESOURCE_ATTRIBUTES``). The request is
built as OTLP/JSON; ``http/protobuf`` (the default) converts it with opentelemetry-proto,
imported only here, only when sending.
"""

from __future__ import annotations

import gzip
import json
import os
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from blastshield import __version__
from blastshield.audit.chain import canonical
from blastshield.errors import AuditStoreError

TOOL_EVENTS = frozenset({"PreToolUse", "PostToolUse", "PostToolUseFailure", "PermissionRequest", "mcp.call"})
_SEVERITY = {"deny": (13, "WARN"), "ask": (10, "INFO2"), "allow": (9, "INFO")}


@dataclass(frozen=True)
class OtlpConfig:
    endpoint: str
    protocol: str = "http/protobuf"
    headers: dict[str, str] = field(default_factory=dict)
    timeout_s: float = 10.0
    compression: str = ""
    certificate: str = ""
    resource: dict[str, str] = field(default_factory=dict)


def _env(environ: Mapping[str, str], name: str, default: str = "") -> str:
    """``OTEL_EXPORTER_OTLP_LOGS_<name>`` wins over ``OTEL_EXPORTER_OTLP_<name>``."""
    specific = environ.get(f"OTEL_EXPORTER_OTLP_LOGS_{name}")
    return specific or environ.get(f"OTEL_EXPORTER_OTLP_{name}") or default


def _pairs(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in text.split(","):
        if "=" in item:
            key, _, value = item.partition("=")
            out[urllib.parse.unquote(key.strip())] = urllib.parse.unquote(value.strip())
    return out


def config_from_env(environ: Mapping[str, str] | None = None) -> OtlpConfig:
    """The exporter settings from the standard OTEL_* variables."""
    env = os.environ if environ is None else environ
    endpoint = env.get("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "")
    if not endpoint:
        base = env.get("OTEL_EXPORTER_OTLP_ENDPOINT", "http://localhost:4318")
        endpoint = base.rstrip("/") + "/v1/logs"
    protocol = _env(env, "PROTOCOL", "http/protobuf")
    if protocol not in ("http/protobuf", "http/json"):
        raise AuditStoreError(f"OTEL_EXPORTER_OTLP_PROTOCOL={protocol}: not supported",
                              hint="use http/protobuf or http/json")
    try:
        timeout_s = float(_env(env, "TIMEOUT", "10000")) / 1000.0
    except ValueError:
        timeout_s = 10.0
    compression = _env(env, "COMPRESSION", "").lower()
    resource = _pairs(env.get("OTEL_RESOURCE_ATTRIBUTES", ""))
    resource["service.name"] = env.get("OTEL_SERVICE_NAME") or resource.get("service.name") or "blastshield"
    return OtlpConfig(endpoint, protocol, _pairs(_env(env, "HEADERS")), timeout_s,
                      "gzip" if compression == "gzip" else "", _env(env, "CERTIFICATE"), resource)


def _value(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    return {"stringValue": str(value)}


def _attributes(pairs: Iterable[tuple[str, Any]]) -> list[dict[str, Any]]:
    return [{"key": key, "value": _value(value)} for key, value in pairs if value not in (None, "")]


def _nanos(iso: str) -> str:
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return "0"
    return str(int(moment.timestamp()) * 1_000_000_000 + moment.microsecond * 1000)


def record_to_log(item: dict[str, Any]) -> dict[str, Any]:
    """One audit record (its JSON with ``hash``) as an OTLP/JSON LogRecord."""
    event = str(item.get("event", ""))
    decision = str(item.get("decision") or "")
    number, text = _SEVERITY.get(decision, (9, "INFO"))
    pairs: list[tuple[str, Any]] = []
    if event in TOOL_EVENTS:
        pairs.append(("gen_ai.operation.name", "execute_tool"))
    pairs += [
        ("gen_ai.tool.name", item.get("tool")), ("gen_ai.tool.call.id", item.get("tool_use_id")),
        ("gen_ai.conversation.id", item.get("session_id")), ("event.name", f"blastshield.{event}"),
        ("blastshield.event", event), ("blastshield.host", item.get("host")),
        ("blastshield.prompt_id", item.get("prompt_id")), ("blastshield.action", item.get("action")),
        ("blastshield.decision", decision), ("blastshield.applied", item.get("applied")),
        ("blastshield.rule", item.get("rule")), ("blastshield.reason", item.get("reason")),
        ("blastshield.policy_hash", item.get("policy_hash")), ("blastshield.mode", item.get("mode")),
        ("blastshield.latency_ms", item.get("latency_ms")), ("blastshield.log_id", item.get("log_id")),
        ("blastshield.seq", item.get("seq")), ("blastshield.hash", item.get("hash")),
        ("blastshield.prev", item.get("prev")),
    ]
    outcome = item.get("outcome")
    if isinstance(outcome, dict):
        pairs += [(f"blastshield.outcome.{k}", v) for k, v in sorted(outcome.items())
                  if isinstance(v, str | int | float | bool)]
    body = {k: v for k, v in item.items() if k not in ("hash", "kind")}
    return {
        "timeUnixNano": _nanos(str(item.get("time", ""))),
        "observedTimeUnixNano": _nanos(str(item.get("time", ""))),
        "severityNumber": number, "severityText": text,
        "body": {"stringValue": canonical(body).decode("utf-8")},
        "attributes": _attributes(pairs),
    }


def checkpoint_to_log(item: dict[str, Any]) -> dict[str, Any]:
    """A signed checkpoint as an OTLP/JSON LogRecord (the off-machine anchor)."""
    statement = {k: v for k, v in item.items() if k != "kind"}
    pairs = [("event.name", "blastshield.checkpoint"), ("blastshield.event", "checkpoint"),
             ("blastshield.log_id", item.get("log_id")), ("blastshield.checkpoint.count", item.get("count")),
             ("blastshield.checkpoint.head", item.get("head")),
             ("blastshield.checkpoint.key_id", item.get("key_id")),
             ("blastshield.checkpoint.signature", item.get("signature"))]
    return {"timeUnixNano": _nanos(str(item.get("time", ""))), "severityNumber": 9, "severityText": "INFO",
            "body": {"stringValue": canonical(statement).decode("utf-8")}, "attributes": _attributes(pairs)}


def build_request(items: Iterable[dict[str, Any]],
                  resource: Mapping[str, str] | None = None) -> dict[str, Any]:
    """An OTLP/JSON ExportLogsServiceRequest for spool items (``kind`` = record | checkpoint)."""
    logs = [checkpoint_to_log(i) if i.get("kind") == "checkpoint" else record_to_log(i) for i in items]
    attrs = dict(resource or {"service.name": "blastshield"})
    return {"resourceLogs": [{
        "resource": {"attributes": _attributes(sorted(attrs.items()))},
        "scopeLogs": [{"scope": {"name": "blastshield.audit", "version": __version__}, "logRecords": logs}],
    }]}


class SendError(Exception):
    """A batch was not accepted. ``permanent``: retrying the same bytes cannot help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def encode(request: dict[str, Any], protocol: str) -> tuple[bytes, str]:
    """(payload, content type) for ``protocol``."""
    if protocol == "http/json":
        return json.dumps(request).encode("utf-8"), "application/json"
    from google.protobuf import json_format  # type: ignore[import-untyped, unused-ignore]
    from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest

    message = json_format.ParseDict(request, ExportLogsServiceRequest())
    return message.SerializeToString(), "application/x-protobuf"


def send(items: list[dict[str, Any]], config: OtlpConfig) -> None:
    """POST one batch. Raises SendError (``permanent`` for 4xx other than 408/429)."""
    import ssl
    import urllib.error
    import urllib.request

    try:
        payload, content_type = encode(build_request(items, config.resource), config.protocol)
    except ImportError as exc:
        raise SendError("opentelemetry-proto is not installed (pip install 'blastshield[otel]'"
                        " or set OTEL_EXPORTER_OTLP_PROTOCOL=http/json)") from exc
    headers = {"Content-Type": content_type, "User-Agent": f"blastshield/{__version__}", **config.headers}
    if config.compression == "gzip":
        payload = gzip.compress(payload)
        headers["Content-Encoding"] = "gzip"
    request = urllib.request.Request(config.endpoint, data=payload, headers=headers, method="POST")
    context = ssl.create_default_context(cafile=config.certificate or None) \
        if config.endpoint.startswith("https:") else None
    try:
        with urllib.request.urlopen(request, timeout=config.timeout_s, context=context) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        permanent = 400 <= exc.code < 500 and exc.code not in (408, 429)
        raise SendError(f"{config.endpoint}: HTTP {exc.code} {exc.reason}", permanent=permanent) from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SendError(f"{config.endpoint}: {reason}") from exc
