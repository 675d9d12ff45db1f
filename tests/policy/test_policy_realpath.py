"""paths.real_path (realpath's walk without its bookkeeping) gives exactly os.path.realpath's answer,
and the CLI judges new files behind symlinks and dangling symlinks by where they lead."""

from __future__ import annotations

import json
import os
from pathlib import Path

from blastshield.paths import real_path, resolve
from bs_testenv import Env


def _tree(root: Path) -> Path:
    """Folders, files and every kind of link that realpath treats specially."""
    (root / "a" / "b").mkdir(parents=True)
    (root / "a" / "b" / "file.txt").write_text("x")
    (root / "secret").mkdir()
    (root / "secret" / "key").write_text("k")
    os.symlink(root / "secret", root / "a" / "to_secret")  # absolute link to a folder
    os.symlink("../secret/key", root / "a" / "to_key")  # relative link to a file
    os.symlink(root / "secret" / "not-yet", root / "a" / "dangling")  # target does not exist
    os.symlink("loop2", root / "a" / "loop1")
    os.symlink("loop1", root / "a" / "loop2")
    os.symlink("b/..", root / "a" / "up")  # a link whose target climbs
    os.symlink("/", root / "a" / "root")
    os.mkfifo(root / "a" / "fifo")  # must be resolved without being opened (would block)
    return root


def test_real_path_equals_realpath_on_every_shape(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    names = [
        "a", "a/b", "a/b/file.txt", "a/b/file.txt/x", "a/b/new.txt", "a/new/new.txt",
        "a/new/deeper/new.txt", "a/n1/n2/n3/n4/n5.txt", "a/to_secret", "a/to_secret/key",
        "a/to_secret/new", "a/to_secret/new/deeper", "a/to_key", "a/to_key/x", "a/dangling",
        "a/dangling/x", "a/loop1", "a/loop1/x", "a/up", "a/up/b/file.txt", "a/up/to_key",
        "a/root", "a/root/etc", "a/fifo", "a/b/.", "a/b/..", "a/b/../to_key", "a/new/../to_key",
        "a/new/../b/file.txt", "a//b//file.txt", "a/b/", "a/to_secret/", "a/./b/new",
        "a/b/new\n.txt", "a/b/ new .txt",
    ]
    for name in names:
        path = str(root / name) if not name.endswith("/") else str(root / name) + "/"
        assert real_path(path) == os.path.realpath(path), name
    for path in ("/", "/tmp", "/etc/passwd", "/no/such/thing", "/proc/self/cwd", "/proc/self/root/etc"):
        assert real_path(path) == os.path.realpath(path), path


def test_links_are_followed_afresh_each_time(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    (root / "work").mkdir()
    link = root / "work" / "out"
    os.symlink(root / "a" / "b", link)
    assert resolve("out/log.txt", str(root / "work"), str(root)) == str(root / "a" / "b" / "log.txt")
    link.unlink()
    os.symlink(root / "secret", link)  # the same name now leads somewhere else
    assert resolve("out/log.txt", str(root / "work"), str(root)) == str(root / "secret" / "log.txt")


POLICY = """\
version = 1
[files]
read = ["${WORKSPACE}/**"]
write = ["${WORKSPACE}/**"]
deny = ["~/.ssh/**"]
default = "ask"
"""


def _write_call(env: Env, path: str) -> dict[str, object]:
    policy = env.workspace / ".blastshield" / "policy.toml"
    policy.parent.mkdir(exist_ok=True)
    policy.write_text(POLICY)
    payload = {"hook_event_name": "PreToolUse", "session_id": "s", "cwd": str(env.workspace),
               "tool_name": "Write", "tool_input": {"file_path": path, "content": "x\n"}}
    file = env.workspace.parent / "payload.json"
    file.write_text(json.dumps(payload))
    result = env.run("check", "--json", "--tool-call", str(file))
    assert result.code in (0, 1), result.stderr
    data: dict[str, object] = result.json()
    return data


def test_new_file_behind_a_folder_link_is_judged_where_it_lands(env: Env) -> None:
    (env.home / ".ssh").mkdir()
    os.symlink(env.home / ".ssh", env.workspace / "keys")
    data = _write_call(env, "keys/authorized_keys")
    assert data["decision"] == "deny"
    effects = data["effects"]
    assert isinstance(effects, list)
    assert effects[0]["target"] == str(env.home / ".ssh" / "authorized_keys")
    assert "'~/.ssh/**'" in effects[0]["rule"]


def test_dangling_link_is_judged_by_the_file_it_would_create(env: Env) -> None:
    (env.home / ".ssh").mkdir()
    os.symlink(env.home / ".ssh" / "authorized_keys", env.workspace / "notes.txt")
    data = _write_call(env, "notes.txt")
    assert data["decision"] == "deny"
    effects = data["effects"]
    assert isinstance(effects, list)
    assert effects[0]["target"] == str(env.home / ".ssh" / "authorized_keys")


def test_plain_new_workspace_file_is_allowed(env: Env) -> None:
    data = _write_call(env, "src/new_module.py")
    assert data["decision"] == "allow"
    effects = data["effects"]
    assert isinstance(effects, list)
    assert effects[0]["target"] == str(env.workspace.resolve() / "src" / "new_module.py")


def test_path_list_prefilter_picks_the_same_rule_as_the_ordered_walk() -> None:
    from blastshield.policy.match import path_index, path_matches
    from blastshield.policy.model import Pattern

    texts = ["**/.env", "**/.env.*", "/home/u/.ssh/**", "**/*.pem", "**/id_rsa*", "/etc/shadow",
             "/w/**", "**", "/w/src/*.py", "**/.git/hooks/**", "/w/[!a]x/**", "/w/?.txt", "**x"]
    patterns = tuple(Pattern(text, "files", "deny", i) for i, text in enumerate(texts))
    paths = ["/w/.env", "//w/.env", ".env", "a/.env.local", "/home/u/.ssh/id_rsa", "/x/k.pem",
             "/w/src/a.py", "/w/src/sub/a.py", "/etc/shadow", "/etc/passwd", "/w/.git/hooks/pre",
             "/w/bx/y", "/w/ax/y", "/w/a.txt", "/", "", "///x", "relx", "/w/src/a.py\n"]
    for count in range(len(patterns) + 1):
        subset = patterns[count:]  # every suffix, so each pattern gets to be the first hit
        index = path_index(subset)
        for path in paths:
            expected = next((p for p in subset if path_matches(p.text, path)), None)
            assert index.first(path) is expected, (count, path)
