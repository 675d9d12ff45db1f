"""The files a tree reader reads below a folder, as the shell analysis and policy.treefilter model them,
are the files the real program reads: GNU grep (-rl) and ripgrep (--files), run on the same tree
with the same options. A file the model leaves out that the program reads would be a hidden read."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from blastshield.effects import Kind
from blastshield.policy.decide import SKIPS_HIDDEN
from blastshield.policy.fswalk import read_entries
from blastshield.policy.treefilter import TreeFilter
from blastshield.shell import analyze

_FILES = (".env", ".env.local", "a.py", "b.txt", "app/.env", "app/main.py", "app/App.PY", "certs/k.pem",
          "node_modules/m.js", "node_modules/deep/n.py", ".git/config", "sub/.hidden/x.py", "sub/y.py",
          "docs/readme.md", ".github/workflows/ci.yml")


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tree")
    for rel in _FILES:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x\n")
    return root


def _modelled(command: str, root: Path) -> set[str]:
    [read] = [e for e in analyze(command, cwd=str(root), workspace=str(root)) if e.kind is Kind.READ]
    assert read.path is not None and (root / read.path).resolve() == root.resolve()
    only = TreeFilter(read.filters, skip_hidden=read.origin in SKIPS_HIDDEN)
    return {str(Path(path).relative_to(root)) for path, is_dir in read_entries([str(root)], only)
            if not is_dir}


def _listed(argv: list[str], root: Path) -> set[str]:
    proc = subprocess.run(argv, cwd=root, capture_output=True, text=True, check=False)
    assert proc.returncode in (0, 1), proc.stderr
    return {line.removeprefix("./") for line in proc.stdout.splitlines() if line}


@pytest.mark.parametrize("options", [
    "", "--include='*.py'", "--exclude=.env", "--exclude='.env*'", "--exclude-dir=node_modules",
    "--exclude-dir='.?*'", "--include='*.py' --exclude=a.py", "--exclude='*.py' --include=a.py",
    "--include='*.py' --include=.env", "--include='*.md' --exclude-dir=docs",
    "--exclude='*' --include='*.pem'",
    "--include=sub/y.py",  # a path glob: the model drops the filters (reads more), grep matches no name
    "--exclude-dir='.*'",  # grep also skips the folder named on the command line ("."): it reads nothing
])
def test_grep_reads_what_the_model_says(tree: Path, options: str) -> None:
    command = f"grep -rl -e '' {options} ."
    real = _listed(["bash", "-c", command], tree)
    modelled = _modelled(command, tree)
    assert real <= modelled, f"grep reads {sorted(real - modelled)} that the model leaves out"
    if "/" not in options and options != "--exclude-dir='.*'":
        assert real == modelled


@pytest.mark.skipif(shutil.which("rg") is None, reason="ripgrep is not installed (.ci/run installs it)")
@pytest.mark.parametrize("options", [
    "", "--hidden", "-uu", "-g '*.py'", "-g '!*.py'", "-g '*.env'", "-g '.env'", "-g '!node_modules'",
    "--hidden -g '!.env'", "--hidden -g '!.*'", "-g '*.py' -g '!sub'", "--iglob '*.py'",
    "-g '!.git' --hidden",
    "-g 'app/*.py'",  # a path glob: the model drops the globs (reads more)
])
def test_ripgrep_reads_what_the_model_says(tree: Path, options: str) -> None:
    real = _listed(["bash", "-c", f"rg --files --no-ignore-vcs {options} ."], tree)
    modelled = _modelled(f"rg -l '' {options} .", tree)
    assert real <= modelled, f"rg reads {sorted(real - modelled)} that the model leaves out"
    if "/" not in options:
        assert real == modelled


_REPO_FILES = ("keep.py", "app.log", "secret.pem", ".env", "node_modules/m.pem", "node_modules/x.js",
               "dist/x.pem", "sub/a.tmp", "sub/b.py", "sub/dist", "sub/deeper/c.log", "build/out.pem")

# (.gitignore files by folder, whether the model must equal ripgrep or may only cover more)
_IGNORE_TREES = {
    "names": ({".gitignore": "node_modules/\n*.log\ndist\n# a comment\n\nsecret.pem  \n",
               "sub/.gitignore": "*.tmp\n"}, True),
    "negation": ({".gitignore": "*.pem\n!keep.pem\nnode_modules/\n"}, False),
    "dot-ignore": ({".gitignore": "*.log\n", ".ignore": "!app.log\n"}, False),
    "anchored": ({".gitignore": "/build\nsub/*.tmp\n**/x.js\n"}, False),
}


@pytest.fixture(scope="module", params=sorted(_IGNORE_TREES))
def repo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bool]:
    ignores, exact = _IGNORE_TREES[request.param]
    root = tmp_path_factory.mktemp(f"repo-{request.param}")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    for rel in _REPO_FILES:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x\n")
    for rel, text in ignores.items():
        (root / rel).write_text(text)
    return root, exact


@pytest.mark.skipif(shutil.which("rg") is None, reason="ripgrep is not installed (.ci/run installs it)")
@pytest.mark.parametrize("options", ["", "--hidden", "-g '*.pem'", "-g '!*.py'", "--no-ignore", "-u"])
def test_ripgrep_leaves_out_what_gitignore_names_as_the_model_says(repo: tuple[Path, bool],
                                                                   options: str) -> None:
    root, exact = repo
    real = {path for path in _listed(["bash", "-c", f"rg --files {options} ."], root)
            if not path.startswith(".git/")}
    modelled = {path for path in _modelled(f"rg -l '' {options} .", root) if not path.startswith(".git/")}
    assert real <= modelled, f"rg reads {sorted(real - modelled)} that the model leaves out"
    if exact:
        assert real == modelled


@pytest.mark.parametrize("options", [
    "", "--exclude=.env", "--exclude='.env*'", "--exclude=node_modules", "--exclude='*.py'",
    "--exclude=app --exclude='*.md'", "--exclude='[ab].*'",
    "--exclude=app/main.py",  # a path glob: the model drops it (reads more)
])
def test_tar_archives_what_the_model_says(tree: Path, options: str, tmp_path: Path) -> None:
    archive = tmp_path / "out.tar"
    listed = _listed(["bash", "-c", f"tar cf {archive} {options} . && tar tf {archive}"], tree)
    real = {path for path in listed if path and not path.endswith("/") and path != "."}
    modelled = _modelled(f"tar cf {archive} {options} .", tree)
    assert real <= modelled, f"tar reads {sorted(real - modelled)} that the model leaves out"
    if "/" not in options:
        assert real == modelled
