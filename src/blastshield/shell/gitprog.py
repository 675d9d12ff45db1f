"""git: remotes it reaches, files it writes or deletes, and the many ways it runs code
(``-c`` configuration, ``--upload-pack``/``--exec``, ``ext::`` remotes, ``submodule
foreach``, ``bisect run``, ``rebase --exec``, ``filter-branch``)."""

from __future__ import annotations

import os
import re
from functools import cache

from blastshield.effects import Kind
from blastshield.shell.command import Cmd, Inner, Outcome
from blastshield.shell.files import FileContext, add_paths
from blastshield.shell.gitreads import PATHSPEC, object_paths, read_files, reading
from blastshield.shell.netprog import Handler, net, unknown_net, url_host
from blastshield.shell.opts import scan

_GLOBAL_VALUES = ("-C", "-c", "--git-dir", "--work-tree", "--namespace", "--config-env",
                  "--super-prefix", "--exec-path", "--list-cmds", "--attr-source")


# configuration keys whose value is a command (or makes git run one)
@cache
def _code_keys() -> re.Pattern[str]:
    """Compiled on first use: most command lines never need it."""
    return re.compile(
        r"^(core\.(sshcommand|pager|editor|fsmonitor|hookspath|askpass|gitproxy|alternaterefscommand)|"
        r"alias\..*|credential\..*helper|diff\..*\.(textconv|command)|diff\.external|"
        r"filter\..*\.(clean|smudge|process)|gpg\.(.*\.)?program|sequence\.editor|pager\..*|"
        r"merge\..*\.driver|mergetool\..*\.cmd|difftool\..*\.cmd|protocol\..*\.allow|uploadpack\..*|"
        r"receivepack\..*|remote\..*\.(uploadpack|receivepack|proxy|vcs)|include\.path|includeif\..*|"
        r"http\..*proxy|sendemail\..*|url\..*\.(insteadof|pushinsteadof)|instaweb\..*|web\.browser|"
        r"browser\..*\.(cmd|path)|man\..*\.(cmd|path)|ssh\.variant|core\.sshcommand)$", re.IGNORECASE)


_NET_SUBCOMMANDS = ("clone", "fetch", "pull", "push", "ls-remote", "archive", "submodule",
                    "remote", "request-pull", "send-pack", "fetch-pack")


def _remote_host(out: Outcome, ctx: FileContext, cmd: Cmd, i: int) -> None:
    text = cmd.argv[i]
    if not cmd.known[i]:
        unknown_net(out, ctx, "git", "the remote is not statically known")
        return
    if text.startswith("ext::"):
        out.ask("git's ext:: remote runs a command", form=text)
        out.inner.append(Inner("git ext::", script=text[5:].replace("%S", "git-upload-pack")))
        return
    if text.startswith("fd::"):
        out.ask("git's fd:: remote talks over inherited file descriptors", form=text)
        return
    if "://" in text:
        got = url_host(text)
        if got:
            net(out, got[0], got[1], "git")
        return
    m = re.match(r"^(?:[^@/:]+@)?([A-Za-z0-9.-]+\.[A-Za-z]{2,}|localhost|\[[^\]]+\]):", text)
    if m:  # scp-like: git@github.com:owner/repo.git
        net(out, m.group(1).strip("[]").lower(), 22, "git")
    # a bare remote name ("origin") or a local path: its URL lives in .git/config, which the
    # agent cannot edit (built-in protection); nothing to add.


def _git(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, long_values=_GLOBAL_VALUES, short_values="Cc", stop_at_positional=True)
    base = cmd.cwd
    for opt in found.opts:
        value = opt.value or ""
        if opt.name == "-C":
            base = os.path.normpath(os.path.join(base, value))
        elif opt.name in ("-c", "--config-env"):
            key = value.split("=", 1)[0]
            if _code_keys().match(key):
                out.ask(f"git -c {key} makes git run a command", form=value)
        elif opt.name in ("--exec-path", "--git-dir", "--work-tree") and opt.value is not None:
            out.ask(f"git {opt.name} makes git use code or configuration from elsewhere",
                    form=cmd.argv[opt.index])
    if not found.positional:
        return
    at = found.positional[0]
    sub = cmd.argv[at]
    sub_cmd = cmd.tail(at, origin=cmd.origin, cwd=base)
    handler = _SUBCOMMANDS.get(sub)
    if handler is not None:
        handler(sub_cmd, ctx, out)


def _net_args(cmd: Cmd, ctx: FileContext, out: Outcome) -> list[int]:
    found = scan(cmd.argv, short_values="obju" if cmd.argv[0] == "clone" else "o",
                 long_values=("--upload-pack", "--receive-pack", "--exec", "--origin", "--branch",
                              "--depth", "--reference", "--separate-git-dir", "--config",
                              "--template", "--filter", "--jobs", "--server-option", "--shallow-since",
                              "--shallow-exclude", "--recurse-submodules", "--push-option",
                              "--remote", "--prefix", "--format", "--output", "--refmap",
                              "--negotiation-tip"))
    for opt in found.opts:
        if opt.name in ("--upload-pack", "--receive-pack", "--exec", "-u") and opt.value is not None:
            out.ask(f"git {cmd.argv[0]} {opt.name} runs a program", form=cmd.argv[opt.index])
        elif opt.name in ("-c", "--config") and opt.value and \
                _code_keys().match(opt.value.split("=", 1)[0]):
            out.ask(f"git {cmd.argv[0]} --config sets a key that runs a command",
                    form=opt.value)
        elif opt.name == "--template":
            out.ask("git --template can install hooks", form="--template")
        elif opt.name == "--remote" and opt.value:
            i = opt.value_index if opt.value_index is not None else opt.index
            _remote_host(out, ctx, cmd.derived((opt.value,), origin="git", known=cmd.known[i]), 0)
        elif (opt.name == "--output" or (opt.name == "-o" and cmd.argv[0] == "archive")) and opt.value:
            out.effects.extend(ctx.file_effects(Kind.WRITE, opt.value, True, cmd.cwd, "git"))
    return found.positional


def _clone(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    pos = _net_args(cmd, ctx, out)
    if not pos:
        return
    _remote_host(out, ctx, cmd, pos[0])
    if len(pos) > 1:
        target = cmd.argv[pos[1]]
        known = cmd.known[pos[1]]
    else:
        target = re.sub(r"(\.git)?/*$", "", cmd.argv[pos[0]]).rsplit("/", 1)[-1].rsplit(":", 1)[-1]
        known = cmd.known[pos[0]]
    if target:
        out.effects.extend(ctx.file_effects(Kind.WRITE, target, known, cmd.cwd, "git clone"))


def _fetchlike(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    pos = _net_args(cmd, ctx, out)
    if pos:
        _remote_host(out, ctx, cmd, pos[0])


def _archive(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    """``git archive [--remote R] [-o FILE] TREE-ISH [PATH...]``: the paths' committed content."""
    pos = [i for i in _net_args(cmd, ctx, out) if cmd.argv[i] != "--"]
    object_paths(cmd, ctx, out, pos[:1])
    add_paths(cmd, ctx, out, Kind.READ, pos[1:])


def _remote(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="tm", stop_at_positional=False)
    pos = found.positional
    if not pos:
        return
    action = cmd.argv[pos[0]]
    if action in ("add", "set-url", "rename", "remove", "rm", "set-head", "set-branches", "prune",
                  "update"):
        out.effects.extend(ctx.file_effects(Kind.WRITE, ".git/config", True, cmd.cwd, "git remote"))
    if action in ("add", "set-url") and len(pos) >= 3:
        _remote_host(out, ctx, cmd, pos[-1])


def _config(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="f", long_values=("--file", "--blob", "--type", "--default",
                                                           "--comment", "--value"))
    pos = found.positional
    reading = found.has("--get", "--get-all", "--get-regexp", "--get-urlmatch", "--list", "-l",
                        "--show-origin", "--show-scope", "--name-only") or \
        (pos and cmd.argv[pos[0]] in ("get", "list")) or (len(pos) == 1 and "=" not in cmd.argv[pos[0]])
    if found.has("--global"):
        path = ctx.home + "/.gitconfig"
    elif found.has("--system"):
        path = "/etc/gitconfig"
    elif found.values("-f", "--file"):
        path = found.values("-f", "--file")[0].value or ""
    else:
        path = ".git/config"
    kind = Kind.READ if reading else Kind.WRITE
    out.effects.extend(ctx.file_effects(kind, path, True, cmd.cwd, "git config"))
    if not reading:
        keys = [cmd.argv[i] for i in pos if cmd.argv[i] not in ("set", "unset", "--add")]
        if keys and _code_keys().match(keys[0]):
            out.ask(f"git config {keys[0]} makes git run a command", form=keys[0])


def _paths_after(kind: Kind | None, short: str = "", long: tuple[str, ...] = ()) -> Handler:
    def handle(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
        found = scan(cmd.argv, short_values=short, long_values=(*long, PATHSPEC))
        read_files(cmd, ctx, out, found, PATHSPEC)
        if kind is not None:
            add_paths(cmd, ctx, out, kind, found.positional)

    return handle


def _top(cmd: Cmd, ctx: FileContext) -> str:
    """The top of the work tree: the workspace when git runs inside it."""
    top = str(getattr(ctx, "workspace", "") or cmd.cwd).rstrip("/") or "/"
    return top if (cmd.cwd + "/").startswith(top + "/") else cmd.cwd


def _add(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    """``git add`` copies what it stages into the repository (``git diff --cached`` prints it): the
    files it names are reads; with ``-f`` (past .gitignore) folders, globs git expands and ``-A`` (the
    whole tree) are tree reads. Not without ``-f``: a secret the repository does not ignore (the
    red-team workspace's .env) would deny every ``git add -A``."""
    found = scan(cmd.argv, long_values=("--chmod", PATHSPEC))
    read_files(cmd, ctx, out, found, PATHSPEC)
    if not found.has("-f", "--force"):
        add_paths(cmd, ctx, out, Kind.READ, found.positional, "git add")
        return
    add_paths(cmd, ctx, out, Kind.READ, found.positional, "git-grep")
    folders = [_top(cmd, ctx)] if not found.positional and found.has("-A", "--all") else []
    for i in found.positional:
        arg = cmd.argv[i]
        if cmd.known[i] and arg.startswith(":"):  # pathspec magic (":/", ":(top)", ":!x"): all of it
            folders.append(_top(cmd, ctx))
        elif cmd.known[i] and re.search(r"[*?[]", arg):  # a glob git matches against every path
            folders.append(re.split(r"[*?[]", arg, maxsplit=1)[0].rpartition("/")[0] or ".")
    for folder in folders:
        out.effects.extend(ctx.file_effects(Kind.READ, folder, True, cmd.cwd, "git-grep"))


def _commit(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    """The message (``-F``) and template (``-t``) files and ``--pathspec-from-file`` are reads, and
    so are the paths committed as they are in the work tree."""
    found = scan(cmd.argv, short_values="mFCct", long_values=(
        "--message", "--file", "--template", "--reuse-message", "--reedit-message", "--author",
        "--date", "--cleanup", "--fixup", "--squash", "--trailer", PATHSPEC))
    read_files(cmd, ctx, out, found, "-F", "--file", "-t", "--template", PATHSPEC)
    add_paths(cmd, ctx, out, Kind.READ, found.positional, "git commit")


def _branch_from(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    """``checkout -b NAME START`` / ``switch -c NAME START`` (``-B``, ``-C``, ``--orphan``) rewrite
    the work tree from START, which may hold an older policy file: ask. Without START: nothing."""
    found = scan(cmd.argv, short_values="bBcC" if cmd.argv[0] == "switch" else "bB",
                 long_values=("--orphan", "--create", "--force-create", "--conflict", PATHSPEC))
    read_files(cmd, ctx, out, found, PATHSPEC)
    new = [o for o in found.opts if o.name in ("-b", "-B", "-c", "-C", "--orphan", "--create",
                                               "--force-create")]
    if new and found.positional:
        start = cmd.argv[found.positional[0]]
        out.ask(f"git {cmd.argv[0]} {new[0].name} NAME {start} rewrites the working tree from {start}, "
                "the policy file too if it is tracked", form=start)


def _clean(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="e", long_values=("--exclude",))
    if found.has("-n", "--dry-run"):
        return
    targets = [cmd.argv[i] for i in found.positional] or ["."]
    for target in targets:
        out.effects.extend(ctx.file_effects(Kind.DELETE, target.rstrip("/") + "/*", True, cmd.cwd,
                                            "git clean"))


def _apply(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="pC", long_values=("--directory", "--exclude", "--include"))
    if found.has("--check", "--stat", "--numstat", "--summary"):
        return
    add_paths(cmd, ctx, out, Kind.READ, found.positional)
    out.effects.extend(ctx.file_effects(Kind.WRITE, "./*", True, cmd.cwd, "git apply"))


def _submodule(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    pos = scan(cmd.argv, stop_at_positional=True).positional
    if not pos:
        return
    action = cmd.argv[pos[0]]
    rest = scan(cmd.argv, pos[0] + 1, stop_at_positional=True).positional
    if action == "foreach" and rest:
        out.inner.append(Inner("git submodule foreach", script=" ".join(cmd.argv[rest[0]:])))
    elif action == "add" and rest:
        _remote_host(out, ctx, cmd, rest[0])


def _bisect(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    if len(cmd.argv) > 2 and cmd.argv[1] == "run":
        out.inner.append(Inner("git bisect run", cmd=cmd.tail(2, origin="git bisect run")))


def _rebase(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="xsXS", long_values=("--exec", "--onto", "--strategy",
                                                             "--strategy-option"))
    for opt in found.values("-x", "--exec"):
        out.inner.append(Inner("git rebase --exec", script=opt.value))
    if found.has("-i", "--interactive"):
        out.ask("git rebase -i runs an editor and the todo list's exec lines", form="-i")


def _code_subcommand(what: str, form: str) -> Handler:
    def handle(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
        out.ask(f"git {cmd.argv[0]} {what}", form=form)

    return handle


def _difftool(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="xt", long_values=("--extcmd", "--tool"))
    for opt in found.values("-x", "--extcmd"):
        out.ask("git difftool --extcmd runs a command", form=opt.name)
        out.inner.append(Inner("git difftool -x", script=opt.value))


# --------------------------------------------------------- reading and output files
_SUBCOMMANDS: dict[str, Handler] = {
    "clone": _clone, "fetch": _fetchlike, "pull": _fetchlike, "push": _fetchlike,
    "ls-remote": _fetchlike, "archive": _archive, "request-pull": _fetchlike,
    "remote": _remote, "config": _config, "submodule": _submodule, "bisect": _bisect,
    "rebase": _rebase, "difftool": _difftool, "clean": _clean, "apply": _apply, "am": _apply,
    "rm": _paths_after(Kind.DELETE), "mv": _paths_after(Kind.WRITE), "add": _add, "stage": _add,
    "commit": _commit, "checkout": _branch_from, "switch": _branch_from,
    "reset": _paths_after(None), "restore": _paths_after(None, "s", ("--source",)),
    "stash": _paths_after(None, "m", ("--message",)),
    "filter-branch": _code_subcommand("runs the filter commands given to it", "filter-branch"),
    "filter-repo": _code_subcommand("can run Python callbacks given to it", "filter-repo"),
    "instaweb": _code_subcommand("starts a web server", "instaweb"),
    "daemon": _code_subcommand("starts a server", "daemon"),
    "credential": _code_subcommand("reads or stores credentials", "credential"),
    "send-email": _code_subcommand("sends mail", "send-email"),
    **{name: reading for name in ("diff", "log", "show", "grep", "blame", "cat-file",
                                   "format-patch", "whatchanged", "annotate", "range-diff",
                                   "diff-tree", "diff-files", "diff-index", "shortlog")},
}

HANDLERS: dict[str, Handler] = {"git": _git}
