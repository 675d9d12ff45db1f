"""The parsed-TOML entries `run` keeps: used only for the exact bytes they came from."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from blastshield.errors import PolicyError
from blastshield.policy import tables
from blastshield.policy.load import load_policy

_POLICY = 'version = 1\n[commands]\nallow = ["git status"]\n[network]\nallow = ["pypi.org"]\n'


def _setup(tmp_path: Path) -> tuple[Path, Path]:
    policy = tmp_path / "ws" / ".blastshield" / "policy.toml"
    policy.parent.mkdir(parents=True)
    policy.write_text(_POLICY)
    cache = tmp_path / "cache"
    cache.mkdir()
    return policy, cache


def test_a_kept_entry_gives_the_same_policy_as_parsing(tmp_path: Path) -> None:
    policy, cache = _setup(tmp_path)
    fresh = load_policy(str(policy))
    first = load_policy(str(policy), tables_cache=str(cache))
    assert [p.name for p in cache.iterdir()] == [Path(tables.entry_path(str(cache), str(policy))).name]
    again = load_policy(str(policy), tables_cache=str(cache))
    assert fresh == first == again
    assert again.commands.allow[0].text == "git status" and again.digest == fresh.digest


def test_an_edited_policy_is_parsed_again_never_served_from_the_old_entry(tmp_path: Path) -> None:
    policy, cache = _setup(tmp_path)
    load_policy(str(policy), tables_cache=str(cache))
    policy.write_text(_POLICY.replace('"git status"', '"git log"'))
    edited = load_policy(str(policy), tables_cache=str(cache))
    assert [p.text for p in edited.commands.allow] == ["git log"]
    assert load_policy(str(policy), tables_cache=str(cache)) == edited
    policy.write_text(_POLICY + "[bogus]\n")  # every run validates: an entry never hides an error
    with pytest.raises(PolicyError, match="bogus: unknown key"):
        load_policy(str(policy), tables_cache=str(cache))
    with pytest.raises(PolicyError, match="bogus: unknown key"):
        load_policy(str(policy), tables_cache=str(cache))


def test_an_entry_for_other_bytes_or_a_damaged_entry_is_ignored(tmp_path: Path) -> None:
    policy, cache = _setup(tmp_path)
    entry = Path(tables.entry_path(str(cache), str(policy)))
    load_policy(str(policy), tables_cache=str(cache))
    head, _, payload = entry.read_bytes().partition(b"\n")
    digest, _, _ = payload.partition(b"\n")
    entry.write_bytes(entry.read_bytes().replace(digest, b"0" * 64))
    assert tables.cached(str(cache), str(policy), digest.decode()) is None
    assert load_policy(str(policy), tables_cache=str(cache)).commands.allow[0].text == "git status"
    entry.write_bytes(head + b"\n" + digest + b"\n" + b"\xff\x00 not marshal")
    assert tables.cached(str(cache), str(policy), digest.decode()) is None
    assert load_policy(str(policy), tables_cache=str(cache)).commands.allow[0].text == "git status"


def test_tables_marshal_cannot_hold_are_not_kept(tmp_path: Path) -> None:
    policy, cache = _setup(tmp_path)
    policy.write_text('version = 1\n[audit]\nstore = 1979-05-27\n')
    with pytest.raises(PolicyError, match=r"audit\.store: must be str"):
        load_policy(str(policy), tables_cache=str(cache))
    assert list(cache.iterdir()) == []


def test_a_kept_entry_spares_the_tomllib_import(tmp_path: Path) -> None:
    policy, cache = _setup(tmp_path)
    code = ("import sys; from blastshield.policy.load import load_policy; "
            f"load_policy({str(policy)!r}, tables_cache={str(cache)!r}); print('tomllib' in sys.modules)")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
            for _ in range(2)]
    assert [out.strip() for out in runs] == ["True", "False"]


def test_the_folder_keeps_only_the_newest_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tables, "MAX_ENTRIES", 3)
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "launcher-abc").write_text("not an entry")  # what else lives there is left alone
    paths = [str(tmp_path / f"ws{i}" / "policy.toml") for i in range(5)]
    for age, path in enumerate(paths):
        tables.store(str(cache), path, "0" * 64, {"version": 1})
        os.utime(tables.entry_path(str(cache), path), ns=(age * 10**9, age * 10**9))
    kept = sorted(p.name for p in cache.iterdir())
    expected = sorted([Path(tables.entry_path(str(cache), p)).name for p in paths[2:]] + ["launcher-abc"])
    assert kept == expected
    assert tables.cached(str(cache), paths[4], "0" * 64) == {"version": 1}
