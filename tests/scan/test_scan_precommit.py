"""The pre-commit hook definitions run the real CLI and block a commit that adds a secret."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

from scan_helpers import GITHUB_TOKEN, write

HOOKS = Path(__file__).resolve().parents[2] / ".pre-commit-hooks.yaml"


def entries() -> dict[str, str]:
    text = HOOKS.read_text(encoding="utf-8")
    ids = re.findall(r"^- id: (\S+)$", text, re.MULTILINE)
    commands = re.findall(r"^  entry: (.+)$", text, re.MULTILINE)
    assert len(ids) == len(commands) == 2
    return dict(zip(ids, commands, strict=True))


def test_staged_hook_blocks_a_staged_secret_and_passes_when_clean(env):
    argv = shlex.split(entries()["blastshield-scan"])
    assert argv[:2] == ["blastshield", "scan"]
    write(env.workspace, "README.md", "hello\n")
    subprocess.run(["git", "add", "README.md"], cwd=env.workspace, env=env.environ, check=True)
    assert env.run(*argv[1:]).code == 0
    write(env.workspace, "deploy.env", f"TOKEN={GITHUB_TOKEN}\n")
    subprocess.run(["git", "add", "deploy.env"], cwd=env.workspace, env=env.environ, check=True)
    blocked = env.run(*argv[1:])
    assert blocked.code == 1
    assert blocked.stdout.startswith("deploy.env:1: HIGH BS-SECRET-TOKEN")


def test_files_hook_takes_file_names(env):
    argv = shlex.split(entries()["blastshield-scan-files"])
    write(env.workspace, "a.env", f"TOKEN={GITHUB_TOKEN}\n")
    write(env.workspace, "b.txt", "fine\n")
    assert env.run(*argv[1:], "b.txt").code == 0
    assert env.run(*argv[1:], "a.env", "b.txt").code == 1
