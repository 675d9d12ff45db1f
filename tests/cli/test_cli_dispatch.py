"""The command line: each command's own help, the full command list, and unknown commands."""

from __future__ import annotations

from bs_testenv import Env


def test_a_commands_help_is_its_own(env: Env) -> None:
    result = env.run("scan", "--help")
    assert result.code == 0
    assert result.stdout.startswith("usage: blastshield scan")
    assert "--fail-on" in result.stdout


def test_top_level_help_lists_every_command(env: Env) -> None:
    result = env.run("-v", "--help")
    assert result.code == 0
    for command in ("check", "hook", "init", "learn", "log", "mcp-proxy", "report", "review", "run", "scan"):
        assert command in result.stdout


def test_an_unknown_command_is_a_usage_error_naming_the_choices(env: Env) -> None:
    for wrong in ("frobnicate", "mcp_proxy", "__init__"):
        result = env.run(wrong)
        assert result.code == 2
        assert "invalid choice" in result.stderr
        assert "'scan'" in result.stderr and "'mcp-proxy'" in result.stderr


def test_options_before_the_command_still_reach_it(env: Env) -> None:
    (env.workspace / "ok.py").write_text("print('hello')\n")
    result = env.run("-v", "scan", "ok.py", "--format", "json")
    assert result.code == 0, result.stderr
    assert result.json()["findings"] == []
