"""blastshield run by the agent: commands that change blastshield's own state are writes
on protected paths (denied by the built-in protections); read-only ones have no effect."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from blastshield.effects import Kind
from blastshield.shell import analyze


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / ".blastshield").mkdir()
    (tmp_path / ".blastshield" / "policy.toml").write_text("version = 1\n")
    (tmp_path / "src").mkdir()
    return tmp_path


def writes(command: str, cwd: Path, workspace: Path) -> list[str]:
    effects = analyze(command, cwd=str(cwd), workspace=str(workspace))
    return sorted(os.path.normpath(os.path.join(e.cwd or str(cwd), e.path or ""))
                  for e in effects if e.kind is Kind.WRITE)


@pytest.mark.parametrize(("command", "written"), [
    ("blastshield init --force", [".blastshield/policy.toml", ".claude/settings.json"]),
    ("blastshield learn --write --mode enforce", [".blastshield/policy.toml"]),
    ("python -m blastshield learn --write", [".blastshield/policy.toml"]),
    ("blastshield hook claude-code", [".blastshield/audit.db"]),
    # the entry file init registers, and other ways to reach the same command line
    ("python3 -P /opt/venv/lib/python3.11/site-packages/blastshield/__main__.py hook claude-code",
     [".blastshield/audit.db"]),
    ("python ../venv/lib/python3.11/site-packages/blastshield/cli/__main__.py learn --write",
     [".blastshield/policy.toml"]),
    ("/usr/bin/python3.11 -I ~/pkgs/blastshield/__main__.py init --force",
     [".blastshield/policy.toml", ".claude/settings.json"]),
    ("blastshield mcp approve github", [".blastshield/mcp-pins.json"]),
    ("blastshield review", [".blastshield/review-state.json"]),
])
def test_state_changing_commands_write_protected_files(repo: Path, command: str,
                                                      written: list[str]) -> None:
    assert writes(command, repo / "src", repo) == sorted(str(repo / w) for w in written)


@pytest.mark.parametrize("command", [
    "blastshield check -- 'git push'", "blastshield scan src --format json", "blastshield learn",
    "blastshield review --no-save", "blastshield doctor", "blastshield --version",
])
def test_read_only_commands_write_nothing(repo: Path, command: str) -> None:
    assert writes(command, repo, repo) == []


def test_new_signing_key_is_a_write_in_the_key_folder(repo: Path) -> None:
    home = os.path.realpath(os.path.expanduser("~"))
    assert writes("blastshield log new-key", repo, repo) == [
        os.path.join(home, ".config", "blastshield", "keys", "signing.key")]


def test_unknown_subcommand_is_asked(repo: Path) -> None:
    effects = analyze("blastshield frobnicate", cwd=str(repo), workspace=str(repo))
    assert any(e.floor.value == "ask" for e in effects)


def test_python_on_a_blastshield_package_folder_is_blastshield(repo: Path) -> None:
    package = repo / "vendor" / "blastshield"
    package.mkdir(parents=True)
    (package / "__main__.py").write_text("")
    assert writes("python vendor/blastshield hook claude-code", repo, repo) == [
        str(repo / ".blastshield" / "audit.db")]
    assert writes("python vendor/blastshield/helpers.py hook claude-code", repo, repo) == []
