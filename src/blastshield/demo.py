"""`blastshield demo`: the whole story on a bundled example, in a throwaway repository.

Two recorded Claude Code sessions (real hook payloads, bundled as JSONL in data/demo/) are
replayed through the real `blastshield hook claude-code`, one process per hook call, as
Claude Code would run it: first in learn mode, then, after `learn --write`, in enforce mode
with a prompt injection in the second session. Then the scanner, `log verify`, `review` and
the HTML report. Every step runs the real CLI in a subprocess with a throwaway HOME; the
replay performs the file edits the agent made (so the scanner sees them) but never runs a
recorded shell command. No network.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from importlib import resources
from typing import Any

BOLD, DIM, RED, YELLOW, GREEN, RESET = "\033[1m", "\033[2m", "\033[31m", "\033[33m", "\033[32m", "\033[0m"
_AGENT_MARKERS = ("CLAUDECODE", "CLAUDE_PROJECT_DIR", "GEMINI_CLI", "GEMINI_PROJECT_DIR", "CODEX_THREAD_ID",
                  "BLASTSHIELD_SANDBOX")
_AGENT_PREFIXES = ("CLAUDE_CODE_", "CURSOR_", "CODEX_SANDBOX")

#: The demo repository's files (data/demo/repo.json): a buggy cart, a test, and an issue text that
#: carries a prompt injection aimed at the agent.
REPO_FILES = "repo.json"


class DemoRun:
    def __init__(self, root: str, color: bool) -> None:
        self.root = root
        self.home = os.path.realpath(os.path.join(root, "home"))
        self.repo = os.path.realpath(os.path.join(root, "shop"))
        self.color = color
        env = {k: v for k, v in os.environ.items()
               if k not in _AGENT_MARKERS and not k.startswith(_AGENT_PREFIXES)}
        self.env = {**env, "HOME": self.home, "GIT_CONFIG_NOSYSTEM": "1", "NO_COLOR": "1",
                    "GIT_AUTHOR_NAME": "demo", "GIT_AUTHOR_EMAIL": "demo@example.invalid",
                    "GIT_COMMITTER_NAME": "demo", "GIT_COMMITTER_EMAIL": "demo@example.invalid"}

    def paint(self, text: str, code: str) -> str:
        return f"{code}{text}{RESET}" if self.color else text

    def say(self, text: str) -> None:
        print(f"\n{BOLD}== {text}{RESET}" if self.color else f"\n== {text}", flush=True)

    def cli(self, *args: str, stdin: str | None = None, show: bool = True, tty: bool = False,
            keep: int = 0) -> subprocess.CompletedProcess[str]:
        """Run ``blastshield ARGS``; ``tty`` gives it a terminal on stdin (the person's side);
        ``keep`` > 0 prints only that many lines of output."""
        argv = [sys.executable, "-m", "blastshield", *args]
        if show:
            shown = "blastshield " + " ".join(shlex.quote(a) for a in args)
            print(self.paint(f"$ {shown}", DIM), flush=True)
        if tty:
            proc = _run_on_tty(argv, self.repo, self.env)
        else:
            proc = subprocess.run(argv, input=stdin, text=True, capture_output=True, cwd=self.repo,
                                  env=self.env, check=False, timeout=120)
        if show:
            lines = (proc.stdout + proc.stderr).splitlines()
            if keep and len(lines) > keep:
                lines = [*lines[:keep], f"   ... ({len(lines) - keep} more lines)"]
            sys.stdout.write("".join(f"  {line}\n" for line in lines))
            sys.stdout.flush()
        return proc

    def setup(self) -> None:
        os.makedirs(os.path.join(self.home, ".aws"))
        with open(os.path.join(self.home, ".aws", "credentials"), "w", encoding="utf-8") as handle:
            handle.write("[default]\naws_access_key_id = demo-not-a-real-key\n")
        files = json.loads(resources.files("blastshield").joinpath("data", "demo", REPO_FILES)
                           .read_text(encoding="utf-8"))
        for name, text in files.items():
            path = os.path.join(self.repo, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
        subprocess.run(["git", "init", "-q", self.repo], check=True, env=self.env)

    def payloads(self, name: str) -> list[dict[str, Any]]:
        text = resources.files("blastshield").joinpath("data", "demo", name).read_text(encoding="utf-8")
        text = text.replace("${WORKSPACE}", self.repo).replace("${HOME}", self.home)
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def replay(self, name: str) -> dict[str, int]:
        """Send a recorded session to the hook, as Claude Code would; returns decision counts."""
        counts = {"allow": 0, "ask": 0, "deny": 0}
        decided: dict[str, str] = {}
        env_before = self.env.get("CLAUDE_PROJECT_DIR")
        self.env["CLAUDE_PROJECT_DIR"] = self.repo
        try:
            for payload in self.payloads(name):
                event = payload["hook_event_name"]
                use = str(payload.get("tool_use_id") or "")
                if event == "PostToolUse" and decided.get(use) == "deny":
                    continue  # the tool never ran
                if event == "PostToolUse":
                    self._perform(payload)
                proc = self.cli("hook", "claude-code", stdin=json.dumps(payload), show=False)
                reply: dict[str, Any] = json.loads(proc.stdout or "{}")
                if event == "PreToolUse":
                    out = reply.get("hookSpecificOutput", {})
                    verdict = str(out.get("permissionDecision", "deny"))
                    decided[use] = verdict
                    counts[verdict] = counts.get(verdict, 0) + 1
                    self._show(payload, verdict, str(out.get("permissionDecisionReason", "")))
                elif event == "PostToolUse" and reply.get("decision") == "block":
                    print(self.paint('        PostToolUse → the hook answers {"decision": "block"}:', RED))
                    for line in str(reply.get("reason", "")).splitlines():
                        print(f"          {line}")
        finally:
            if env_before is None:
                self.env.pop("CLAUDE_PROJECT_DIR", None)
        return counts

    def _perform(self, payload: dict[str, Any]) -> None:
        """Make the file change the tool made (Write, Edit), so later steps see it."""
        tool, data = payload.get("tool_name"), payload.get("tool_input") or {}
        path = str(data.get("file_path") or "")
        if not path.startswith(self.repo + os.sep):
            return
        if tool == "Write":
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(str(data.get("content", "")))
        elif tool == "Edit" and os.path.isfile(path):
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
            with open(path, "w", encoding="utf-8") as handle:
                old, new = str(data.get("old_string", "")), str(data.get("new_string", ""))
                handle.write(text.replace(old, new, 1))

    def _show(self, payload: dict[str, Any], verdict: str, reason: str) -> None:
        data = payload.get("tool_input") or {}
        what = next((str(data[k]) for k in ("command", "file_path", "url", "pattern") if data.get(k)), "")
        what = what.replace(self.repo + "/", "").replace(self.home, "~")
        colour = {"allow": GREEN, "ask": YELLOW, "deny": RED}.get(verdict, RED)
        line = f"  {self.paint(verdict.upper() if verdict != 'allow' else verdict, colour):<5}  " \
               f"{payload.get('tool_name')}: {what}"
        print(line)
        if verdict != "allow" or " mode: would " in reason:
            note = reason.replace(self.repo + "/", "").replace(self.home, "~")
            print(self.paint(f"         {note[:170]}", DIM))


def _run_on_tty(argv: list[str], cwd: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run with a pseudo-terminal on stdin: `learn --write` is for a person at a terminal."""
    import pty

    primary, secondary = pty.openpty()
    try:
        proc = subprocess.run(argv, stdin=secondary, text=True, capture_output=True, cwd=cwd, env=env,
                              check=False, timeout=120)
    finally:
        os.close(secondary)
        os.close(primary)
    return proc


def run_demo(keep: bool = False, report: str = "") -> int:
    root = tempfile.mkdtemp(prefix="blastshield-demo-")
    demo = DemoRun(root, sys.stdout.isatty() and not os.environ.get("NO_COLOR"))
    report_path = os.path.abspath(report or os.path.join(".demo", "blastshield-report.html"))
    try:
        demo.setup()
        demo.say("1. A repository gets blastshield, in learn mode (allow everything, record everything)")
        demo.cli("init", "--host", "claude-code", "--mode", "learn", keep=2)
        demo.say("2. Session 1, recorded: the agent fixes a bug"
                 " (replayed through `blastshield hook claude-code`)")
        counts = demo.replay("session-1-learn.jsonl")
        print(f"  {sum(counts.values())} tool calls, all allowed in learn mode and recorded in the log")
        demo.say("3. blastshield proposes the least privilege that would have allowed exactly that")
        demo.cli("learn", keep=28)
        demo.say("4. The person (at a terminal, not the agent) writes it and switches to enforce")
        _write_step(demo)
        demo.say("5. Session 2: docs/issue-42.md carries a prompt injection; the hook enforces the policy")
        counts = demo.replay("session-2-enforce.jsonl")
        print(f"  {counts['allow']} allowed, {counts['ask']} asked, {counts['deny']} denied")
        demo.say("6. The code the agent wrote, scanned (findings also went back to the agent above)")
        demo.cli("scan", "shop")
        demo.say("7. The flight recorder proves it was not edited")
        demo.cli("log", "verify")
        demo.say("8. Review: what is granted against what was used")
        demo.cli("review", keep=30)
        demo.say("9. One self-contained HTML report")
        os.makedirs(os.path.dirname(report_path), exist_ok=True)
        demo.cli("report", "--html", report_path)
        print(f"\nOpen {report_path} in a browser." + (f"\nDemo repository: {demo.repo}" if keep else ""))
        return 0
    finally:
        if not keep:
            shutil.rmtree(root, ignore_errors=True)


def _write_step(demo: DemoRun) -> subprocess.CompletedProcess[str]:
    print(demo.paint("$ blastshield learn --write --mode enforce        # on the person's terminal", DIM))
    proc = demo.cli("learn", "--write", "--mode", "enforce", tty=True, show=False)
    lines = (proc.stdout + proc.stderr).splitlines()
    print("".join(f"  {line}\n" for line in lines[-1:]), end="")
    print(demo.paint("$ blastshield learn --write        # the same, from the agent's shell", DIM))
    refused = demo.cli("learn", "--write", show=False)
    print(f"  {refused.stderr.strip()}")
    return proc
