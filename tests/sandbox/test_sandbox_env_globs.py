"""[env] pass and deny globs decide what fnmatchcase decides, glob by glob (plain names and globs whose only
wildcard is * without fnmatch); the credential check decides what its regexes decide."""

from __future__ import annotations

import fnmatch

from blastshield.policy.model import EnvRules, Pattern
from blastshield.sandbox.env import filter_environment

_NAMES = ["PATH", "HOME", "LANG", "LC_ALL", "LC_", "MY_TOKEN", "GITHUB_TOKEN_X", "A_SECRET_B", "AWS_REGION",
          "XAWS_Y", "TERM", "TERM2", "EDITOR", "LD_PRELOAD", "FOO_BAR_BAZ", "FOO[1]", "F", "path", "DB_PASS"]
_PASS = ["PATH", "HOME", "LANG", "LC_*", "TERM?", "*_BAR_*", "FOO[[]1]", "F*O*O*", "[A-Z]", "DB_PASS"]
_DENY = ["*_TOKEN", "*SECRET*", "AWS_*", "*_*_*Z"]


def _rules(passes: list[str], deny: list[str]) -> EnvRules:
    return EnvRules(pass_=tuple(Pattern(text, "env", "pass", i) for i, text in enumerate(passes)),
                    deny=tuple(Pattern(text, "env", "deny", i) for i, text in enumerate(deny)))


def test_each_name_is_kept_exactly_when_a_pass_glob_and_no_deny_glob_matches() -> None:
    environ = {name: "plain value" for name in _NAMES}
    result = filter_environment(environ, _rules(_PASS, _DENY))
    expected = {name for name in _NAMES
                if any(fnmatch.fnmatchcase(name, glob) for glob in _PASS)
                and not any(fnmatch.fnmatchcase(name, glob) for glob in _DENY)}
    assert set(result.kept) == expected
    assert {"PATH", "LC_ALL", "TERM2", "FOO[1]", "F", "DB_PASS"} <= expected
    why = dict(result.dropped)
    assert why["MY_TOKEN"] == "matches [env] deny" and why["FOO_BAR_BAZ"] == "matches [env] deny"
    assert why["TERM"] == "not in [env] pass" and why["path"] == "not in [env] pass"


def test_a_wildcard_pass_still_drops_what_looks_like_a_credential() -> None:
    environ = {"LC_API_KEY": "x", "LC_URL": "https://user:hunter2@example.org/", "LC_ALL": "C.UTF-8"}
    result = filter_environment(environ, _rules(["LC_*"], []))
    assert result.kept == {"LC_ALL": "C.UTF-8"}
    assert {name for name, _ in result.dropped} == {"LC_API_KEY", "LC_URL"}
    named = filter_environment({"DB_PASS": "s3cret"}, _rules(["DB_PASS"], []))
    assert named.kept == {"DB_PASS": "s3cret"}  # named exactly: the person chose to pass it


def test_generated_globs_decide_what_fnmatchcase_decides() -> None:
    import random

    from blastshield.sandbox.env import NameGlobs

    rng = random.Random(7)
    atoms = ["A", "B", "_", "*", "AB", "**", "?", "[AB]", "[!A]"]
    matched = 0
    for _ in range(3000):
        glob = "".join(rng.choice(atoms) for _ in range(rng.randint(1, 6)))
        globs = NameGlobs([glob])
        for _ in range(10):
            name = "".join(rng.choice("AB_") for _ in range(rng.randint(0, 7)))
            assert globs.match(name) is fnmatch.fnmatchcase(name, glob), (glob, name)
            matched += globs.match(name)
    assert matched > 1000


def test_the_credential_check_without_a_regex_first_agrees_with_the_regexes() -> None:
    import random
    import re

    from blastshield.sandbox import env

    def by_regex(name: str, value: str) -> bool:
        return bool(re.search(env._CREDENTIAL_NAME, name, re.IGNORECASE)
                    or re.search(env._CREDENTIAL_VALUE, value))

    rng = random.Random(3)
    name_atoms = ["LC_", "ALL", "TOKEN", "token", "Pass", "WORD", "_KEY", "KEY_", "PAT", "_DSN", "AWS_", "X",
                  "_", "sEcReT", "HF_", "PGPASS", "AUTH", "\u017fecret", "K\u212aEY"]
    value_atoms = ["x", "ghp_", "a" * 20, "AKIA", "B" * 16, "xoxb-", "sk-", "https://", "u:p@", "host",
                   "-----BEGIN ", "RSA ", "PRIVATE KEY", " ", "/"]
    hits = 0
    for _ in range(20000):
        name = "".join(rng.choice(name_atoms) for _ in range(rng.randint(1, 3)))
        value = "".join(rng.choice(value_atoms) for _ in range(rng.randint(0, 4)))
        assert env.looks_like_credential(name, value) is by_regex(name, value), (name, value)
        hits += by_regex(name, value)
    assert hits > 2000
