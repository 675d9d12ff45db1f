"""Granted against used, like a cloud IAM access analyzer.

Every effect the log holds is decided again against the policy in force, so usage is counted
per rule of *this* policy even when it changed since. Out come: allow rules never used, rules
much wider than their use (with the narrower form), risky grants, and the asks and denies by
frequency with the rule that would remove the most prompts safely. Plain data only.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from blastshield.effects import Effect, Verdict
from blastshield.learn.generalise import (
    DESTRUCTIVE,
    INFRASTRUCTURE,
    INTERPRETERS,
    NETWORK_TOOLS,
    SHELLS,
    TOOL_MODULES,
    WRAPPERS,
    Refusal,
    base_name,
    command_pattern,
    host_pattern,
    path_globs,
)
from blastshield.learn.observed import SeenAction, as_effect
from blastshield.learn.propose import path_context, suggestion_for
from blastshield.paths import expand, is_within
from blastshield.policy.decide import decide_effect
from blastshield.policy.match import split_command_pattern
from blastshield.policy.model import Pattern, Policy

#: Concrete secret paths a read grant must not reach (``~`` and ``${WORKSPACE}`` expand).
SECRET_SAMPLES = ("~/.ssh/id_ed25519", "~/.aws/credentials", "~/.config/gh/hosts.yml", "~/.kube/config",
                  "~/.docker/config.json", "~/.netrc", "~/.git-credentials",
                  "~/.gnupg/private-keys-v1.d/k.key", "${WORKSPACE}/.env", "~/.config/gcloud/credentials.db",
                  "~/.pypirc", "~/.npmrc")
_GRANTS = (("files", "read"), ("files", "write"), ("commands", "allow"), ("network", "allow"),
           ("mcp", "allow"))


@dataclass(frozen=True, slots=True)
class RuleNote:
    """One finding about one rule of the policy."""

    kind: str  # unused | wider | risky
    table: str
    key: str
    pattern: str
    message: str
    severity: str = "info"  # info | low | medium | high
    narrower: tuple[str, ...] = ()
    uses: int = 0

    @property
    def where(self) -> str:
        return f"[{self.table}].{self.key}"


@dataclass(frozen=True, slots=True)
class PromptGroup:
    """Tool calls that were asked (or denied), grouped by what would change that."""

    verdict: str
    count: int
    example: str
    fix: tuple[str, ...]  # rules that would allow every call of the group ("" = none is safe)
    why: str  # why it is safe to add, or why it must stay
    safe: bool


@dataclass
class ReviewReport:
    policy: str
    policy_hash: str
    mode: str
    actions: int
    sessions: int
    last_seq: int
    unused: list[RuleNote] = field(default_factory=list)
    wider: list[RuleNote] = field(default_factory=list)
    risky: list[RuleNote] = field(default_factory=list)
    prompts: list[PromptGroup] = field(default_factory=list)
    denies: list[PromptGroup] = field(default_factory=list)
    workspace: str = ""
    family_kept: int = 0  # unused rules that belong to a capability family in use


def review(policy: Policy, actions: list[SeenAction], *, last_seq: int = 0) -> ReviewReport:
    report = ReviewReport(policy.path, policy.digest, policy.mode.value, len(actions),
                          len({a.session for a in actions}), last_seq, workspace=policy.workspace)
    used = _usage(policy, actions)
    kept = _family_members_in_use(policy, used)
    for table, key in _GRANTS:
        for pattern in _patterns(policy, table, key):
            targets = used.get((table, key, pattern.index), [])
            if not targets and table == "commands" and pattern.shown in kept:
                report.family_kept += 1
            elif not targets:
                report.unused.append(RuleNote("unused", table, key, pattern.shown,
                                              "never used: a candidate to remove"))
                continue
            narrower = _narrower(policy, table, pattern, targets)
            if narrower:
                report.wider.append(RuleNote(
                    "wider", table, key, pattern.shown,
                    f"used {len(targets)}x, only as {', '.join(narrower)}", "low", tuple(narrower),
                    len(targets)))
    report.risky = risky_grants(policy)
    report.prompts, report.denies = _prompts(policy, actions)
    return report


def _patterns(policy: Policy, table: str, key: str) -> tuple[Pattern, ...]:
    if table == "files":
        return policy.files.read if key == "read" else policy.files.write
    rules = {"commands": policy.commands, "network": policy.network, "mcp": policy.mcp}[table]
    return rules.allow


def _family_members_in_use(policy: Policy, used: dict[tuple[str, str, int], list[str]]) -> set[str]:
    """Members of the capability families the policy's [files] grants or a used member unlock."""
    from blastshield.learn.families import command_families
    from blastshield.learn.tracked import granted_whole, workspace_tree
    from blastshield.paths import home_dir

    tree = workspace_tree(policy.workspace, home_dir())
    writes = [p.text for p in policy.files.write]
    reads = [p.text for p in policy.files.read] + writes
    used_commands = {p.shown for p in policy.commands.allow if used.get(("commands", "allow", p.index))}
    names = command_families(used_commands, granted_whole(tree, policy.workspace, reads, writing=False),
                             granted_whole(tree, policy.workspace, writes, writing=True), policy.workspace)
    return {member for members in names.values() for member in members}


def _usage(policy: Policy, actions: Iterable[SeenAction]) -> dict[tuple[str, str, int], list[str]]:
    used: dict[tuple[str, str, int], list[str]] = {}
    for action in actions:
        for seen in action.effects:
            effect = as_effect(seen)
            if effect is None:
                continue
            decided = decide_effect(policy, effect)
            rule = decided.rule
            if rule is None or rule.file != policy.path or rule.index is None:
                continue
            if decided.verdict is Verdict.ALLOW:
                used.setdefault((rule.table, rule.key, rule.index), []).append(seen.target)
    return used


def _narrower(policy: Policy, table: str, pattern: Pattern, targets: list[str]) -> list[str]:
    """The learned form of what ``pattern`` was used for, when strictly narrower than it."""
    if table == "commands":
        learned = {command_pattern(tuple(t.split())) for t in targets}
        if any(isinstance(item, Refusal) for item in learned):
            return []
        rule = split_command_pattern(pattern.text)
        forms = sorted(str(item) for item in learned)
        if rule[-1:] == ("*",) and all(len(split_command_pattern(f)) > len(rule) for f in forms):
            return forms
        return []
    if table == "files":
        ctx = path_context(policy)
        globs = path_globs(targets, ctx)
        base = pattern.text[:-3] if pattern.text.endswith("/**") else None
        if base is None or globs == [pattern.shown]:
            return []
        expanded = [expand(g, policy.workspace, ctx.home) for g in globs]
        if all(is_within(g[:-3] if g.endswith("/**") else g, base) and g != pattern.text for g in expanded):
            return globs
        return []
    if table == "network" and ("*" in pattern.text or "/" in pattern.text):
        hosts = {host_pattern(t) for t in targets}
        if any(isinstance(h, Refusal) for h in hosts):
            return []
        return sorted(str(h) for h in hosts)
    return []


def risky_grants(policy: Policy) -> list[RuleNote]:
    """Allow rules that reach further than a coding agent should without a person looking."""
    notes: list[RuleNote] = []
    for pattern in policy.commands.allow:
        note = _risky_command(pattern)
        if note is not None:
            notes.append(note)
    ctx = path_context(policy)
    for key, patterns in (("write", policy.files.write),):
        for pattern in patterns:
            base = pattern.text[:-3] if pattern.text.endswith("/**") else pattern.text
            in_temp = any(is_within(base, t) for t in ctx.temp_roots) and not is_within(base, ctx.home)
            inside = is_within(base, policy.workspace) or in_temp
            if not inside:
                notes.append(RuleNote("risky", "files", key, pattern.shown,
                                      "writes outside the workspace", "high"))
    reached: dict[tuple[str, str, str], list[str]] = {}
    for sample in SECRET_SAMPLES:
        path = expand(sample, policy.workspace, ctx.home)
        decided = decide_effect(policy, Effect.read(path))
        rule = decided.rule
        if decided.verdict is Verdict.ALLOW and rule is not None and rule.index is not None:
            reached.setdefault((rule.table, rule.key, rule.pattern), []).append(sample)
    for (table, key, shown), samples in reached.items():
        notes.append(RuleNote("risky", table, key, shown,
                              f"lets the agent read secrets: {', '.join(samples)}", "high"))
    for pattern in policy.network.allow:
        if "*" in pattern.text or "/" in pattern.text or _is_ip(pattern.text):
            notes.append(RuleNote("risky", "network", "allow", pattern.shown,
                                  "network wildcard: every matching host is reachable", "high"
                                  if pattern.text in ("*", "0.0.0.0/0", "::/0") else "medium"))
    for pattern in policy.mcp.allow:
        if "*" in pattern.text.partition(":")[2] or pattern.text.startswith("*"):
            notes.append(RuleNote("risky", "mcp", "allow", pattern.shown,
                                  "MCP wildcard: tools added to the server later are allowed too", "medium"))
    for table, rules in (("commands", policy.commands), ("network", policy.network), ("mcp", policy.mcp)):
        if rules.default is Verdict.ALLOW:
            notes.append(RuleNote("risky", table, "default", "allow",
                                  "default allow: anything no rule names is allowed", "high"))
    if policy.files.default is Verdict.ALLOW:
        notes.append(RuleNote("risky", "files", "default", "allow",
                              "default allow: any path no rule names is readable and writable", "high"))
    unique: dict[tuple[str, str, str, str], RuleNote] = {}
    for note in notes:
        unique.setdefault((note.table, note.key, note.pattern, note.message), note)
    order = {"high": 0, "medium": 1, "low": 2, "info": 3}
    return sorted(unique.values(), key=lambda n: (order[n.severity], n.table, n.pattern))


def _risky_command(pattern: Pattern) -> RuleNote | None:
    tokens = split_command_pattern(pattern.text)
    if not tokens:
        return None
    program = base_name(tokens[0])
    if "*" in tokens[0] or "?" in tokens[0] or re.search(r"\[.+\]", tokens[0]):
        return RuleNote("risky", "commands", "allow", pattern.shown, "matches any program", "high")
    if program in INTERPRETERS:
        if len(tokens) >= 3 and tokens[1] == "-m" and tokens[2] in TOOL_MODULES and tokens[2] != "pip":
            return None
        if tokens[1:] in (("--version",), ("-V",)):
            return None
        return RuleNote("risky", "commands", "allow", pattern.shown,
                        "interpreter: runs any code the agent writes", "high")
    for group, what, severity in ((NETWORK_TOOLS, "network tool: reaches any host", "high"),
                                  (DESTRUCTIVE, "destructive command", "high"),
                                  (INFRASTRUCTURE, "controls containers, clusters or cloud accounts", "high"),
                                  (SHELLS, "shell: the command it runs is judged too, but the grant"
                                   " invites obfuscation", "medium"),
                                  (WRAPPERS, "wrapper: the wrapped command is judged too", "low")):
        if program in group:
            return RuleNote("risky", "commands", "allow", pattern.shown, what, severity)
    return None


def _is_ip(text: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(text.rpartition(":")[0] if text.count(":") == 1 else text)
    except ValueError:
        return False
    return True


def _prompts(policy: Policy, actions: list[SeenAction]) -> tuple[list[PromptGroup], list[PromptGroup]]:
    groups: dict[tuple[str, tuple[str, ...], str], list[SeenAction]] = {}
    reasons: dict[tuple[str, tuple[str, ...], str], str] = {}
    ctx = path_context(policy)
    for action in actions:
        if action.decision not in ("ask", "deny") or _allowed_now(policy, action):
            continue
        fix, why = suggestion_for(action, policy, ctx)
        key = (action.decision, fix, "" if fix else why)
        groups.setdefault(key, []).append(action)
        reasons[key] = why
    asked: list[PromptGroup] = []
    denied: list[PromptGroup] = []
    for key, members in groups.items():
        verdict, fix, _ = key
        group = PromptGroup(verdict, len(members), members[0].summary, fix, reasons[key], bool(fix))
        (asked if verdict == "ask" else denied).append(group)
    asked.sort(key=lambda g: (not g.safe, -g.count, g.example))
    denied.sort(key=lambda g: (-g.count, g.example))
    return asked, denied


def _allowed_now(policy: Policy, action: SeenAction) -> bool:
    """True when the policy in force would now allow every effect (the prompt is already gone)."""
    for seen in action.effects:
        effect = as_effect(seen)
        if effect is None or seen.by_analysis or decide_effect(policy, effect).verdict is not Verdict.ALLOW:
            return False
    return True


def review_keys(report: ReviewReport) -> set[str]:
    """Stable names of the findings, to tell what is new since the last review."""
    keys = {f"{n.kind}|{n.where}|{n.pattern}" for n in (*report.unused, *report.wider, *report.risky)}
    return keys


def short_path(path: str) -> str:
    return os.path.relpath(path) if os.path.isabs(path) else path
