"""Effect → verdict. Precedence deny > ask > allow > default; an action takes its strictest."""

from __future__ import annotations

import os

from blastshield.effects import (
    UNREAD_EXTRA,
    UNREAD_OPTIONS,
    Action,
    Decision,
    Effect,
    EffectDecision,
    Kind,
    Mode,
    RuleRef,
    Verdict,
)
from blastshield.paths import is_within, resolve
from blastshield.policy.builtin import catastrophic_delete, protected_below, protection_for, unreadable_below
from blastshield.policy.globs import literal_prefix
from blastshield.policy.match import (
    PathIndex,
    command_chain,
    glob_matches,
    host_matches,
    path_index,
    program_name,
    split_command_pattern,
)
from blastshield.policy.model import FileRules, ListRules, Pattern, Policy

TYPE_CHECKING = False  # the tree filter is imported where a tree read is judged
if TYPE_CHECKING:
    from blastshield.policy.treefilter import TreeFilter

_Match = tuple[Verdict, Pattern | None]

#: Programs that, given a folder, read the files below it (grep and cp need -r, zip -r: without
#: it they only fail, so judging them as tree readers costs nothing). A read of a folder by one
#: of them reaches whatever a deny rule or a built-in protection names inside that folder.
TREE_READERS = frozenset({"grep", "egrep", "fgrep", "rg", "ag", "ack", "ack-grep", "tar", "bsdtar", "zip",
                          "7z", "7za", "cp", "rsync", "scp", "rclone", "git-grep", "rg --hidden",
                          "ag --hidden", "diff -r", "jq -L", "find -exec"})
#: Tree readers that leave out hidden files and folders (``.env``, ``.ssh/``) unless told otherwise
#: (the shell analysis then names them ``rg --hidden``); the hosts' Grep tools run ripgrep so.
SKIPS_HIDDEN = frozenset({"rg", "ag"})


def decide(policy: Policy, action: Action, *, extra_protected: tuple[str, ...] = ()) -> Decision:
    """Decide a whole action. An action with no effects is allowed (nothing happens)."""
    results = tuple([decide_effect(policy, e, extra_protected=extra_protected)
                     for e in action.effects])
    verdict = Verdict.ALLOW
    for item in results:
        if item.verdict is not verdict:
            verdict = verdict.stricter(item.verdict)
    applied = verdict if policy.mode is Mode.ENFORCE else Verdict.ALLOW
    return Decision(verdict, applied, policy.mode, results, policy.digest)


def decide_effect(policy: Policy, effect: Effect, *,
                  extra_protected: tuple[str, ...] = ()) -> EffectDecision:
    if effect.path is not None:
        resolved = resolve(effect.path, effect.cwd or policy.workspace, policy.workspace)
        effect = Effect(effect.kind, resolved, effect.argv, effect.cwd, resolved, effect.host,
                        effect.port, effect.server, effect.tool, effect.floor, effect.floor_reason,
                        effect.floor_form, effect.origin, effect.filters)
        builtin = _builtin(policy, effect, extra_protected)
        if builtin is not None:
            return builtin
        if effect.kind is Kind.READ and effect.origin in TREE_READERS:
            below = _unread_options(policy, effect, extra_protected) if UNREAD_OPTIONS[0] in \
                {kind for kind, _ in effect.filters} else _tree_read(policy, effect, extra_protected)
            if below is not None:  # never weaker than what the policy says of the folder itself
                return below if below.verdict.rank >= _by_policy(policy, effect)[0].rank else \
                    _decided(policy, effect)
    return _decided(policy, effect)


def _unread_options(policy: Policy, effect: Effect, extra: tuple[str, ...]) -> EffectDecision | None:
    """A tree read whose reader has an argument the analysis cannot read (``effects.UNREAD_OPTIONS``):
    judged as the analysis saw it, and at its widest (were the argument ``--hidden``, ``-L`` or an
    ``--include``): deny when the read as seen is denied, ask when only the widest one would be."""
    seen_filters = tuple(item for item in effect.filters if item[0] != UNREAD_OPTIONS[0])
    seen = None if UNREAD_EXTRA in effect.filters else \
        _tree_read(policy, effect.replace(filters=seen_filters), extra)
    if seen is not None and seen.verdict is Verdict.DENY:
        return seen
    name = effect.origin.split()[0]
    widest = _tree_read(policy, effect.replace(origin=f"{name} --hidden" if name in SKIPS_HIDDEN else name,
                                               filters=(("follow", str(WIDEST_FOLLOW)),)), extra)
    if widest is None or widest.verdict is Verdict.ALLOW:
        return seen
    asked = EffectDecision(effect, Verdict.ASK, widest.rule,
                           f"{name} has an argument blastshield cannot read, which may be an option "
                           f"(such as --hidden, -L or --include); with it, {widest.reason}; write its "
                           "options and patterns out (no $(...) or variables in them) to be judged exactly")
    return asked if seen is None or seen.verdict.rank < Verdict.ASK.rank else seen


def _decided(policy: Policy, effect: Effect) -> EffectDecision:
    """What the policy's rules (and the analysis's floor) say of one effect."""
    verdict, pattern = _by_policy(policy, effect)
    rule, reason = _explained(policy, effect.kind, verdict, pattern)
    floor = effect.floor
    if floor is Verdict.ALLOW:
        return EffectDecision(effect, verdict, rule, reason)
    if floor.rank > verdict.rank and not _lifts_floor(effect, verdict, pattern):
        return EffectDecision(effect, floor, None, effect.floor_reason)
    if floor is verdict and effect.floor_reason:  # (floor is not allow here)
        reason = f"{effect.floor_reason}; {reason}"
    return EffectDecision(effect, verdict, rule, reason)


def _builtin(policy: Policy, effect: Effect, extra: tuple[str, ...]) -> EffectDecision | None:
    if effect.path is None or effect.kind not in (Kind.READ, Kind.WRITE, Kind.DELETE):
        return None
    writing = effect.kind is not Kind.READ
    if effect.kind is Kind.DELETE and catastrophic_delete(effect.path, policy.workspace):
        ref = RuleRef("builtin", "protected", "catastrophic-delete")
        return EffectDecision(effect, Verdict.DENY, ref,
                              "deleting /, the home folder or the workspace is never allowed")
    hit = protection_for(effect.path, writing=writing, workspace=policy.workspace,
                         extra=(policy.path, *extra))
    if hit is None:
        return _folder_holding_protected(policy, effect, extra) if writing else None
    protection, pattern = hit
    ref = RuleRef("builtin", "protected", protection.id, pattern=pattern)
    return EffectDecision(effect, Verdict.DENY, ref,
                          f"built-in protection: {protection.doc} cannot be changed by the agent")


def _folder_holding_protected(policy: Policy, effect: Effect,
                              extra: tuple[str, ...]) -> EffectDecision | None:
    """Deleting, moving or writing into a folder as a whole (``mv .claude x``, ``rm -r .git``,
    ``cp evil/config .git/``) changes what it holds: denied when that includes something a
    built-in protection covers; asked when the folder is too big to search."""
    folder = effect.path or ""
    if not os.path.isdir(folder) or os.path.islink(folder):
        return None
    hit, path, complete = protected_below(folder, policy.workspace, (policy.path, *extra), _tree_budget())
    if hit is not None:
        protection, pattern = hit
        ref = RuleRef("builtin", "protected", protection.id, pattern=pattern)
        return EffectDecision(effect, Verdict.DENY, ref,
                              f"built-in protection: {folder} holds {path}, and {protection.doc} cannot "
                              "be changed by the agent; name the files inside it instead")
    if not complete:
        return EffectDecision(effect, Verdict.ASK, RuleRef("builtin", "protected", "too-big-to-search"),
                              f"{folder} holds too many entries to check for protected files; "
                              "name the files inside it instead")
    return None


def _tree_budget() -> int:
    try:
        return int(os.environ.get("BLASTSHIELD_TREE_READ_BUDGET", TREE_READ_BUDGET))
    except ValueError:
        return TREE_READ_BUDGET


#: Entries a tree reader's folder may hold before the search for deny globs inside it gives up
#: (the read then asks); ``BLASTSHIELD_TREE_READ_BUDGET`` overrides it.
TREE_READ_BUDGET = 20_000
#: How many links deep a read judged at its widest follows (as the shell analysis's readers do).
WIDEST_FOLLOW = 4


def _tree_read(policy: Policy, effect: Effect, extra: tuple[str, ...]) -> EffectDecision | None:
    """A tree reader given a folder that holds something denied: deny (``grep -r . ~`` reads
    ``~/.ssh``, ``grep -r KEY .`` reads ``./app/.env``). Rules anchored to a path below the folder
    count whether or not the path exists; globs that can match below it (``**/.env``,
    ``${WORKSPACE}/**/*.pem``) count when the folder holds a match, found by searching it; a reader
    that follows symbolic links (``grep -R``) reads their targets too. A folder too big to search
    asks."""
    from blastshield.policy.treefilter import TreeFilter

    folder = effect.path or ""
    if not os.path.isdir(folder):
        return None
    hit = unreadable_below(folder, policy.workspace)
    if hit is not None:
        protection, text = hit
        ref = RuleRef("builtin", "protected", protection.id, pattern=text)
        return EffectDecision(effect, Verdict.DENY, ref, f"{effect.origin} reads the files below {folder}, "
                              f"including {protection.doc} ({text}), which the agent may not read")
    inside, searched = _denied_below(policy.files.deny, folder)
    if inside is not None:
        rule, reason = _explained(policy, Kind.READ, Verdict.DENY, inside)
        return EffectDecision(effect, Verdict.DENY, rule, f"{effect.origin} reads the files below "
                              f"{folder}, including {inside.text}: {reason}")
    only = TreeFilter(effect.filters, skip_hidden=effect.origin in SKIPS_HIDDEN)
    if not searched and not only.follows:
        return None
    return _search_below(policy, effect, folder, searched, only, extra)


_BELOW: dict[tuple[int, str], tuple[tuple[Pattern, ...], Pattern | None, list[tuple[str, Pattern]]]] = {}


def _denied_below(deny: tuple[Pattern, ...], folder: str) -> tuple[Pattern | None, list[tuple[str, Pattern]]]:
    """The first deny rule anchored to a path inside ``folder`` (it denies the read whether or not
    the path exists), else the deny globs that can match below it (to be searched for). Kept per
    rule list and folder: it depends on nothing else."""
    key = (id(deny), folder)
    found = _BELOW.get(key)
    if found is not None and found[0] is deny:
        return found[1], found[2]
    inside: Pattern | None = None
    searched: list[tuple[str, Pattern]] = []
    for pattern in deny:
        if pattern.text.startswith("**"):
            searched.append((pattern.text, pattern))
            continue
        prefix, rest = literal_prefix(pattern.text)
        if prefix != folder and is_within(prefix, folder):
            inside = pattern
            break
        if rest not in ("", "**") and is_within(folder, prefix):
            searched.append((pattern.text, pattern))
    if len(_BELOW) >= 1024:
        _BELOW.clear()
    _BELOW[key] = (deny, inside, searched)
    return inside, searched


def _search_below(policy: Policy, effect: Effect, folder: str, searched: list[tuple[str, Pattern]],
                  only: TreeFilter, extra: tuple[str, ...]) -> EffectDecision | None:
    """Deny when ``folder`` holds a path one of the ``searched`` deny globs matches; ask when it
    holds too many entries to tell; judge the targets of the links a following reader meets."""
    from blastshield.policy.fswalk import find_first

    budget = _tree_budget()
    links: list[str] | None = [] if only.follows else None
    found, complete = find_first([folder], searched, budget, only, links)
    if found is not None:
        path, (_, pattern) = found
        rule, reason = _explained(policy, Kind.READ, Verdict.DENY, pattern)
        name = os.path.basename(path)
        comply = ("select files with -type f -name PATTERN, or search narrower folders"
                  if effect.origin == "find -exec" else
                  f"search without it (grep --exclude={name}, rg -g '!{name}') or in narrower folders")
        return EffectDecision(effect, Verdict.DENY, rule, f"{effect.origin} reads the files below "
                              f"{folder}, including {path} ({pattern.text}): {reason}; {comply}")
    if not complete:
        first = searched[0][1] if searched else None
        ref = _explained(policy, Kind.READ, Verdict.DENY, first)[0] if first is not None else None
        names = ", ".join(text for text, _ in searched) or "symbolic links to follow"
        return EffectDecision(effect, Verdict.ASK, ref, f"{effect.origin} reads the files below {folder}, "
                              f"more than {budget} entries: too many to check for what [files] deny "
                              f"names ({names}); name a smaller folder")
    return _through_links(policy, effect, folder, links or [], only, extra)


#: Symbolic links a following reader may meet below one folder before the read asks.
MAX_LINKS = 64


def _through_links(policy: Policy, effect: Effect, folder: str, links: list[str], only: TreeFilter,
                   extra: tuple[str, ...]) -> EffectDecision | None:
    """The strictest judgement of the link targets a following reader (``grep -R``) reads, as reads
    of their own (a folder's with one link fewer to follow)."""
    worst: EffectDecision | None = None
    for count, link in enumerate(links):
        if count == MAX_LINKS:
            return EffectDecision(effect, Verdict.ASK, worst.rule if worst else None,
                                  f"{effect.origin} follows more than {MAX_LINKS} symbolic links below "
                                  f"{folder}: too many to judge; name a smaller folder")
        target = os.path.realpath(link)
        within = is_within(target, folder)
        if within and not only:
            continue  # searched already, as part of the folder, with nothing left out
        # A target inside the folder may be what the reader's filters hid from the search
        # (`--exclude-dir=secret` with `x -> secret`): judged with nothing left out, no links followed.
        filters = () if within else only.followed(effect.filters)
        inner = decide_effect(policy, Effect.read(target, cwd=folder, origin=effect.origin, filters=filters),
                              extra_protected=extra)
        if inner.verdict is not Verdict.ALLOW and (worst is None or inner.verdict.rank > worst.verdict.rank):
            worst = EffectDecision(effect, inner.verdict, inner.rule,
                                   f"{effect.origin} follows {link} to {target}: {inner.reason}")
            if inner.verdict is Verdict.DENY:
                return worst
    return worst


def narrows(item: EffectDecision) -> bool:
    """Is ``item`` a tree reader denied for something inside its folder? (A search that leaves that
    out is fine: the hosts tell the agent so, instead of "do not retry".)"""
    return item.verdict is Verdict.DENY and item.effect.kind is Kind.READ and \
        item.effect.origin in TREE_READERS and " reads the files below " in item.reason


def _by_policy(policy: Policy, effect: Effect) -> _Match:
    kind = effect.kind
    if kind in (Kind.READ, Kind.WRITE, Kind.DELETE):
        return _files(policy, effect)
    if kind is Kind.EXEC:
        return _first_command(policy.commands, effect.argv)
    if kind is Kind.NET:
        return _first(policy.network,
                      lambda p: host_matches(p, effect.host or "", effect.port))
    if kind is Kind.MCP:
        return _first(policy.mcp, lambda p: glob_matches(p, effect.target))
    return _env(policy, effect.target)


def _first_command(rules: ListRules, argv: tuple[str, ...]) -> _Match:
    """Like ``_first`` for command patterns, looking only at patterns for this program."""
    if not argv:
        return rules.default, None
    found = command_chain(rules).first((program_name(argv[0]), *argv[1:]))
    if found is None:
        return rules.default, None
    return found


def _first(rules: ListRules, test: object) -> _Match:
    assert callable(test)
    for verdict, patterns in ((Verdict.DENY, rules.deny), (Verdict.ASK, rules.ask),
                              (Verdict.ALLOW, rules.allow)):
        for pattern in patterns:
            if test(pattern.text):
                return verdict, pattern
    return rules.default, None


def _files(policy: Policy, effect: Effect) -> _Match:
    files = policy.files
    chain = _file_chain(files, effect.kind is Kind.READ)
    path = effect.path or ""
    for verdict, index in chain:
        pattern = index.first(path)
        if pattern is not None:
            return verdict, pattern
    return files.default, None


_CHAINS: dict[tuple[int, bool], tuple[FileRules, tuple[tuple[Verdict, PathIndex], ...]]] = {}


def _file_chain(files: FileRules, reading: bool) -> tuple[tuple[Verdict, PathIndex], ...]:
    """deny, ask, then the granting lists (reads: read, then write, since writing implies
    reading), each with its pre-filter; empty lists left out. Built once per policy."""
    key = (id(files), reading)
    cached = _CHAINS.get(key)
    if cached is not None and cached[0] is files:
        return cached[1]
    lists = [(Verdict.DENY, files.deny), (Verdict.ASK, files.ask)]
    if reading:
        lists.append((Verdict.ALLOW, files.read))
    lists.append((Verdict.ALLOW, files.write))
    chain = tuple((verdict, path_index(patterns)) for verdict, patterns in lists if patterns)
    if len(_CHAINS) > 64:
        _CHAINS.clear()
    _CHAINS[key] = (files, chain)
    return chain


def _env(policy: Policy, name: str) -> _Match:
    for pattern in policy.env.deny:
        if glob_matches(pattern.text, name):
            return Verdict.DENY, pattern
    for pattern in policy.env.pass_:
        if glob_matches(pattern.text, name):
            return Verdict.ALLOW, pattern
    return policy.env.default, None


def _lifts_floor(effect: Effect, verdict: Verdict, pattern: Pattern | None) -> bool:
    """An allow rule that names the risky form literally lifts an ``ask`` floor."""
    if verdict is not Verdict.ALLOW or pattern is None or effect.floor is not Verdict.ASK:
        return False
    if effect.floor_form is None or effect.kind is not Kind.EXEC:
        return False
    return effect.floor_form in split_command_pattern(pattern.text)


_TABLE_OF = {Kind.READ: "files", Kind.WRITE: "files", Kind.DELETE: "files",
             Kind.EXEC: "commands", Kind.NET: "network", Kind.MCP: "mcp", Kind.ENV: "env"}


def _ref(policy: Policy, kind: Kind, pattern: Pattern | None) -> RuleRef:
    if pattern is None:
        return RuleRef(policy.path, _TABLE_OF[kind], "default")
    return RuleRef(policy.path, pattern.table, pattern.key, pattern.index, pattern.shown)


def _reason(kind: Kind, verdict: Verdict, pattern: Pattern | None) -> str:
    if pattern is None:
        return f"no rule names this {kind} effect; the default is {verdict}"
    return f"matches {pattern.table}.{pattern.key} pattern {pattern.shown!r}"


# (rule, reason) per deciding pattern (keyed by identity: the entry keeps it alive) or per
# default; both are immutable, so one copy serves every decision.
_EXPLAINED: dict[tuple[str, int, Kind, Verdict], tuple[Pattern | None, RuleRef, str]] = {}


def _explained(policy: Policy, kind: Kind, verdict: Verdict,
               pattern: Pattern | None) -> tuple[RuleRef, str]:
    key = (policy.path, id(pattern), kind, verdict)
    found = _EXPLAINED.get(key)
    if found is not None and found[0] is pattern:
        return found[1], found[2]
    rule, reason = _ref(policy, kind, pattern), _reason(kind, verdict, pattern)
    if len(_EXPLAINED) >= 4096:
        _EXPLAINED.clear()
    _EXPLAINED[key] = (pattern, rule, reason)
    return rule, reason
