"""Paths are judged after ~, ${WORKSPACE}, cwd, '..' and symlinks are resolved."""

from __future__ import annotations

import json
import os
from pathlib import Path

from bs_testenv import Env

POLICY = """\
version = 1
[files]
read = ["${WORKSPACE}/**"]
write = ["${WORKSPACE}/**"]
ask = ["${WORKSPACE}/.github/workflows/**"]
deny = ["**/.env", "~/.ssh/**", "~/.aws/**"]
default = "ask"
"""


def setup(env: Env) -> str:
    path = env.workspace / ".blastshield" / "policy.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(POLICY)
    ssh = env.home / ".ssh"
    ssh.mkdir()
    (ssh / "id_rsa").write_text("not a real key\n")
    return str(path)


def read_call(env: Env, path: str, cwd: Path | None = None) -> dict[str, object]:
    payload = {"hook_event_name": "PreToolUse", "session_id": "s",
               "cwd": str(cwd or env.workspace), "tool_name": "Read", "tool_input": {"file_path": path}}
    file = env.workspace.parent / "payload.json"
    file.write_text(json.dumps(payload))
    result = env.run("check", "--json", "--tool-call", str(file))
    assert result.code in (0, 1), result.stderr
    data: dict[str, object] = result.json()
    return data


def test_tilde_is_home(env: Env) -> None:
    setup(env)
    data = read_call(env, "~/.ssh/id_rsa")
    assert data["decision"] == "deny"
    effects = data["effects"]
    assert isinstance(effects, list)
    assert effects[0]["target"] == str(env.home / ".ssh" / "id_rsa")
    assert "[files].deny[1] '~/.ssh/**'" in effects[0]["rule"]


def test_dotdot_escapes_are_resolved(env: Env) -> None:
    setup(env)
    rel = os.path.relpath(env.home / ".ssh" / "id_rsa", env.workspace / "src")
    (env.workspace / "src").mkdir()
    data = read_call(env, rel, cwd=env.workspace / "src")
    assert data["decision"] == "deny"


def test_symlink_inside_workspace_is_judged_by_its_target(env: Env) -> None:
    setup(env)
    os.symlink(env.home / ".ssh", env.workspace / "innocent")
    data = read_call(env, "innocent/id_rsa")
    assert data["decision"] == "deny"
    effects = data["effects"]
    assert isinstance(effects, list)
    assert effects[0]["target"] == str(env.home / ".ssh" / "id_rsa")


def test_workspace_file_is_allowed_and_names_its_rule(env: Env) -> None:
    setup(env)
    data = read_call(env, "src/app.py")
    assert data["decision"] == "allow"
    effects = data["effects"]
    assert isinstance(effects, list)
    assert "[files].read[0] '${WORKSPACE}/**'" in effects[0]["rule"]


def test_outside_everything_is_the_default(env: Env) -> None:
    setup(env)
    data = read_call(env, "/etc/hostname")
    assert data["decision"] == "ask"
    effects = data["effects"]
    assert isinstance(effects, list)
    assert effects[0]["rule"].endswith("[files].default")


def test_dotenv_anywhere_is_denied(env: Env) -> None:
    setup(env)
    assert read_call(env, "deep/er/.env")["decision"] == "deny"
