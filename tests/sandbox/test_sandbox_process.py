"""Processes inside `blastshield run`: no namespace, mount or ptrace escapes; exit status and
signals pass through; missing layers are named and refused; doctor reports every layer."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


def test_unshare_nsenter_mount_refused(env: Any, policy: Callable[[Path, str], Path],
                                       base_policy: str) -> None:
    policy(env.workspace, base_policy)
    script = ("unshare -U true || echo unshare-user-refused; "
              "unshare -r -m true || echo unshare-root-refused; "
              "nsenter -t 1 -m true || echo nsenter-refused; "
              "mount -t tmpfs none /mnt || echo mount-refused; "
              "mount -o remount,rw / || echo remount-refused; "
              "touch /probe || echo root-read-only")
    result = env.run("run", "--", "sh", "-c", script)
    for word in ("unshare-user-refused", "unshare-root-refused", "nsenter-refused", "mount-refused",
                 "remount-refused", "root-read-only"):
        assert word in result.stdout, result.stdout + result.stderr
    assert "unshare failed: Operation not permitted" in result.stderr


def test_ptrace_refused(env: Any, policy: Callable[[Path, str], Path], base_policy: str,
                        inside_python: str) -> None:
    policy(env.workspace, base_policy)
    script = ("import ctypes, os, subprocess\n"
              "libc = ctypes.CDLL(None, use_errno=True)\n"
              "child = subprocess.Popen(['sleep', '5'])\n"
              "rc = libc.ptrace(16, child.pid, None, None)\n"  # PTRACE_ATTACH
              "print('attach', rc, os.strerror(ctypes.get_errno()))\n"
              "rc = libc.ptrace(0, 0, None, None)\n"  # PTRACE_TRACEME
              "print('traceme', rc, os.strerror(ctypes.get_errno()))\n"
              "child.kill()\n")
    result = env.run("run", "--", inside_python, "-c", script)
    assert result.stdout.splitlines() == ["attach -1 Operation not permitted",
                                          "traceme -1 Operation not permitted"], result.stderr


@pytest.mark.parametrize("code", [0, 1, 42, 125])
def test_exit_status_passes_through(env: Any, policy: Callable[[Path, str], Path], base_policy: str,
                                    code: int) -> None:
    policy(env.workspace, base_policy)
    result = env.run("run", "--", "sh", "-c", f"exit {code}")
    assert result.code == code, result.stderr


def test_missing_command_is_127(env: Any, policy: Callable[[Path, str], Path], base_policy: str) -> None:
    policy(env.workspace, base_policy)
    result = env.run("run", "--", "no-such-program-xyz")
    assert result.code == 127
    assert "blastshield: cannot run 'no-such-program-xyz': No such file or directory" in result.stderr


def test_death_by_signal_passes_through(env: Any, policy: Callable[[Path, str], Path],
                                        base_policy: str) -> None:
    policy(env.workspace, base_policy)
    result = env.run("run", "--", "sh", "-c", "kill -TERM $$")
    assert result.code == -signal.SIGTERM  # the blastshield process itself died by SIGTERM


def _start(env: Any, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "blastshield", *args], cwd=env.workspace,
                            env=env.environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _wait_for(path: Path, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the sandboxed command never started"
        time.sleep(0.02)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_signals_reach_the_command(env: Any, policy: Callable[[Path, str], Path], base_policy: str,
                                   inside_python: str, sig: signal.Signals) -> None:
    policy(env.workspace, base_policy)
    script = ("import signal, sys, time, pathlib\n"
              "def stop(n, f):\n"
              "    pathlib.Path('got.txt').write_text(signal.Signals(n).name)\n"
              "    sys.exit(5)\n"
              "for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP): signal.signal(s, stop)\n"
              "pathlib.Path('ready.txt').write_text('ready')\n"
              "time.sleep(60)\n")
    proc = _start(env, "run", "--", inside_python, "-c", script)
    _wait_for(env.workspace / "ready.txt", proc)
    proc.send_signal(sig)
    proc.communicate(timeout=30)
    assert (env.workspace / "got.txt").read_text() == sig.name
    assert proc.returncode == 5


def test_sandbox_dies_with_its_parent(env: Any, policy: Callable[[Path, str], Path], base_policy: str,
                                      inside_python: str) -> None:
    policy(env.workspace, base_policy)
    script = ("import os, time, pathlib\n"
              "pathlib.Path('ready.txt').write_text(str(os.getpid()))\n"
              "time.sleep(3)\n"
              "pathlib.Path('survived.txt').write_text('still running')\n")
    proc = _start(env, "run", "--", inside_python, "-c", script)
    _wait_for(env.workspace / "ready.txt", proc)
    proc.kill()
    proc.communicate(timeout=30)
    time.sleep(3.5)
    assert not (env.workspace / "survived.txt").exists()


def test_no_policy_is_a_clear_error(env: Any) -> None:
    result = env.run("run", "--", "true")
    assert result.code == 3
    assert "no .blastshield/policy.toml at or above" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_bubblewrap_refuses_then_runs_weaker(env: Any, policy: Callable[[Path, str], Path],
                                                     base_policy: str, tmp_path: Path) -> None:
    policy(env.workspace, base_policy)
    bin_dir = tmp_path / "bin-without-bwrap"
    bin_dir.mkdir()
    for tool in ("sh", "cat", "env"):
        os.symlink(f"/bin/{tool}", bin_dir / tool)
    path_env = {"PATH": str(bin_dir)}
    refused = env.run("run", "--", "sh", "-c", "echo ran", extra_env=path_env)
    assert refused.code == 3
    assert "cannot enforce the whole policy here: without bubblewrap (bwrap not found on PATH)" \
        in refused.stderr
    assert "--allow-weaker" in refused.stderr
    assert "ran" not in refused.stdout
    outside = env.workspace.parent / "outside.txt"
    weaker = env.run("run", "--allow-weaker", "--", "sh", "-c",
                     f"echo ran; echo x > {outside}; echo y > inside.txt", extra_env=path_env)
    assert "running WITHOUT bubblewrap" in weaker.stderr
    assert "ran" in weaker.stdout
    assert not outside.exists()  # Landlock still holds
    assert (env.workspace / "inside.txt").read_text() == "y\n"


def test_doctor_lists_every_layer(env: Any) -> None:
    result = env.run("doctor", "--json")
    assert result.code == 0
    layers = {item["name"]: item for item in result.json()["layers"]}
    assert set(layers) == {"bubblewrap", "user-namespaces", "landlock", "seccomp"}
    assert all(item["available"] for item in layers.values())
    assert layers["landlock"]["detail"].startswith("Landlock ABI ")


def test_launcher_is_pid_1_and_the_one_asked_for(env: Any, policy: Callable[[Path, str], Path],
                                                base_policy: str, launcher: str) -> None:
    from blastshield.sandbox.launcher_build import COMPILERS

    if launcher == "compiled" and not any(os.access(c, os.X_OK) for c in COMPILERS):
        pytest.skip("no C compiler in /usr/bin or /bin: run uses the Python launcher")
    policy(env.workspace, base_policy)
    script = "tr '\\0' ' ' < /proc/1/cmdline; echo; grep Seccomp: /proc/1/status"
    result = env.run("run", "--", "sh", "-c", script)
    assert result.code == 0, result.stderr
    pid1, seccomp = result.stdout.splitlines()
    if launcher == "compiled":
        assert pid1.startswith("/run/blastshield-launcher --status-fd "), pid1
    else:
        assert " -I -S -B -c " in pid1 and "blastshield.sandbox.launcher" in pid1, pid1
    assert " --landlock " in pid1 and pid1.endswith(f" -- sh -c {script} "), pid1
    assert seccomp.split() == ["Seccomp:", "2"]  # the launcher itself runs under the filter (bwrap --seccomp)
