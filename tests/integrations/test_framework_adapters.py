"""LangChain and OpenAI Agents SDK tools under a Guard: real framework objects, real policy, real log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import pytest

from blastshield.audit.store_sqlite import SqliteStore
from blastshield.guard import Denied, Guard

POLICY = """\
version = 1
mode = "enforce"
[files]
read = ["${WORKSPACE}/**"]
write = ["${WORKSPACE}/**"]
deny = ["**/.env"]
default = "deny"
[commands]
allow = ["ls *"]
deny = ["rm -rf *"]
default = "ask"
[mcp]
allow = ["github:get_*"]
default = "deny"
"""


@pytest.fixture
def guard(env: Any, monkeypatch: pytest.MonkeyPatch) -> Guard:
    monkeypatch.setenv("HOME", str(env.home))
    folder = env.workspace / ".blastshield"
    folder.mkdir()
    (folder / "policy.toml").write_text(POLICY)
    (env.workspace / "notes.txt").write_text("hello")
    (env.workspace / ".env").write_text("API_KEY=x")
    return Guard.from_policy(folder / "policy.toml")


def _records(workspace: Path) -> list[dict[str, Any]]:
    store = SqliteStore(str(workspace / ".blastshield" / "audit.db"))
    try:
        from blastshield.audit.query import Filter

        return [r.body for r in store.select(Filter(host="python"))]
    finally:
        store.close()


def test_langchain_tool_allowed_and_denied(guard: Guard, env: Any) -> None:
    pytest.importorskip("langchain_core", reason="extra blastshield[langchain] not installed")
    from langchain_core.tools import tool

    from blastshield.integrations.langchain import guard_tool

    @tool
    def read_file(path: str) -> str:
        """Read a text file."""
        return Path(path).read_text()

    safe = guard_tool(guard, read_file, reads="path")
    assert safe.name == "read_file" and safe.description == read_file.description
    assert safe.invoke({"path": str(env.workspace / "notes.txt")}) == "hello"
    refused = safe.invoke({"path": str(env.workspace / ".env")})
    assert refused.startswith("blastshield denied read ") and "[files].deny[0]" in refused
    strict = guard_tool(guard, read_file, reads="path", on_deny="raise")
    with pytest.raises(Denied) as caught:
        strict.invoke({"path": str(env.workspace / ".env")})
    assert caught.value.decision.verdict.value == "deny"
    records = _records(env.workspace)
    decisions = [(r["event"], r["tool"], r["decision"]) for r in records if r["event"] == "PreToolUse"]
    assert decisions == [("PreToolUse", "read_file", "allow"), ("PreToolUse", "read_file", "deny"),
                         ("PreToolUse", "read_file", "deny")]
    assert [r["event"] for r in records].count("PostToolUse") == 1


def test_langchain_async_and_undeclared_tool(guard: Guard) -> None:
    pytest.importorskip("langchain_core", reason="extra blastshield[langchain] not installed")
    from langchain_core.tools import tool

    from blastshield.integrations.langchain import guard_tools

    @tool
    def shell(command: str) -> str:
        """Run a shell command."""
        return f"ran {command}"

    @tool
    def mystery(x: int) -> int:
        """Does something."""
        return x

    safe_shell, safe_mystery = guard_tools(guard, [shell, mystery], {"shell": {"command": "command"}})

    async def calls() -> tuple[Any, Any, Any]:
        return (await safe_shell.ainvoke({"command": "ls -la"}),
                await safe_shell.ainvoke({"command": "rm -rf /"}),
                await safe_mystery.ainvoke({"x": 1}))

    listed, removed, unknown = anyio.run(calls)
    assert listed == "ran ls -la"
    assert removed.startswith("blastshield denied") and "rm -rf" in removed
    assert "unknown tool" in unknown


def test_openai_agents_function_tool(guard: Guard, env: Any) -> None:
    pytest.importorskip("agents", reason="extra blastshield[openai-agents] not installed")
    from agents import function_tool
    from agents.tool_context import ToolContext

    from blastshield.integrations.openai_agents import guard_function_tool

    @function_tool
    def get_issue(number: int) -> str:
        """Fetch an issue."""
        return f"issue {number}"

    @function_tool
    def delete_repo(name: str) -> str:
        """Delete a repository."""
        return f"deleted {name}"

    safe_get = guard_function_tool(guard, get_issue, mcp_server="github")
    safe_delete = guard_function_tool(guard, delete_repo, mcp_server="github")
    assert safe_get.name == "get_issue" and safe_get.params_json_schema == get_issue.params_json_schema

    def context(name: str, args: dict[str, Any]) -> ToolContext[Any]:
        return ToolContext(context=None, tool_name=name, tool_call_id="call_1",
                           tool_arguments=json.dumps(args))

    async def calls() -> tuple[Any, Any]:
        ok = await safe_get.on_invoke_tool(context("get_issue", {"number": 7}), json.dumps({"number": 7}))
        args = json.dumps({"name": "x"})
        no = await safe_delete.on_invoke_tool(context("delete_repo", {"name": "x"}), args)
        return ok, no

    ok, no = anyio.run(calls)
    assert ok == "issue 7"
    assert no.startswith("blastshield denied mcp github:delete_repo") and "[mcp].default" in no
    strict = guard_function_tool(guard, delete_repo, mcp_server="github", on_deny="raise")
    with pytest.raises(Denied):
        anyio.run(strict.on_invoke_tool, context("delete_repo", {"name": "x"}), json.dumps({"name": "x"}))
    tools = [r["tool"] for r in _records(env.workspace) if r["event"] == "PreToolUse"]
    assert tools == ["get_issue", "delete_repo", "delete_repo"]
