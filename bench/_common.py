"""Shared helpers for the bench scripts: a throwaway workspace and percentile math."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence

PY = sys.executable


def percentile(values: Sequence[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def workspace(files: dict[str, str] | None = None, *,
              init_args: Sequence[str] = ()) -> tuple[str, dict[str, str]]:
    """A fresh git repo with `blastshield init` done, and an environment with its own HOME."""
    root = tempfile.mkdtemp(prefix="bs-bench-")
    home = os.path.join(root, "home")
    repo = os.path.join(root, "repo")
    os.makedirs(home)
    os.makedirs(repo)
    for name, text in (files or {"pyproject.toml": "[project]\nname = 'bench'\n"}).items():
        path = os.path.join(repo, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    env = {**os.environ, "HOME": home}
    subprocess.run(["git", "init", "-q", repo], check=True, env=env)
    subprocess.run([PY, "-m", "blastshield", "init", *init_args], cwd=repo, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return os.path.realpath(repo), env


def time_process(argv: Sequence[str], stdin: bytes | None, cwd: str, env: dict[str, str]) -> float:
    """Wall time of one whole process, in milliseconds."""
    start = time.perf_counter()
    subprocess.run(argv, input=stdin, cwd=cwd, env=env, check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - start) * 1000


def compile_package() -> None:
    """Write fresh .pyc files first: with PYTHONDONTWRITEBYTECODE set, every hook process would
    otherwise recompile changed modules and the figures would measure the compiler."""
    import compileall

    import blastshield

    compileall.compile_dir(os.path.dirname(blastshield.__file__), quiet=1)


SERVER_MODULE = "blastshield.hosts.hook_server"


def server_pids(runtime: str) -> list[int]:
    marker = f"XDG_RUNTIME_DIR={runtime}".encode()
    found = []
    for entry in os.listdir("/proc"):
        try:
            if not entry.isdigit():
                continue
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                if SERVER_MODULE.encode() not in cmdline.read():
                    continue
            with open(f"/proc/{entry}/environ", "rb") as envs:
                if marker in envs.read().split(b"\0"):
                    found.append(int(entry))
        except OSError:
            continue
    return found


def wait_for_servers(runtime: str, count: int, timeout: float = 120.0) -> None:
    folder = os.path.join(runtime, "blastshield")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        logs = [os.path.join(folder, n) for n in os.listdir(folder) if n.endswith(".log")] \
            if os.path.isdir(folder) else []
        serving = 0
        for path in logs:
            with open(path, encoding="utf-8") as handle:
                serving += handle.read().count(" serving ")
        if serving >= count:
            return
        time.sleep(0.05)
    raise SystemExit(f"hook server did not start within {timeout:.0f} s (see {folder}/*.log)")


def installed_hook(workspace: str) -> list[str]:
    """The hook command exactly as `blastshield init` registered it in .claude/settings.json."""
    import json
    import shlex

    with open(os.path.join(workspace, ".claude", "settings.json"), encoding="utf-8") as handle:
        settings = json.load(handle)
    return shlex.split(settings["hooks"]["PreToolUse"][0]["hooks"][0]["command"])
