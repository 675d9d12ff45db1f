"""`blastshield review`: granted against used, over records the real hook wrote."""

from __future__ import annotations

from typing import Any

import pytest
from learn_testkit import bash, call, write_policy

from bs_testenv import Env

POLICY = """\
version = 1
mode = "enforce"

[files]
read = ["${WORKSPACE}/**", "~/**"]
write = ["${WORKSPACE}/**", "~/notes/**"]
deny = ["**/.env"]
default = "ask"

[commands]
allow = ["git *", "pytest *", "python *", "curl *", "make *"]
ask = ["git push *"]
deny = ["rm -rf *"]
default = "ask"

[network]
allow = ["*.github.com", "pypi.org"]
default = "deny"

[mcp]
allow = ["github:*"]
default = "ask"
"""


@pytest.fixture
def used(env: Env) -> Env:
    write_policy(env, POLICY)
    ws = env.workspace
    for name in ("src/a.py", "tests/t.py"):
        (ws / name).parent.mkdir(parents=True, exist_ok=True)
        (ws / name).write_text("x = 1\n")
    assert bash(env, "git status") == "allow"
    assert bash(env, "git diff --stat") == "allow"
    assert call(env, "Read", {"file_path": f"{ws}/src/a.py"}) == "allow"
    assert call(env, "Read", {"file_path": f"{ws}/tests/t.py"}) == "allow"
    assert call(env, "Write", {"file_path": f"{ws}/src/b.py", "content": "y = 2\n"}) == "allow"
    assert bash(env, "pytest -q") == "allow"
    assert call(env, "WebFetch", {"url": "https://api.github.com/repos/a/b", "prompt": "x"}) == "allow"
    for _ in range(3):
        assert bash(env, "npm run build") == "ask"
    assert bash(env, "git push origin main") == "ask"
    assert bash(env, "npm install left-pad") == "deny"  # registry.npmjs.org: network default deny
    for _ in range(2):
        assert call(env, "WebFetch", {"url": "https://docs.python.org/3/", "prompt": "x"}) == "deny"
    return env


def _review(env: Env, *args: str) -> dict[str, Any]:
    result = env.run("review", "--json", *args)
    assert result.code == 0, result.stderr
    data: dict[str, Any] = result.json()
    return data


def _notes(data: dict[str, Any], kind: str) -> dict[tuple[str, str], dict[str, Any]]:
    return {(f"[{n['table']}].{n['key']}", n["pattern"]): n for n in data[kind]}


def test_unused_and_wider_rules(used: Env) -> None:
    data = _review(used)
    assert data["observed"] == {"tool_calls": 14, "sessions": 1}
    assert set(_notes(data, "unused")) == {
        ("[files].read", "~/**"), ("[files].write", "~/notes/**"), ("[commands].allow", "python *"),
        ("[commands].allow", "curl *"), ("[commands].allow", "make *"), ("[network].allow", "pypi.org"),
        ("[mcp].allow", "github:*")}
    wider = _notes(data, "wider")
    assert wider[("[commands].allow", "git *")]["narrower"] == ["git diff *", "git status *"]
    assert wider[("[files].read", "${WORKSPACE}/**")]["narrower"] == [
        "${WORKSPACE}/src/**", "${WORKSPACE}/tests/**"]
    assert wider[("[files].write", "${WORKSPACE}/**")]["narrower"] == ["${WORKSPACE}/src/**"]
    assert wider[("[network].allow", "*.github.com")]["narrower"] == ["api.github.com"]
    assert ("[commands].allow", "pytest *") not in wider  # used exactly as granted


def test_risky_grants(used: Env) -> None:
    risky = {(n["table"], n["pattern"], n["severity"]): n["message"] for n in _review(used)["risky"]}
    assert risky[("commands", "python *", "high")] == "interpreter: runs any code the agent writes"
    assert risky[("commands", "curl *", "high")] == "network tool: reaches any host"
    assert risky[("files", "~/notes/**", "high")] == "writes outside the workspace"
    assert risky[("files", "~/**", "high")].startswith("lets the agent read secrets: ~/.ssh/id_ed25519,"
                                                        " ~/.aws/credentials, ~/.config/gh/hosts.yml")
    assert "${WORKSPACE}/.env" not in risky[("files", "~/**", "high")]  # the deny list covers it
    assert risky[("network", "*.github.com", "medium")].startswith("network wildcard")
    assert risky[("mcp", "github:*", "medium")].startswith("MCP wildcard")
    assert not any(pattern in ("git *", "pytest *") for _, pattern, _ in risky)


def test_prompts_and_denies_by_frequency(used: Env) -> None:
    data = _review(used)
    first = data["prompts"][0]
    assert (first["count"], first["example"], first["fix"], first["safe"]) == (
        3, "Bash: npm run build", ["[commands].allow npm run build *"], True)
    unsafe = {g["example"]: g["why"] for g in data["prompts"] if not g["safe"]}
    assert unsafe == {"Bash: git push origin main": "policy ask rule: the policy in force asks for this"
                      " (policy.toml [commands].ask[0] 'git push *'); learn keeps that rule"}
    denied = data["denies"][0]
    assert (denied["count"], denied["fix"]) == (2, ["[network].allow docs.python.org"])
    install = data["denies"][1]
    assert (install["example"], install["safe"]) == ("Bash: npm install left-pad", False)
    assert install["why"].startswith("dependency install: npm install fetches packages")


def test_text_and_changes_since_the_last_review(used: Env) -> None:
    first = used.run("review")
    assert first.code == 0, first.stderr
    assert "Allow rules never used (7): candidates to remove:" in first.stdout
    assert "  [commands].allow git *: used 2x, only as git diff *, git status *" in first.stdout
    fix = "      → add [commands].allow npm run build * (removes 3 prompt(s))"
    assert f"3x asked: Bash: npm run build\n{fix}" in first.stdout
    assert "first review: no earlier state (14 tool calls observed so far)" in first.stdout
    assert (used.workspace / ".blastshield" / "review-state.json").is_file()
    write_policy(used, POLICY.replace('"curl *", ', ""))
    assert bash(used, "git log") == "allow"
    second = _review(used)["since_last_review"]
    assert second["first"] is False and second["policy_changed"] is True
    assert second["rules_removed"] == ["[commands].allow curl *"] and second["rules_added"] == []
    assert second["new_tool_calls"] == 1
    assert "risky|[commands].allow|curl *" in second["resolved_findings"]
    assert "unused|[commands].allow|curl *" in second["resolved_findings"]
    again = _review(used, "--no-save")["since_last_review"]
    assert again["policy_changed"] is False and again["new_tool_calls"] == 0
