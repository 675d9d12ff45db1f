"""A program that reads a whole folder (grep -r, rg, tar, cp -r, rsync ...) reads what a deny rule
or a built-in protection names inside it: denied, even though the folder itself is not."""

from __future__ import annotations

from typing import Any

import pytest

from bs_testenv import Env

POLICY = """\
version = 1
[commands]
allow = ["grep *", "rg *", "tar *", "cp *", "ls *", "find *"]
[files]
read = ["${WORKSPACE}/**", "~/**"]
write = ["${WORKSPACE}/**", "/tmp/**"]
deny = ["**/.env", "~/.ssh/**", "~/.aws/**", "~/vault/secret/**"]
default = "ask"
"""


@pytest.fixture
def home_with_secrets(env: Env) -> Env:
    policy = env.workspace / ".blastshield" / "policy.toml"
    policy.parent.mkdir()
    policy.write_text(POLICY)
    for folder in (".ssh", ".aws", ".config/blastshield/keys", "projects/app", "notes", "vault/secret"):
        (env.home / folder).mkdir(parents=True)
    (env.home / ".ssh" / "id_ed25519").write_text("not a real key\n")
    (env.workspace / "src").mkdir()
    (env.workspace / "src" / "app.py").write_text("print('hi')\n")
    return env


def check(env: Env, command: str) -> dict[str, Any]:
    result = env.run("check", "--json", "--", command)
    assert result.code in (0, 1), result.stderr
    data: dict[str, Any] = result.json()
    return data


@pytest.mark.parametrize(("command", "needle"), [
    ("grep -r password ~", "signing keys"),  # the built-in protection is named first
    ("rg -i secret ~/", "signing keys"),
    ("tar czf /tmp/home.tgz ~", "signing keys"),
    ("cp -r ~ /tmp/copy", "signing keys"),
    ("grep -R token ~/.config", "signing keys"),
    ("grep -r key ~/vault", "~/vault/secret/**"),  # a [files] deny rule inside the folder
    ("rsync -a ~/vault/ /tmp/backup/", "~/vault/secret/**"),
])
def test_reading_a_tree_that_holds_denied_files_is_denied(home_with_secrets: Env, command: str,
                                                          needle: str) -> None:
    data = check(home_with_secrets, command)
    assert data["decision"] == "deny", data
    reasons = " ".join(e["reason"] for e in data["effects"] if e["decision"] == "deny")
    home = str(home_with_secrets.home)
    assert "reads the files below" in reasons and needle.replace("~", home) in reasons.replace("~", home)


@pytest.mark.parametrize("command", [
    "ls ~",                       # names only, not contents
    "find ~ -name '*.py'",        # names only
    "grep -r TODO ~/projects",    # nothing denied below it
    "tar czf /tmp/notes.tgz ~/notes",
    "grep -rn TODO src",          # the workspace: **/.env rules are judged file by file
])
def test_tree_reads_with_nothing_denied_below_are_not_denied(home_with_secrets: Env, command: str) -> None:
    data = check(home_with_secrets, command)
    assert data["decision"] != "deny", data
