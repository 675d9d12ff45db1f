"""`blastshield init`: write the policy, register the host hook (idempotent)."""

from __future__ import annotations

import os
import re
import shlex
import sys

from blastshield.effects import Mode
from blastshield.errors import UsageError
from blastshield.hosts import get_adapter
from blastshield.policy.load import POLICY_DIR, POLICY_FILE, load_policy
from blastshield.policy.template import detect, render


def hook_command(host: str, policy_path: str) -> str:
    """The command a host runs: the venv's interpreter on blastshield's entry file, no shell shim.

    The entry file, not ``-m blastshield``: ``-m`` imports runpy (with importlib.util,
    contextlib, collections ...), a third of a warm hook call's time. ``-P`` keeps the
    package's own folder off ``sys.path``, so its modules never shadow top-level ones.
    """
    import blastshield

    entry = os.path.join(os.path.dirname(os.path.abspath(blastshield.__file__)), "__main__.py")
    return (f"{shlex.quote(sys.executable)} -P {shlex.quote(entry)} hook {host} "
            f"--policy {shlex.quote(policy_path)}")


def init_repository(directory: str, host: str, mode: str | None, *, force: bool = False) -> list[str]:
    workspace = os.path.realpath(directory)
    if not os.path.isdir(workspace):
        raise UsageError(f"--dir {directory}: not a directory", hint="pass the repository folder")
    adapter = get_adapter(host)
    policy_path = os.path.join(workspace, POLICY_DIR, POLICY_FILE)
    os.makedirs(os.path.dirname(policy_path), exist_ok=True)
    done: list[str] = []
    if os.path.exists(policy_path) and not force:
        if mode is not None:
            _set_mode(policy_path, Mode(mode))
            done.append(f"{POLICY_DIR}/{POLICY_FILE}: kept, mode set to {mode}")
        else:
            done.append(f"{POLICY_DIR}/{POLICY_FILE}: kept (use --force to rewrite it)")
    else:
        profile = detect(workspace)
        with open(policy_path, "w", encoding="utf-8") as handle:
            handle.write(render(profile, Mode(mode or "enforce")))
        langs = ", ".join(profile.languages) or "no language detected"
        done.append(f"{POLICY_DIR}/{POLICY_FILE}: written ({langs}; "
                    f"{len(profile.test_commands)} test/build commands allowed; mode {mode or 'enforce'})")
    policy = load_policy(policy_path)  # prove the policy loads before wiring the hook to it
    done += adapter.install(workspace, hook_command(host, policy.path))
    done.append(f"next: review {POLICY_DIR}/{POLICY_FILE}; try `blastshield check -- 'git push'`")
    return done


def uninstall_repository(directory: str, host: str) -> list[str]:
    workspace = os.path.realpath(directory)
    lines = get_adapter(host).uninstall(workspace)
    lines.append(f"{POLICY_DIR}/ kept (policy and audit log); delete it yourself if you want")
    return lines


def _set_mode(path: str, mode: Mode) -> None:
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    new, count = re.subn(r'(?m)^mode\s*=\s*"[a-z]*"', f'mode = "{mode.value}"', text, count=1)
    if count == 0:
        new = re.sub(r"(?m)^(version\s*=.*)$", rf'\1\nmode = "{mode.value}"', text, count=1)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(new)
