"""Scan speed: the write-time case and whole-tree throughput, next to baselines from the same run.

1. Whole-process time of `blastshield scan FILE` on one ~200-line Python web module (the
   write-time hook case): p50/p95 over BENCH_RUNS runs (default 30), next to `python -c pass`
   on the same interpreter. Target: p50 <= 150 ms.
2. Throughput on the Python standard library's own Lib/ tree (site-packages excluded), in
   lines of Python per second: `blastshield scan` (default jobs, and --jobs 1) next to
   Bandit (`bandit -r`) on the same tree in the same run. Target: >= 1.5x Bandit. Bandit is
   skipped with a message when it is not installed (pip install bandit).

    python bench/scan_speed.py [--tree DIR] [--runs N] [--skip-tree]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from _common import PY, median, percentile

ROUTE = '''

@app.route("/items/<int:item_id>/{name}", methods=["GET", "POST"])
def {name}(item_id):
    """Show or update one item's {name}."""
    conn = sqlite3.connect(DB_PATH)
    try:
        if request.method == "POST":
            value = request.form.get("{name}", "")
            if len(value) > 200:
                abort(400)
            conn.execute("UPDATE items SET {name} = ? WHERE id = ?", (value, item_id))
            conn.commit()
            log.info("updated %s of item %d", "{name}", item_id)
            return redirect(url_for("{name}", item_id=item_id))
        row = conn.execute("SELECT {name} FROM items WHERE id = ?", (item_id,)).fetchone()
        if row is None:
            abort(404)
        return render_template("item.html", field="{name}", value=row[0])
    finally:
        conn.close()
'''
HEADER = '''"""A small Flask service of the kind an agent writes."""

import logging
import os
import sqlite3
import subprocess

from flask import Flask, abort, redirect, render_template, request, url_for

app = Flask(__name__)
log = logging.getLogger(__name__)
DB_PATH = os.environ.get("DB_PATH", "items.db")


@app.route("/ping")
def ping():
    host = request.args.get("host", "localhost")
    out = subprocess.run(f"ping -c 1 {host}", shell=True, capture_output=True, text=True)
    return out.stdout
'''


def sample_module(lines: int = 200) -> str:
    names = ["title", "owner", "price", "notes", "colour", "size", "status", "origin", "grade", "label"]
    text = HEADER
    for name in names:
        if text.count("\n") >= lines:
            break
        text += ROUTE.format(name=name)
    return text


def time_run(argv: list[str], cwd: str) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return (time.perf_counter() - start) * 1000, proc.returncode


def write_time_case(runs: int) -> None:
    folder = tempfile.mkdtemp(prefix="bs-scan-bench-")
    path = os.path.join(folder, "service.py")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(sample_module())
    lines = sample_module().count("\n")
    time_run([PY, "-m", "blastshield", "scan", "service.py"], folder)  # warm the page cache
    base = [time_run([PY, "-c", "pass"], folder)[0] for _ in range(runs)]
    scans = []
    codes = set()
    for _ in range(runs):
        elapsed, code = time_run([PY, "-m", "blastshield", "scan", "--format", "json", "service.py"], folder)
        scans.append(elapsed)
        codes.add(code)
    print(f"write-time case: one {lines}-line Python module, {runs} runs each (exit codes {sorted(codes)})")
    print(f"  python -c pass           p50 {median(base):7.1f} ms   p95 {percentile(base, 95):7.1f} ms")
    print(f"  blastshield scan FILE    p50 {median(scans):7.1f} ms   p95 {percentile(scans, 95):7.1f} ms"
          f"   (target p50 <= 150 ms: {'met' if median(scans) <= 150 else 'NOT met'})")
    shutil.rmtree(folder, ignore_errors=True)


def python_lines(tree: str) -> tuple[int, int]:
    files = lines = 0
    for root, dirs, names in os.walk(tree):
        dirs[:] = [d for d in dirs if d not in ("site-packages", "__pycache__")]
        for name in names:
            if name.endswith(".py"):
                files += 1
                with open(os.path.join(root, name), "rb") as handle:
                    lines += handle.read().count(b"\n")
    return files, lines


def tree_case(tree: str) -> None:
    files, lines = python_lines(tree)
    print(f"\nthroughput: {tree} ({files} Python files, {lines} lines; site-packages excluded)", flush=True)
    ours_ms, code = time_run([PY, "-m", "blastshield", "scan", "--format", "json", "-o", os.devnull, tree],
                             "/")
    ours = lines / (ours_ms / 1000)
    print(f"  blastshield scan (jobs={os.cpu_count()})   {ours_ms / 1000:7.1f} s   {ours:10.0f} lines/s"
          f"  (exit {code})", flush=True)
    one_ms, code = time_run([PY, "-m", "blastshield", "scan", "--jobs", "1", "--format", "json", "-o",
                             os.devnull, tree], "/")
    one = lines / (one_ms / 1000)
    print(f"  blastshield scan (jobs=1)   {one_ms / 1000:7.1f} s   {one:10.0f} lines/s  (exit {code})",
          flush=True)
    bandit = shutil.which("bandit", path=os.path.dirname(PY)) or shutil.which("bandit")
    if not bandit:
        print("  bandit: not installed, skipped (pip install bandit; the lead may add it to the dev extra)")
        return
    version = subprocess.run([bandit, "--version"], capture_output=True, text=True, check=False).stdout
    bandit_ms, code = time_run([bandit, "-r", "-q", "-f", "json", "-o", os.devnull,
                                "-x", "*/site-packages/*", tree], "/")
    theirs = lines / (bandit_ms / 1000)
    print(f"  {version.splitlines()[0] if version else 'bandit'} (one process)"
          f"   {bandit_ms / 1000:7.1f} s   {theirs:10.0f} lines/s  (exit {code})")
    print(f"  ratio blastshield/bandit: {ours / theirs:.2f}x default jobs, {one / theirs:.2f}x with --jobs 1"
          f"   (target >= 1.5x: {'met' if ours / theirs >= 1.5 else 'NOT met'})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tree", default=sysconfig.get_paths()["stdlib"],
                        help="tree to scan (default: the standard library's Lib/)")
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "30")))
    parser.add_argument("--skip-tree", action="store_true", help="only the write-time case")
    args = parser.parse_args()
    write_time_case(max(20, args.runs))
    if not args.skip_tree:
        tree_case(os.path.realpath(args.tree))
    return 0


if __name__ == "__main__":
    sys.exit(main())
