"""The recorder's value types behave like the frozen dataclasses they replaced."""

from __future__ import annotations

import copy
import pickle

import pytest

from blastshield.audit.events import AuditEvent, Checkpoint, Record
from blastshield.audit.redact import SECRET_FORMATS, find_secrets


def test_audit_event_defaults_equality_and_immutability() -> None:
    event = AuditEvent("PreToolUse", "claude-code", tool="Bash", action="ls")
    defaults = (event.session_id, event.effects, event.latency_ms, event.outcome, event.extra)
    assert defaults == ("", (), None, {}, {})
    assert AuditEvent("PreToolUse", "claude-code", tool="Bash", action="ls") == event
    assert AuditEvent("PreToolUse", "claude-code", tool="Bash", action="ls -la") != event
    assert AuditEvent("a", "b").outcome is not AuditEvent("a", "b").outcome  # no shared default dict
    with pytest.raises(AttributeError, match="immutable"):
        setattr(event, "tool", "Read")  # noqa: B010
    assert copy.deepcopy(event) == event and pickle.loads(pickle.dumps(event)) == event


def test_record_checkpoint_and_secret_types_round_trip() -> None:
    record = Record(3, "2026-01-01T00:00:00.000000Z", "ab", "cd", {"seq": 3})
    checkpoint = Checkpoint("log", 3, "cd", "2026-01-01T00:00:00.000000Z", "key", "sig")
    for value in (record, checkpoint, SECRET_FORMATS[0]):
        assert pickle.loads(pickle.dumps(value)) == value
    assert repr(checkpoint).startswith("Checkpoint(") and "head='cd'" in repr(checkpoint)
    assert hash(checkpoint) == hash(Checkpoint("log", 3, "cd", "2026-01-01T00:00:00.000000Z", "key", "sig"))
    [match] = find_secrets("token: ghp_" + "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6")
    assert (match.kind, match.start, match.line) == ("github-token", 7, 1)
    with pytest.raises(AttributeError):
        setattr(match, "kind", "x")  # noqa: B010
