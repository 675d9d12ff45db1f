"""Collapse observed targets into rule patterns — and refuse to collapse what is dangerous.

Commands become program + subcommand (+ the token that selects what runs: ``npm run build``,
``python -m pytest``) followed by ``*``. Paths become the narrowest folder globs that cover
them. Hosts stay exact. Shells, interpreters, wrappers, network tools, destructive commands,
programs run from a path, and dependency installs never become a pattern: they come back
as a :class:`Refusal` for a human to decide.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from blastshield.paths import is_within
from blastshield.policy.match import program_name

SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "mksh", "fish", "csh", "tcsh", "ash", "busybox",
                    "pwsh", "powershell", "cmd", "rbash"})
INTERPRETERS = frozenset({"python", "pypy", "node", "nodejs", "deno", "perl", "ruby", "php", "lua", "luajit",
                          "rscript", "java", "jshell", "osascript", "tclsh", "wish", "irb", "ts-node", "tsx",
                          "groovy", "scala", "julia", "swift", "bun"})
WRAPPERS = frozenset({"env", "sudo", "doas", "su", "pkexec", "nohup", "nice", "ionice", "timeout", "stdbuf",
                      "time", "command", "builtin", "exec", "eval", "source", ".", "xargs", "parallel",
                      "watch", "script", "flock", "chroot", "unshare", "nsenter", "setsid", "taskset",
                      "strace", "ltrace", "unbuffer", "faketime", "runuser", "systemd-run", "entr"})
NETWORK_TOOLS = frozenset({"curl", "wget", "nc", "ncat", "netcat", "socat", "telnet", "ssh", "scp", "sftp",
                           "rsync", "ftp", "tftp", "http", "https", "httpie", "aria2c", "lftp", "nmap",
                           "openssl", "websocat", "grpcurl", "dig", "nslookup", "host", "ping"})
DESTRUCTIVE = frozenset({"rm", "rmdir", "shred", "dd", "mkfs", "wipefs", "truncate", "fdisk", "parted",
                         "kill", "killall", "pkill", "reboot", "shutdown", "halt", "poweroff", "systemctl",
                         "crontab", "chown", "chgrp", "mount", "umount", "iptables", "userdel", "usermod"})
INFRASTRUCTURE = frozenset({"docker", "podman", "kubectl", "helm", "terraform", "tofu", "pulumi", "aws",
                            "gcloud", "az", "vagrant", "ansible", "ansible-playbook", "gh"})
#: Programs whose first word is a subcommand (``git status``); others collapse to ``prog *``.
SUBCOMMANDS = frozenset({"git", "npm", "yarn", "pnpm", "cargo", "go", "pip", "pip3", "uv", "poetry", "pdm",
                         "hatch", "conda", "mamba", "make", "npx", "ruff", "rustup", "dotnet", "mvn",
                         "gradle", "bundle", "rake", "mix", "pre-commit", "alembic", "django-admin", "tox",
                         "nox", "just", "task", "corepack", "pipenv", "rye", "composer", "gem", "brew",
                         "apt", "apt-get", "dnf", "yum", "pacman", "cabal", "stack", "deno-task", "turbo",
                         "nx", "lerna", "vite", "next", "jest", "vitest", "black", "coverage"})
#: (program, subcommand) pairs whose next word selects what runs: ``npm run build``.
NESTED = frozenset({("npm", "run"), ("yarn", "run"), ("pnpm", "run"), ("pnpm", "exec"), ("uv", "run"),
                    ("poetry", "run"), ("pdm", "run"), ("hatch", "run"), ("git", "stash"),
                    ("git", "remote"), ("git", "submodule"), ("git", "worktree"), ("go", "mod"),
                    ("cargo", "make"), ("pipenv", "run"), ("rye", "run"), ("npx", "--yes"),
                    ("conda", "run"), ("dotnet", "tool")})
#: Python modules that are development tools, allowed as ``python -m MODULE *``.
TOOL_MODULES = frozenset({"pytest", "unittest", "mypy", "ruff", "black", "isort", "flake8", "pylint",
                          "coverage", "pyright", "doctest", "compileall", "tox", "nox", "build", "twine",
                          "pip", "venv", "pydoc", "bandit", "pyflakes", "pycodestyle", "django", "alembic"})
PACKAGE_MANAGERS = frozenset({"pip", "pip3", "uv", "npm", "yarn", "pnpm", "bun", "poetry", "pdm", "cargo",
                              "go",
                              "gem", "brew", "apt", "apt-get", "dnf", "yum", "pacman", "conda", "mamba",
                              "composer", "bundle", "pipenv", "rye", "corepack"})
#: Git global options that take a value before the subcommand.
_GIT_VALUE_OPTIONS = frozenset({"-C", "--git-dir", "--work-tree", "--namespace"})
_INSTALL_SUBCOMMANDS = frozenset({"install", "i", "add", "get", "upgrade", "update", "up", "remove",
                                  "uninstall", "rm", "un", "ci", "sync", "link", "global"})
_DESTRUCTIVE_FORMS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("git", ("clean",), "git clean deletes untracked files"),
    ("git", ("reset", "--hard"), "git reset --hard discards work"),
    ("git", ("push", "-f"), "a force push rewrites shared history"),
    ("git", ("push", "--force"), "a force push rewrites shared history"),
    ("git", ("push", "--force-with-lease"), "a force push rewrites shared history"),
    ("git", ("push", "--mirror"), "git push --mirror overwrites the remote"),
    ("git", ("push", "--delete"), "git push --delete removes remote branches"),
    ("git", ("branch", "-D"), "git branch -D deletes unmerged work"),
    ("git", ("checkout", "--", "."), "git checkout -- . discards work"),
    ("git", ("restore", "."), "git restore . discards work"),
    ("git", ("filter-branch",), "git filter-branch rewrites history"),
    ("git", ("filter-repo",), "git filter-repo rewrites history"),
    ("git", ("stash", "drop"), "git stash drop deletes a stash"),
    ("git", ("stash", "clear"), "git stash clear deletes every stash"),
    ("npm", ("unpublish",), "npm unpublish removes a published package"),
    ("find", ("-delete",), "find -delete removes files"),
    ("chmod", ("-R",), "a recursive chmod changes a whole tree"),
)
_NETWORK_FORMS: tuple[tuple[str, str, str], ...] = (
    ("git", "push", "git push sends code to a remote"),
    ("git", "clone", "git clone downloads from a remote"),
    ("npm", "publish", "npm publish uploads a package"),
    ("cargo", "publish", "cargo publish uploads a crate"),
    ("poetry", "publish", "poetry publish uploads a package"),
)
_WORD = re.compile(r"^[A-Za-z][A-Za-z0-9_.:@+-]*$")
_VERSIONED = re.compile(r"^(python|pypy|pip|node|ruby|perl|php|lua)[0-9.]*$")
_MANIFEST_INSTALLS = (
    ("npm", ("ci",)), ("npm", ("install",)), ("npm", ("i",)), ("yarn", ()), ("yarn", ("install",)),
    ("pnpm", ("install",)), ("pnpm", ("i",)), ("bun", ("install",)), ("uv", ("sync",)),
    ("poetry", ("install",)),
    ("pdm", ("install",)), ("pipenv", ("install",)), ("bundle", ("install",)), ("composer", ("install",)),
)


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why an observed target is not turned into a grant: a human decides."""

    category: str  # shell | interpreter | wrapper | network tool | destructive | ...
    reason: str
    exact: str = ""  # the exact-form rule a human could add, when one makes sense


Generalised = str | Refusal


def base_name(program: str) -> str:
    """``python3.12`` → ``python``; ``/usr/bin/git`` → ``git``; a path stays a path."""
    name = program_name(program)
    match = _VERSIONED.match(name.lower())
    return match.group(1) if match else name.lower()


def exact_pattern(tokens: Iterable[str]) -> str:
    """A command pattern that matches exactly these tokens (glob characters escaped)."""
    import shlex

    out = []
    for token in tokens:
        escaped = re.sub(r"([*?\[])", r"[\1]", token)
        out.append(shlex.quote(escaped))
    return " ".join(out)


def command_pattern(tokens: tuple[str, ...]) -> Generalised:
    """The collapsed allow pattern for one argv, or the refusal that keeps it for a human."""
    if not tokens or not tokens[0]:
        return Refusal("unknown", "an empty command")
    program = program_name(tokens[0])
    base = base_name(tokens[0])
    exact = exact_pattern((program, *tokens[1:]))
    if program.startswith("<tool:"):
        return Refusal("unknown tool", f"{program[6:-1]} is a tool blastshield cannot judge")
    if any(ch in program for ch in "$`*?[{(\\'\""):
        return Refusal("unresolved", "the program name is computed at run time", "")
    if "/" in program:
        return Refusal("program from a path", f"{program} runs whatever that file holds (the agent can"
                       " rewrite it)", exact)
    for group, category, why in ((SHELLS, "shell", "a shell runs any command it is given"),
                                 (WRAPPERS, "wrapper", "a wrapper runs another command"),
                                 (NETWORK_TOOLS, "network tool", "a network tool reaches arbitrary hosts"),
                                 (DESTRUCTIVE, "destructive", "it destroys or changes data beyond undo"),
                                 (INFRASTRUCTURE, "infrastructure", "it controls containers, clusters or"
                                  " cloud accounts")):
        if base in group or (group is DESTRUCTIVE and base.startswith("mkfs")):
            return Refusal(category, f"{program}: {why}", exact)
    for prog, form, why in _DESTRUCTIVE_FORMS:
        if base == prog and _has_form(tokens[1:], form):
            return Refusal("destructive", why, exact)
    if base == "bun" and len(tokens) > 1 and tokens[1] in ("install", "add", "run", "test", "x", "build"):
        return _subcommand(program, base, tokens, exact)
    if base in INTERPRETERS:
        return _interpreter(program, base, tokens, exact)
    if base in SUBCOMMANDS:
        return _subcommand(program, base, tokens, exact)
    return f"{exact_pattern((program,))} *"


def _has_form(args: tuple[str, ...], form: tuple[str, ...]) -> bool:
    """``form[0]`` is the subcommand (first non-option word) or a flag anywhere; the rest are flags."""
    if form[0].startswith("-"):
        return form[0] in args
    words = [a for a in args if not a.startswith("-")]
    if not words or words[0] != form[0]:
        return False
    rest = args[args.index(form[0]) + 1:]
    return all(flag in rest for flag in form[1:])


def _interpreter(program: str, base: str, tokens: tuple[str, ...], exact: str) -> Generalised:
    if base in ("python", "pypy") and len(tokens) >= 3 and tokens[1] == "-m":
        module = tokens[2]
        if module.split(".")[0] in TOOL_MODULES and module not in ("pip",):
            return f"{exact_pattern((program, '-m', module))} *"
        if module == "pip":
            return _subcommand(program, "pip", (program, *tokens[3:]), exact, prefix=(program, "-m", "pip"))
        return Refusal("interpreter", f"python -m {module} runs a module that is not a known development"
                       " tool", exact)
    if base in ("python", "pypy", "node", "ruby", "perl", "php") and tokens[1:] in (("--version",), ("-V",)):
        return exact
    return Refusal("interpreter", f"{program} runs any code it is given (the agent can write that code)",
                   exact)


def _subcommand(program: str, base: str, tokens: tuple[str, ...], exact: str,
                prefix: tuple[str, ...] | None = None) -> Generalised:
    head = [exact_pattern((t,)) for t in (prefix or (program,))]  # pattern words
    i = 1
    while i < len(tokens) and tokens[i].startswith("-"):
        option = tokens[i]
        if base == "git" and (option == "-c" or option.startswith(("--exec-path", "--config-env"))):
            return Refusal("code-running option", "git -c can set a command git runs (core.pager,"
                           " core.sshCommand, alias)", exact)
        if base == "git" and option in _GIT_VALUE_OPTIONS and i + 1 < len(tokens):
            head += [exact_pattern((option,)), "*"]
            i += 2
            continue
        if base == "npx" and option in ("--yes", "-y"):
            head.append(exact_pattern((option,)))
            i += 1
            continue
        return exact  # options we do not understand before the subcommand: exact form only
    if i >= len(tokens):
        return exact
    sub = tokens[i]
    if not _WORD.match(sub):
        return exact if base != "make" else " ".join(head) + " *"
    for prog, word, why in _NETWORK_FORMS:
        if base == prog and sub == word:
            return Refusal("network", why, exact)
    if base in PACKAGE_MANAGERS and sub in _INSTALL_SUBCOMMANDS:
        return _install(base, tokens[i:], exact)
    if (base, sub) == ("uv", "pip"):
        return _subcommand(program, "pip", tokens[i:], exact, prefix=(program, *tokens[1:i], "pip"))
    head.append(exact_pattern((sub,)))
    nested = (base, sub) in NESTED
    if nested and i + 1 < len(tokens) and _WORD.match(tokens[i + 1]):
        head.append(exact_pattern((tokens[i + 1],)))
    elif nested:
        return exact
    return " ".join(head) + " *"


def _install(base: str, args: tuple[str, ...], exact: str) -> Generalised:
    """Installing what the repository declares is routine; adding or upgrading packages is not."""
    words = tuple(a for a in args if not a.startswith("-"))
    for prog, form in _MANIFEST_INSTALLS:
        if base == prog and words == form:
            return exact
    if base in ("pip", "pip3", "uv") and args[:1] == ("install",):
        rest = args[1:]
        if rest and all(a in ("-r", "-e", "--editable", "--requirement", "-q", "--quiet") or a.endswith(
                (".txt", ".in")) or a.startswith(".") for a in rest) and any(a in ("-r", "-e") for a in rest):
            return exact
    return Refusal("dependency install", f"{base} {args[0]} fetches packages and runs their install"
                   " scripts; a human picks which", exact)


def host_pattern(target: str) -> Generalised:
    """``docs.python.org:443`` → ``docs.python.org`` (exact; the default ports dropped)."""
    host, sep, port = target.rpartition(":")
    if not sep or not port.isdigit():
        host, port = target, ""
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    host = host.lower().rstrip(".")
    if not host or any(ch in host for ch in "*?/ "):
        return Refusal("unresolved host", f"{target!r} is not a plain host name")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return Refusal("IP address", f"{host} is a raw address (metadata endpoints and exfiltration use"
                       " these); name the host instead")
    return host if port in ("", "80", "443") else f"{host}:{port}"


@dataclass(frozen=True, slots=True)
class PathContext:
    workspace: str
    home: str
    temp_roots: tuple[str, ...] = ("/tmp",)
    is_dir: Callable[[str], bool] = os.path.isdir


def path_globs(paths: Iterable[str], ctx: PathContext) -> list[str]:
    """The narrowest globs covering ``paths`` (resolved, absolute).

    A file becomes its folder, ``/**``; folders seen under the same top-level folder merge to
    their deepest common folder. Files at the top (the workspace root, directly in home, one
    level below ``/``) stay exact. Groups, first match wins: the workspace (by its first
    level), home (by ``~/<first>``), temporary folders (``/tmp/**``), anywhere else (by its
    first two levels).
    """
    groups: dict[tuple[str, str, str, int], list[str]] = {}
    out: set[str] = set()
    for path in sorted(set(paths)):
        temp = next((t for t in ctx.temp_roots if is_within(path, t)), None)
        if is_within(path, ctx.workspace):
            label, base, depth = "${WORKSPACE}/", ctx.workspace, 1
        elif is_within(path, ctx.home) and path != ctx.home:
            label, base, depth = "~/", ctx.home, 1
        elif temp is not None:
            out.add(f"{temp}/**")
            continue
        else:
            label, base, depth = "/", "/", 2
        rel = os.path.relpath(path, base)
        if rel == ".":
            out.add(f"{label}**")
            continue
        key = "/".join(rel.split("/")[:depth])
        groups.setdefault((label, base, key, depth), []).append(rel)
    for (label, base, _key, depth), rels in groups.items():
        folders: list[str] = []
        for rel in rels:
            folder = rel if ctx.is_dir(os.path.join(base, rel)) else os.path.dirname(rel)
            if _depth(folder) < depth:
                out.add(label + rel + ("/**" if folder == rel else ""))
            else:
                folders.append(folder)
        if folders:
            out.add(f"{label}{os.path.commonpath(folders)}/**")
    if "${WORKSPACE}/**" in out:
        out = {g for g in out if g == "${WORKSPACE}/**" or not g.startswith("${WORKSPACE}/")}
    return sorted(out)


def _depth(folder: str) -> int:
    return 0 if folder in ("", ".") else folder.count("/") + 1

