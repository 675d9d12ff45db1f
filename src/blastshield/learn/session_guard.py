"""Refuse to grant permissions from inside an agent session.

`blastshield learn --write` changes the policy. It must be run by a person, in their own
terminal, never by the agent the policy governs. This is defence in depth: the policy file is
also a built-in protection that no agent tool call can write, and the hook denies it; this
guard catches the agent running blastshield itself through its shell tool.

What is detected (any one refuses):
- variables agent hosts set for the commands and hooks they run: ``CLAUDECODE``,
  ``CLAUDE_CODE_*``, ``CLAUDE_PROJECT_DIR`` (Claude Code), ``CURSOR_*`` (Cursor),
  ``GEMINI_CLI``, ``GEMINI_PROJECT_DIR`` (Gemini CLI), ``CODEX_SANDBOX*``, ``CODEX_THREAD_ID``
  (Codex); names that end in ``_API_KEY``/``_TOKEN``/``_KEY`` are credentials people export
  in their own shells, not session markers, and are ignored;
- ``BLASTSHIELD_SANDBOX`` (set inside `blastshield run`);
- standard input that is not a terminal (agents run commands without one).
"""

from __future__ import annotations

from collections.abc import Mapping

EXACT = ("CLAUDECODE", "CLAUDE_PROJECT_DIR", "GEMINI_CLI", "GEMINI_PROJECT_DIR", "CODEX_THREAD_ID",
         "BLASTSHIELD_SANDBOX")
PREFIXES = ("CLAUDE_CODE_", "CURSOR_", "CODEX_SANDBOX")
_CREDENTIAL_SUFFIXES = ("_API_KEY", "_TOKEN", "_KEY", "_SECRET")


def agent_markers(environ: Mapping[str, str]) -> list[str]:
    """Names of the variables that say "an agent (or the sandbox) is running this"."""
    found = [name for name in EXACT if environ.get(name)]
    for name, value in environ.items():
        if value and name.startswith(PREFIXES) and not name.endswith(_CREDENTIAL_SUFFIXES):
            found.append(name)
    return sorted(set(found))


def refusal(environ: Mapping[str, str], stdin_is_tty: bool) -> str:
    """Why writing must be refused here ("" when this looks like a person at a terminal)."""
    markers = agent_markers(environ)
    if markers:
        return (f"this looks like an agent session or the sandbox ({', '.join(markers)} set): an agent"
                " must not grant itself permissions")
    if not stdin_is_tty:
        return "standard input is not a terminal (agents run commands without one)"
    return ""
