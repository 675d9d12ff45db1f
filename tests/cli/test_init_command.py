"""`blastshield init`: policy written, hooks merged into .claude/settings.json, idempotent."""

from __future__ import annotations

import json
import tomllib

from bs_testenv import Env


def settings(env: Env) -> dict[str, object]:
    data: dict[str, object] = json.loads((env.workspace / ".claude" / "settings.json").read_text())
    return data


def test_init_writes_policy_and_registers_every_event(env: Env) -> None:
    (env.workspace / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    result = env.run("init")
    assert result.code == 0, result.stderr
    assert "policy.toml: written (python" in result.stdout
    policy = tomllib.loads((env.workspace / ".blastshield" / "policy.toml").read_text())
    assert "pytest *" in policy["commands"]["allow"]
    assert "pypi.org" in policy["network"]["allow"]
    hooks = settings(env)["hooks"]
    assert isinstance(hooks, dict)
    for event in ("PreToolUse", "PostToolUse", "UserPromptSubmit", "SessionStart", "SessionEnd", "Stop"):
        groups = hooks[event]
        handler = groups[0]["hooks"][0]
        assert " hook claude-code --policy " in handler["command"]
        assert handler["onFailure"] == "block"
    assert hooks["PreToolUse"][0]["matcher"] == "*"


def test_init_merges_with_existing_settings_and_is_idempotent(env: Env) -> None:
    claude = env.workspace / ".claude"
    claude.mkdir()
    existing = {"permissions": {"allow": ["Bash(ls)"]}, "hooks": {"PreToolUse": [
        {"matcher": "Bash", "hooks": [{"type": "command", "command": "./my-linter.sh"}]}]}}
    (claude / "settings.json").write_text(json.dumps(existing))
    assert env.run("init").code == 0
    assert env.run("init").code == 0
    data = settings(env)
    assert data["permissions"] == {"allow": ["Bash(ls)"]}
    pre = data["hooks"]["PreToolUse"]  # type: ignore[index]
    commands = [h["command"] for g in pre for h in g["hooks"]]
    assert commands.count("./my-linter.sh") == 1
    assert sum(" hook claude-code --policy " in c for c in commands) == 1


def test_uninstall_removes_only_ours(env: Env) -> None:
    claude = env.workspace / ".claude"
    claude.mkdir()
    (claude / "settings.json").write_text(json.dumps({"hooks": {"Stop": [
        {"hooks": [{"type": "command", "command": "notify-send done"}]}]}}))
    assert env.run("init").code == 0
    result = env.run("init", "--uninstall")
    assert result.code == 0
    assert "removed 8 blastshield hook(s)" in result.stdout
    assert settings(env) == {"hooks": {"Stop": [
        {"hooks": [{"type": "command", "command": "notify-send done"}]}]}}
    assert (env.workspace / ".blastshield" / "policy.toml").exists()


def test_init_keeps_existing_policy_and_switches_mode(env: Env) -> None:
    assert env.run("init").code == 0
    path = env.workspace / ".blastshield" / "policy.toml"
    path.write_text(path.read_text() + "\n# my edit\n")
    result = env.run("init", "--mode", "learn")
    assert "kept, mode set to learn" in result.stdout
    text = path.read_text()
    assert "# my edit" in text
    assert tomllib.loads(text)["mode"] == "learn"


def test_init_refuses_broken_settings_with_one_line(env: Env) -> None:
    claude = env.workspace / ".claude"
    claude.mkdir()
    (claude / "settings.json").write_text("{ not json")
    result = env.run("init")
    assert result.code == 2
    assert "settings.json:1: invalid JSON" in result.stderr
    assert (claude / "settings.json").read_text() == "{ not json"


def test_javascript_repo_gets_its_scripts(env: Env) -> None:
    (env.workspace / "package.json").write_text(json.dumps({"scripts": {"test": "jest", "lint": "eslint ."}}))
    assert env.run("init").code == 0
    policy = tomllib.loads((env.workspace / ".blastshield" / "policy.toml").read_text())
    assert "npm run lint" in policy["commands"]["allow"]
    assert "registry.npmjs.org" in policy["network"]["allow"]


def test_agent_cannot_rewrite_its_policy_through_blastshield_itself(env: Env) -> None:
    assert env.run("init").code == 0
    for command, decision in (("blastshield init --force", "deny"),
                              ("blastshield learn --write", "deny"),
                              ("blastshield log new-key", "deny"),
                              ("blastshield check -- 'git status'", "allow"),
                              ("blastshield scan src", "allow"),
                              ("blastshield learn", "allow")):
        result = env.run("check", "--json", "--", command)
        assert result.json()["decision"] == decision, (command, result.stdout)


def test_entries_written_as_python_dash_m_are_replaced_and_uninstalled(env: Env) -> None:
    claude = env.workspace / ".claude"
    claude.mkdir()
    old = "/old/venv/bin/python -m blastshield hook claude-code --policy /x/.blastshield/policy.toml"
    existing = {"hooks": {"PreToolUse": [
        {"matcher": "*", "hooks": [{"type": "command", "command": old}]},
        {"matcher": "Bash", "hooks": [{"type": "command", "command": "./my-linter.sh"}]}]}}
    (claude / "settings.json").write_text(json.dumps(existing))
    assert env.run("init").code == 0
    pre = settings(env)["hooks"]["PreToolUse"]  # type: ignore[index]
    commands = [h["command"] for g in pre for h in g["hooks"]]
    assert old not in commands and "./my-linter.sh" in commands
    ours = [c for c in commands if " hook claude-code --policy " in c]
    assert len(ours) == 1 and " -P " in ours[0] and ours[0].split()[2].endswith("blastshield/__main__.py")
    assert env.run("init", "--uninstall").code == 0
    pre = settings(env)["hooks"]["PreToolUse"]  # type: ignore[index]
    assert [h["command"] for g in pre for h in g["hooks"]] == ["./my-linter.sh"]
