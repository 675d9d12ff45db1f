"""The search for anywhere-globs in the user's trees finds what path_matches finds, rule by rule."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from blastshield.policy.builtin import PROTECTIONS
from blastshield.policy.fswalk import entries, walk
from blastshield.policy.match import path_matches

_FILES = (".env", "a/.env.local", "a/b/id_rsa", "a/b/id_rsa.pub", "k.pem", "src/x.key", ".git/config",
          ".git/hooks/pre-commit", ".claude/settings.json", ".claude/settings.local.json", "sub/.bashrc",
          "sub/.codex/x", ".blastshield/policy.toml", "sub/.blastshield/audit.db-wal", "docs/readme.md",
          "deep/1/2/3/.envrc", "deep/.env.prod", "deny-me/.git/config", "x[1].pem", "sp ace/.env")
_DENY = ["**/.env", "**/.env.*", "**/*.pem", "**/*.key", "**/id_rsa*", "**/deny-me/**", "**/[d]oc?/*.md"]


def _tree(root: Path) -> Path:
    for rel in _FILES:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    return root


def _first(rules: list[tuple[str, str]], path: str, is_dir: bool) -> tuple[str, str] | None:
    for rule in rules:
        if path_matches(rule[0], path) or (is_dir and path_matches(rule[0], path + "/")):
            return rule
    return None


def test_walk_picks_the_first_matching_rule_of_each_list_like_path_matches(tmp_path: Path) -> None:
    root = str(_tree(tmp_path / "ws"))
    deny = [(glob, "deny") for glob in _DENY]
    protect = [(glob, protection.id) for protection in PROTECTIONS for glob in protection.patterns
               if glob.startswith("**")]
    found, complete = walk([root], (deny, protect), budget=10_000)
    assert complete
    for rules, hits in zip((deny, protect), found, strict=True):
        expected = [(path, rule) for path, is_dir in entries([root])
                    if (rule := _first(rules, path, is_dir)) is not None]
        assert hits == expected
    by_path = {path[len(root):]: rule[0] for path, rule in found[0]}
    assert by_path["/.env"] == "**/.env" and by_path["/deep/.env.prod"] == "**/.env.*"
    assert by_path["/deny-me"] == "**/deny-me/**" and by_path["/x[1].pem"] == "**/*.pem"
    assert by_path["/docs/readme.md"] == "**/[d]oc?/*.md" and "/deep/1/2/3/.envrc" not in by_path
    protected = {path[len(root):]: rule[1] for path, rule in found[1]}
    assert protected["/.git/hooks"] == "git-hooks" and protected["/deny-me/.git/config"] == "git-hooks"
    assert protected["/.claude/settings.local.json"] == "host-config"


def test_a_walk_over_budget_still_returns_what_it_found(tmp_path: Path) -> None:
    root = str(_tree(tmp_path / "ws"))
    found, complete = walk([root], ([("**/*", "all")],), budget=3)
    assert not complete
    assert len(found[0]) == 3


def test_a_glob_the_regex_engine_refuses_fails_the_plan_instead_of_matching_nothing(tmp_path: Path) -> None:
    root = str(_tree(tmp_path / "ws"))
    with pytest.raises(re.error):
        walk([root], ([("**/.env", "a"), ("**/[z-a]", "b")],), budget=100)
