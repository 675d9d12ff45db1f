"""Files inside `blastshield run`: the workspace is writable, nothing else is; secrets and the
policy are out of reach — for the command and for everything it starts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any


def test_workspace_writable_outside_not(env: Any, policy: Callable[[Path, str], Path],
                                        base_policy: str) -> None:
    policy(env.workspace, base_policy)
    outside = env.workspace.parent / "outside"
    outside.mkdir()
    script = (f"echo made > inside.txt; echo leaked > {outside}/new.txt; "
              "echo leaked > /etc/blastshield-probe; echo leaked > /usr/blastshield-probe; true")
    result = env.run("run", "--", "sh", "-c", script)
    assert result.code == 0, result.stderr
    assert (env.workspace / "inside.txt").read_text() == "made\n"
    assert not (outside / "new.txt").exists()
    assert "Read-only file system" in result.stderr  # /etc and /usr
    assert f"{outside}/new.txt: Directory nonexistent" in result.stderr
    assert not Path("/etc/blastshield-probe").exists()


def test_home_is_scratch_nothing_persists(env: Any, policy: Callable[[Path, str], Path],
                                          base_policy: str) -> None:
    policy(env.workspace, base_policy)
    result = env.run("run", "--", "sh", "-c", 'echo x > "$HOME/.bashrc" && echo wrote-scratch')
    assert result.code == 0, result.stderr
    assert "wrote-scratch" in result.stdout
    assert not (env.home / ".bashrc").exists()


def test_ssh_keys_unreadable_even_when_home_is_readable(env: Any, policy: Callable[[Path, str], Path],
                                                        base_policy: str) -> None:
    (env.home / ".ssh").mkdir()
    (env.home / ".ssh" / "id_ed25519").write_text("PRIVATE-KEY-MATERIAL\n")
    (env.home / "notes.txt").write_text("public notes\n")
    policy(env.workspace, base_policy.replace('read = ["${WORKSPACE}/**"]',
                                              'read = ["${WORKSPACE}/**", "~/**"]'))
    result = env.run("run", "--", "sh", "-c",
                     'cat "$HOME/notes.txt"; cat "$HOME"/.ssh/id_*; ls "$HOME/.ssh"; '
                     'sh -c "cat $HOME/.ssh/id_ed25519"; exit 0')
    assert "public notes" in result.stdout  # home really is readable
    assert "PRIVATE-KEY-MATERIAL" not in result.stdout + result.stderr
    assert "Permission denied" in result.stderr


def test_env_files_hidden(env: Any, policy: Callable[[Path, str], Path], base_policy: str) -> None:
    policy(env.workspace, base_policy)
    (env.workspace / "app").mkdir()
    (env.workspace / "app" / ".env").write_text("DB_PASSWORD=hunter2\n")
    result = env.run("run", "--", "sh", "-c", "cat app/.env; rm app/.env; echo done")
    assert "hunter2" not in result.stdout
    assert "app/.env: Permission denied" in result.stderr
    assert (env.workspace / "app" / ".env").read_text() == "DB_PASSWORD=hunter2\n"


def test_policy_cannot_be_edited_deleted_or_replaced(env: Any, policy: Callable[[Path, str], Path],
                                                    base_policy: str) -> None:
    path = policy(env.workspace, base_policy)
    before = path.read_bytes()
    script = ("echo 'allow = [\"*\"]' >> .blastshield/policy.toml; rm -f .blastshield/policy.toml; "
              "mv .blastshield .moved; rm -rf .blastshield; "
              "echo x > .blastshield/new.toml; cat .blastshield/policy.toml >/dev/null && echo readable")
    result = env.run("run", "--", "sh", "-c", script)
    assert path.read_bytes() == before
    assert not (env.workspace / ".moved").exists()
    assert not (env.workspace / ".blastshield" / "new.toml").exists()
    assert "readable" in result.stdout  # read-only, not absent
    assert "Read-only file system" in result.stderr


def test_git_hooks_and_config_read_only(env: Any, policy: Callable[[Path, str], Path],
                                        base_policy: str) -> None:
    policy(env.workspace, base_policy)
    config_before = (env.workspace / ".git" / "config").read_bytes()
    result = env.run("run", "--", "sh", "-c",
                     "echo 'echo pwned' > .git/hooks/pre-commit; echo '[core]' >> .git/config; "
                     "echo ok > .git/description && echo other-git-files-writable")
    assert not (env.workspace / ".git" / "hooks" / "pre-commit").exists()
    assert (env.workspace / ".git" / "config").read_bytes() == config_before
    assert "other-git-files-writable" in result.stdout


def test_grandchild_inherits_every_restriction(env: Any, policy: Callable[[Path, str], Path],
                                              base_policy: str) -> None:
    (env.home / ".ssh").mkdir()
    (env.home / ".ssh" / "id_rsa").write_text("GRANDCHILD-SECRET\n")
    policy(env.workspace, base_policy.replace('read = ["${WORKSPACE}/**"]',
                                              'read = ["${WORKSPACE}/**", "~/**"]'))
    (env.workspace / "grandchild.sh").write_text(
        'grep -E "^(Seccomp|NoNewPrivs|CapEff):" /proc/self/status\n'
        'cat "$HOME/.ssh/id_rsa"\necho x > /etc/gc-probe\nunshare -U true || echo unshare-refused\n')
    result = env.run("run", "--", "sh", "-c", "sh -c 'bash grandchild.sh'")
    assert "Seccomp:\t2" in result.stdout
    assert "NoNewPrivs:\t1" in result.stdout
    assert "CapEff:\t0000000000000000" in result.stdout
    assert "GRANDCHILD-SECRET" not in result.stdout
    assert "unshare-refused" in result.stdout
    assert "Read-only file system" in result.stderr
