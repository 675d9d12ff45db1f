"""Flight recorder append speed, and what logging adds to a whole hook process.

1. Durable appends per second in one process through ``Recorder.record`` (redact →
   canonicalise → chain → one SQLite transaction; a signed checkpoint every 100), with
   synchronous=FULL (target ≥ 4,000/s) and NORMAL: one writer (each append waits for its
   own commit and sync, so the disk's fsync rate, printed first, is its ceiling) and 8
   threads sharing the recorder as the hook server's requests do (group commit: appends
   that arrive together share a transaction; each still returns only once it is durable).
   Each configuration runs several rounds, taking turns, on a new log each time; the events
   carry random tool-use ids, as hosts make them.
2. The time logging adds to ``blastshield hook claude-code`` (target ≤ 3 ms p50), measured
   against the same hook with ``record_all`` swapped for a no-op, interleaved in the same run
   (medians of each and of the paired differences), for both ways a hook answers:
   - as deployed (the default): the hook client and its warm hook server, which records;
     the no-op is installed in both servers' processes by a ``sitecustomize`` on PYTHONPATH
     that only acts when ``BLASTSHIELD_BENCH_LOGGING=off`` (both variants load it);
   - in-process (``BLASTSHIELD_HOOK_SERVER=0``, the fallback when no server answers), which
     also pays for importing the recorder and opening and closing the log.

Everything runs in a temporary HOME and workspace.  Usage: python bench/log_append.py [--quick]
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import resource
import shutil
import signal
import statistics
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))
from _common import compile_package, installed_hook, server_pids, wait_for_servers

QUICK = "--quick" in sys.argv
APPENDS = 1000 if QUICK else 4000
ROUNDS = 2 if QUICK else 7  # each configuration, taking turns: this VM's speed drifts by 20% and more
HOOK_RUNS = 15 if QUICK else 41
SERVER_RUNS = 41 if QUICK else 201
WRITERS = 8  # threads sharing one recorder: parallel tool calls / agents served by one hook server

_HOOK = r"""
import sys
if sys.argv[1] == "off":
    import blastshield.hosts.recording as recording
    recording.record_all = lambda policy, events: []
from blastshield.cli.__main__ import main
sys.exit(main(["hook", "claude-code"]))
"""


def bench_appends(home: Path, synchronous: str, threads: int = 1) -> tuple[float, float]:
    """(appends/s, CPU µs per append) through one recorder; ``threads`` writers share it (as the
    hook server's request threads do), so their records share commits (group commit). Every
    ``record`` call returns only once its record is durable. The CPU figure depends little on
    the disk or the load."""
    import threading

    os.environ["HOME"] = str(home)
    from blastshield.audit.events import AuditEvent
    from blastshield.audit.recorder import Recorder
    from blastshield.audit.store_sqlite import SqliteStore

    folder = Path(tempfile.mkdtemp(dir=home))
    recorder = Recorder(SqliteStore(str(folder / "audit.db"), synchronous=synchronous), checkpoint_every=100)
    ids = random.Random(APPENDS)  # tool-use ids as hosts make them: random, not in order
    alphabet = string.ascii_letters + string.digits
    events = [AuditEvent("PreToolUse", "claude-code", session_id="s", tool="Bash",
                         tool_use_id="toolu_01" + "".join(ids.choice(alphabet) for _ in range(22)),
                         action=f"git commit -m 'change {i}' && pytest -q tests/", decision="allow",
                         applied="allow", rule="policy.toml [commands].allow[3] 'pytest *'", mode="enforce",
                         effects=({"kind": "exec", "target": "pytest -q tests/", "decision": "allow",
                                   "rule": "pytest *", "reason": "allowed"},), latency_ms=2.0)
              for i in range(APPENDS + 1)]
    recorder.record(events[0])  # keys and schema exist before timing
    shares = [events[1 + n::threads] for n in range(threads)]

    def write(share: list[AuditEvent]) -> None:
        for item in share:
            recorder.record(item)

    workers = [threading.Thread(target=write, args=(share,)) for share in shares]
    start, cpu = time.perf_counter(), time.process_time()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    written = recorder.store.count()
    recorder.close()
    if written != APPENDS + 1:
        raise SystemExit(f"expected {APPENDS + 1} records, the log holds {written}")
    return APPENDS / elapsed, cpu / APPENDS * 1e6


def _workspace(home: Path, name: str, env: dict[str, str]) -> Path:
    workspace = home / name
    workspace.mkdir()
    (workspace / "README.md").write_text("hello\n")
    subprocess.run(["git", "init", "-q", str(workspace)], check=True, env=env)
    subprocess.run([sys.executable, "-m", "blastshield", "init", "--host", "claude-code"], cwd=workspace,
                   env=env, check=True, capture_output=True)
    return workspace


def bench_hook(home: Path) -> None:
    env = {**os.environ, "HOME": str(home)}
    spaces = {"off": _workspace(home, "ws-off", env), "WAL": _workspace(home, "ws-wal", env),
              "TRUNCATE": _workspace(home, "ws-truncate", env), "WAL-tmpfs": _workspace(home, "ws-shm", env)}
    # The same log on a RAM disk: what logging costs without waiting for this machine's disk.
    shm = Path(tempfile.mkdtemp(prefix="bs-bench-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None))
    policy = spaces["WAL-tmpfs"] / ".blastshield" / "policy.toml"
    policy.write_text(policy.read_text().replace('store = ""', f'store = "{shm / "audit.db"}"', 1))

    cpu_times: dict[str, list[float]] = {v: [] for v in spaces}

    def once(variant: str) -> float:
        workspace = spaces[variant]
        payload = json.dumps({"hook_event_name": "PreToolUse", "session_id": "bench", "tool_name": "Read",
                              "tool_input": {"file_path": str(workspace / "README.md")},
                              "tool_use_id": "toolu_b", "cwd": str(workspace)})
        # In-process every time (no warm hook server), so both sides pay the same start-up and the
        # difference is what logging costs; bench/hook_latency.py measures the warm-server path.
        run_env = {**env, "BLASTSHIELD_AUDIT_JOURNAL": "TRUNCATE" if variant == "TRUNCATE" else "WAL",
                   "BLASTSHIELD_HOOK_SERVER": "0"}
        cpu = _children_cpu()
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", _HOOK, "off" if variant == "off" else "on"],
                              input=payload, capture_output=True, text=True, cwd=workspace, env=run_env,
                              check=False)
        elapsed = (time.perf_counter() - start) * 1000
        cpu_times[variant].append((_children_cpu() - cpu) * 1000)
        if proc.returncode != 0 or '"allow"' not in proc.stdout:
            raise SystemExit(f"hook did not allow ({variant}): {proc.stdout} {proc.stderr}")
        return elapsed

    for variant in tuple(spaces) * 2:  # warm caches; create keys and logs
        once(variant)
    cpu_times = {v: [] for v in spaces}
    times: dict[str, list[float]] = {v: [] for v in spaces}
    for _ in range(HOOK_RUNS):
        for variant in spaces:
            times[variant].append(once(variant))
    base = statistics.median(times["off"])
    print(f"hook process in-process (blastshield hook claude-code, BLASTSHIELD_HOOK_SERVER=0, a Read that"
          f" is allowed), {HOOK_RUNS} interleaved runs of each variant in this run:")
    print(f"  logging off (record_all swapped for a no-op)   p50 {base:6.1f} ms")
    labels = {"WAL": "WAL journal, FULL sync     ", "TRUNCATE": "TRUNCATE journal, FULL sync",
              "WAL-tmpfs": "WAL, log on a RAM disk     "}
    for variant, label in labels.items():
        diffs = [a - b for a, b in zip(times[variant], times["off"], strict=True)]
        median = statistics.median(times[variant])
        print(f"  logging on, {label}    p50 {median:6.1f} ms"
              f"  → adds {median - base:5.1f} ms"
              f" (median paired difference {statistics.median(diffs):5.1f} ms; target ≤ 3 ms)")
    # CPU time (user + system) of the same hook processes: what logging costs in work done, which a
    # loaded machine inflates far less than wall time (it leaves out waiting for the disk).
    cpu_base = statistics.median(cpu_times["off"])
    added = {label.split(",")[0].strip(): statistics.median(
        a - b for a, b in zip(cpu_times[variant], cpu_times["off"], strict=True))
        for variant, label in labels.items()}
    print(f"  CPU time (user+sys) of those processes: logging off p50 {cpu_base:5.1f} ms; logging on adds"
          " (median paired difference) " + ", ".join(f"{name}: {ms:4.1f} ms" for name, ms in added.items()))
    shutil.rmtree(shm, ignore_errors=True)


_SITECUSTOMIZE = r"""
import os
import sys

if os.environ.get("BLASTSHIELD_BENCH_LOGGING") == "off":
    class _NoLogging:
        # Swaps hosts.recording.record_all for a no-op right after that module is imported.
        def find_spec(self, name, path, target=None):
            if name != "blastshield.hosts.recording":
                return None
            sys.meta_path.remove(self)
            import importlib.util

            spec = importlib.util.find_spec(name)
            run = spec.loader.exec_module

            def exec_module(module):
                run(module)
                module.record_all = lambda policy, events: []

            spec.loader.exec_module = exec_module
            return spec

    sys.meta_path.insert(0, _NoLogging())
"""


def bench_hook_server(home: Path) -> None:
    """Logging on and off in the default deployment: hook client + warm hook server."""
    env = {**os.environ, "HOME": str(home)}
    workspace = _workspace(home, "ws-server", env)
    site = home / "bench-site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(_SITECUSTOMIZE)
    runtime = tempfile.mkdtemp(prefix="bs-rt-", dir="/tmp")  # short: unix socket paths max 107 bytes
    base = {**env, "XDG_RUNTIME_DIR": runtime, "BLASTSHIELD_HOOK_SERVER": "1", "PYTHONPATH": str(site)}
    envs = {v: {**base, "BLASTSHIELD_BENCH_LOGGING": v} for v in ("off", "on")}
    payload = json.dumps({"hook_event_name": "PreToolUse", "session_id": "bench", "tool_name": "Read",
                          "tool_input": {"file_path": str(workspace / "README.md")},
                          "tool_use_id": "toolu_s", "cwd": str(workspace)})
    argv = installed_hook(str(workspace))  # as `init` registered it
    log = workspace / ".blastshield" / "audit.db"

    def records() -> int:
        import sqlite3

        with contextlib.closing(sqlite3.connect(log)) as conn:
            return int(conn.execute("SELECT count(*) FROM records").fetchone()[0])

    def once(variant: str) -> float:
        start = time.perf_counter()
        proc = subprocess.run(argv, input=payload, capture_output=True, text=True, cwd=workspace,
                              env=envs[variant], check=False)
        elapsed = (time.perf_counter() - start) * 1000
        if proc.returncode != 0 or '"allow"' not in proc.stdout:
            raise SystemExit(f"hook did not allow ({variant}): {proc.stdout} {proc.stderr}")
        return elapsed

    try:
        for variant in envs:  # the first call answers in-process and starts that variant's server
            once(variant)
        wait_for_servers(runtime, 2)
        for _ in range(5):
            for variant in envs:
                once(variant)
        before = records()
        times: dict[str, list[float]] = {v: [] for v in envs}
        for _ in range(SERVER_RUNS):
            for variant in envs:
                times[variant].append(once(variant))
        written = records() - before
    finally:
        for pid in server_pids(runtime):
            os.kill(pid, signal.SIGTERM)
        shutil.rmtree(runtime, ignore_errors=True)
    if written != SERVER_RUNS:  # every "on" call wrote exactly one record, every "off" call none
        raise SystemExit(f"expected {SERVER_RUNS} new records, found {written}: the variants are not what"
                         " they claim")
    off, on = statistics.median(times["off"]), statistics.median(times["on"])
    diffs = [a - b for a, b in zip(times["on"], times["off"], strict=True)]
    print(f"hook as deployed (client + warm hook server, log on this disk, synchronous=FULL),"
          f" {SERVER_RUNS} interleaved runs of each:")
    print(f"  logging off (record_all a no-op in the server)  p50 {off:6.1f} ms")
    print(f"  logging on                                      p50 {on:6.1f} ms  → adds {on - off:5.1f} ms"
          f" (median paired difference {statistics.median(diffs):5.1f} ms; target ≤ 3 ms)")


def _children_cpu() -> float:
    """User + system CPU seconds of this process's finished children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def fsync_ceiling(home: Path) -> float:
    """Appends/s this disk allows when every commit waits for one fsync (same folder, same run)."""
    path = home / "fsync.probe"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        rounds = 300
        start = time.perf_counter()
        for _ in range(rounds):
            os.write(fd, b"x" * 512)
            os.fsync(fd)
        return rounds / (time.perf_counter() - start)
    finally:
        os.close(fd)


def main() -> int:
    compile_package()
    with tempfile.TemporaryDirectory(prefix="bs-bench-") as temp:
        home = Path(temp)
        print(f"disk: {fsync_ceiling(home):.0f} fsyncs/s on {temp}"
              " (the ceiling for one durable commit per event)")
        print(f"durable appends through Recorder.record, one process, {APPENDS} events"
              " (checkpoint every 100):")
        print(f"  (a new log each time; {ROUNDS} rounds of every configuration, taking turns:"
              " median, and the slowest and fastest round)")
        configurations = [(sync, threads) for sync in ("FULL", "NORMAL") for threads in (1, WRITERS)]
        rates: dict[tuple[str, int], list[float]] = {c: [] for c in configurations}
        cpus: dict[tuple[str, int], list[float]] = {c: [] for c in configurations}
        for _ in range(ROUNDS):
            for configuration in configurations:
                rate, cpu_us = bench_appends(home, *configuration)
                rates[configuration].append(rate)
                cpus[configuration].append(cpu_us)
        for configuration in configurations:
            sync, threads = configuration
            runs = rates[configuration]
            target = "  (target ≥ 4,000/s)" if sync == "FULL" else "                    "
            who = "one writer  " if threads == 1 else f"{threads} threads   "
            print(f"  synchronous={sync:<6} {who} {statistics.median(runs):8.0f} appends/s"
                  f" ({min(runs):5.0f}-{max(runs):5.0f}){target}"
                  f"  CPU {statistics.median(cpus[configuration]):5.1f} µs/append")
        bench_hook_server(home)
        bench_hook(home)
    return 0


if __name__ == "__main__":
    sys.exit(main())
