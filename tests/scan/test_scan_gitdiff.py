"""--diff REV (findings on changed lines only) and --staged (the staged versions)."""

from __future__ import annotations

import subprocess

from scan_helpers import AWS_KEY_ID, GITHUB_TOKEN, STRIPE_KEY, write


def git(env, *args: str) -> None:
    subprocess.run(["git", *args], cwd=env.workspace, env=env.environ, check=True, capture_output=True)


def test_diff_reports_only_changed_lines_and_new_files(env):
    write(env.workspace, "old.env", f"GITHUB={GITHUB_TOKEN}\nOTHER=1\n")
    git(env, "add", "-A")
    git(env, "commit", "-q", "-m", "base")
    write(env.workspace, "old.env", f"GITHUB={GITHUB_TOKEN}\nOTHER=1\nSTRIPE={STRIPE_KEY}\n")
    write(env.workspace, "new.env", f"AWS={AWS_KEY_ID}\n")  # untracked: wholly new
    result = env.run("scan", "--diff", "HEAD", "--format", "json")
    assert result.code == 1, result.stderr
    got = [(f["path"], f["line"], f["rule_id"]) for f in result.json()["findings"]]
    assert got == [("new.env", 1, "BS-SECRET-TOKEN"), ("old.env", 3, "BS-SECRET-TOKEN")]
    # Without --diff the old secret is reported too.
    full = env.run("scan", "--format", "json").json()
    assert ("old.env", 1) in [(f["path"], f["line"]) for f in full["findings"]]


def test_diff_with_unchanged_tree_is_clean(env):
    write(env.workspace, "old.env", f"GITHUB={GITHUB_TOKEN}\n")
    git(env, "add", "-A")
    git(env, "commit", "-q", "-m", "base")
    result = env.run("scan", "--diff", "HEAD", "--format", "json")
    assert result.code == 0 and result.json()["findings"] == []


def test_diff_with_unknown_revision_is_exit_2(env):
    write(env.workspace, "a.txt", "x\n")
    git(env, "add", "-A")
    git(env, "commit", "-q", "-m", "base")
    result = env.run("scan", "--diff", "no-such-rev")
    assert result.code == 2
    assert result.stderr.startswith("blastshield: error: git rev-parse failed")
    assert env.run("scan", "--diff", "--output=x").code == 2


def test_staged_scans_index_content_not_working_tree(env):
    write(env.workspace, "base.txt", "hello\n")
    git(env, "add", "-A")
    git(env, "commit", "-q", "-m", "base")
    write(env.workspace, "creds.env", f"GITHUB={GITHUB_TOKEN}\n")
    git(env, "add", "creds.env")
    write(env.workspace, "creds.env", "GITHUB=${GITHUB_TOKEN}\n")  # fixed in the tree, not in the index
    write(env.workspace, "unstaged.env", f"AWS={AWS_KEY_ID}\n")  # never staged
    result = env.run("scan", "--staged", "--format", "json")
    assert result.code == 1, result.stderr
    assert [(f["path"], f["line"], f["rule_id"]) for f in result.json()["findings"]] == [
        ("creds.env", 1, "BS-SECRET-TOKEN")]
    git(env, "add", "creds.env")
    clean = env.run("scan", "--staged", "--format", "json")
    assert clean.code == 0 and clean.json()["findings"] == []


def test_staged_outside_a_repository_is_exit_2(env, tmp_path):
    outside = tmp_path / "plain"
    outside.mkdir()
    result = env.run("scan", "--staged", cwd=outside)
    assert result.code == 2
    assert "git rev-parse failed" in result.stderr
