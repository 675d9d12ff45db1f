"""resources/read through the proxy: a local file:// resource is a file read judged by [files]
(paths resolved, built-in protections included); other resources pass; every read is recorded."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp_testkit import log_records, proxied

from mcp import MCPError

POLICY = """\
version = 1
mode = "enforce"

[files]
read = ["${WORKSPACE}/**", "/srv/fixture/**"]
deny = ["~/.ssh/**"]
default = "ask"

[mcp]
allow = ["demo:*"]
default = "ask"

[env]
pass = ["PATH", "HOME", "LANG"]
"""


def write_policy(workspace: Path) -> Path:
    folder = workspace / ".blastshield"
    folder.mkdir(exist_ok=True)
    path = folder / "policy.toml"
    path.write_text(POLICY)
    return path


def test_local_file_resources_are_judged_like_reads(env: Any) -> None:
    policy = write_policy(env.workspace)
    ssh = env.home / ".ssh"
    ssh.mkdir()
    (ssh / "id_rsa").write_text("PRIVATE\n")
    os.symlink(ssh / "id_rsa", env.workspace / "innocent.txt")  # judged by where it leads
    uris = {
        "ssh": f"file://{ssh / 'id_rsa'}",
        "link": f"file://{env.workspace / 'innocent.txt'}",
        "elsewhere": "file:///etc/hostname",
        "encoded": "file://" + str(ssh).replace("/.ssh", "/%2Essh") + "/id_rsa",
    }

    async def session() -> dict[str, Any]:
        out: dict[str, Any] = {}
        async with proxied(env, policy) as client:
            for key, uri in uris.items():
                with pytest.raises(MCPError) as caught:
                    await client.read_resource(uri)
                out[key] = caught.value
            out["served"] = (await client.read_resource("file:///srv/fixture/a.txt")).contents[0]
            out["note"] = (await client.read_resource("notes://today")).contents[0]
        return out

    out = anyio.run(session)
    for key in ("ssh", "link", "encoded"):
        error: MCPError = out[key]
        assert error.code == -32003, (key, error.message)
        assert "denied resources/read" in error.message and "~/.ssh/**" in error.message, error.message
        assert error.data["blastshield"]["decision"] == "deny"
    asked: MCPError = out["elsewhere"]
    assert asked.code == -32003 and "nobody to ask" in asked.message
    assert out["served"].text == "served a.txt"  # type: ignore[union-attr]
    assert out["note"].text == "note today"  # type: ignore[union-attr]
    records = [r for r in log_records(env) if r["event"] == "PreToolUse"]
    decisions = {r["action"].split(" ", 1)[1]: r["decision"] for r in records}
    assert decisions[uris["ssh"]] == "deny" and decisions[uris["link"]] == "deny"
    assert decisions["file:///srv/fixture/a.txt"] == "allow" and decisions["notes://today"] == "allow"
    assert "PRIVATE" not in str(records)
