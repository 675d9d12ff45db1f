"""Decide a shell command or a host payload against a policy, for `blastshield check`."""

from __future__ import annotations

import json
import os

from blastshield.effects import Action, Decision
from blastshield.errors import PayloadError, PolicyError
from blastshield.hosts import get_adapter
from blastshield.policy.decide import decide
from blastshield.policy.load import find_policy, load_policy
from blastshield.policy.model import Policy


def policy_for(explicit: str | None, cwd: str) -> Policy:
    path = explicit or find_policy(cwd)
    if path is None:
        raise PolicyError(f"no .blastshield/policy.toml at or above {cwd}",
                          hint="run `blastshield init` or pass --policy PATH")
    return load_policy(path)


def check_command(command: str, policy_path: str | None, cwd: str, *,
                  non_interactive: bool = False) -> Decision:
    from blastshield.shell import analyze

    policy = policy_for(policy_path, cwd)
    effects = analyze(command, cwd=cwd, workspace=policy.workspace, non_interactive=non_interactive)
    return decide(policy, Action("cli", "Bash", command, effects, cwd))


def check_tool_call(payload_path: str, host: str, policy_path: str | None,
                    cwd: str) -> tuple[Decision, str]:
    explicit = policy_for(policy_path, cwd) if policy_path else None
    try:
        with open(payload_path, encoding="utf-8") as handle:
            payload = json.load(handle)
    except OSError as exc:
        raise PayloadError(f"{payload_path}: cannot read ({exc.strerror})") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PayloadError(f"{payload_path}: not valid JSON ({exc})",
                           hint="pass a host hook payload") from exc
    if not isinstance(payload, dict):
        raise PayloadError(f"{payload_path}: must hold a JSON object", hint="pass a host hook payload")
    payload_cwd = payload.get("cwd") if isinstance(payload.get("cwd"), str) else None
    policy = explicit or policy_for(None, payload_cwd if payload_cwd and os.path.isdir(payload_cwd) else cwd)
    event = get_adapter(host).parse(payload, policy.workspace)
    if event.action is None:
        raise PayloadError(f"{payload_path}: event {event.name!r} carries no tool call to decide",
                           hint="pass a PreToolUse payload")
    return decide(policy, event.action), event.action.summary
