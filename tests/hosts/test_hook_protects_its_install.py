"""The agent cannot change the code that judges it: blastshield's installed package, the Python
that runs the hook, and that Python's start-up files (.pth, sitecustomize) are built-in protected."""

from __future__ import annotations

import os
import site
import sys
from typing import Any

import pytest

import blastshield
from bs_testenv import Env

PACKAGE = os.path.realpath(os.path.dirname(blastshield.__file__))
SITE = os.path.realpath(site.getsitepackages()[0])


def pre(env: Env, tool: str, tool_input: dict[str, Any]) -> dict[str, Any]:
    payload = {"session_id": "s", "cwd": str(env.workspace), "hook_event_name": "PreToolUse",
               "tool_name": tool, "tool_input": tool_input, "tool_use_id": "toolu_1"}
    result = env.hook("claude-code", payload)
    assert result.code == 0, result.stderr
    reply: dict[str, Any] = result.json()["hookSpecificOutput"]
    return reply


@pytest.mark.parametrize(("tool", "tool_input", "protection"), [
    ("Edit", {"file_path": os.path.join(PACKAGE, "hosts", "runner.py"), "old_string": "deny",
              "new_string": "allow"}, "blastshield-install"),
    ("Write", {"file_path": os.path.join(PACKAGE, "policy", "new_module.py"), "content": "x"},
     "blastshield-install"),
    ("Write", {"file_path": os.path.join(SITE, "zz_startup.pth"), "content": "import os"}, "python-startup"),
    ("Write", {"file_path": os.path.join(SITE, "sitecustomize.py"), "content": "x"}, "blastshield-install"),
    ("Bash", {"command": f"echo 'import os' > {SITE}/evil.pth"}, "python-startup"),
    ("Bash", {"command": f"cp /tmp/evil.py {PACKAGE}/sandbox/run.py"}, "blastshield-install"),
    ("Bash", {"command": f"ln -sf /bin/sh {sys.executable}"}, "blastshield-install"),
])
def test_changing_the_hooks_own_code_is_denied(env: Env, tool: str, tool_input: dict[str, Any],
                                               protection: str) -> None:
    assert env.run("init", "--host", "claude-code").code == 0
    reply = pre(env, tool, tool_input)
    assert reply["permissionDecision"] == "deny", reply
    assert protection in reply["permissionDecisionReason"], reply


def test_reading_blastshield_and_installing_packages_stay_possible(env: Env) -> None:
    assert env.run("init", "--host", "claude-code").code == 0
    policy = env.workspace / ".blastshield" / "policy.toml"
    policy.write_text(policy.read_text().replace('read = [', f'read = ["{PACKAGE}/**", ', 1))
    reply = pre(env, "Read", {"file_path": os.path.join(PACKAGE, "effects.py")})
    assert reply["permissionDecision"] == "allow", reply
    reply = pre(env, "Bash", {"command": "pip install requests"})
    assert "blastshield-install" not in reply.get("permissionDecisionReason", "")
    assert "python-startup" not in reply.get("permissionDecisionReason", "")
