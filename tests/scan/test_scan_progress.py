"""The progress bar: drawn on stderr only when stderr is a terminal, never mixed into stdout."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

from scan_helpers import write


def _tree(env, count: int = 30) -> None:
    for i in range(count):
        write(env.workspace, f"pkg/m{i}.txt", f"value {i}\n")


def test_progress_bar_on_a_terminal_stderr(env):
    _tree(env)
    master, slave = pty.openpty()
    try:
        proc = subprocess.run([sys.executable, "-m", "blastshield", "scan", "--format", "json"],
                              cwd=env.workspace, env=env.environ, stdout=subprocess.PIPE, stderr=slave,
                              timeout=60, check=False)
        os.close(slave)
        slave = -1
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
        if slave != -1:
            os.close(slave)
    stderr = b"".join(chunks).decode(errors="replace")
    assert proc.returncode == 0
    assert "scanning [" in stderr and "30/30 files" in stderr
    assert b"scanning" not in proc.stdout  # the JSON on stdout stays clean


def test_no_progress_bar_when_stderr_is_not_a_terminal(env):
    _tree(env)
    result = env.run("scan", "--format", "json")
    assert result.code == 0
    assert result.stderr == ""
