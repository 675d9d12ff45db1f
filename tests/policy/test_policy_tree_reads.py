"""A program that reads a whole folder (grep -r, rg, tar, cp -r, rsync, a host's Grep tool ...) reads
what a deny rule or a built-in protection names inside it: denied, even though the folder itself is
not. Globs that match anywhere (**/.env) deny when the folder holds a match; ripgrep's default of
leaving out hidden files is honoured."""

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
    "grep -rn TODO src",          # no .env below src
])
def test_tree_reads_with_nothing_denied_below_are_not_denied(home_with_secrets: Env, command: str) -> None:
    data = check(home_with_secrets, command)
    assert data["decision"] != "deny", data


@pytest.fixture
def workspace_with_env_file(home_with_secrets: Env) -> Env:
    app = home_with_secrets.workspace / "app"
    app.mkdir()
    (app / ".env").write_text("API_KEY=not-a-real-key\n")
    (app / "main.py").write_text("print('app')\n")
    return home_with_secrets


@pytest.mark.parametrize(("command", "reader"), [
    ("grep -rn API_KEY .", "grep"),
    ("grep -r API_KEY", "grep"),            # no path: grep -r searches the folder it is in
    ("grep -d recurse API_KEY", "grep"),
    ("rg --hidden API_KEY", "rg --hidden"),
    ("rg -uu API_KEY app", "rg --hidden"),
    ("tar czf /tmp/ws.tgz app", "tar"),
])
def test_a_tree_holding_a_file_an_anywhere_glob_denies_is_denied(workspace_with_env_file: Env, command: str,
                                                                 reader: str) -> None:
    data = check(workspace_with_env_file, command)
    assert data["decision"] == "deny", data
    [effect] = [e for e in data["effects"] if e["decision"] == "deny"]
    env_file = workspace_with_env_file.workspace / "app" / ".env"
    assert effect["reason"].startswith(f"{reader} reads the files below ")
    assert f"including {env_file} (**/.env)" in effect["reason"]
    assert effect["rule"].endswith("[files].deny[0] '**/.env'")


@pytest.mark.parametrize("command", [
    "rg API_KEY",         # ripgrep leaves hidden files out: it never reads app/.env
    "rg -n API_KEY app",
    "grep -rn print src",  # nothing below src matches
    "grep API_KEY",       # no -r, no file: reads standard input
    "tar czf /tmp/app.tgz --exclude=.env app",  # tar leaves out every .env
])
def test_a_tree_reader_that_cannot_reach_the_denied_file_is_not_denied(workspace_with_env_file: Env,
                                                                       command: str) -> None:
    data = check(workspace_with_env_file, command)
    assert data["decision"] != "deny", data


def test_a_glob_anchored_above_the_folder_is_searched_for_too(workspace_with_env_file: Env) -> None:
    env = workspace_with_env_file
    policy = env.workspace / ".blastshield" / "policy.toml"
    policy.write_text(POLICY.replace('"**/.env",', '"**/.env", "${WORKSPACE}/**/*.pem",'))
    (env.workspace / "src" / "certs").mkdir()
    (env.workspace / "src" / "certs" / "server.pem").write_text("not a real key\n")
    data = check(env, "rg BEGIN src")
    assert data["decision"] == "deny", data
    assert f"including {env.workspace}/src/certs/server.pem" in str(data)


def test_a_folder_too_big_to_search_asks(workspace_with_env_file: Env) -> None:
    env = workspace_with_env_file
    for n in range(12):
        (env.workspace / "src" / f"m{n}.py").write_text("x = 1\n")
    result = env.run("check", "--json", "--", "grep -rn TODO src",
                     extra_env={"BLASTSHIELD_TREE_READ_BUDGET": "5"})
    data = result.json()
    assert data["decision"] == "ask", data
    [effect] = [e for e in data["effects"] if e["decision"] == "ask"]
    assert "more than 5 entries: too many to check" in effect["reason"] and "**/.env" in effect["reason"]
    assert check(env, "grep -rn TODO src")["decision"] == "allow"  # the default budget searches it all


@pytest.mark.parametrize(("host", "tool", "tool_input", "expected"), [
    # Claude Code's Grep runs ripgrep with hidden files left out: app/.env is not read ...
    ("claude-code", "Grep", {"pattern": "API_KEY", "path": "app"}, "allow"),
    # ... a key file that is not hidden is
    ("claude-code", "Grep", {"pattern": "BEGIN", "path": "keys"}, "deny"),
    ("claude-code", "Grep", {"pattern": "BEGIN", "path": "keys", "glob": "*.py"}, "allow"),  # rg -g '*.py'
    ("claude-code", "Grep", {"pattern": "BEGIN", "path": "keys", "glob": "*.{py,key}"}, "deny"),  # {} unread
    ("gemini", "search_file_content", {"pattern": "API_KEY", "path": "app"}, "deny"),  # may read every file
])
def test_host_content_search_tools_are_tree_readers(workspace_with_env_file: Env, host: str, tool: str,
                                                    tool_input: dict[str, Any], expected: str) -> None:
    import json

    env = workspace_with_env_file
    policy = env.workspace / ".blastshield" / "policy.toml"
    policy.write_text(POLICY.replace('"**/.env",', '"**/.env", "**/*.key",'))
    (env.workspace / "keys").mkdir()
    (env.workspace / "keys" / "deploy.key").write_text("not a real key\n")
    event = "PreToolUse" if host == "claude-code" else "BeforeTool"
    payload = {"hook_event_name": event, "session_id": "s", "tool_name": tool, "tool_input": tool_input,
               "tool_use_id": "t1", "cwd": str(env.workspace)}
    result = env.hook(host, payload)
    text = result.stdout + result.stderr
    if expected == "deny":
        assert "deny" in text and "reads the files below" in text, text
        assert "search without it" in text and "Do not read that file another way." in text
    else:
        assert json.loads(result.stdout)["hookSpecificOutput"]["permissionDecision"] == "allow", text


def test_a_folder_too_big_to_search_is_never_judged_weaker_than_its_own_rule(
        workspace_with_env_file: Env) -> None:
    env = workspace_with_env_file
    policy = env.workspace / ".blastshield" / "policy.toml"
    policy.write_text(POLICY.replace('"**/.env",', '"**/.env", "${WORKSPACE}/private/**",'))
    (env.workspace / "private").mkdir()
    for n in range(6):
        (env.workspace / "private" / f"p{n}.txt").write_text("x\n")
    result = env.run("check", "--json", "--", "grep -rn TODO private",
                     extra_env={"BLASTSHIELD_TREE_READ_BUDGET": "2"})
    data = result.json()
    assert data["decision"] == "deny", data  # the folder's own deny rule, not the search's "ask"
    [effect] = [e for e in data["effects"] if e["kind"] == "read"]
    assert effect["rule"].endswith("'${WORKSPACE}/private/**'")


@pytest.mark.parametrize(("command", "expected"), [
    ("grep -R BEGIN .", "deny"),   # -R follows the link to ~/.ssh
    ("rg -L BEGIN", "deny"),       # so does rg --follow
    ("grep -r BEGIN .", "allow"),  # -r follows only links named on the command line
    ("rg BEGIN", "allow"),
    ("grep -r BEGIN keys", "deny"),  # named on the command line: the link is resolved first
    ("cp -rL . /tmp/copy", "deny"),  # cp -L, tar -h, rsync -L and -k follow links when told
    ("tar czhf /tmp/ws.tgz .", "deny"),
    ("rsync -aL . /tmp/backup/", "deny"),
    ("rsync -ak . /tmp/backup/", "deny"),
    ("zip -r /tmp/ws.zip .", "deny"),  # zip and scp -r follow them by default
    ("scp -r . backup.example:/srv/", "deny"),
    ("zip -ry /tmp/ws.zip .", "ask"),  # -y stores links as links (the write to /tmp asks)
    ("tar czf /tmp/ws.tgz .", "allow"),
    ("rsync -a . /tmp/backup/", "ask"),  # rsync is not on the allow list: no deny, though
])
def test_a_reader_that_follows_links_reads_their_targets(home_with_secrets: Env, command: str,
                                                         expected: str) -> None:
    env = home_with_secrets
    (env.workspace / "keys").symlink_to(env.home / ".ssh")
    data = check(env, command)
    assert data["decision"] == expected, data
    if expected == "deny" and "keys" not in command:
        reasons = [e["reason"] for e in data["effects"] if e["decision"] == "deny"]
        assert any(f"follows {env.workspace}/keys to {env.home}/.ssh" in reason for reason in reasons)


def test_links_are_followed_a_few_deep_and_never_in_a_loop(home_with_secrets: Env) -> None:
    env = home_with_secrets
    chain = env.workspace / "chain"
    chain.mkdir()
    (chain / "loop").symlink_to(chain)                   # a loop: judged once, then left
    (chain / "next").symlink_to(env.home / "notes")      # notes/ holds a link on to ~/.aws
    (env.home / "notes" / "cloud").symlink_to(env.home / ".aws")
    data = check(env, "grep -R secret chain")
    assert data["decision"] == "deny", data
    assert ".aws" in str(data)


@pytest.mark.parametrize(("command", "expected"), [
    ("rg BEGIN", "allow"),               # ripgrep leaves out what .gitignore names
    ("rg --no-ignore BEGIN", "deny"),
    ("rg -g '*.pem' BEGIN", "deny"),     # a -g glob brings certs.pem back, as in ripgrep
    ("grep -rn BEGIN .", "deny"),         # grep reads ignored files too
])
def test_ripgrep_leaves_out_what_gitignore_names(home_with_secrets: Env, command: str, expected: str) -> None:
    env = home_with_secrets
    policy = env.workspace / ".blastshield" / "policy.toml"
    policy.write_text(POLICY.replace('"**/.env",', '"**/.env", "**/*.pem",'))
    (env.workspace / ".gitignore").write_text("node_modules/\n*.pem\n")
    (env.workspace / "node_modules" / "pkg" / "test").mkdir(parents=True)
    (env.workspace / "node_modules" / "pkg" / "test" / "fixture.pem").write_text("not a real key\n")
    (env.workspace / "certs.pem").write_text("not a real key\n")
    data = check(env, command)
    assert data["decision"] == expected, data


@pytest.mark.parametrize("command", ["grep -R --exclude-dir=secret KEY .", "rg -L -g '!secret' KEY"])
def test_a_link_to_a_folder_the_filters_leave_out_is_followed_into_it(workspace_with_env_file: Env,
                                                                     command: str) -> None:
    env = workspace_with_env_file
    (env.workspace / "app" / ".env").unlink()
    (env.workspace / "secret").mkdir()
    (env.workspace / "secret" / "prod.env").write_text("KEY=1\n")
    policy = env.workspace / ".blastshield" / "policy.toml"
    policy.write_text(POLICY.replace('"**/.env",', '"**/.env", "**/*.env",'))
    assert check(env, command.replace(" -R", " -r").replace(" -L", ""))["decision"] != "deny"  # no link yet
    (env.workspace / "x").symlink_to(env.workspace / "secret")  # the reader follows x into secret/
    data = check(env, command)
    assert data["decision"] == "deny", data
    assert "prod.env" in str(data)
