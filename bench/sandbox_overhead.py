"""What `blastshield run` costs: start-up time and proxy throughput, against baselines from the same run.

1. Whole-process time of `blastshield run -- true` against `true` (p50 and p90 of N runs;
   target: at most 60 ms added at p50), run as users type it (the installed `blastshield`
   script), with `python -c pass` (the interpreter's own start, part of every run),
   `blastshield --version` and the run with the Python launcher (BLASTSHIELD_LAUNCHER=python)
   for comparison. Each row
   also gives the CPU time of the whole process tree (user + system, from the children's
   rusage: steadier than wall time on a shared machine). The commands take turns, so load
   changes hit all rows alike. Byte-code and the compiled launcher are built first, as in
   an installed package.
2. A 50 MB download from a loopback HTTP server outside the sandbox: through the proxy
   (curl inside `blastshield run`, via the bridge and the egress proxy) against curl
   directly (target: at least 50% of direct throughput). The download time is taken by
   curl itself (%{time_total}), so sandbox start-up is not counted against throughput; the
   time to the first byte (%{time_starttransfer}, part of it) is printed beside it.

Prints figures; asserts nothing. Needs bubblewrap, Landlock, seccomp and curl.
"""

from __future__ import annotations

import compileall
import http.server
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

RUNS = int(os.environ.get("BENCH_RUNS", "30"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "11"))
SIZE = 50 * 1024 * 1024
_BLOCK = b"x" * (1024 * 1024)


class _Big(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(SIZE))
        self.end_headers()
        for _ in range(SIZE // len(_BLOCK)):
            self.wfile.write(_BLOCK)

    def log_message(self, format: str, *args: object) -> None:
        return None


def _times(commands: dict[str, list[str]], cwd: Path, env: dict[str, str],
           runs: int) -> dict[str, tuple[list[float], list[float]]]:
    """Wall and CPU milliseconds per run of each command (interleaved)."""
    out: dict[str, tuple[list[float], list[float]]] = {label: ([], []) for label in commands}
    for _ in range(runs):
        for label, argv in commands.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(argv, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL)
            wall = (time.perf_counter() - start) * 1000
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000
            out[label][0].append(wall)
            out[label][1].append(cpu)
    return out


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _workspace(root: Path) -> tuple[Path, dict[str, str]]:
    home = root / "home"
    ws = root / "ws"
    (ws / ".blastshield").mkdir(parents=True)
    home.mkdir()
    (ws / ".blastshield" / "policy.toml").write_text(
        'version = 1\n[files]\nread = ["${WORKSPACE}/**"]\nwrite = ["${WORKSPACE}/**"]\n'
        'deny = ["**/.env", "~/.ssh/**"]\n[network]\nallow = ["bench.test"]\n')
    subprocess.run(["git", "init", "-q", str(ws)], check=True)
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    return ws, env


def startup(ws: Path, env: dict[str, str]) -> None:
    # The command a user types: the installed `blastshield` script next to this interpreter
    # (`python -m blastshield` would add runpy's imports, ~6 ms here, that no user pays).
    script = os.path.join(os.path.dirname(sys.executable), "blastshield")
    blastshield = [script] if os.access(script, os.X_OK) else [sys.executable, "-m", "blastshield"]
    print(f"blastshield command: {' '.join(blastshield)}")
    python_env = {**env, "BLASTSHIELD_LAUNCHER": "python"}
    _times({"warm": [*blastshield, "run", "--", "true"]}, ws, env, 3)  # builds the launcher, warms caches
    commands = {
        "true": ["true"],
        "python -c pass": [sys.executable, "-c", "pass"],
        "blastshield --version": [*blastshield, "--version"],
        "blastshield run -- true": [*blastshield, "run", "--", "true"],
        "run -- true, Python launcher": ["env", *(f"{k}={v}" for k, v in python_env.items()),
                                         *blastshield, "run", "--", "true"],
    }
    rows = _times(commands, ws, env, RUNS)
    print(f"start-up ({RUNS} runs each, whole process tree, ms)")
    for label, (wall, cpu) in rows.items():
        print(f"  {label:<30} wall p50 {statistics.median(wall):7.1f}  p90 {_pct(wall, 0.9):7.1f}"
              f"   cpu p50 {statistics.median(cpu):6.1f}")
    base_wall, base_cpu = (statistics.median(v) for v in rows["true"])
    run_wall, run_cpu = (statistics.median(v) for v in rows["blastshield run -- true"])
    py_wall, py_cpu = (statistics.median(v) for v in rows["python -c pass"])
    print(f"  added by run at p50: {run_wall - base_wall:.1f} ms wall (target <= 60 ms), "
          f"{run_cpu - base_cpu:.1f} ms cpu")
    print(f"  of which the interpreter's own start (python -c pass): {py_wall - base_wall:.1f} ms wall, "
          f"{py_cpu - base_cpu:.1f} ms cpu; `--version` builds every command's parser, so it is no floor")


def throughput(ws: Path, env: dict[str, str]) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Big)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    fmt = "%{time_total} %{size_download} %{time_starttransfer}"
    direct_s, proxied_s, direct_first, proxied_first = [], [], [], []
    for _ in range(ROUNDS):
        out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", fmt, f"http://127.0.0.1:{port}/"],
                             capture_output=True, text=True, check=True, env=env).stdout.split()
        assert int(out[1]) == SIZE
        direct_s.append(float(out[0]))
        direct_first.append(float(out[2]) * 1000)
        out = subprocess.run([sys.executable, "-m", "blastshield", "run", "--resolve", "bench.test:127.0.0.1",
                              "--", "curl", "-s", "-o", "/dev/null", "-w", fmt, f"http://bench.test:{port}/"],
                             cwd=ws, env=env, capture_output=True, text=True, check=True).stdout.split()
        assert int(out[1]) == SIZE
        proxied_s.append(float(out[0]))
        proxied_first.append(float(out[2]) * 1000)
    server.shutdown()
    direct = SIZE / statistics.median(direct_s) / 1e6
    proxied = SIZE / statistics.median(proxied_s) / 1e6
    print(f"50 MB download from a loopback server (median of {ROUNDS}, taking turns, MB/s)")
    print(f"  direct        {direct:8.1f}   (first byte p50 {statistics.median(direct_first):.1f} ms)")
    print(f"  through proxy {proxied:8.1f}   (first byte p50 {statistics.median(proxied_first):.1f} ms; "
          f"{100 * proxied / direct:.0f}% of direct; target >= 50%)")


def main() -> None:
    package = Path(__file__).resolve().parent.parent / "src" / "blastshield"
    compileall.compile_dir(str(package), quiet=1)
    with tempfile.TemporaryDirectory(prefix="bench-sandbox-") as tmp:
        ws, env = _workspace(Path(tmp))
        startup(ws, env)
        throughput(ws, env)


if __name__ == "__main__":
    main()
