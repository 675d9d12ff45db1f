"""Program knowledge: argv → file, network and environment effects, and the floors for
programs that run code given in their arguments.

:func:`analyze` dispatches on the program's base name (``/usr/bin/python3.12`` is
``python``) to every table that knows it: file programs (:mod:`.fileprog`), downloaders
(:mod:`.netprog`), remote shells and sockets (:mod:`.remoteprog`), code-running programs
(:mod:`.codeprog`), package managers (:mod:`.pkgprog`), git (:mod:`.gitprog`) and build
and test tools (:mod:`.toolprog`). This module also knows what a command prints when
that is static (for pipes) and which environment variables change what programs run.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from blastshield.shell import codeprog, fileprog, gitprog, netprog, pkgprog, remoteprog, textprog, toolprog
from blastshield.shell.command import Cmd, Outcome
from blastshield.shell.files import FileContext

Handler = Callable[[Cmd, FileContext, Outcome], None]

_VERSIONED = re.compile(r"^(python|pip|pypy|perl|ruby|php|node|lua|pydoc|idle|gem|bundle)"
                        r"[0-9][0-9.]*$")


def program(argv0: str) -> str:
    """The program family name: base name without a version suffix."""
    name = _PROGRAMS.get(argv0)
    if name is None:
        base = argv0.rsplit("/", 1)[-1]
        m = _VERSIONED.match(base)
        name = m.group(1) if m else base
        if len(_PROGRAMS) < 4096:
            _PROGRAMS[argv0] = name
    return name


_PROGRAMS: dict[str, str] = {}


def analyze(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    """Add the effects and floors of ``cmd`` (not its exec effect) to ``out``."""
    name = program(cmd.argv[0])
    for handler in _DISPATCH.get(name, ()):
        handler(cmd, ctx, out)
    if cmd.assigns:
        assignment_floors(cmd, out)
        if any(key.lower() in pkgprog.PROXY_ENV for key in cmd.assigns):  # every program's requests
            pkgprog.proxies(cmd, out, name)
    if "/" in cmd.argv[0] and cmd.known[0]:
        if ctx.was_downloaded(cmd.argv[0], cmd.cwd):
            out.deny("runs a file that a download in this command line wrote")
        elif ctx.written_content(cmd.argv[0], cmd.cwd)[0]:
            codeprog.run_file(cmd, ctx, out, 0, shell=True)


_TABLES = (fileprog.HANDLERS, netprog.HANDLERS, remoteprog.HANDLERS, codeprog.HANDLERS,
           textprog.HANDLERS, pkgprog.HANDLERS, gitprog.HANDLERS, toolprog.HANDLERS)
# program name -> every handler that knows it, in table order
_DISPATCH: dict[str, tuple[Handler, ...]] = {
    name: tuple(t[name] for t in _TABLES if name in t) for table in _TABLES for name in table}


# --------------------------------------------------------------- pipe contents
def static_output(cmd: Cmd | None) -> str | None:
    """What a command prints when that is statically known (echo, printf, cat <<EOF)."""
    if cmd is None or not all(cmd.known):
        return None
    name = cmd.name
    args = list(cmd.argv[1:])
    if name == "echo":
        newline = True
        while args and re.fullmatch(r"-[neE]+", args[0]):
            if "e" in args[0]:
                return None
            newline = newline and "n" not in args[0]
            args.pop(0)
        return " ".join(args) + ("\n" if newline else "")
    if name == "printf" and args and "%" not in args[0] and "\\" not in args[0] and len(args) == 1:
        return args[0]
    if name == "cat" and not args and cmd.stdin is not None and cmd.stdin.kind != "pipe":
        return cmd.stdin.text
    return None


# ----------------------------------------------------- environment variables
_DANGEROUS_ENV = frozenset({
    "PATH", "BASH_ENV", "ENV", "PROMPT_COMMAND", "PS0", "PS4", "SHELLOPTS", "BASHOPTS", "IFS",
    "CDPATH", "GLOBIGNORE", "BASH_LOADABLES_PATH", "EXECIGNORE",
    "GIT_SSH", "GIT_SSH_COMMAND", "GIT_EXTERNAL_DIFF", "GIT_PAGER", "PAGER", "MANPAGER",
    "MANOPT", "GIT_EDITOR", "EDITOR", "VISUAL", "SUDO_EDITOR", "GIT_SEQUENCE_EDITOR",
    "GIT_ASKPASS", "SSH_ASKPASS", "SUDO_ASKPASS", "GIT_PROXY_COMMAND", "GIT_EXEC_PATH", "GIT_DIR",
    "GIT_WORK_TREE", "GIT_CONFIG", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_COUNT",
    "GIT_CONFIG_PARAMETERS", "GIT_TEMPLATE_DIR", "GIT_INDEX_FILE", "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "PYTHONSTARTUP", "PYTHONPATH", "PYTHONHOME", "PYTHONUSERBASE", "PYTHONINSPECT",
    "NODE_OPTIONS", "NODE_PATH", "PERL5OPT", "PERL5LIB", "PERLLIB", "PERL5DB", "RUBYOPT",
    "RUBYLIB", "LESSOPEN", "LESSCLOSE", "LESSKEYIN", "BROWSER", "RUSTC_WRAPPER", "RUSTC",
    "CARGO_BUILD_RUSTC_WRAPPER", "RUSTC_WORKSPACE_WRAPPER", "CARGO_TARGET_DIR_RUNNER",
    "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS", "MAKEFLAGS", "MAKEFILES",
    "SHELL", "TMUX_TMPDIR", "PIP_CONFIG_FILE", "NPM_CONFIG_USERCONFIG", "NPM_CONFIG_SCRIPT_SHELL",
    "NPM_CONFIG_NODE_OPTIONS", "BUNDLE_GEMFILE", "CURL_HOME", "WGETRC", "SSH_AUTH_SOCK",
    "GNUPGHOME", "XDG_CONFIG_HOME", "HOME", "ZDOTDIR", "INPUTRC", "HISTFILE",
})
_DANGEROUS_PREFIX = ("LD_", "DYLD_", "GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_", "BASH_FUNC_",
                     "npm_config_script_shell", "npm_config_node_options")


def dangerous_env(name: str) -> str:
    """Why setting ``name`` changes what programs run (empty: it does not)."""
    if name in _DANGEROUS_ENV or name.startswith(_DANGEROUS_PREFIX):
        return f"sets {name}, which changes which code programs load or run"
    return ""


def assignment_floors(cmd: Cmd, out: Outcome) -> None:
    for name in cmd.assigns:
        reason = dangerous_env(name)
        if reason:
            out.unresolved(reason)
