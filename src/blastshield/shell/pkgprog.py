"""Package managers: the registries they reach (honouring registry flags and variables)
and the package runners (npx, uvx, pipx run, bunx, pnpm/yarn dlx) that run code."""

from __future__ import annotations

import re
from functools import cache

from blastshield.effects import Kind
from blastshield.shell.command import Cmd, Inner, Outcome
from blastshield.shell.files import FileContext
from blastshield.shell.netprog import (
    CRATES,
    GOPROXY,
    NPM,
    PACKAGIST,
    PYPI,
    RUBYGEMS,
    YARN,
    Handler,
    net,
    unknown_net,
    url_host,
)
from blastshield.shell.opts import Scan, scan


def _hosts(out: Outcome, hosts: tuple[str, ...] | list[str], origin: str) -> None:
    for host in hosts:
        got = url_host(host) if "://" in host else (host, 443)
        if got:
            net(out, got[0], got[1], origin)


def _url_hosts(out: Outcome, values: list[str], origin: str) -> None:
    for value in values:
        got = url_host(value)
        if got:
            net(out, got[0], got[1], origin)


def _subcommand(found: Scan, cmd: Cmd) -> tuple[str, list[int]]:
    if not found.positional:
        return "", []
    first = found.positional[0]
    return cmd.argv[first], found.positional[1:]


_PIP_LONG = ("--index-url", "--extra-index-url", "--find-links", "--requirement", "--constraint",
             "--target", "--prefix", "--root", "--editable", "--src", "--trusted-host",
             "--platform", "--python-version", "--implementation", "--abi", "--cache-dir",
             "--proxy", "--timeout", "--retries", "--log", "--default-index", "--index",
             "--python", "--upgrade-strategy", "--progress-bar", "--only-binary", "--no-binary",
             "--config-settings")


def pip_args(cmd: Cmd, out: Outcome, start: int, origin: str) -> None:
    """``pip SUBCOMMAND ...`` from argv index ``start`` (also used by ``python -m pip``)."""
    found = scan(cmd.argv, start, short_values="rcieftp", long_values=_PIP_LONG)
    sub, rest = _subcommand(found, cmd)
    if sub not in ("install", "download", "wheel", "index", "search", "add", "sync", "lock",
                   "compile"):
        return
    index = [o.value for o in found.values("-i", "--index-url", "--default-index") if o.value]
    env_index = cmd.assigns.get("PIP_INDEX_URL") or cmd.assigns.get("UV_INDEX_URL") \
        or cmd.assigns.get("UV_DEFAULT_INDEX")
    if env_index:
        index.append(env_index)
    if index:
        _url_hosts(out, index, origin)
    elif not found.has("--no-index", "--offline"):
        _hosts(out, PYPI, origin)
    extra = [o.value for o in found.values("--extra-index-url", "-f", "--find-links", "--index")
             if o.value]
    _url_hosts(out, extra, origin)
    for i in rest:
        arg = cmd.argv[i]
        if "://" in arg:
            _url_hosts(out, [arg.split("@", 1)[1].strip() if " @ " in arg else
                             arg.split("+", 1)[-1] if arg.startswith(("git+", "hg+", "svn+")) else arg],
                       origin)


def _pip(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    pip_args(cmd, out, 1, "pip")


def _uv(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="p", long_values=("--python", "--directory", "--project"),
                 stop_at_positional=True)
    sub, _ = _subcommand(found, cmd)
    if not found.positional:
        return
    at = found.positional[0]
    if sub == "pip":
        pip_args(cmd, out, at + 1, "uv pip")
    elif sub in ("add", "sync", "lock"):
        pip_args(cmd.derived(("uv", "install", *cmd.argv[at + 1:]), origin=cmd.origin), out, 1, "uv")
    elif sub == "tool" and len(cmd.argv) > at + 1 and cmd.argv[at + 1] in ("run", "install"):
        if cmd.argv[at + 1] == "run":
            _runner(cmd.tail(at + 2, origin="uv tool run"), out, "uv tool run", PYPI)
        else:
            _hosts(out, PYPI, "uv")


def _runner(cmd: Cmd, out: Outcome, what: str, registry: tuple[str, ...],
            short: str = "", long: tuple[str, ...] = (), start: int = 0) -> None:
    """A package runner: downloads a package and runs it. Form: the package name.

    ``start`` is where the runner's own options begin in ``cmd.argv``."""
    found = scan(cmd.argv, start, short_values=short + "p", long_values=("--package", "--from", "--with",
                                                                "--python", "--spec", *long),
                 stop_at_positional=True)
    packages = [o.value for o in found.values("-p", "--package", "--from", "--spec") if o.value]
    pos = found.positional
    target = cmd.argv[pos[0]] if pos else (packages[0] if packages else what)
    out.ask(f"{what} downloads and runs a package", form=target)
    for opt in found.values("-c", "--call"):
        out.inner.append(Inner(what + " -c", script=opt.value))
    index = [o.value for o in found.values("--registry", "--index-url", "--index") if o.value]
    if index:
        _url_hosts(out, index, what)
    else:
        _hosts(out, registry, what)


_GIT_HOSTS = {"github": "github.com", "gitlab": "gitlab.com", "bitbucket": "bitbucket.org",
              "gist": "gist.github.com"}
_JS_INSTALLS = frozenset({"install", "i", "add", "a", "in", "isntall", "it", "install-test",
                          "update", "up", "upgrade"})


@cache
def _github_shorthand() -> re.Pattern[str]:
    """Compiled on first use: most command lines never need it."""
    return re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(#.*)?")


@cache
def _scp_like() -> re.Pattern[str]:
    """Compiled on first use: most command lines never need it."""
    return re.compile(r"^(?:[^@/:]+@)?([A-Za-z0-9.-]+\.[A-Za-z]{2,}):")


def js_specs(cmd: Cmd, ctx: FileContext, out: Outcome, indices: list[int], origin: str) -> None:
    """npm/yarn/pnpm/bun package specs that are not registry names: tarball and git URLs,
    ``github:u/r`` and ``u/r`` shorthands (GitHub), ``name@URL`` aliases, local paths."""
    for i in indices:
        spec = cmd.argv[i]
        if not cmd.known[i]:
            unknown_net(out, ctx, origin, "the package is not statically known")
            continue
        at = spec.find("@", 1)
        version = spec[at + 1:] if at > 0 else ""
        target = version if "://" in version or version.startswith(tuple(f"{h}:" for h in _GIT_HOSTS)) \
            or version.startswith("git@") else spec
        if "://" in target:
            _url_hosts(out, [target.split("+", 1)[1] if target.startswith("git+") else target], origin)
            continue
        prefix, colon, _ = target.partition(":")
        scp = _scp_like().match(target)
        if colon and prefix in _GIT_HOSTS:
            net(out, _GIT_HOSTS[prefix], 443, origin)
        elif scp is not None:
            net(out, scp.group(1).lower(), 22, origin)
        elif prefix in ("file", "link") and colon:
            out.effects.extend(ctx.file_effects(Kind.READ, target[len(prefix) + 1:], True, cmd.cwd,
                                                origin))
        elif target.startswith((".", "/", "~")):
            out.effects.extend(ctx.file_effects(Kind.READ, target, True, cmd.cwd, origin))
        elif not target.startswith("@") and _github_shorthand().fullmatch(target):
            net(out, "github.com", 443, origin)


def _npm(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="w", long_values=("--registry", "--workspace", "--prefix",
                                                          "--tag", "--access", "--otp"))
    sub, rest = _subcommand(found, cmd)
    if sub in ("exec", "x"):
        _runner(cmd.tail(found.positional[0] + 1, origin="npm exec"), out, "npm exec", NPM, "c",
                ("--call",))
        return
    if sub in ("init", "create") and rest:
        out.ask(f"npm {sub} downloads and runs a package", form=sub)
    if sub in ("install", "i", "ci", "add", "update", "up", "upgrade", "audit", "outdated", "view",
               "info", "show", "v", "publish", "init", "create", "dedupe", "search", "pack",
               "install-test", "it", "install-ci-test", "isntall", "in", "unpublish", "deprecate",
               "dist-tag", "owner", "access", "login", "adduser", "whoami", "ping", "doctor"):
        registry = [o.value for o in found.values("--registry") if o.value] or \
            [cmd.assigns.get("NPM_CONFIG_REGISTRY") or cmd.assigns.get("npm_config_registry") or ""]
        if registry[0]:
            _url_hosts(out, registry, "npm")
        else:
            _hosts(out, NPM, "npm")
        if sub in _JS_INSTALLS:
            js_specs(cmd, ctx, out, rest, "npm")


def _npx(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    _runner(cmd, out, cmd.name, NPM, "c", ("--call",), start=1)


def _yarn(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, long_values=("--registry", "--cwd"))
    sub, rest = _subcommand(found, cmd)
    if sub == "dlx":
        _runner(cmd.tail(found.positional[0] + 1, origin="yarn dlx"), out, "yarn dlx", YARN)
    elif sub == "create":
        out.ask("yarn create downloads and runs a package", form="create")
        _hosts(out, YARN, "yarn")
    elif sub in ("", "install", "add", "upgrade", "up", "outdated", "info", "npm", "publish",
                 "upgrade-interactive", "global", "why", "audit"):
        registry = [o.value for o in found.values("--registry") if o.value]
        _url_hosts(out, registry, "yarn") if registry else _hosts(out, YARN, "yarn")
        if sub in _JS_INSTALLS or sub == "global":
            js_specs(cmd, ctx, out, [i for i in rest if cmd.argv[i] not in _JS_INSTALLS], "yarn")


def _pnpm(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="C", long_values=("--registry", "--dir", "--filter"))
    sub, rest = _subcommand(found, cmd)
    if sub == "dlx":
        _runner(cmd.tail(found.positional[0] + 1, origin="pnpm dlx"), out, "pnpm dlx", NPM, "c")
    elif sub == "create":
        out.ask("pnpm create downloads and runs a package", form="create")
        _hosts(out, NPM, "pnpm")
    elif sub in ("install", "i", "add", "update", "up", "upgrade", "outdated", "audit", "fetch",
                 "publish", "view", "info", "install-test", "it"):
        registry = [o.value for o in found.values("--registry") if o.value]
        _url_hosts(out, registry, "pnpm") if registry else _hosts(out, NPM, "pnpm")
        if sub in _JS_INSTALLS or sub == "global":
            js_specs(cmd, ctx, out, [i for i in rest if cmd.argv[i] not in _JS_INSTALLS], "pnpm")


def _bun(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="ep", long_values=("--eval", "--print", "--registry", "--cwd"))
    for opt in found.values("-e", "--eval", "-p", "--print"):
        out.ask(f"bun {opt.name} runs code given on the command line", form=opt.name)
    sub, rest = _subcommand(found, cmd)
    if sub == "x":
        _runner(cmd.tail(found.positional[0] + 1, origin="bun x"), out, "bun x", NPM)
    elif sub == "create":
        out.ask("bun create downloads and runs a package", form="create")
        _hosts(out, NPM, "bun")
    elif sub in ("install", "i", "add", "a", "update", "outdated", "publish", "pm"):
        registry = [o.value for o in found.values("--registry") if o.value]
        _url_hosts(out, registry, "bun") if registry else _hosts(out, NPM, "bun")
        if sub in _JS_INSTALLS or sub == "global":
            js_specs(cmd, ctx, out, [i for i in rest if cmd.argv[i] not in _JS_INSTALLS], "bun")


def _bunx(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    _runner(cmd, out, "bunx", NPM, start=1)


def _uvx(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    _runner(cmd, out, "uvx", PYPI, start=1)


def _pipx(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, stop_at_positional=True)
    sub, _ = _subcommand(found, cmd)
    if sub == "run":
        _runner(cmd.tail(found.positional[0] + 1, origin="pipx run"), out, "pipx run", PYPI)
    elif sub in ("install", "upgrade", "upgrade-all", "inject", "reinstall", "reinstall-all"):
        _hosts(out, PYPI, "pipx")


def _poetry(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="CP", long_values=("--directory", "--project"))
    sub, _ = _subcommand(found, cmd)
    if sub in ("add", "install", "update", "lock", "search", "publish", "sync"):
        _hosts(out, PYPI, "poetry")


def _cargo(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="Zpj", long_values=("--git", "--index", "--registry",
                                                             "--branch", "--tag", "--rev",
                                                             "--path", "--manifest-path",
                                                             "--config", "--features", "--package",
                                                             "--version", "--root", "--target"))
    sub, _ = _subcommand(found, cmd)
    if sub not in ("install", "add", "fetch", "update", "search", "publish", "generate-lockfile",
                   "login", "owner", "yank", "vendor", "info"):
        return
    _url_hosts(out, [o.value for o in found.values("--git", "--index") if o.value], "cargo")
    if not found.values("--index", "--registry") and not found.has("--offline"):
        _hosts(out, CRATES, "cargo")


def _go(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="CoX", long_values=())
    sub, rest = _subcommand(found, cmd)
    if sub == "generate":
        out.ask("go generate runs the commands written in //go:generate comments", form="generate")
        return
    fetches = sub in ("get", "install") or (sub == "mod" and rest and cmd.argv[rest[0]] in
                                             ("download", "tidy", "graph", "why", "vendor")) or \
        (sub == "run" and any("@" in cmd.argv[i] for i in rest))
    if not fetches:
        return
    proxy = cmd.assigns.get("GOPROXY")
    if proxy is None:
        _hosts(out, GOPROXY, "go")
        return
    for item in proxy.replace("|", ",").split(","):
        if item in ("direct", ""):
            for i in rest:
                module = cmd.argv[i].split("@", 1)[0]
                if "." in module.split("/", 1)[0]:
                    net(out, module.split("/", 1)[0].lower(), 443, "go")
        elif item != "off":
            _url_hosts(out, [item], "go")


def _gem(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="vs", long_values=("--source", "--version",
                                                           "--install-dir"))
    sub, _ = _subcommand(found, cmd)
    if sub in ("install", "fetch", "update", "push", "search", "list", "query", "yank", "owner",
               "i") and (sub not in ("list", "query") or found.has("--remote", "-r")):
        sources = [o.value for o in found.values("-s", "--source") if o.value]
        _url_hosts(out, sources, "gem") if sources else _hosts(out, RUBYGEMS, "gem")


def _bundle(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, stop_at_positional=True)
    sub, _ = _subcommand(found, cmd)
    if sub in ("", "install", "update", "add", "outdated", "lock", "package", "cache"):
        _hosts(out, RUBYGEMS, "bundle")


def _composer(cmd: Cmd, ctx: FileContext, out: Outcome) -> None:
    found = scan(cmd.argv, short_values="d", long_values=("--working-dir",))
    sub, _ = _subcommand(found, cmd)
    if sub in ("install", "require", "update", "upgrade", "create-project", "outdated", "i", "u"):
        _hosts(out, PACKAGIST, "composer")


HANDLERS: dict[str, Handler] = {
    "pip": _pip, "uv": _uv, "npm": _npm, "npx": _npx, "pnpx": _npx, "yarn": _yarn,
    "pnpm": _pnpm, "bun": _bun, "bunx": _bunx, "uvx": _uvx, "pipx": _pipx, "poetry": _poetry,
    "cargo": _cargo, "go": _go, "gem": _gem, "bundle": _bundle, "composer": _composer,
}
