"""The starting policy `blastshield init` writes: least privilege for this repository.

Detects the repository's languages and test runners to allow what a developer runs
every day, asks for what changes the environment, and denies the dangerous.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

from blastshield.effects import Mode


@dataclass(frozen=True, slots=True)
class RepoProfile:
    languages: tuple[str, ...]
    test_commands: tuple[str, ...]
    allow: tuple[str, ...] = field(default_factory=tuple)
    network: tuple[str, ...] = field(default_factory=tuple)


READ_ONLY_COMMANDS = (
    "git status", "git status *", "git diff", "git diff *", "git log", "git log *", "git show *",
    "git blame *", "git branch", "git branch --list *", "git branch -a", "git branch -v*",
    "git rev-parse *", "git ls-files *", "git remote -v", "git stash list", "git tag", "git tag -l *",
    "ls", "ls *", "cat *", "head *", "tail *", "wc *", "grep *", "egrep *", "rg *", "fd *", "find *",
    "tree", "tree *", "pwd", "echo *", "printf *", "which *", "type *", "file *", "stat *", "du *",
    "df *", "sort *", "uniq *", "cut *", "tr *", "diff *", "cmp *", "jq *", "basename *",
    "dirname *", "realpath *", "readlink *", "date", "date *", "true", "false", "test *", "[ *",
    "cd", "cd *", "pushd *", "popd", "export *", "set *", "unset *", "exit", "exit *", ":",
    "sed *", "awk *", "xargs *", "env *", "time *", "timeout *", "nice *",
    "bash -c *", "sh -c *", "command -v *",
    # blastshield's own read-only commands; the state-changing ones (init, learn --write,
    # log new-key, mcp approve) write protected files and are denied by the built-in protections.
    "blastshield check *", "blastshield scan *", "blastshield log *", "blastshield doctor",
    "blastshield learn", "blastshield learn *", "blastshield review *", "blastshield --version",
)
WORKSPACE_EDIT_COMMANDS = (
    "mkdir *", "touch *", "cp *", "mv *", "rm *", "ln -s *", "chmod *",
    "git add *", "git commit *", "git checkout *", "git switch *", "git restore *",
    "git stash", "git stash *", "git mv *", "git rm *", "git fetch", "git fetch *",
    "git pull", "git pull *", "git merge *", "git rebase *", "git init", "git init *",
)
ASK_COMMANDS = (
    "git push", "git push *", "git reset --hard *", "git clean *", "git clone *",
    "pip install *", "pip3 install *", "python -m pip install *", "python3 -m pip install *",
    "uv add *", "uv pip install *", "poetry add *", "npm install", "npm install *", "npm i *",
    "npm ci", "npm ci *", "yarn add *", "pnpm add *", "pnpm install *", "cargo add *",
    "cargo install *", "go get *", "go install *", "gem install *", "brew install *",
    "docker *", "kubectl *", "terraform *",
)
DENY_COMMANDS = (
    "rm -rf *", "rm -fr *", "rm -Rf *", "rm -rF *", "rm -r -f *", "rm -f -r *", "rm --recursive *",
    "curl *", "wget *", "sudo *", "su *", "doas *", "dd *", "mkfs *", "mkfs.* *", "shred *",
    "git push --force *", "git push -f *", "git push --force-with-lease *", "chmod -R 777 *",
    "nc *", "ncat *", "netcat *", "socat *", "telnet *", "base64 -d *", "base64 --decode *",
    "crontab *", "systemctl *", "chown -R *",
)
SECRET_PATHS = (
    "**/.env", "**/.env.*", "~/.ssh/**", "~/.aws/**", "~/.gnupg/**", "~/.config/gcloud/**",
    "~/.azure/**", "~/.kube/**", "~/.docker/config.json", "~/.netrc", "~/.npmrc", "~/.pypirc",
    "~/.git-credentials", "~/.config/gh/**", "**/*.pem", "**/*.key", "**/id_rsa*", "**/id_ed25519*",
    "**/id_ecdsa*", "/etc/shadow", "/etc/sudoers",
)


def detect(workspace: str) -> RepoProfile:
    """Languages and test runners of the repository at ``workspace``."""
    def has(*names: str) -> bool:
        return any(os.path.exists(os.path.join(workspace, n)) for n in names)

    languages: list[str] = []
    tests: list[str] = []
    allow: list[str] = []
    network: list[str] = []
    if has("pyproject.toml", "setup.py", "setup.cfg", "requirements.txt", "Pipfile", "tox.ini"):
        languages.append("python")
        tests += ["pytest", "pytest *", "python -m pytest", "python -m pytest *",
                  "python3 -m pytest *"]
        if has("tox.ini"):
            tests += ["tox", "tox *"]
        allow += ["ruff *", "mypy *", "black --check *", "pip list *", "pip list", "pip show *",
                  "pip freeze", "python --version", "python3 --version"]
        network += ["pypi.org", "files.pythonhosted.org"]
    if has("package.json"):
        languages.append("javascript")
        tests += ["npm test", "npm test *", "npm run *", "npx jest *", "npx vitest *",
                  "yarn test *", "pnpm test *"]
        allow += ["npm ls *", "npm ls", "npm view *", "npm outdated", "tsc *", "npx tsc *",
                  "node --version", "npm --version", "eslint *", "npx eslint *", "prettier --check *"]
        network += ["registry.npmjs.org"]
        tests += _package_scripts(workspace)
    if has("Cargo.toml"):
        languages.append("rust")
        tests += ["cargo test", "cargo test *", "cargo build", "cargo build *", "cargo check *",
                  "cargo check", "cargo clippy *", "cargo fmt *", "cargo tree *"]
        network += ["crates.io", "index.crates.io", "static.crates.io"]
    if has("go.mod"):
        languages.append("go")
        tests += ["go test *", "go build *", "go vet *", "gofmt *", "go list *", "go mod tidy"]
        network += ["proxy.golang.org", "sum.golang.org"]
    if has("Makefile", "makefile", "GNUmakefile"):
        tests += ["make", "make test", "make check", "make build", "make lint", "make all"]
    if has("pom.xml"):
        languages.append("java")
        tests += ["mvn test *", "mvn -q test *", "mvn test", "mvn package *"]
        network += ["repo.maven.apache.org"]
    return RepoProfile(tuple(languages), tuple(dict.fromkeys(tests)), tuple(allow), tuple(network))


def _package_scripts(workspace: str) -> list[str]:
    try:
        with open(os.path.join(workspace, "package.json"), encoding="utf-8") as handle:
            scripts = json.load(handle).get("scripts", {})
    except (OSError, ValueError, AttributeError):
        return []
    if not isinstance(scripts, dict):
        return []
    return [f"npm run {name}" for name in scripts if isinstance(name, str) and name.isidentifier()]


def _toml_list(items: tuple[str, ...] | list[str], indent: str = "  ") -> str:
    body = "".join(f"{indent}{json.dumps(item)},\n" for item in items)
    return "[\n" + body + "]"


PACKAGE_REGISTRIES = (
    "pypi.org", "files.pythonhosted.org", "registry.npmjs.org", "registry.yarnpkg.com", "crates.io",
    "index.crates.io", "static.crates.io", "proxy.golang.org", "sum.golang.org", "rubygems.org",
    "repo.packagist.org", "repo.maven.apache.org",
)


def _asked_registries(profile: RepoProfile) -> list[str]:
    """Registries of languages the repo does not use are asked (a package install asks anyway)."""
    return ["github.com", "web-search", *(h for h in PACKAGE_REGISTRIES if h not in profile.network)]


def render(profile: RepoProfile, mode: Mode) -> str:
    """The policy TOML text, commented for the person who will review it."""
    langs = ", ".join(profile.languages) or "none detected"
    allow = list(READ_ONLY_COMMANDS) + list(WORKSPACE_EDIT_COMMANDS) + list(profile.allow) \
        + list(profile.test_commands)
    return f"""\
# blastshield policy — written by `blastshield init` (languages: {langs}).
# Reference: docs/policy.md. Precedence for one effect: deny > ask > allow > default;
# an action takes the strictest decision of its effects. The agent can never edit this file.
version = 1
mode = "{mode.value}"          # enforce | shadow (decide and log, but allow) | learn (allow and log)

[files]
read = ["${{WORKSPACE}}/**", "/usr/**", "/tmp/**"]
write = ["${{WORKSPACE}}/**", "/tmp/**"]
ask = ["${{WORKSPACE}}/.github/workflows/**"]
deny = {_toml_list(SECRET_PATHS)}
default = "ask"

[commands]
allow = {_toml_list(allow)}
ask = {_toml_list(ASK_COMMANDS)}
deny = {_toml_list(DENY_COMMANDS)}
default = "ask"

[network]
allow = {_toml_list(list(profile.network))}
ask = {_toml_list(_asked_registries(profile))}
deny = ["169.254.169.254", "metadata.google.internal", "fd00:ec2::254"]
default = "deny"

[mcp]
allow = []
deny = ["*:delete_*", "*:drop_*"]
default = "ask"

[env]
pass = ["PATH", "HOME", "LANG", "LC_*", "TERM", "USER", "SHELL", "TMPDIR", "PWD"]
deny = ["*_TOKEN", "*_KEY", "*SECRET*", "*PASSWORD*", "*PASSWD*", "AWS_*", "*_CREDENTIALS"]
default = "allow"

[audit]
store = ""                    # "" = .blastshield/audit.db; or a path, or a postgresql:// URL
checkpoint_every = 100

[scan]
on_write = true               # scan files the agent writes, send findings back to it
feedback_severity = "medium"
fail_on = "high"
"""
