"""OTLP/HTTP export: a real loopback collector decodes what the background sender delivers."""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from audit_testkit import event, record, write_policy

pytest.importorskip("opentelemetry.proto.collector.logs.v1.logs_service_pb2",
                    reason="the otel extra (opentelemetry-proto) is not installed")
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest

GH = "ghp_" + "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6"


class Collector:
    """A minimal OTLP/HTTP logs receiver on 127.0.0.1 (protobuf and JSON)."""

    def __init__(self, port: int = 0, status: int = 200) -> None:
        self.status = status
        self.requests: list[dict[str, Any]] = []
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                data = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.headers.get("Content-Encoding") == "gzip":
                    data = gzip.decompress(data)
                collector.requests.append({"path": self.path, "type": self.headers.get("Content-Type"),
                                           "auth": self.headers.get("Authorization"), "data": data})
                self.send_response(collector.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def logs(self) -> list[Any]:
        out = []
        for request in self.requests:
            if request["type"] == "application/x-protobuf":
                message = ExportLogsServiceRequest.FromString(request["data"])
                for resource in message.resource_logs:
                    for scope in resource.scope_logs:
                        out.extend(scope.log_records)
        return out

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def collector() -> Iterator[Collector]:
    server = Collector()
    yield server
    server.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(predicate: Any, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def attrs(log: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in log.attributes:
        kind = item.value.WhichOneof("value")
        out[item.key] = getattr(item.value, kind)
    return out


def spool_status(spool: Path) -> dict[str, Any]:
    """The sender's status file, or {} while it has not written one yet."""
    try:
        data: dict[str, Any] = json.loads((spool / "status.json").read_text())
    except (OSError, ValueError):
        return {}
    return data


def otel_env(env: Any, port: int, **more: str) -> dict[str, str]:
    return {**env.environ, "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{port}",
            "OTEL_SERVICE_NAME": "agent-fleet", "BLASTSHIELD_OTLP_RETRY_DELAYS": "0.1,0.1", **more}


def test_events_and_checkpoints_reach_the_collector(env: Any, collector: Collector) -> None:
    policy = write_policy(env.workspace, "otlp = true\ncheckpoint_every = 3")
    environ = otel_env(env, collector.port, OTEL_EXPORTER_OTLP_HEADERS="authorization=Bearer%20t0ken")
    record(policy, [event(1, action=f"git push https://{GH}@github.com/o/r", decision="deny", applied="deny",
                          rule="policy.toml [commands].deny[0] 'git push *'"),
                    event(2), event(3)], environ)
    assert wait_for(lambda: len(collector.logs()) >= 4), collector.requests
    logs = collector.logs()
    first = attrs(logs[0])
    assert first["gen_ai.operation.name"] == "execute_tool"
    assert first["gen_ai.tool.name"] == "Bash"
    assert first["gen_ai.tool.call.id"] == "toolu_0001"
    assert first["gen_ai.conversation.id"] == "sess-1"
    assert first["blastshield.decision"] == "deny"
    assert first["blastshield.rule"] == "policy.toml [commands].deny[0] 'git push *'"
    assert first["blastshield.policy_hash"] == "ab" * 32
    assert first["blastshield.seq"] == 1
    assert GH not in logs[0].body.string_value and "[REDACTED:github-token:" in first["blastshield.action"]
    assert logs[0].severity_text == "WARN"
    body = json.loads(logs[0].body.string_value)
    assert body["seq"] == 1 and body["prev"]  # the full hashed record travels, for off-machine checks
    checkpoint = attrs(logs[3])
    assert checkpoint["blastshield.checkpoint.count"] == 3
    assert checkpoint["blastshield.checkpoint.head"] == attrs(logs[2])["blastshield.hash"]
    assert len(checkpoint["blastshield.checkpoint.signature"]) == 128
    assert collector.requests[0]["path"] == "/v1/logs"
    assert collector.requests[0]["auth"] == "Bearer t0ken"
    message = ExportLogsServiceRequest.FromString(collector.requests[0]["data"])
    resource = {a.key: a.value.string_value for a in message.resource_logs[0].resource.attributes}
    assert resource["service.name"] == "agent-fleet"
    spool = env.workspace / ".blastshield" / "otlp-spool"
    assert wait_for(lambda: spool_status(spool).get("ok") is True)
    assert not list(spool.glob("batch-*.jsonl"))


def test_collector_down_keeps_events_until_it_is_back(env: Any) -> None:
    port = free_port()
    policy = write_policy(env.workspace, "otlp = true")
    environ = otel_env(env, port)
    record(policy, [event(1), event(2)], environ)
    spool = env.workspace / ".blastshield" / "otlp-spool"
    assert wait_for(lambda: spool_status(spool).get("ok") is False)
    status = spool_status(spool)
    assert f"127.0.0.1:{port}" in status["error"]
    verify = env.run("log", "verify")
    assert verify.code == 0
    assert "2 event(s) wait in" in verify.stdout and "for the OTLP collector (last error:" in verify.stdout
    server = Collector(port)
    try:
        record(policy, [event(3)], environ)  # the next hook call kicks the sender again
        assert wait_for(lambda: len(server.logs()) >= 3), server.requests
        assert [attrs(log)["blastshield.seq"] for log in server.logs()] == [1, 2, 3]
    finally:
        server.close()
    assert "wait in" not in env.run("log", "verify").stdout


def test_rejected_batch_is_kept_and_reported(env: Any) -> None:
    server = Collector(status=400)
    try:
        policy = write_policy(env.workspace, "otlp = true")
        record(policy, [event(1)], otel_env(env, server.port))
        spool = env.workspace / ".blastshield" / "otlp-spool"
        assert wait_for(lambda: bool(list(spool.glob("rejected-*.jsonl"))))
        assert len(server.requests) == 1  # a 400 is not retried
        verify = env.run("log", "verify")
        assert "1 batch(es) were rejected by the OTLP collector" in verify.stdout
    finally:
        server.close()


def test_http_json_protocol(env: Any, collector: Collector, tmp_path: Path) -> None:
    policy = write_policy(env.workspace, "otlp = true")
    record(policy, [event(1)], otel_env(env, collector.port, OTEL_EXPORTER_OTLP_PROTOCOL="http/json",
                                        OTEL_EXPORTER_OTLP_COMPRESSION="gzip"))
    assert wait_for(lambda: bool(collector.requests))
    request = collector.requests[0]
    assert request["type"] == "application/json"
    data = json.loads(request["data"])
    log = data["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0]
    keys = {a["key"]: a["value"] for a in log["attributes"]}
    assert keys["gen_ai.tool.call.id"] == {"stringValue": "toolu_0001"}


def test_exported_otlp_json_is_a_valid_request(env: Any) -> None:
    from google.protobuf import json_format

    policy = write_policy(env.workspace, "checkpoint_every = 2")
    record(policy, [event(1), event(2, decision="ask", applied="ask")], env.environ)
    exported = env.run("log", "export", "--format", "otlp")
    assert exported.code == 0, exported.stderr
    message = json_format.ParseDict(json.loads(exported.stdout), ExportLogsServiceRequest())
    logs = message.resource_logs[0].scope_logs[0].log_records
    assert [attrs(log).get("blastshield.seq") for log in logs] == [1, 2, None]
    assert attrs(logs[2])["blastshield.checkpoint.count"] == 2
    assert logs[1].severity_number == 10 and logs[0].time_unix_nano > 0
