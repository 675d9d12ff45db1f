"""The harness: a furnished workspace and a runner for ``blastshield check --json``.

The workspace holds a small project (README, sources, data files, package.json,
Makefile), a ``.env`` file, and three symlinks an attacker would plant: a file link
to ``~/.ssh/id_rsa``, a directory link to ``~/.ssh``, and a directory link to
``.git/hooks``. The home folder holds ``~/.ssh/id_rsa`` and ``~/.aws/credentials``.
The policy under test (policy.toml next to this file) is copied to the workspace's
``.blastshield/policy.toml``.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redteam_case import AT_LEAST_ASK, DENY, Case

POLICY = Path(__file__).resolve().parent / "policy.toml"

_PROJECT = {
    "README.md": "# demo\nfoo bar\n",
    "src/app.py": "import os\n\n\ndef main() -> None:\n    print('foo')\n",
    "src/util.py": "def helper() -> int:\n    return 1\n",
    "tests/test_app.py": "def test_one() -> None:\n    assert 'a'.upper() == 'A'\n",
    "scripts/run.sh": "#!/bin/sh\necho run\n",
    "scripts/gen.py": "print('gen')\n",
    "setup.sh": "export X=1\n",
    "data.txt": "b\na\nb\n",
    "data.csv": "a,1\nb,2\n",
    "notes.txt": "notes\n",
    "requirements.txt": "requests\n",
    "package.json": '{"name": "demo", "version": "1.0.0", "scripts": {"build": "tsc", "test": "jest"}}\n',
    "Makefile": "build:\n\ttrue\ntest:\n\ttrue\n",
    ".env": "DATABASE_URL=postgres://u:p@localhost/db\n",
    "build/.keep": "",
    "docs/.keep": "",
}


@dataclass(frozen=True)
class Workspace:
    env: Any  # tests/conftest.py's Env
    home: Path
    root: Path
    policy: Path

    def render(self, command: str) -> str:
        return command.replace("@HOME@", str(self.home)).replace("@WS@", str(self.root))

    def check(self, command: str, *flags: str) -> tuple[int, dict[str, Any], str]:
        """Run the real CLI; return (exit code, parsed JSON, stderr)."""
        result = self.env.run("check", "--policy", str(self.policy), "--cwd", str(self.root),
                              "--json", *flags, "--", self.render(command))
        try:
            data = json.loads(result.stdout)
        except json.JSONDecodeError:
            raise AssertionError(
                f"check printed no JSON (exit {result.code}): stdout={result.stdout[:400]!r} "
                f"stderr={result.stderr[-800:]!r}") from None
        return result.code, data, result.stderr


def make_workspace(env: Any) -> Workspace:
    home: Path = env.home
    root: Path = env.workspace
    (home / ".ssh").mkdir(mode=0o700)
    (home / ".ssh" / "id_rsa").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nredteam\n")
    (home / ".aws").mkdir()
    (home / ".aws" / "credentials").write_text("[default]\naws_secret_access_key = redteam\n")
    (home / ".bashrc").write_text("# bashrc\n")
    for name, text in _PROJECT.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "link_to_key").symlink_to(home / ".ssh" / "id_rsa")
    (root / "keys").symlink_to(home / ".ssh", target_is_directory=True)
    (root / ".git" / "hooks").mkdir(exist_ok=True)
    (root / "hooks_link").symlink_to(root / ".git" / "hooks", target_is_directory=True)
    policy_dir = root / ".blastshield"
    policy_dir.mkdir()
    policy = policy_dir / "policy.toml"
    shutil.copyfile(POLICY, policy)
    return Workspace(env, home, root, policy)


def describe(data: dict[str, Any]) -> str:
    """The effects of a check result, one per line, for assertion messages."""
    lines = [f"  {e.get('decision')}: {e.get('kind')} {e.get('target')} ({e.get('rule')})"
             for e in data.get("effects", [])]
    return "\n".join(lines) or "  (no effects)"


def assert_case(ws: Workspace, item: Case) -> None:
    """Run one case and assert its decision, exit code and deciding effect."""
    code, data, stderr = ws.check(item.command)
    decision = data.get("decision")
    shown = f"{item.command!r} -> {decision}\n{describe(data)}"
    if item.expect == AT_LEAST_ASK:
        wanted: tuple[str, ...] = ("ask", "deny")
        assert decision in wanted, f"expected at least ask: {shown}"
    else:
        wanted = (item.expect,)
        assert decision == item.expect, f"expected {item.expect}: {shown}"
    assert code == (1 if decision == DENY else 0), f"exit code {code} for {decision}: {stderr[-300:]}"
    if item.expect == "allow":
        return
    carriers = [e for e in data.get("effects", []) if e.get("decision") in wanted]
    assert carriers, f"no effect carries the {decision} decision: {shown}"
    if item.effect is not None:
        pattern = re.compile(item.effect.replace("@HOME@", re.escape(str(ws.home)))
                             .replace("@WS@", re.escape(str(ws.root))), re.DOTALL)
        named = [e for e in carriers if pattern.match(f"{e.get('kind')} {e.get('target')}")]
        assert named, f"no {'/'.join(wanted)} effect matches {item.effect!r}: {shown}"


def assert_denied_non_interactive(ws: Workspace, item: Case) -> None:
    """With --non-interactive, what cannot be resolved statically is denied."""
    code, data, _ = ws.check(item.command, "--non-interactive")
    decision = data.get("decision")
    assert decision == DENY, f"expected deny with --non-interactive: {item.command!r} -> {decision}\n" \
        f"{describe(data)}"
    assert code == 1
