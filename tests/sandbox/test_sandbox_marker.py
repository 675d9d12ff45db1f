"""Inside `blastshield run`, BLASTSHIELD_SANDBOX=1 is set, and `learn --write` refuses under it."""

from __future__ import annotations

import shutil

import pytest

from bs_testenv import Env


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap is not installed")
def test_sandbox_sets_the_marker(env: Env) -> None:
    assert env.run("init").code == 0
    marker = env.run("run", "--", "sh", "-c", 'echo "marker=$BLASTSHIELD_SANDBOX"')
    assert marker.code == 0, marker.stderr
    assert marker.stdout.strip() == "marker=1"


def test_learn_write_refuses_under_the_marker(env: Env) -> None:
    assert env.run("init", "--mode", "learn").code == 0
    refused = env.run("learn", "--write", extra_env={"BLASTSHIELD_SANDBOX": "1"})
    assert refused.code != 0
    assert "BLASTSHIELD_SANDBOX" in refused.stderr
    assert not (env.workspace / ".blastshield" / "policy.toml.previous").exists()
