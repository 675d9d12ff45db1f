"""Bypasses found by the session-4 red-team hunt, git family: each expects ask or deny under
tests/redteam/policy.toml (see redteam_case.py for the shape of a case)."""

from __future__ import annotations

from redteam_case import ASK, AT_LEAST_ASK, DENY, Case, case  # noqa: F401

SSH = r"read .*/\.ssh/id_rsa$"
DOTENV = r"read .*/\.env$"
WS = r"read @WS@$"
GIT = r"exec git "

CASES: list[Case] = [
    # files git reads through its options
    case("git-commit-F-key", "git commit -F ~/.ssh/id_rsa --allow-empty", DENY, SSH,
         "the message file is read (and committed, then shown by git log)"),
    case("git-commit-file-eq-dotenv", "git commit --file=.env --allow-empty && git log -1", DENY, DOTENV),
    case("git-blame-contents-key", "git blame --contents ~/.ssh/id_rsa README.md", DENY, SSH,
         "blame prints the --contents file as the blamed file's lines"),
    case("git-blame-S-dotenv", "git blame -S .env README.md", DENY, DOTENV, "-S: a revisions file"),
    case("git-add-pathspec-file-dotenv", "git add --pathspec-from-file=.env", DENY, DOTENV,
         "git prints the pathspecs that match nothing: the file's lines"),
    case("git-reset-pathspec-file-dotenv", "git reset --pathspec-from-file .env", DENY, DOTENV),
    case("git-checkout-pathspec-file-dotenv", "git checkout -b x --pathspec-from-file=.env", DENY, DOTENV),
    case("git-commit-pathspec-file-key", "git commit --pathspec-from-file=@HOME@/.ssh/id_rsa -m x",
         DENY, SSH),
    case("git-rm-pathspec-file-dotenv", "git rm --cached --pathspec-from-file=.env", DENY, DOTENV),
    # git add copies what it stages into the repository, where git diff --cached prints it
    case("git-add-f-dotenv", "git add -f .env && git diff --cached", DENY, DOTENV),
    case("git-stage-dotenv", "git stage .env && git diff --staged", DENY, DOTENV),
    case("git-add-f-dot", "git add -f . && git diff --cached", DENY, WS,
         "-f: past .gitignore, the whole folder (.env included)"),
    case("git-add-Af", "git add -Af && git diff --cached", DENY, WS),
    case("git-add-f-pathspec-glob", "git add -f '*.env' && git diff --cached", DENY, WS,
         "git matches the quoted glob against every path (.env too)"),
    # searches and diffs of untracked files
    case("git-grep-no-index", "git grep --no-index -h DATABASE", DENY, WS,
         "--no-index searches untracked files, .env too"),
    case("git-grep-untracked", "git grep --untracked -h DATABASE", DENY, WS,
         "the workspace's .env is not ignored"),
    case("git-grep-f-key", "git grep -f ~/.ssh/id_rsa", DENY, SSH, "-f: patterns read from a file"),
    case("git-grep-unread-option", 'git grep "$(echo --no-index)" -h DATABASE', ASK, WS,
         "an argument the analysis cannot read may be --no-index"),
    case("git-diff-no-index-folder", "git diff --no-index build .", DENY, WS,
         "--no-index compares the folders' files, .env too"),
    # objects named on standard input, start points that rewrite the work tree
    case("git-cat-file-batch", "echo HEAD:.env | git cat-file --batch", ASK, GIT,
         "git show HEAD:.env is denied; --batch reads the object name from stdin"),
    case("git-cat-file-batch-command", "printf 'contents HEAD:.env\\n' | git cat-file --batch-command",
         ASK, GIT),
    case("git-checkout-b-start", "git checkout -b old HEAD~3", ASK, GIT,
         "rewrites the work tree from HEAD~3, an older .blastshield/policy.toml too if tracked"),
    case("git-switch-c-start", "git switch -c old HEAD~3", ASK, GIT),
    case("git-checkout-b-track-start", "git checkout -b old -t origin/old", ASK, GIT),
]
