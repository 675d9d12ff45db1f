"""The start-up path of `blastshield run`: its own argument parsing, the compiled launcher's
build, and the mount plan left without redundant binds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from blastshield.policy.load import load_policy
from blastshield.sandbox.fsplan import MountKind, plan_filesystem
from blastshield.sandbox.launcher_build import _build


def test_run_help_and_mistakes_still_go_to_argparse(env: Any) -> None:
    helped = env.run("run", "--help")
    assert helped.code == 0
    assert "--allow-weaker" in helped.stdout and "--resolve HOST:ADDR" in helped.stdout
    unknown = env.run("run", "--no-such-option", "--", "true")
    assert unknown.code == 2
    assert "unrecognized arguments: --no-such-option" in unknown.stderr
    empty = env.run("run", "--")
    assert empty.code == 2
    assert "no command given" in empty.stderr


def test_run_options_parsed_on_the_fast_path(env: Any, policy: Callable[[Path, str], Path],
                                             base_policy: str, tmp_path: Path) -> None:
    path = policy(env.workspace, base_policy)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = env.run("run", f"--policy={path}", "--allow-weaker", "--resolve", "allowed.test:127.0.0.1",
                     "--", "sh", "-c", "pwd; exit 7", cwd=elsewhere)
    assert result.code == 7, result.stderr
    assert result.stdout.strip() == str(env.workspace)  # cwd outside every mount: the workspace
    bad = env.run("run", "--policy", str(path), "--resolve=nothing-here", "--", "true")
    assert bad.code == 2
    assert "--resolve 'nothing-here': expected HOST:ADDR with an IP address" in bad.stderr


def test_failed_build_leaves_a_marker_and_no_binary(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    target = folder / "launcher-test"
    assert _build("/bin/false", str(target)) is None
    assert not target.exists()
    assert (folder / "launcher-test.failed").read_text().startswith("/bin/false exit status 1")
    assert [p.name for p in folder.iterdir()] == ["launcher-test.failed"]  # no temporary left


def test_read_only_binds_inside_read_only_binds_are_left_out(env: Any, policy: Callable[[Path, str], Path],
                                                             base_policy: str) -> None:
    path = policy(env.workspace, base_policy)
    hooks = env.workspace / ".git" / "hooks"
    (hooks / "pre-commit").write_text("#!/bin/sh\n")
    plan = plan_filesystem(load_policy(str(path)), str(env.home))
    by_path = {m.path: m.kind for m in plan.mounts}
    assert by_path[str(hooks)] is MountKind.PROTECT
    assert not [p for p in by_path if p.startswith(str(hooks) + "/")]
    assert by_path["/etc"] is MountKind.READ_ONLY
    assert "/etc/profile" not in by_path  # protected, but /etc is read-only already
    assert by_path[str(env.workspace)] is MountKind.READ_WRITE
    assert by_path[str(env.workspace / ".blastshield")] is MountKind.PROTECT
    assert str(path) not in by_path  # inside the read-only policy folder


def test_run_starts_without_regex_url_or_toml_modules(env: Any, policy: Callable[[Path, str], Path],
                                                      base_policy: str) -> None:
    """`run` plans with policy.globs and splits proxy URLs itself: with `re` (and `enum`'s use by
    it), fnmatch, urllib.parse and tomllib it would start several ms later on a small VM. The
    policy has an anywhere-glob (its search finds a real .env), wildcard env passes and denies."""
    policy(env.workspace, base_policy)
    (env.workspace / "sub").mkdir()
    (env.workspace / "sub" / ".env").write_text("TOKEN=1\n")
    assert env.run("run", "--", "true").code == 0  # keeps the policy's parsed tables (no tomllib next)
    result = env.run("run", "--", "sh", "-c", "cat sub/.env || echo hidden",
                     extra_env={"PYTHONPROFILEIMPORTTIME": "1", "MY_VAR": "x", "X_SECRET_BLOCKED": "1",
                                "LC_ALL": "C.UTF-8"})
    assert result.code == 0, result.stderr
    assert "hidden" in result.stdout and "TOKEN=1" not in result.stdout
    imported = {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines()
                if line.startswith("import time:") and "|" in line}
    assert "blastshield.sandbox.run" in imported and "blastshield.sandbox.proxy" in imported
    assert not imported & {"re", "fnmatch", "tomllib", "urllib.parse", "json", "typing"}, \
        imported & {"re", "fnmatch", "tomllib", "urllib.parse", "json", "typing"}
