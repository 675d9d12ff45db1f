"""Shared test helpers: an isolated HOME and git workspace, and the real CLI in a subprocess.

Import from here (``from bs_testenv import Env``), not from ``conftest``: several test
folders have their own conftest.py, so the name ``conftest`` is ambiguous.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


@dataclass
class Env:
    """An isolated user: HOME, a git workspace, and a runner for the real CLI."""

    home: Path
    workspace: Path
    environ: dict[str, str]

    def run(self, *args: str, stdin: str | bytes | None = None, cwd: Path | None = None,
            extra_env: dict[str, str] | None = None, timeout: float = 60) -> Result:
        env = dict(self.environ)
        if extra_env:
            env.update(extra_env)
        data = stdin.encode() if isinstance(stdin, str) else stdin
        proc = subprocess.run(
            [sys.executable, "-m", "blastshield", *args], input=data, capture_output=True,
            cwd=cwd or self.workspace, env=env, timeout=timeout, check=False,
        )
        return Result(proc.returncode, proc.stdout.decode(errors="replace"),
                      proc.stderr.decode(errors="replace"))

    def hook(self, host: str, payload: dict[str, Any] | str, **kw: Any) -> Result:
        text = payload if isinstance(payload, str) else json.dumps(payload)
        return self.run("hook", host, stdin=text, **kw)


def make_env(tmp: Path) -> Env:
    home = tmp / "home"
    workspace = tmp / "work" / "repo"
    home.mkdir(parents=True)
    workspace.mkdir(parents=True)
    environ = {
        "HOME": str(home),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "BLASTSHIELD_HOOK_SERVER": "0",  # hooks in-process; tests/hosts/test_hook_server.py turns it on
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }
    subprocess.run(["git", "init", "-q", str(workspace)], check=True, env=environ)
    return Env(home.resolve(), workspace.resolve(), environ)
