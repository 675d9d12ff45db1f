"""Paths through the running process's own /proc entry (``/proc/self/cwd``, ``/dev/fd/..``) name the
command's files, not the judging process's: the hook and its server run in another folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

_POLICY = """version = 1
mode = "enforce"
[files]
read = ["${WORKSPACE}/**"]
write = ["${WORKSPACE}/**"]
deny = ["**/.env", "/etc/shadow"]
default = "ask"
[commands]
allow = ["cat *", "echo *"]
default = "ask"
"""


@pytest.mark.parametrize(("command", "target"), [
    ("cat /proc/self/cwd/.env", "{ws}/.env"),
    ("cat /proc/thread-self/cwd/app/../.env", "{ws}/.env"),
    ("cat /dev/fd/../cwd/.env", "{ws}/.env"),
    ("cat /proc/self/fd/../cwd/.env", "{ws}/.env"),
    ("cat /proc/self/root/etc/shadow", "/etc/shadow"),
])
def test_own_process_paths_name_the_commands_files(env: Any, tmp_path: Path, command: str,
                                                    target: str) -> None:
    (env.workspace / ".env").write_text("KEY=1\n")
    policy = _policy(env.workspace)
    elsewhere = tmp_path / "elsewhere"  # the judging process runs in another folder, as a hook server does
    elsewhere.mkdir()
    result = env.run("check", "--policy", str(policy), "--cwd", str(env.workspace), "--json", "--", command,
                     cwd=elsewhere)
    data = json.loads(result.stdout)
    assert data["decision"] == "deny", result.stdout
    denied = [e["target"] for e in data["effects"] if e["decision"] == "deny"]
    assert target.format(ws=env.workspace) in denied, denied


def _policy(workspace: Path) -> Path:
    policy = workspace / ".blastshield" / "policy.toml"
    policy.parent.mkdir(exist_ok=True)
    policy.write_text(_POLICY)
    return policy


def test_a_descriptor_number_is_not_judged_as_a_file(env: Any) -> None:
    policy = _policy(env.workspace)
    result = env.run("check", "--policy", str(policy), "--cwd", str(env.workspace), "--json", "--",
                     "cat /dev/fd/0 /proc/self/fd/3")
    data = json.loads(result.stdout)
    assert not [e for e in data["effects"] if e["kind"] == "read"], data
